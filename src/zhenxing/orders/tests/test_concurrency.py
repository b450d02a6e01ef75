"""Races on PostgreSQL with real concurrent connections (one per thread).

Two members pressing 接单 on the same team order at the same moment: exactly one wins. Two sweeps
at the same cut-off moment: each order goes up once. SQLite serialises writers, so these races are
only real on PostgreSQL; the suite runs there in CI.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from zhenxing.orders.models import Order, OrderEvent, SweepRun
from zhenxing.orders.services import (
    StaleState,
    order_accept,
    order_dispatch,
    order_mark,
    orders_sweep,
)
from zhenxing.orders.states import Action, Level, Status
from zhenxing.orders.tests.conftest import actor, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def race(*calls) -> list[object]:
    """Run the calls in threads released at the same instant; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_members_pressing_accept_at_once_exactly_one_wins(
    tree, village_a1_user, member_a1, member_a1_b, team_a1, category
):
    rounds = 15
    for n in range(rounds):
        order = submit(tree.village_a1, category, phone=f"1381234{n:04d}", client_ip=None)
        order_dispatch(order=order, actor=actor(village_a1_user), team=team_a1)
        seen_a, seen_b = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
        results = race(
            lambda a=seen_a: order_accept(order=a, actor=actor(member_a1[1])),
            lambda b=seen_b: order_accept(order=b, actor=actor(member_a1_b[1])),
        )
        winners = [r for r in results if isinstance(r, Order)]
        losers = [r for r in results if isinstance(r, StaleState)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "已被他人接单" in str(losers[0])
        order.refresh_from_db()
        assert order.status == Status.ACCEPTED
        assert order.assignee_member == (
            member_a1[0] if results[0] is winners[0] else member_a1_b[0]
        )
        assert OrderEvent.objects.filter(order=order, action=Action.ACCEPT).count() == 1


def test_two_sweeps_at_the_same_cut_off_move_each_order_once(tree, village_a1_user, category):
    tz = ZoneInfo("Asia/Shanghai")
    marked = dt.datetime(2026, 11, 16, 9, tzinfo=tz)
    orders = [
        submit(tree.village_a1, category, phone=f"1390000{n:04d}", client_ip=None, now=marked)
        for n in range(30)
    ]
    for order in orders:
        order_mark(order=order, actor=actor(village_a1_user), note="本村无法解决", now=marked)
    cutoff = dt.datetime(2026, 11, 20, 9, tzinfo=tz)
    results = race(*(lambda: orders_sweep(now=cutoff) for _ in range(3)))
    assert not [r for r in results if isinstance(r, Exception)], results
    moved = [r.escalated.get(Level.TOWNSHIP, 0) for r in results]
    assert sorted(moved) == [0, 0, 30]
    assert OrderEvent.objects.filter(action=Action.ESCALATE).count() == 30
    assert set(Order.objects.values_list("level", flat=True)) == {Level.TOWNSHIP}
    assert SweepRun.objects.get(kind="cutoff:village", key="2026-11").moved == 30
