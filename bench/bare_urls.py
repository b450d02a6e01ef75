"""URLs of ``bench/intake_http.py``'s server: the application's, plus ``/bench/bare/``, a bare view
that reads the same form POST and inserts one row into ``bench_bare`` (a table that the bench
creates in its scratch database and no model knows), then redirects, as the intake does.

It runs behind the same middleware (sessions, CSRF, authentication, scope, messages, axes): the
floor that a request with one insert costs in this deployment, against which the intake is compared.
"""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (at, body) VALUES (now(), %s)",
            [request.POST.get("description", "")],
        )
    return HttpResponseRedirect("/bench/bare/done/")


urlpatterns = [
    path("bench/bare/", bare_insert, name="bench_bare"),
    path("", include("zhenxing.urls")),
]
