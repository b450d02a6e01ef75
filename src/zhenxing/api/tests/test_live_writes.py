"""Writes through every router, by a script's bearer token and by a browser's session with its CSRF
token, against the live server (CSRF enforced as in production).

Routers without a write (regions, jobs, stars/results) are read here by both clients."""

from __future__ import annotations

import pytest

from zhenxing.api.tests.live import API, browser_client, token_client
from zhenxing.conftest import add_household
from zhenxing.orders.models import Category, Order, OrderEvent
from zhenxing.orders.tests.conftest import member_with_account
from zhenxing.regions.tests.factories import HOUSEHOLD_HEADER, id_number, workbook_bytes
from zhenxing.stars.models import Star, Task, WeeklyReport
from zhenxing.stars.services import standard_load
from zhenxing.stars.tests.test_rhythm import STANDARD, apply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clients(live_server, tree, county_user, township_a_user, village_a1_user):
    made = []

    def make(kind: str, username: str):
        client = (token_client if kind == "token" else browser_client)(live_server.url, username)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def category(db) -> Category:
    return Category.objects.get_or_create(
        name="环境卫生", defaults={"time_limit_days": 3, "response_days": 1, "sort": 5}
    )[0]


def order_body(tree, category) -> dict:
    return {
        "village_id": tree.village_a1.pk,
        "category_id": category.pk,
        "description": "村口路灯坏了三盏",
        "name": "王大爷",
        "phone": "13800138000",
    }


def test_without_credentials_a_write_answers_401_and_a_session_without_csrf_403(
    live_server, clients, tree, category
):
    import httpx

    body = order_body(tree, category)
    with httpx.Client(base_url=live_server.url) as anonymous:
        assert anonymous.post(f"{API}/orders", json=body).status_code == 401
        assert anonymous.get(f"{API}/regions").status_code == 401
    browser = clients("session", "township_a_u")
    refused = browser.post(f"{API}/orders", json=body, headers={"X-CSRFToken": "forged"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Order.objects.exists()
    # A token is tried first, so a script that also carries a stale session cookie is not refused.
    script = clients("token", "township_a_u")
    script.cookies.set("sessionid", "stale")
    accepted = script.post(f"{API}/orders", json=body)
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize("kind", ["token", "session"])
def test_orders_submit_and_dispatch(clients, tree, category, kind):
    member, _user = member_with_account(tree.village_a1, "901", "party_a1_u")
    client = clients(kind, "village_a1_u")
    created = client.post(
        f"{API}/orders",
        json=order_body(tree, category),
    )
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    moved = client.post(f"{API}/orders/{order_id}/dispatch", json={"member_id": member.pk})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "dispatched"
    assert list(OrderEvent.objects.filter(order_id=order_id).values_list("action", flat=True)) == [
        "submit",
        "dispatch",
    ]


@pytest.mark.parametrize("kind", ["token", "session"])
def test_ledgers_record_an_incident(clients, tree, kind):
    client = clients(kind, "township_a_u")
    response = client.post(
        f"{API}/ledgers/incidents",
        json={
            "village_id": tree.village_a1.pk,
            "kind": "criminal",
            "occurred_on": "2026-11-02",
            "summary": "盗窃电动车一辆",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["village_id"] == tree.village_a1.pk


@pytest.mark.parametrize("kind", ["token", "session"])
def test_grids_visit_and_pairing(clients, tree, kind):
    household = add_household(tree.village_a1, "A1-001")
    member, _user = member_with_account(tree.village_a1, "901", "party_a1_u")
    client = clients(kind, "village_a1_u")
    paired = client.post(
        f"{API}/grids/households/{household.pk}/pairing", json={"member_id": member.pk}
    )
    assert paired.status_code == 200, paired.text
    visit = client.post(
        f"{API}/grids/visits", json={"household_id": household.pk, "items": ["contact"]}
    )
    assert visit.status_code == 201, visit.text


@pytest.mark.parametrize("kind", ["token", "session"])
def test_stars_standard_rhythm_and_application(clients, tree, kind):
    county = clients(kind, "county_u")
    loaded = county.post(f"{API}/stars/standards", json={"source": STANDARD})
    assert loaded.status_code == 201, loaded.text
    village = clients(kind, "village_a1_u")
    goal = village.post(
        f"{API}/stars/applications/regions/{tree.village_a1.pk}",
        json={"star_ids": [Star.objects.order_by("pk").first().pk], "note": "发展特色产业"},
    )
    assert goal.status_code == 200, goal.text
    task = village.post(
        f"{API}/stars/applications/{goal.json()['id']}/tasks",
        json={"title": "硬化进村道路", "due_on": "2026-12-31"},
    )
    assert task.status_code == 201, task.text
    assert Task.objects.filter(title="硬化进村道路").count() == 1
    report = village.post(
        f"{API}/stars/rhythm/regions/{tree.village_a1.pk}/weekly", json={"done": "道路测量"}
    )
    assert report.status_code == 200, report.text
    assert WeeklyReport.objects.count() == 1


@pytest.mark.parametrize("kind", ["token", "session"])
def test_rosters_import_and_the_read_only_routers(clients, tree, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = clients(kind, "township_a_u")
    workbook = workbook_bytes(
        {"农户": [HOUSEHOLD_HEADER, ("东村", "一组", "001", "李芳", id_number(1), "", "", 3, "")]}
    )
    started = client.post(
        f"{API}/rosters/{tree.township_a.pk}/imports",
        data={"kind": "households"},
        files={"file": ("花名册.xlsx", workbook)},
    )
    assert started.status_code == 202, started.text
    job = client.get(f"{API}/jobs/{started.json()['id']}")
    assert job.status_code == 200, job.text
    assert client.get(f"{API}/regions/{tree.township_a.pk}").status_code == 200
    apply(standard_load(text=STANDARD), tree.village_a1)
    results = client.get(f"{API}/stars/results/regions/{tree.township_a.pk}")
    assert results.status_code == 200, results.text
