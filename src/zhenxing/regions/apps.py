from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "zhenxing.regions"
    label = "regions"
    verbose_name = _("登记册")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from zhenxing.core.reference import forget_references
        from zhenxing.regions.models import Region

        for signal in (post_save, post_delete):
            signal.connect(forget_references, sender=Region, dispatch_uid="region_references")
