from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhenxing.web"
    label = "web"
