"""Property: whatever sequence of actions people try, the stored order and its event log agree.

Hypothesis draws sequences of actions by different actors (allowed or not, stale or fresh); after
each step the event log, replayed through ``TRANSITIONS``, must give the stored status and level,
and a refused action must have written nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhenxing.orders.models import Order, OrderEvent, Rating, SweepRun
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    StaleState,
    order_accept,
    order_dispatch,
    order_mark,
    order_rate,
    order_resolve,
    order_return,
    order_urge,
    order_withdraw,
    orders_sweep,
)
from zhenxing.orders.states import NEXT_LEVEL, TRANSITIONS, Action, Level, Status
from zhenxing.orders.tests.conftest import actor, submit

TZ = ZoneInfo("Asia/Shanghai")
PHONES = (f"138{n:08d}" for n in itertools.count())
ACTORS = ["requester", "village", "township", "county", "member", "member_b"]
ENTITLED = {
    "accept": "member",
    "stale_accept": "member_b",
    "return": "member",
    "resolve": "member",
    "rate_ok": "requester",
    "rate_bad": "requester",
    "withdraw": "requester",
    "urge": "township",
}
NATURAL = {
    Status.SUBMITTED: ["dispatch_member", "dispatch_team", "mark", "withdraw", "sweep"],
    Status.RETURNED: ["dispatch_member", "dispatch_team", "urge"],
    Status.REOPENED: ["dispatch_member", "dispatch_team", "sweep"],
    Status.DISPATCHED: ["accept", "stale_accept", "return", "dispatch_team"],
    Status.ACCEPTED: ["resolve", "return", "mark", "sweep"],
    Status.RESOLVED: ["rate_ok", "rate_bad"],
    Status.CLOSED: ["rate_bad", "mark", "withdraw"],
    Status.WITHDRAWN: ["dispatch_member", "accept", "rate_ok"],
}
ANY_STEP = st.tuples(
    st.sampled_from(
        [
            "dispatch_member",
            "dispatch_team",
            "accept",
            "return",
            "resolve",
            "rate_ok",
            "rate_bad",
            "withdraw",
            "mark",
            "urge",
            "sweep",
            "stale_accept",
        ]
    ),
    st.sampled_from(["entitled", *ACTORS]),
    st.integers(min_value=0, max_value=3),  # days to let pass before the step
)


def replay(order: Order) -> tuple[str, str]:
    status, level = Status.SUBMITTED, Level.VILLAGE
    events = list(OrderEvent.objects.filter(order=order).order_by("at", "pk"))
    assert events[0].action == Action.SUBMIT
    for event in events[1:]:
        assert (event.from_status, event.from_level) == (status, level), event
        assert (status, event.action) in TRANSITIONS, event
        if event.action == Action.ESCALATE:
            assert event.to_level == NEXT_LEVEL[level]
        else:
            assert event.to_level == level
        assert event.to_status == TRANSITIONS[(status, event.action)]
        status, level = event.to_status, event.to_level
    return status, level


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_state_and_the_event_log_never_disagree(
    data,
    tree,
    village_a1_user,
    township_a_user,
    county_user,
    member_a1,
    member_a1_b,
    team_a1,
    category,
):
    people = {
        "requester": REQUESTER_ACTOR,
        "village": actor(village_a1_user),
        "township": actor(township_a_user),
        "county": actor(county_user),
        "member": actor(member_a1[1]),
        "member_b": actor(member_a1_b[1]),
    }
    # Each example starts from the same database: no orders, no cut-off run this month.
    Order.objects.all().delete()
    SweepRun.objects.all().delete()
    clock = dt.datetime(2026, 11, 2, 9, tzinfo=TZ)
    with time_machine.travel(clock, tick=False) as traveller:
        order = submit(tree.village_a1, category, phone=next(PHONES), client_ip=None)
        for _ in range(data.draw(st.integers(min_value=1, max_value=16))):
            order.refresh_from_db()
            # Mostly a step the state allows, so that sequences get deep into the loop.
            name, who, wait = data.draw(
                st.tuples(
                    st.sampled_from(NATURAL[order.status]), st.just("entitled"), st.integers(0, 3)
                )
                | ANY_STEP
            )
            clock += dt.timedelta(days=wait)
            traveller.move_to(clock)
            stale = Order.objects.get(pk=order.pk)
            order.refresh_from_db()
            before = (
                OrderEvent.objects.filter(order=order).count(),
                Order.objects.filter(pk=order.pk).values().get(),
            )
            by = people[ENTITLED.get(name, "village") if who == "entitled" else who]
            try:
                if name == "dispatch_member":
                    order_dispatch(order=order, actor=by, member=member_a1[0])
                elif name == "dispatch_team":
                    order_dispatch(order=order, actor=by, team=team_a1)
                elif name == "accept":
                    order_accept(order=order, actor=by)
                elif name == "stale_accept":
                    order_accept(order=order, actor=by)
                    order_accept(order=stale, actor=by)
                elif name == "return":
                    order_return(order=order, actor=by, reason="不在本人能力范围")
                elif name == "resolve":
                    order_resolve(order=order, actor=by, resolution="已办理完毕")
                elif name == "rate_ok":
                    order_rate(order=order, actor=by, rating=Rating.SATISFIED)
                elif name == "rate_bad":
                    order_rate(order=order, actor=by, rating=Rating.UNSATISFIED, reason="没修好")
                elif name == "withdraw":
                    order_withdraw(order=order, actor=by)
                elif name == "mark":
                    order_mark(order=order, actor=by, note="本级无法解决")
                elif name == "urge":
                    order_urge(order=order, actor=by, note="请加快办理")
                else:
                    orders_sweep()
            except (ValidationError, PermissionDenied, StaleState):
                if name != "stale_accept":
                    after = (
                        OrderEvent.objects.filter(order=order).count(),
                        Order.objects.filter(pk=order.pk).values().get(),
                    )
                    assert after == before, f"{name} by {who} was refused but wrote"
            order.refresh_from_db()
            assert replay(order) == (order.status, order.level)
            assert (order.resolved_at is not None) == (
                order.status in (Status.RESOLVED, Status.CLOSED)
            )
