"""Walk every URL pattern — pages and API routes alike — as each demo persona, and prove that no
object outside the persona's scope is reachable: its URL answers 404 exactly like a missing one,
and no page, JSON answer or downloaded workbook links to or names one.

Samples per route and persona: up to three objects inside the scope (the first by pk: for regions
the persona's own node, whose pages list the most) and three outside it, chosen to cover the
ways a scope filter goes wrong rather than at random: the lowest pk out of reach (for regions an
ancestor), the first one after the inside samples (the neighbouring village or township, where a
prefix mistake would show) and the highest. A download is opened and searched like a page, once,
for the first inside object: the persona's widest export, which holds what the narrower ones do.

A new URL parameter must be taught to this walker (``PARAM_MODELS``), or the test fails.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver

from zhenxing.accounts.models import User
from zhenxing.accounts.scoping import scope_for, visible
from zhenxing.orders.models import Order
from zhenxing.regions.models import Level, Region

PERSONAS = ["county", "township", "village", "member"]
# "s/", "t/": public villager pages: no scope, tested in test_public_views
SKIP_PREFIXES = ("admin/", "i18n/", "static/", "media/", "s/", "t/")
# Routes that take no object and change state: exercised by their own tests.
NOT_WALKED = {"logout/", "api/v1/auth/token"}
# The order actions and the meeting record are POSTs that change state and take a JSON body (an
# empty form POST answers 400 before any lookup): test_orders_api.py proves each answers 404 out
# of scope exactly like a missing order.
NOT_WALKED |= {"api/v1/orders/meetings"} | {
    f"api/v1/orders/<int:order_id>/{action}"
    for action in ("dispatch", "accept", "return", "resolve", "rate", "withdraw", "mark", "urge")
}
# The villager's order API needs no login and has no scope: the tracking code plus the phone's
# last four digits are its key (tested in src/zhenxing/api/tests/test_orders_api.py).
SKIP_PREFIXES += ("api/v1/orders/public",)
# Grid API writes take a JSON body (an empty POST answers 422 before any lookup):
# src/zhenxing/grids/tests/test_views.py proves each answers 404 out of scope.
NOT_WALKED |= {"api/v1/grids/visits", "api/v1/grids/households/<int:household_id>/pairing"}
# Ledgers 1–3: the API corrections take a JSON body (an empty POST answers 422 before any
# lookup); src/zhenxing/ledgers/tests/test_books.py and test_points.py prove each answers 404 out
# of scope exactly like a missing entry.
NOT_WALKED |= {
    f"api/v1/ledgers/{route}"
    for route in (
        "books/<book_entry_id>/correct",
        "books/<book_entry_id>/mark-corrected",
        "books/<int:book_entry_id>/void",
        "ratings/<household_rating_id>/correct",
        "ratings/<int:household_rating_id>/void",
        "points/<points_entry_id>/correct",
        "points/<int:points_entry_id>/void",
        "pledges/<pledge_id>/close",
    )
}
# Accounts (账号管理, page and API) are for county and township admins only: another persona gets
# 404 (page) or 403 (API) for its own village's accounts too, so the walk's "inside answers 200"
# does not hold. src/zhenxing/api/tests/test_accounts_api.py and
# src/zhenxing/web/tests/test_account_views.py prove an account outside the scope answers 404.
# An evaluation is a POST with a JSON body (an empty one answers 422 before any lookup):
# src/zhenxing/api/tests/test_parity.py proves a region outside the scope answers 404.
NOT_WALKED |= {
    "api/v1/accounts",
    "api/v1/accounts/roles",
    "settings/accounts/<int:account_id>/",
    "api/v1/accounts/<int:account_id>",
    "api/v1/stars/standards/<int:standard_id>/evaluations",
} | {
    f"api/v1/accounts/<int:account_id>/{action}"
    for action in ("disable", "enable", "reset-password")
}
# Ledgers 4–7: the same for their API corrections and voids; test_village_api.py proves each
# answers 404 out of scope.
NOT_WALKED |= {
    f"api/v1/ledgers/{route}/{action}"
    for route in (
        "meetings/<int:org_meeting_id>",
        "income/<int:income_entry_id>",
        "incidents/<int:incident_id>",
        "talent/<int:talent_id>",
        "reserve-cadres/<int:reserve_cadre_id>",
    )
    for action in ("correct", "void")
}
# Star applications: the API actions take a JSON (or form) body (an empty POST answers 422 before
# any lookup; publish, which takes none, would act): src/zhenxing/api/tests/test_stars_api.py
# proves each answers 404 out of scope.
NOT_WALKED |= {
    f"api/v1/stars/applications/<int:application_id>/{action}"
    for action in (
        "tasks",
        "tasks/done",
        "evidence",
        "self-assess",
        "return",
        "review",
        "approve",
        "publish",
        "objections",
        "objections/decide",
        "revoke",
    )
} | {"api/v1/stars/applications/regions/<int:region_id>"}
# The results notice (Word) answers 403 to every role but the county's, like the order actions:
# src/zhenxing/api/tests/test_star_results_api.py proves it answers 404 out of scope. (Its page
# twin redirects other roles and is walked.)
NOT_WALKED |= {"api/v1/stars/results/regions/<int:region_id>/notice"}
# Deciding a revocation proposal takes a JSON body (an empty POST answers 400 before any lookup):
# src/zhenxing/api/tests/test_star_revocation_walk.py proves it answers 404 out of scope.
NOT_WALKED |= {"api/v1/stars/proposals/<int:proposal_id>/decide"}
MISSING_ID = 987_654_321
INSIDE_SAMPLES = 3


def param_models() -> dict[str, type]:
    models: dict[str, type] = {"region_id": Region}
    models["order_id"] = Order
    from zhenxing.orders.models import Meeting

    models["meeting_id"] = Meeting
    from zhenxing.ledgers.models import (
        BookEntry,
        HouseholdRating,
        LedgerPhoto,
        Pledge,
        PointsEntry,
    )

    models |= {
        "book_entry_id": BookEntry,
        "household_rating_id": HouseholdRating,
        "points_entry_id": PointsEntry,
        "pledge_id": Pledge,
        "ledger_photo_id": LedgerPhoto,
    }
    from zhenxing.ledgers.models import Incident, IncomeEntry, OrgMeeting, ReserveCadre, Talent

    models |= {
        "org_meeting_id": OrgMeeting,
        "income_entry_id": IncomeEntry,
        "incident_id": Incident,
        "talent_id": Talent,
        "reserve_cadre_id": ReserveCadre,
    }
    from zhenxing.grids.models import Grid
    from zhenxing.regions.models import Household

    models["grid_id"] = Grid
    models["household_id"] = Household
    from zhenxing.stars.models import Standard

    models["standard_id"] = Standard
    from zhenxing.stars.models import SiteReview

    models["site_review_id"] = SiteReview
    from zhenxing.stars.models import Application, Evidence, RevocationProposal

    models |= {"application_id": Application, "evidence_id": Evidence}
    models["proposal_id"] = RevocationProposal
    from zhenxing.reports.models import ReportCheck

    models["check_id"] = ReportCheck
    try:
        from zhenxing.core.models import Job
    except ImportError:  # the jobs model arrives with the roster imports
        return models
    models["job_id"] = Job
    from zhenxing.orders.models import Photo

    models["photo_id"] = Photo
    return models


def walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def routes() -> list[str]:
    return [
        route
        for route, _ in walk(get_resolver().url_patterns)
        if not route.startswith(SKIP_PREFIXES) and route not in NOT_WALKED
    ]


PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(route: str, value: int) -> str:
    return "/" + PARAM.sub(str(value), route)


def fill_each(route: str, values: tuple[int, ...]) -> str:
    given = iter(values)
    return "/" + PARAM.sub(lambda _m: str(next(given)), route)


CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def same_page(body: bytes, url: str) -> bytes:
    """A page less what differs by design: the CSRF mask (new each time) and the URL asked for."""
    return CSRF.sub(rb"\1", body).replace(url.encode(), b"<url>")


def fetch(client, url: str):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
        if response.status_code == 302:
            client.get(response["Location"])  # show the action's flash message now, not later
    return response


def is_download(response) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment")


def text_of(response) -> str:
    """The text a person would read: a page or JSON as is; a workbook or document (a zip of XML
    parts: xlsx, docx) unpacked, since its compressed bytes would hide any name."""
    content = response.content
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode(errors="replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return content.decode(errors="replace")


def outside_samples(hidden: QuerySet, after: int) -> list[int]:
    """Three pks of the out-of-scope objects ``hidden``: the lowest, the first above ``after``
    (the last inside sample) and the highest."""
    pks = hidden.order_by("pk").values_list("pk", flat=True)
    picked = (pks.first(), pks.filter(pk__gt=after).first(), pks.last())
    return sorted({pk for pk in picked if pk is not None})


def assert_nothing_out_of_scope_in(response, visible_ids: set[int], hidden_names: set[str]) -> None:
    body = text_of(response)
    linked = {int(n) for n in re.findall(r"/regions/(\d+)/", body)}
    assert linked <= visible_ids, (
        f"links to out-of-scope regions {sorted(linked - visible_ids)[:5]}"
    )
    leaked = {name for name in hidden_names if name in body}
    assert not leaked, f"names out-of-scope villages {sorted(leaked)[:5]}"
    if response.get("Content-Type", "").startswith("application/json"):
        ids = {int(n) for n in re.findall(r'"(?:region_id|village_id|group_id)":\s*(\d+)', body)}
        assert ids <= visible_ids, (
            f"JSON names out-of-scope regions {sorted(ids - visible_ids)[:5]}"
        )


def walk_child(client, route, params, models, scope, visible_regions, hidden_names) -> None:
    """A route naming a parent and its child: reachable only as (visible parent, its own child);
    any other pair answers 404 exactly like a missing one."""
    parent, child = (models[p] for p in params)
    link = next(f.attname for f in child._meta.fields if f.related_model is parent)
    shown = visible(child.objects.all(), scope)
    inside = list(shown.order_by("pk").values_list(link, "pk")[:INSIDE_SAMPLES])
    hidden = child.objects.exclude(pk__in=shown.values("pk"))
    chosen = outside_samples(hidden, inside[-1][1] if inside else 0)
    outside = list(hidden.filter(pk__in=chosen).order_by("pk").values_list(link, "pk"))
    missing_url = fill_each(route, (MISSING_ID, MISSING_ID))
    missing = fetch(client, missing_url)
    assert missing.status_code == 404, (route, missing.status_code)
    mismatched = [(MISSING_ID, pk) for _parent, pk in inside]
    for pair in outside + mismatched:
        url = fill_each(route, pair)
        response = fetch(client, url)
        assert response.status_code == 404, f"{route} with {pair} answered {response.status_code}"
        assert same_page(response.content, url) == same_page(missing.content, missing_url)
    for pair in inside:
        response = fetch(client, fill_each(route, pair))
        assert response.status_code in {200, 302}, (route, pair, response.status_code)
        assert_nothing_out_of_scope_in(response, visible_regions, hidden_names)
        if is_download(response):
            break


@pytest.mark.usefixtures("demo_county", "db")
@pytest.mark.parametrize("username", PERSONAS)
def test_no_out_of_scope_object_is_reachable(client, username):
    user = User.objects.get(username=username)
    scope = scope_for(user)
    client.force_login(user)
    visible_regions = set(visible(Region.objects.all(), scope).values_list("pk", flat=True))
    villages = Region.objects.filter(level__in=(Level.VILLAGE, Level.COMMUNITY))
    hidden_villages = villages.exclude(pk__in=visible_regions)
    # Village names are unique within the demo county; any of them in a page is a leak.
    hidden_names = set(hidden_villages.values_list("name", flat=True)) - set(
        villages.filter(pk__in=visible_regions).values_list("name", flat=True)
    )
    assert hidden_names or username == "county"

    models = param_models()
    walked = 0
    for route in routes():
        params = PARAM.findall(route)
        unknown = set(params) - set(models)
        assert not unknown, f"{route}: teach the scope walker about {unknown}"
        if not params:
            response = fetch(client, fill(route, 0))
            assert response.status_code in {200, 302, 404}, (route, response.status_code)
            assert_nothing_out_of_scope_in(response, visible_regions, hidden_names)
            walked += 1
            continue
        if len(params) == 2:  # a child under its parent, e.g. an order's photo
            walk_child(client, route, params, models, scope, visible_regions, hidden_names)
            walked += 1
            continue
        (name,) = set(params)
        model = models[name]
        # A scope-exempt model (the county's rule book) is read at every level: all of it inside.
        exempt = getattr(model, "scope_exempt", False)
        shown = model.objects.all() if exempt else visible(model.objects.all(), scope)
        inside = list(shown.order_by("pk").values_list("pk", flat=True)[:INSIDE_SAMPLES])
        outside = outside_samples(
            model.objects.exclude(pk__in=shown.values("pk")), inside[-1] if inside else 0
        )
        if model is Region and username != "county":
            assert outside, "the persona should have regions out of reach"
        missing = fetch(client, fill(route, MISSING_ID))
        assert missing.status_code == 404, (route, missing.status_code)
        for pk in outside:
            response = fetch(client, fill(route, pk))
            assert response.status_code == 404, (
                f"{route} with {name}={pk} answered {response.status_code}"
            )
            assert same_page(response.content, fill(route, pk)) == same_page(
                missing.content, fill(route, MISSING_ID)
            )
        for pk in inside:
            response = fetch(client, fill(route, pk))
            assert response.status_code in {200, 302}, (route, pk, response.status_code)
            assert_nothing_out_of_scope_in(response, visible_regions, hidden_names)
            if is_download(response):
                break
        walked += 1
    assert walked >= 10


@pytest.mark.usefixtures("demo_county", "db")
def test_personas_cannot_open_the_admin(client):
    for username in PERSONAS:
        client.force_login(User.objects.get(username=username))
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
