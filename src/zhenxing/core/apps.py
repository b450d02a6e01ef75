from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhenxing.core"
    label = "core"
    verbose_name = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from zhenxing.core.models import CalendarDay
        from zhenxing.core.reference import forget_references

        for signal in (post_save, post_delete):
            signal.connect(
                forget_references, sender=CalendarDay, dispatch_uid="calendar_references"
            )
