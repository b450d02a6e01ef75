"""Back-filling paper registers (补录): an order received on an earlier day, and ledger entries
dated before today, through the API against the live server."""

from __future__ import annotations

import datetime as dt

import pytest

from zhenxing.api.tests.live import API, token_client
from zhenxing.api.tests.test_live_writes import order_body
from zhenxing.orders.models import Category, Order, OrderEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def category(db) -> Category:
    return Category.objects.get_or_create(
        name="环境卫生", defaults={"time_limit_days": 3, "response_days": 1, "sort": 5}
    )[0]


def test_a_township_admin_back_fills_an_order_from_the_paper_register(
    live_server, tree, category, township_a_user, pinned_now
):
    client = token_client(live_server.url, "township_a_u")
    created = client.post(
        f"{API}/orders", json={**order_body(tree, category), "received_on": "2025-03-03"}
    )
    assert created.status_code == 201, created.text
    order = Order.objects.get()
    assert order.created_at.astimezone(dt.UTC) == dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
    assert order.due_on == dt.date(2025, 3, 6)  # three working days from the day received
    event = OrderEvent.objects.get()
    assert event.actor == township_a_user and event.at == order.created_at
    assert event.recorded_at.date() == pinned_now.date()
    assert event.note == "补录：2025-03-03 收到（纸质台账）"
    detail = client.get(f"{API}/orders/{order.pk}").json()
    assert detail["events"][0]["recorded_at"] is not None
    assert detail["events"][0]["at"] == "2025-03-03T01:00:00Z"  # 09:00 in Beijing
    client.close()


def test_back_filling_is_refused_to_a_village_in_the_future_and_before_the_village(
    live_server, tree, category, township_a_user, village_a1_user
):
    tree.village_a1.established_on = dt.date(2025, 1, 1)
    tree.village_a1.save(update_fields=["established_on"])
    village = token_client(live_server.url, "village_a1_u")
    township = token_client(live_server.url, "township_a_u")
    cases = [
        (village, "2026-11-02", "只有县级、乡镇管理员可以补录往日收到的诉求"),
        (township, "2026-12-09", "收到日期不能晚于今天（2026-12-08）"),
        (township, "2024-12-31", "收到日期（2024-12-31）早于东村的成立日期（2025-01-01）"),
    ]
    for client, day, message in cases:
        refused = client.post(
            f"{API}/orders", json={**order_body(tree, category), "received_on": day}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"] == [{"field": "received_on", "message": message}]
    assert not Order.objects.exists()
    incident = township.post(
        f"{API}/ledgers/incidents",
        json={
            "village_id": tree.village_a1.pk,
            "kind": "criminal",
            "occurred_on": "2024-06-01",
            "summary": "旧账补录",
        },
    )
    assert incident.status_code == 422
    assert incident.json()["errors"] == [
        {
            "field": "occurred_on",
            "message": "发生日期（2024-06-01）早于东村的成立日期（2025-01-01）",
        }
    ]
    for client in (village, township):
        client.close()
