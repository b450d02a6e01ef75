"""The demo county: its sizes, its people, its accounts, and that building it is repeatable.

The county is built once for the session (``demo_county``, committed, then deleted at the end);
each test runs in its own transaction on top of it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from zhenxing.accounts.models import Role, User
from zhenxing.core.periods import Period
from zhenxing.core.selectors import work_calendar
from zhenxing.demo import build
from zhenxing.orders.models import (
    Category,
    Meeting,
    MeetingItem,
    Notice,
    Order,
    OrderEvent,
    Rating,
    Source,
    SweepRun,
    Team,
    TeamKind,
)
from zhenxing.orders.selectors import figures_by_child, figures_for
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    order_accept,
    order_dispatch,
    order_resolve,
    order_submit,
    orders_sweep,
)
from zhenxing.orders.states import NEXT_LEVEL, OPEN, TRANSITIONS, Action, Actor, Status
from zhenxing.orders.states import Level as OrderLevel
from zhenxing.regions import selectors
from zhenxing.regions.models import (
    VILLAGE_LEVELS,
    CadrePost,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    Post,
    Region,
    Resident,
)
from zhenxing.regions.validators import PHONE_RE

FIRST_N = 500


def _first_residents() -> list[tuple]:
    return list(
        Resident.objects.order_by("pk").values_list("name", "id_number", "birth_date")[:FIRST_N]
    )


DEMO_APPS = ("regions", "accounts", "orders", "grids", "ledgers", "stars")


def _table_counts() -> dict[str, int]:
    """The rows of every table of the apps the demo writes."""
    return {
        model._meta.label: model._default_manager.count()
        for name in DEMO_APPS
        for model in apps.get_app_config(name).get_models()
    }


def _first_orders() -> list[tuple]:
    return list(
        Order.objects.order_by("pk").values_list(
            "code", "village__name", "description", "status", "level", "created_at"
        )[:FIRST_N]
    )


@pytest.fixture(scope="module")
def demo(demo_county, django_db_blocker):
    """The session's demo county, with its first residents and orders as built."""
    with django_db_blocker.unblock():
        first = _first_residents(), _first_orders(), _table_counts()
    return demo_county, first


def _township(name: str) -> Region:
    return Region.objects.get(level=Level.TOWNSHIP, name=name)


def _count(level: Level, under: Region) -> int:
    return Region.objects.filter(level=level, path__startswith=under.path).count()


@pytest.mark.django_db
def test_the_build_reports_its_time_and_sizes(demo):
    result, _ = demo
    assert result.county.name == build.COUNTY
    assert result.seconds > 0  # its speed is bench/'s to show, not a test's to assert
    assert result.counts["households"] == Household.objects.count()


@pytest.mark.django_db
def test_township_b_has_the_seed_totals(demo):
    township = _township(build.TOWNSHIP_B)
    counts = selectors.region_counts(township)
    assert counts.households == build.PLAN_B.households == 5355
    assert counts.members == build.PLAN_B.members == 576
    assert counts.villages == 23
    assert _count(Level.VILLAGE, township) == 18
    assert _count(Level.COMMUNITY, township) == 5


@pytest.mark.django_db
def test_township_c_has_the_seed_totals(demo):
    township = _township(build.TOWNSHIP_C)
    counts = selectors.region_counts(township)
    assert counts.villages == _count(Level.VILLAGE, township) == 7
    assert _count(Level.GROUP, township) == build.PLAN_C.groups == 63
    assert counts.households == build.PLAN_C.households == 4508


@pytest.mark.django_db
def test_township_a_has_24_villages_in_districts_all_one_shoulder(demo):
    township = _township(build.TOWNSHIP_A)
    counts = selectors.region_counts(township)
    assert counts.villages == _count(Level.VILLAGE, township) == 24
    assert 1150 <= counts.members <= 1250
    assert 3 <= _count(Level.DISTRICT, township) <= 4
    assert all(d.numchild for d in Region.objects.filter(level=Level.DISTRICT))
    per_village = [c for _, c in selectors.children_with_counts(township)]
    assert all(c.households >= 300 for c in per_village)  # districts: ~6 villages × ~400
    groups = (
        Region.objects.filter(level=Level.VILLAGE, path__startswith=township.path)
        .annotate(n=F("numchild"))
        .values_list("n", flat=True)
    )
    assert all(5 <= n <= 10 for n in groups)
    structure = selectors.cadre_structure(township)
    assert structure.one_shoulder == structure.villages == 24


@pytest.mark.django_db
@pytest.mark.parametrize("name", [build.TOWNSHIP_A, build.TOWNSHIP_B])
def test_cadre_structure_looks_like_the_seeds(demo, name):
    structure = selectors.cadre_structure(_township(name))
    assert 41 <= structure.average_age <= 45
    assert 30 <= structure.share_35_or_under <= 42
    assert 35 <= structure.share_college <= 45


@pytest.mark.django_db
def test_b_and_c_are_mostly_but_not_all_one_shoulder(demo):
    for plan in (build.PLAN_B, build.PLAN_C):
        structure = selectors.cadre_structure(_township(plan.name))
        assert structure.one_shoulder == plan.one_shoulder < structure.villages


@pytest.mark.django_db
def test_every_village_has_a_branch_and_a_full_team(demo):
    villages = Region.objects.filter(level__in=(Level.VILLAGE, Level.COMMUNITY))
    assert not villages.filter(organizations__isnull=True).exists()
    for post in (Post.SECRETARY, Post.DIRECTOR):
        per_village = CadrePost.objects.filter(post=post).values("region").annotate(n=Count("pk"))
        assert sorted({row["n"] for row in per_village}) == [1]
        assert per_village.count() == villages.count()
    committee = (
        CadrePost.objects.filter(post=Post.COMMITTEE).values("region").annotate(n=Count("pk"))
    )
    assert {row["n"] for row in committee} <= {3, 4, 5}
    secretaries = CadrePost.objects.filter(post=Post.SECRETARY).values("person")
    assert PartyMember.objects.filter(person__in=secretaries).count() == villages.count()
    assert CadrePost.objects.filter(post=Post.DISTRICT_SECRETARY).exists()
    assert CadrePost.objects.filter(post=Post.LIAISON).exists()
    assert CadrePost.objects.filter(post=Post.CHRONICLER).exists()


@pytest.mark.django_db
def test_every_id_number_is_valid_and_unique(demo):
    numbers = list(Resident.objects.values_list("id_number", flat=True))
    assert all(ric.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


@pytest.mark.django_db
def test_households_match_their_residents(demo):
    assert not Household.objects.annotate(n=Count("residents")).exclude(n=F("size")).exists()
    assert not Household.objects.filter(size__gt=6).exists()
    assert all(PHONE_RE.match(p) for p in Household.objects.values_list("phone", flat=True))
    residents = Resident.objects.count()
    assert 2.5 <= residents / Household.objects.count() <= 3.5
    first = Household.objects.order_by("pk").first()
    assert first.residents.order_by("pk").first().name == first.head_name
    tagged = Household.objects.filter(tags__isnull=False).distinct().count()
    assert 0.1 <= tagged / Household.objects.count() <= 0.5


@pytest.mark.django_db
def test_members_are_mostly_active_adults_of_their_branch(demo):
    members = PartyMember.objects.select_related("person", "organization")
    assert members.filter(status=MemberStatus.ACTIVE).count() / members.count() > 0.95
    assert not members.exclude(person__region=F("organization__region")).exists()
    assert not members.filter(joined_on__lte=F("person__birth_date")).exists()


@pytest.mark.django_db
def test_a_second_build_changes_nothing(demo):
    before = (Region.objects.count(), Resident.objects.count(), User.objects.count())
    assert build.build_demo_county() is None
    assert (Region.objects.count(), Resident.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_the_command_leaves_existing_data_alone(demo, capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "未创建演示县" in out
    assert build.PASSWORD in out
    assert all(username in out for username, _, _ in build.DEMO_ACCOUNTS)
    village = Region.objects.get(level=Level.VILLAGE, name=build.DEMO_VILLAGE)
    assert f"/s/{village.pk}/" in out and f"/s/{village.pk}/poster/" in out


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "role", "scope"), build.DEMO_ACCOUNTS)
def test_demo_accounts_can_log_in(demo, client, username, role, scope):
    response = client.post(reverse("login"), {"username": username, "password": build.PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.status_code == 200
    user = User.objects.get(username=username)
    assert str(user.get_role_display()) == role
    assert user.scope_region.name in scope


@pytest.mark.django_db
def test_the_village_accounts_are_real_people_of_that_village(demo):
    village = Region.objects.get(level=Level.VILLAGE, name=build.DEMO_VILLAGE)
    secretary = User.objects.get(username="village")
    assert secretary.role == Role.VILLAGE_SECRETARY and secretary.scope_region == village
    assert CadrePost.objects.filter(
        region=village, post=Post.SECRETARY, person__name=secretary.first_name
    ).exists()
    member = User.objects.get(username="member")
    assert PartyMember.objects.filter(
        organization__region=village, person__name=member.first_name
    ).exists()


@pytest.mark.django_db
def test_reset_and_rebuild_at_the_same_reference_date_gives_the_same_county(demo):
    result, (people, orders, counts) = demo
    build.reset_demo()
    assert not Region.objects.exists() and not User.objects.filter(username="county").exists()
    assert not Order.objects.exists() and not Team.objects.exists()
    assert not OrderEvent.objects.exists() and not SweepRun.objects.exists()
    # The build's own date, not the clock's: a run may cross Shanghai midnight in between.
    assert build.build_demo_county(today=result.plan.today) is not None
    assert _first_residents() == people
    assert _first_orders() == orders
    assert len(people) == len(orders) == FIRST_N
    assert _table_counts() == counts


# --- the service loop -------------------------------------------------------------------------

# The service loop's own constants (imported here, with its tests).
from collections import Counter  # noqa: E402

from zhenxing.demo import orders as orders_demo  # noqa: E402


def _local(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _histories() -> dict[int, list[OrderEvent]]:
    events: dict[int, list[OrderEvent]] = defaultdict(list)
    for event in OrderEvent.objects.order_by("order_id", "at", "pk"):
        events[event.order_id].append(event)
    return events


def _window(plan) -> Period:
    """Every day of the orders: from the plan's ``data_start`` to the build day."""
    return Period(plan.data_start, plan.today, "demo")


def _full_rate_months(plan) -> float:
    """The months of orders at today's rate the window holds: the last six months, and the
    months before them at a third of the rate."""
    days = (plan.today - plan.data_start).days
    dense = min(days, orders_demo.DENSE_DAYS)
    return (dense + (days - dense) * orders_demo.EARLY_RATE) / 30.4


def _build_now(plan) -> dt.datetime:
    """Where the data ends: the build day's first sweep (00:05 Shanghai)."""
    return dt.datetime.combine(
        plan.today, orders_demo.SWEEP_TIME, tzinfo=timezone.get_default_timezone()
    )


@pytest.mark.django_db
def test_every_order_replays_its_events_to_its_status_and_level(demo):
    result, _ = demo
    histories = _histories()
    orders = list(Order.objects.values_list("pk", "status", "level"))
    months = _full_rate_months(result.plan)
    assert 54 * 15 * months * 0.95 <= len(orders) <= 54 * 40 * months * 1.05
    first = min(_local(at) for at in Order.objects.values_list("created_at", flat=True))
    assert result.plan.data_start <= first < result.plan.data_start + dt.timedelta(days=14)
    assert not Order.objects.filter(created_at__gte=_build_now(result.plan)).exists()
    for pk, status, level in orders:
        events = histories[pk]
        first = events[0]
        assert (first.action, first.from_status, first.to_status) == ("submit", "", "submitted")
        assert first.to_level == OrderLevel.VILLAGE
        now, at = (first.to_status, first.to_level), first.at
        for event in events[1:]:
            assert event.at > at, (pk, event)
            assert (event.from_status, event.from_level) == now, (pk, event)
            expected = TRANSITIONS[now[0], event.action]
            if event.action == Action.RATE:
                expected = Status.CLOSED
            next_level = NEXT_LEVEL[now[1]] if event.action == Action.ESCALATE else now[1]
            assert (event.to_status, event.to_level) == (expected, next_level), (pk, event)
            now, at = (event.to_status, event.to_level), event.at
        assert now == (status, level), pk


@pytest.mark.django_db
def test_order_dates_follow_the_working_day_calendar_as_the_services_do(demo):
    result, _ = demo
    cal = work_calendar()
    today = result.plan.today
    histories = _histories()
    limits = {c.pk: c for c in Category.objects.all()}
    cutoffs = {
        OrderLevel.VILLAGE: settings.ORDERS_TOWNSHIP_CUTOFF_DAY,
        OrderLevel.TOWNSHIP: settings.ORDERS_COUNTY_CUTOFF_DAY,
    }
    for order in Order.objects.all():
        events = histories[order.pk]
        category = limits[order.category_id]
        created = _local(order.created_at)
        start = [e for e in events if e.action in ("submit", "escalate", "reopen")][-1]
        assert order.due_on == cal.add_workdays(_local(start.at), category.time_limit_days)
        dispatches = [e for e in events if e.action == Action.DISPATCH]
        if dispatches:
            assert order.responded_at == dispatches[0].at
            waited = cal.workdays_between(created, _local(order.responded_at))
            assert order.responded_in_time == (waited <= category.response_days)
        else:
            assert order.responded_at is None
        if order.status in (Status.RESOLVED, Status.CLOSED):
            resolve = [e for e in events if e.action == Action.RESOLVE][-1]
            assert order.resolved_at == resolve.at
            assert order.resolved_level == order.level
            assert order.resolved_in_time == (_local(resolve.at) <= order.due_on)
            assert order.handling_workdays == cal.workdays_between(created, _local(resolve.at))
        else:
            assert order.resolved_at is None and order.handling_workdays is None
        if order.status in OPEN:  # the build day's first sweep has run
            assert order.overdue == (order.due_on < today), order.code
        if order.status == Status.CLOSED:
            assert order.rating in (Rating.SATISFIED, Rating.BASIC)
        for event in events:
            if event.action == Action.ESCALATE:
                day = _local(event.at)
                cutoff = cal.cutoff(
                    day.year,
                    day.month,
                    cutoffs[event.from_level],
                    on_day_off=settings.ORDERS_CUTOFF_ON_DAY_OFF,
                )
                assert day == cutoff, (order.code, event)
        assert order.updated_at == events[-1].at


@pytest.mark.django_db
def test_orders_look_like_a_working_county(demo):
    result, _ = demo
    county = Region.objects.get(level=Level.COUNTY, name=build.COUNTY)
    period = _window(result.plan)
    figures = figures_for(county, period)
    assert figures.received == Order.objects.count()
    assert 80 <= figures.satisfaction_rate < 100
    assert 80 <= figures.response_rate < 100
    assert 80 <= figures.on_time_rate < 100
    assert 85 <= figures.resolution_rate < 100
    assert 2 <= figures.average_workdays <= 8
    closed = Order.objects.filter(status=Status.CLOSED)
    solved = {lv: closed.filter(resolved_level=lv).count() / closed.count() for lv in OrderLevel}
    # The plan's villages that miss 小事不出村 send half their orders up, the others one in ten.
    assert 0.72 <= solved[OrderLevel.VILLAGE] <= 0.9
    assert 0.08 <= solved[OrderLevel.TOWNSHIP] <= 0.22
    assert 0.015 <= solved[OrderLevel.COUNTY] <= 0.06
    by_township = figures_by_child(county, period)
    assert len(by_township) == 3 and all(f.received > 1000 for f in by_township.values())
    open_orders = Order.objects.filter(status__in=OPEN)
    assert open_orders.filter(overdue=True).exists()
    assert open_orders.filter(escalate_mark=True).exists()
    assert {Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED} <= set(
        open_orders.values_list("status", flat=True)
    )
    assert 0.01 <= Order.objects.filter(status=Status.WITHDRAWN).count() / figures.received < 0.05
    assert Order.objects.filter(reopen_count__gt=0).exists()
    sources = dict(Order.objects.values_list("source").annotate(n=Count("pk")))
    assert 0.45 <= sources[Source.QR] / figures.received <= 0.65
    assert set(sources) == set(Source.values)
    disputes = Order.objects.filter(category__is_dispute=True)
    assert 0.05 <= disputes.count() / figures.received <= 0.12
    assert not disputes.filter(status__in=(Status.RESOLVED, Status.CLOSED), mediation="").exists()
    assert not Order.objects.filter(category__is_dispute=False).exclude(mediation="").exists()
    escalated = Order.objects.filter(level=OrderLevel.COUNTY)
    assert escalated.count() == escalated.filter(events__action=Action.ESCALATE).distinct().count()


@pytest.mark.django_db
def test_requesters_are_villagers_of_the_village_with_plausible_phones(demo):
    names: dict[int, set[str]] = defaultdict(set)
    for village, name in Resident.objects.values_list("region_id", "name"):
        names[village].add(name)
    for village, name in Household.objects.values_list("village_id", "head_name"):
        names[village].add(name)
    rows = Order.objects.values_list("village_id", "requester_name", "requester_phone")
    for village, name, phone in rows:
        assert name in names[village]
        assert PHONE_RE.match(phone) and len(phone) == 11
    assert not Order.objects.filter(source=Source.QR, client_ip__isnull=True).exists()
    logged = Order.objects.exclude(source=Source.QR)
    assert not logged.filter(household__isnull=True).exists()
    assert not logged.exclude(household__village=F("village")).exists()
    descriptions = set(Order.objects.values_list("description", flat=True))
    assert len(descriptions) > 300


@pytest.mark.django_db
def test_teams_and_the_member_account(demo):
    village = Region.objects.get(level=Level.VILLAGE, name=build.DEMO_VILLAGE)
    user = User.objects.get(username="member")
    member = PartyMember.objects.get(person=user.person)
    assert user.person.name == user.first_name
    assert member.organization.region == village
    team = Team.objects.get(region=village, kind=TeamKind.VOLUNTEER)
    assert team.members.filter(pk=member.pk).exists()
    units = Region.objects.filter(level__in=VILLAGE_LEVELS)
    volunteers = Team.objects.filter(kind=TeamKind.VOLUNTEER).annotate(n=Count("members"))
    assert volunteers.count() == units.count()
    assert all(4 <= t.n <= 8 for t in volunteers)
    assert not volunteers.exclude(members__organization__region=F("region")).exists()
    county = Region.objects.get(level=Level.COUNTY)
    experts = Team.objects.filter(kind=TeamKind.EXPERT, region=county)
    assert set(experts.values_list("specialty", flat=True)) == {"政策咨询", "农技指导", "司法调解"}
    assert all(t.members.count() >= 4 for t in experts)
    departments = set(Team.objects.filter(kind=TeamKind.DEPARTMENT).values_list("name", flat=True))
    assert {"县民政局", "县农业农村局", "县人社局", "县住建局", "县司法局"} <= departments
    # The member has work: orders sent to them, or to their team, and reminders.
    assert Order.objects.filter(assignee_member=member).exists()
    assert Order.objects.filter(assignee_team=team).exists()
    assert Notice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_meetings_review_open_orders_of_their_village(demo):
    result, _ = demo
    plan = result.plan
    units = Region.objects.filter(level__in=VILLAGE_LEVELS).count()
    meetings = Meeting.objects.annotate(n=Count("items"))
    months = (plan.today.year - plan.data_start.year) * 12 + plan.today.month
    # A meeting a month with the open orders it took up (fewer in the months at a third of the
    # rate, when a village may have none open).
    assert units * months * 0.25 <= meetings.count() <= units * months
    assert meetings.filter(held_on__lt=plan.data_start + dt.timedelta(days=60)).exists()
    assert not meetings.filter(held_on__gte=plan.today).exists()
    assert not meetings.filter(n=0).exists()
    items = MeetingItem.objects.select_related("meeting", "order")
    assert not items.exclude(order__village=F("meeting__region")).exists()
    for item in items.filter(decision="escalate")[:50]:
        title = f"{item.meeting.held_on:%Y-%m-%d} 会商"
        assert item.order.events.filter(action=Action.MARK, note__startswith=title).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("later", [0, 1])
def test_the_sweep_finds_nothing_left_to_do_after_the_build(demo, later):
    result, _ = demo
    swept = orders_sweep(now=_build_now(result.plan) + dt.timedelta(minutes=later))
    assert swept.overdue == 0
    assert swept.escalated == {}


@pytest.mark.django_db
def test_cutoffs_meetings_and_reminders_follow_the_rules_over_the_whole_window(demo):
    result, _ = demo
    plan, now = result.plan, _build_now(result.plan)
    cal = work_calendar()
    tz = timezone.get_default_timezone()
    months = [
        (i // 12, i % 12 + 1)
        for i in range(
            plan.data_start.year * 12 + plan.data_start.month - 1,
            plan.today.year * 12 + plan.today.month,
        )
    ]
    escalations = Counter(
        (e.from_level, e.at)
        for e in OrderEvent.objects.filter(action=Action.ESCALATE).only("from_level", "at")
    )
    runs = {(r.kind, r.key): r for r in SweepRun.objects.filter(kind__startswith="cutoff:")}
    expected = set()
    for level, day in (
        (OrderLevel.VILLAGE, settings.ORDERS_TOWNSHIP_CUTOFF_DAY),
        (OrderLevel.TOWNSHIP, settings.ORDERS_COUNTY_CUTOFF_DAY),
    ):
        for year, month in months:
            cutoff = cal.cutoff(year, month, day, on_day_off=settings.ORDERS_CUTOFF_ON_DAY_OFF)
            at = dt.datetime.combine(cutoff, orders_demo.SWEEP_TIME, tzinfo=tz)
            if plan.data_start <= cutoff and at <= now:
                run = runs[f"cutoff:{level}", f"{at:%Y-%m}"]
                assert run.ran_at == at and run.moved == escalations[level, at]
                expected.add((f"cutoff:{level}", f"{at:%Y-%m}"))
    assert set(runs) == expected
    assert sum(escalations.values()) == sum(r.moved for r in runs.values())
    # One 碰头会 a month at most, on a working day, with orders of the village still at it.
    held = Counter(
        (region, day.year, day.month)
        for region, day in Meeting.objects.values_list("region_id", "held_on")
    )
    assert set(held.values()) == {1}
    assert all(cal.is_workday(d) for d in Meeting.objects.values_list("held_on", flat=True))
    assert {(y, mo) for _, y, mo in held} <= set(months)
    # The sweep's overdue reminders: the morning after the due date, keyed by it.
    for notice in Notice.objects.filter(kind="overdue").select_related("order")[:500]:
        kind, order_id, due, _user = notice.key.split(":")
        assert (kind, int(order_id)) == ("overdue", notice.order_id)
        day = dt.date.fromisoformat(due) + dt.timedelta(days=1)
        assert notice.created_at == dt.datetime.combine(day, orders_demo.SWEEP_TIME, tzinfo=tz)
        assert notice.created_at <= now


@pytest.mark.django_db
def test_the_services_carry_on_with_the_demo_orders(demo):
    village = Region.objects.get(level=Level.VILLAGE, name=build.DEMO_VILLAGE)
    secretary = Actor.of(User.objects.get(username="village"))
    member = Actor.of(User.objects.get(username="member"))
    last = Order.objects.order_by("-pk").first()
    new = order_submit(
        village=village,
        category=Category.objects.get(name="环境卫生"),
        description="村口垃圾三天没人清运",
        name="王秀英",
        phone="13812345678",
        actor=REQUESTER_ACTOR,
        client_ip="10.0.0.1",
    )
    assert new.pk > last.pk
    order_dispatch(
        order=new, actor=secretary, member=PartyMember.objects.get(person_id=member.person_id)
    )
    order_accept(order=new, actor=member)
    order_resolve(order=new, actor=member, resolution="已清运")
    assert new.status == Status.RESOLVED
    waiting = Order.objects.filter(
        village=village, status=Status.SUBMITTED, level=OrderLevel.VILLAGE
    ).first()
    if waiting is not None:
        order_dispatch(order=waiting, actor=secretary, team=Team.objects.get(region=village))
        order_accept(order=waiting, actor=member)
        assert waiting.assignee_member.person_id == member.person_id
