from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StarsConfig(AppConfig):
    name = "zhenxing.stars"
    label = "stars"
    verbose_name = _("星级评定")
