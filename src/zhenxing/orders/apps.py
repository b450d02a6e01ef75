from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zhenxing.orders"
    label = "orders"
    verbose_name = _("为民服务")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from zhenxing.core.reference import forget_references
        from zhenxing.orders.models import Category

        for signal in (post_save, post_delete):
            signal.connect(forget_references, sender=Category, dispatch_uid="category_references")
