"""order_urls: the cadre side of the service loop (see ``order_views``).

Each action has its own route (``orders/<id>/accept/``...), all named ``order_action``: reverse it
with ``order_id`` and ``action``; an action that is not one of them is simply not found.
"""

from django.urls import path

from zhenxing.web import order_views

urlpatterns: list = [
    path("orders/", order_views.todo, name="orders_todo"),
    path("orders/all/", order_views.order_list, name="orders_list"),
    path("orders/new/", order_views.order_new, name="orders_new"),
    path("orders/<int:order_id>/", order_views.order_detail, name="order_detail"),
    path(
        "orders/<int:order_id>/photos/<int:photo_id>/",
        order_views.order_photo,
        name="order_photo",
    ),
    *(
        path(
            f"orders/<int:order_id>/{action}/",
            order_views.order_action,
            {"action": str(action)},
            name="order_action",
        )
        for action in order_views.ACTIONS
    ),
    path("notices/", order_views.notices, name="notices"),
    path("notices/read/", order_views.notices_read, name="notices_read"),
]
