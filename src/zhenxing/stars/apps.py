from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _incident_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A row of the 三零 ledger reaches the stars its village holds (``revocations``)."""
    if created and not raw:
        from zhenxing.stars.services.revocations import incident_saved

        incident_saved(instance)


class StarsConfig(AppConfig):
    name = "zhenxing.stars"
    label = "stars"
    verbose_name = _("星级评定")

    def ready(self) -> None:
        # The ledgers app sits below the stars (import-linter's layers): the stars listen to it.
        post_save.connect(
            _incident_saved, sender="ledgers.Incident", dispatch_uid="stars_incident_saved"
        )
