"""Time-travel tests of the periodic work: overdue flags, reminders and the monthly cut-offs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from zhenxing.core.models import CalendarDay
from zhenxing.orders.models import Notice, NoticeKind, OrderEvent, SweepRun
from zhenxing.orders.services import (
    order_accept,
    order_dispatch,
    order_mark,
    order_resolve,
    orders_sweep,
)
from zhenxing.orders.states import Action, Level, Status
from zhenxing.orders.tests.conftest import actor, submit

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=TZ)


def days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def escalations(order) -> list[tuple[str, str, dt.date]]:
    return [
        (e.from_level, e.to_level, e.at.astimezone(TZ).date())
        for e in OrderEvent.objects.filter(order=order, action=Action.ESCALATE)
    ]


@pytest.mark.django_db
def test_a_time_limit_counts_working_days_across_the_national_day_holiday(tree, category):
    category.time_limit_days = 5
    category.save(update_fields=["time_limit_days"])
    with time_machine.travel(at(2026, 9, 29), tick=False):
        order = submit(tree.village_a1, category)
    # 9/30 is day 1; 10/1–10/7 are the holiday; 10/8, 10/9, Saturday 10/10 (a make-up working
    # day) and Monday 10/12 are days 2–5.
    assert order.due_on == dt.date(2026, 10, 12)
    for day in days(dt.date(2026, 9, 30), dt.date(2026, 10, 12)):
        with time_machine.travel(at(day.year, day.month, day.day), tick=False):
            orders_sweep()
    order.refresh_from_db()
    assert not order.overdue
    with time_machine.travel(at(2026, 10, 13), tick=False):
        result = orders_sweep()
    order.refresh_from_db()
    assert order.overdue and result.overdue == 1


@pytest.mark.django_db
def test_a_marked_order_reaches_the_township_once_when_the_20th_is_a_saturday(
    tree, village_a1_user, township_a_user, category
):
    """December 2025: the 20th is a Saturday, so the cut-off is Friday the 19th; the 28th is a
    Sunday, so the county cut-off is Friday the 26th."""
    with time_machine.travel(at(2025, 12, 15), tick=False):
        order = submit(tree.village_a1, category)
        order_mark(order=order, actor=actor(village_a1_user), note="需乡镇协调资金")
    for day in days(dt.date(2025, 12, 15), dt.date(2025, 12, 31)):
        with time_machine.travel(at(day.year, day.month, day.day), tick=False):
            orders_sweep()
            orders_sweep()  # a second run the same day changes nothing
        if day == dt.date(2025, 12, 22):
            order.refresh_from_db()
            order_mark(order=order, actor=actor(township_a_user), note="乡镇无力解决")
    order.refresh_from_db()
    assert escalations(order) == [
        (Level.VILLAGE, Level.TOWNSHIP, dt.date(2025, 12, 19)),
        (Level.TOWNSHIP, Level.COUNTY, dt.date(2025, 12, 26)),
    ]
    assert order.level == Level.COUNTY and order.status == Status.SUBMITTED
    assert order.owner_id is None and not order.escalate_mark


@pytest.mark.django_db
@override_settings(ORDERS_CUTOFF_ON_DAY_OFF="next")
def test_the_next_working_day_rule_moves_a_saturday_cut_off_to_monday(
    tree, village_a1_user, category
):
    with time_machine.travel(at(2025, 12, 15), tick=False):
        order = submit(tree.village_a1, category)
        order_mark(order=order, actor=actor(village_a1_user), note="需乡镇协调")
    for day in days(dt.date(2025, 12, 16), dt.date(2025, 12, 23)):
        with time_machine.travel(at(day.year, day.month, day.day), tick=False):
            orders_sweep()
    assert escalations(order) == [(Level.VILLAGE, Level.TOWNSHIP, dt.date(2025, 12, 22))]


@pytest.mark.django_db
def test_what_is_overdue_at_the_cut_off_goes_up_and_what_is_resolved_stays(
    tree, village_a1_user, member_a1, category
):
    member, member_user = member_a1
    with time_machine.travel(at(2026, 11, 2), tick=False):
        late = submit(tree.village_a1, category)
        done = submit(tree.village_a1, category, phone="13812345679")
        fresh_day = dt.date(2026, 11, 19)
    for order in (late, done):
        with time_machine.travel(at(2026, 11, 3), tick=False):
            order_dispatch(order=order, actor=actor(village_a1_user), member=member)
            order_accept(order=order, actor=actor(member_user))
    with time_machine.travel(at(2026, 11, 4), tick=False):
        order_resolve(order=done, actor=actor(member_user), resolution="已清运")
    with time_machine.travel(at(fresh_day.year, fresh_day.month, fresh_day.day), tick=False):
        fresh = submit(tree.village_a1, category, phone="13812345670")
        orders_sweep()
    late.refresh_from_db()
    assert late.overdue and late.level == Level.VILLAGE
    with time_machine.travel(at(2026, 11, 20), tick=False):
        result = orders_sweep()
    assert result.escalated == {Level.TOWNSHIP: 1}
    for order in (late, done, fresh):
        order.refresh_from_db()
    assert late.level == Level.TOWNSHIP and late.status == Status.SUBMITTED
    assert not late.overdue and late.due_on > dt.date(2026, 11, 20)
    assert late.assignee_member is None
    assert done.level == Level.VILLAGE and done.status == Status.RESOLVED
    assert fresh.level == Level.VILLAGE
    assert SweepRun.objects.get(kind="cutoff:village", key="2026-11").moved == 1


@pytest.mark.django_db
def test_overdue_reminders_reach_owner_and_taker_once(tree, village_a1_user, member_a1, category):
    member, member_user = member_a1
    with time_machine.travel(at(2026, 11, 2), tick=False):
        order = submit(tree.village_a1, category)
        order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    with time_machine.travel(at(2026, 11, 4), tick=False):
        first = orders_sweep()
        orders_sweep()
    assert first.due_soon == 2  # due on the 5th: the owner and the taker are told the day before
    with time_machine.travel(at(2026, 11, 6), tick=False):
        orders_sweep()
    with time_machine.travel(at(2026, 11, 6, 15), tick=False):
        again = orders_sweep()
    assert again.overdue == 0
    notices = Notice.objects.filter(order=order)
    assert sorted(notices.values_list("kind", "user_id")) == sorted(
        [
            (NoticeKind.ASSIGNED, member_user.pk),
            (NoticeKind.DUE_SOON, village_a1_user.pk),
            (NoticeKind.DUE_SOON, member_user.pk),
            (NoticeKind.OVERDUE, village_a1_user.pk),
            (NoticeKind.OVERDUE, member_user.pk),
        ]
    )


@pytest.mark.django_db
def test_an_override_makes_an_unknown_years_holiday_count(tree, category):
    """chinese_calendar can never know 2099 (it ships the years already announced); the admin
    enters its New Year holiday."""
    category.time_limit_days = 1
    category.save(update_fields=["time_limit_days"])
    with time_machine.travel(at(2098, 12, 31), tick=False):  # a Wednesday
        plain = submit(tree.village_a1, category)
    assert plain.due_on == dt.date(2099, 1, 1)  # a Thursday, unknown: counted as working
    CalendarDay.objects.create(date=dt.date(2099, 1, 1), is_workday=False, note="元旦")
    with time_machine.travel(at(2098, 12, 31), tick=False):
        known = submit(tree.village_a1, category, phone="13812345679")
    assert known.due_on == dt.date(2099, 1, 2)
