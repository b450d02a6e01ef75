from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zhenxing.orders"
    label = "orders"
    verbose_name = _("为民服务")
