from __future__ import annotations

from django.http import HttpRequest

from zhenxing.web.navigation import items_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(user.role, is_superuser=user.is_superuser)}
