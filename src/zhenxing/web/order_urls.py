"""order_urls"""

urlpatterns: list = []
