"""public_urls"""

urlpatterns: list = []
