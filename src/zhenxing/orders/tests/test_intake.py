"""A villager's request (点单) as stored. On PostgreSQL a request without photos is written by one
statement (``services._qr_intake``), elsewhere by the ORM: the same rows and the same refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhenxing.orders import services
from zhenxing.orders.models import Order, OrderEvent
from zhenxing.orders.states import Action, Level, Status
from zhenxing.orders.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_villagers_request_is_stored_with_its_submit_event(tree, category):
    now = timezone.now()
    order = submit(tree.village_a1, category, phone="138 1234 5678", client_ip="10.1.2.3", now=now)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.code, stored.village_id, stored.category_id) == (
        order.code,
        tree.village_a1.pk,
        category.pk,
    )
    assert (stored.description, stored.requester_name, stored.requester_phone) == (
        "村口垃圾三天没人清运",
        "王秀英",
        "13812345678",
    )
    assert (stored.status, stored.level, stored.source) == (Status.SUBMITTED, Level.VILLAGE, "qr")
    assert stored.client_ip == "10.1.2.3" and stored.created_at == now == stored.level_entered_at
    assert stored.due_on == order.due_on and stored.due_on > timezone.localdate(now)
    assert stored.owner_id is None and stored.household_id is None and not stored.overdue
    assert stored.resolution == "" and stored.resolved_at is None
    event = OrderEvent.objects.get(order=order)
    assert (event.action, event.from_status, event.to_status) == (Action.SUBMIT, "", "submitted")
    assert (event.from_level, event.to_level, event.at) == ("", "village", now)
    assert event.actor_id is None and event.actor_label == services.REQUESTER_ACTOR.label
    assert event.note == ""


def test_a_tracking_code_drawn_twice_is_drawn_again(tree, category, monkeypatch):
    first = submit(tree.village_a1, category, phone="13800000001")
    codes = iter([first.code, first.code, "ABCDEFGH"])
    monkeypatch.setattr(services, "_new_code", lambda: next(codes))
    second = submit(tree.village_a1, category, phone="13800000002")
    assert second.code == "ABCDEFGH" and Order.objects.get(code="ABCDEFGH").pk == second.pk
    assert OrderEvent.objects.filter(order=second).count() == 1
    assert OrderEvent.objects.filter(order=first).count() == 1


def test_the_limits_count_this_hour_per_address_and_today_per_phone(tree, category, settings):
    settings.ORDERS_INTAKE_PER_IP_PER_HOUR = 3
    settings.ORDERS_INTAKE_PER_PHONE_PER_DAY = 2
    now = timezone.now()
    # An hour and a minute ago: not counted for the address.
    submit(tree.village_a1, category, phone="13800000009", now=now - dt.timedelta(minutes=61))
    for n in range(3):
        submit(tree.village_a1, category, phone=f"1380000000{n}", now=now)
    with pytest.raises(ValidationError, match="本网络提交过于频繁"):
        submit(tree.village_a1, category, phone="13800000005", now=now)
    assert Order.objects.count() == 4 and OrderEvent.objects.count() == 4

    submit(tree.village_a1, category, client_ip="10.0.0.2", now=now)
    submit(tree.village_a1, category, client_ip="10.0.0.3", now=now)
    with pytest.raises(ValidationError) as refused:
        submit(tree.village_a1, category, client_ip="10.0.0.4", now=now)
    assert refused.value.message_dict["phone"] == [
        "该手机号今天已提交 2 条诉求，请明天再试或联系村两委"
    ]
    assert Order.objects.count() == 6 and OrderEvent.objects.count() == 6
    # Tomorrow the phone may send again.
    tomorrow = now + dt.timedelta(days=1)
    submit(tree.village_a1, category, client_ip="10.0.0.4", now=tomorrow)
    assert Order.objects.count() == 7
