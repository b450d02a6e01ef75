"""What a locked-out login sees: a page in the browser, JSON for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response: Any, credentials: Any
) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = _("密码连续输错次数过多，该账号已暂时锁定 15 分钟，请稍后再试。")
        return JsonResponse(
            {"detail": message, "errors": [{"field": None, "message": message}]}, status=429
        )
    return render(request, "accounts/locked.html", status=429)
