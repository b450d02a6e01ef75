"""/api/v1/docs: Swagger UI from npm (``swagger-ui-dist`` in package.json), served as static files
like every other front-end package: no CDN, so it works on an intranet without internet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {"api": api, "openapi_url": reverse(f"{api.urls_namespace}:openapi-json")}
        return render(request, "web/api_docs.html", context)
