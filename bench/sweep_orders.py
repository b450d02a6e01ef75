"""Benchmark: the periodic sweep over 1,000,000 open orders on PostgreSQL.

    .venv/bin/python bench/sweep_orders.py [DATABASE_URL] [--orders N] [--explain] [--profile]
    .venv/bin/python bench/sweep_orders.py --smoke      # 2,000 orders in 10 villages, seconds

The database (the argument, else ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/bench_orders``) must be a scratch one: its name must contain
``bench``. It is created when missing and migrated; the script builds its own region tree (a county,
25 townships, 1,000 villages, each with a secretary's account and two Party members with accounts;
``--townships``, ``--villages`` a township) once and keeps it, and empties the orders tables (and
every table that references orders, listed from the models) and loads fresh orders on every run.
``--smoke``: 2,000 orders over 2 townships of 5 villages, in the database
``bench_smoke_sweep_orders`` (or the argument, whose name must contain ``bench_smoke``), created
and dropped by the run.

The orders are generated inside PostgreSQL (one ``INSERT … SELECT`` over ``generate_series``) with
exact shares: 3 % newly overdue on the ordinary day, 5 % already flagged overdue, 2 % marked for
escalation, 2 % due on the next working day (临期提醒) and 1 % later before the cut-off (so 3 % are
newly overdue on the cut-off day), the rest due over the 40 days from the cut-off; 90 % at village
level, 8 % at township, 2 % at county; 80 % dispatched (75 % to a member with an account, who gets
reminders; the village secretary owns them). Each order has its 点单 event. The load runs with
``session_replication_role = replica`` (no foreign-key triggers: the rows are made consistent) when
the role may set it.

Then, timed with ``time.perf_counter``:

(a) ``orders_flag_overdue`` on an ordinary working day (the 10th, or the next working day);
(b) the same again: it must change nothing;
(c) ``orders_sweep`` on the month's village cut-off (the 20th, moved to the previous working day
    when it is a day off): the overdue flags of the days in between, then the escalation;
(d) the same again: nothing.

It prints seconds, open orders swept per second and what each run changed. ``--explain`` prints
``EXPLAIN (ANALYZE, BUFFERS)`` of the sweep's statements on a fresh load first (rolled back).
Nothing here asserts on time. The goal (issue): one sweep over 1,000,000 open orders in ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from scratch_db import (  # bench/ is the script's folder
    add_smoke_option,
    apply_smoke,
    database_url,
    ensure_database,
    run,
    tables_referencing,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_orders"
COUNTY = "基准测试县（工单）"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("database_url", nargs="?", default=None)
parser.add_argument("--orders", type=int, default=1_000_000, help="open orders to load")
parser.add_argument("--townships", type=int, default=25, help="when the county is built")
parser.add_argument(
    "--villages", type=int, default=40, help="villages per township, when the county is built"
)
parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the sweep's queries")
parser.add_argument(
    "--profile", action="store_true", help="split each run's time: SQL statements vs Python"
)
add_smoke_option(parser)
args = parser.parse_args()
apply_smoke(parser, args, orders=2_000, townships=2, villages=5)
URL = database_url(args, os.environ, DEFAULT_URL, "sweep_orders")
ensure_database(URL, smoke=args.smoke)
tmp = tempfile.TemporaryDirectory(prefix="zhenxing-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "zhenxing.settings"
os.environ["ZHENXING_VAR"] = tmp.name
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhenxing.accounts.models import Role, User  # noqa: E402
from zhenxing.core.selectors import work_calendar  # noqa: E402
from zhenxing.orders import services  # noqa: E402
from zhenxing.orders.models import (  # noqa: E402
    Category,
    Meeting,
    Notice,
    Order,
    OrderEvent,
    SweepRun,
)
from zhenxing.orders.states import OPEN, Level  # noqa: E402
from zhenxing.regions.models import (  # noqa: E402
    Level as RegionLevel,
)
from zhenxing.regions.models import (  # noqa: E402
    OrgKind,
    PartyMember,
    PartyOrganization,
    Region,
    Resident,
)

TZ = timezone.get_default_timezone()


def days() -> tuple[dt.date, dt.date, dt.date]:
    """(the ordinary day, its next working day, the village cut-off) of the current month."""
    today = timezone.localdate()
    cal = work_calendar()
    ordinary = cal.add_workdays(today.replace(day=10), 0)
    cutoff = cal.cutoff(
        today.year,
        today.month,
        settings.ORDERS_TOWNSHIP_CUTOFF_DAY,
        on_day_off=settings.ORDERS_CUTOFF_ON_DAY_OFF,
    )
    return ordinary, cal.add_workdays(ordinary, 1), cutoff


def build_tree() -> list[tuple[int, int, int, int]]:
    """The bench county, made once: [(village, secretary account, member, member), ...]."""
    county = Region.objects.filter(depth=1, name=COUNTY).first()
    if county is None:
        started = time.perf_counter()
        with transaction.atomic():
            county = Region.objects.add_root({"name": COUNTY, "level": RegionLevel.COUNTY})
            townships = [
                Region(
                    path=Region._get_path(county.path, 2, t + 1),
                    depth=2,
                    numchild=args.villages,
                    name=f"第{t + 1:02d}镇",
                    level=RegionLevel.TOWNSHIP,
                )
                for t in range(args.townships)
            ]
            Region.objects.bulk_create(townships)
            villages = [
                Region(
                    path=Region._get_path(township.path, 3, v + 1),
                    depth=3,
                    numchild=0,
                    name=f"{township.name}{v + 1:02d}村",
                    level=RegionLevel.VILLAGE,
                )
                for township in townships
                for v in range(args.villages)
            ]
            Region.objects.bulk_create(villages)
            Region.objects.filter(pk=county.pk).update(numchild=args.townships)
            orgs = PartyOrganization.objects.bulk_create(
                PartyOrganization(name=f"{v.name}党支部", kind=OrgKind.VILLAGE_BRANCH, region=v)
                for v in villages
            )
            people = Resident.objects.bulk_create(
                Resident(region=v, name=f"党员{i}{k}", sex="M", birth_date=dt.date(1980, 1, 1))
                for i, v in enumerate(villages)
                for k in range(2)
            )
            PartyMember.objects.bulk_create(
                PartyMember(person=p, organization=orgs[i // 2], joined_on=dt.date(2005, 7, 1))
                for i, p in enumerate(people)
            )
            users = [
                User(
                    username=f"bench_sec_{v.pk}",
                    password="!",  # noqa: S106 - an unusable password
                    role=Role.VILLAGE_SECRETARY,
                    scope_region=v,
                )
                for v in villages
            ]
            users += [
                User(
                    username=f"bench_member_{p.pk}",
                    password="!",  # noqa: S106
                    role=Role.GRID_MEMBER,
                    scope_region_id=p.region_id,
                    person=p,
                )
                for p in people
            ]
            User.objects.bulk_create(users, batch_size=2000)
        print(
            f"built the bench county (1 + {len(townships)} + {len(villages):,} regions, "
            f"{len(users):,} accounts) in {time.perf_counter() - started:.1f} s"
        )
    villages = list(
        Region.objects.filter(path__startswith=county.path, level=RegionLevel.VILLAGE)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    secretaries = dict(
        User.objects.filter(scope_region__in=villages, role=Role.VILLAGE_SECRETARY).values_list(
            "scope_region_id", "pk"
        )
    )
    members: dict[int, list[int]] = {}
    for pk, region in (
        PartyMember.objects.filter(person__region__in=villages)
        .order_by("pk")
        .values_list("pk", "person__region_id")
    ):
        members.setdefault(region, []).append(pk)
    return [(v, secretaries[v], *members[v][:2]) for v in villages]


LOAD_SQL = """
WITH v AS (
    SELECT i, village, secretary, m1, m2
    FROM unnest(%(villages)s::bigint[], %(secretaries)s::bigint[], %(m1)s::bigint[],
                %(m2)s::bigint[]) WITH ORDINALITY AS t(village, secretary, m1, m2, i)
), c AS (
    SELECT i, id FROM unnest(%(categories)s::bigint[]) WITH ORDINALITY AS t(id, i)
), n AS (
    SELECT g AS n,
           g::int AS k,
           g %% 100 AS due_class,
           (g * 7919) %% 1000 AS level_class,
           (g * 104729) %% 100 AS status_class,
           1 + g %% %(nv)s AS vi,
           1 + (g / %(nv)s) %% %(nc)s AS ci
    FROM generate_series(1::bigint, %(orders)s) AS g
)
INSERT INTO orders_order (
    code, village_id, category_id, description, requester_name, requester_phone, source,
    status, level, owner_id, assignee_member_id, created_at, level_entered_at, due_on, overdue,
    escalate_mark, responded_at, responded_in_time, resolution, mediation, rating, rating_reason,
    resolved_level, urge_count, reopen_count, updated_at
)
SELECT
    upper(lpad(to_hex(n.n), 8, '0')),
    v.village,
    c.id,
    '村东头路灯坏了三盏，晚上出行不便',
    '王秀英',
    '138' || lpad((n.n %% 100000000)::text, 8, '0'),
    'qr',
    CASE WHEN n.status_class < 20 THEN 'submitted'
         WHEN n.status_class < 40 THEN 'dispatched'
         WHEN n.status_class < 95 THEN 'accepted'
         WHEN n.status_class < 98 THEN 'returned'
         ELSE 'reopened' END,
    CASE WHEN n.level_class < 900 THEN 'village'
         WHEN n.level_class < 980 THEN 'township'
         ELSE 'county' END,
    CASE WHEN n.status_class >= 20 THEN v.secretary END,
    CASE WHEN n.status_class >= 20 AND n.status_class < 95
         THEN CASE WHEN n.n %% 2 = 0 THEN v.m1 ELSE v.m2 END END,
    created,
    created,
    CASE WHEN n.due_class < 3 THEN %(ordinary)s::date - (1 + n.k %% 5)
         WHEN n.due_class < 8 THEN %(ordinary)s::date - (2 + n.k %% 20)
         WHEN n.due_class < 10 THEN %(cutoff)s::date + (1 + n.k %% 8)
         WHEN n.due_class < 12 THEN %(tomorrow)s::date
         WHEN n.due_class < 13 THEN %(tomorrow)s::date + 1
              + (n.k %% greatest(1, %(cutoff)s::date - %(tomorrow)s::date - 1))
         ELSE %(cutoff)s::date + (n.k %% 40) END,
    n.due_class >= 3 AND n.due_class < 8,
    n.due_class >= 8 AND n.due_class < 10,
    CASE WHEN n.status_class >= 20 THEN created + interval '3 hours' END,
    CASE WHEN n.status_class >= 20 THEN true END,
    '', '', '', '', '', 0, 0,
    created
FROM n
JOIN v ON v.i = n.vi
JOIN c ON c.i = n.ci
CROSS JOIN LATERAL (
    SELECT %(ordinary)s::timestamptz - make_interval(days => (n.k %% 40)::int,
                                                   mins => (n.k %% 600)::int) AS created
) t
"""


def load(count: int, tree, ordinary: dt.date, tomorrow: dt.date, cutoff: dt.date) -> None:
    started = time.perf_counter()
    # The orders, the cut-off runs and the 会商 meetings, and every table that references orders
    # (listed from the models: orders' events, notices, photos, meeting items, 走访诉求 …); CASCADE
    # in case a table the models do not know references one of them.
    tables = sorted(
        {Order._meta.db_table, SweepRun._meta.db_table, Meeting._meta.db_table}
        | set(tables_referencing(Order))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    print(f"emptied {', '.join(tables)}")
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            pass  # not a superuser: the foreign keys are checked at commit (slower)
        cursor.execute(
            LOAD_SQL,
            {
                "villages": [t[0] for t in tree],
                "secretaries": [t[1] for t in tree],
                "m1": [t[2] for t in tree],
                "m2": [t[3] for t in tree],
                "categories": list(Category.objects.order_by("pk").values_list("pk", flat=True)),
                "nv": len(tree),
                "nc": Category.objects.count(),
                "orders": count,
                "ordinary": ordinary,
                "tomorrow": tomorrow,
                "cutoff": cutoff,
            },
        )
        cursor.execute(
            "INSERT INTO orders_orderevent (order_id, action, from_status, to_status, from_level,"
            " to_level, actor_label, at, note)"
            " SELECT id, 'submit', '', 'submitted', '', 'village', '群众', created_at, ''"
            " FROM orders_order"
        )
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE orders_order")
        cursor.execute("VACUUM ANALYZE orders_orderevent")
    print(
        f"loaded {count:,} open orders and their events in {loaded:.1f} s "
        f"(+ VACUUM ANALYZE {time.perf_counter() - started - loaded:.1f} s)"
    )


def shares(ordinary: dt.date, cutoff: dt.date) -> None:
    orders = Order.objects.filter(status__in=OPEN)
    total = orders.count()
    parts = {
        "newly overdue on the ordinary day": orders.filter(overdue=False, due_on__lt=ordinary),
        "already overdue": orders.filter(overdue=True),
        "marked for escalation": orders.filter(escalate_mark=True),
        "overdue or marked at village level by the cut-off": orders.filter(
            level=Level.VILLAGE, due_on__lt=cutoff
        ).union(orders.filter(level=Level.VILLAGE, escalate_mark=True)),
    }
    print(f"open orders: {total:,}")
    for label, qs in parts.items():
        n = qs.count()
        print(f"  {label}: {n:,} ({100 * n / total:.1f} %)")


def _short(plan: str) -> str:
    """A plan with its long lines (5,000 ids) cut."""
    return "\n".join(line if len(line) < 240 else line[:240] + " …" for line in plan.splitlines())


def explain(ordinary: dt.date, tomorrow: dt.date) -> None:
    """The plans of the selects the sweep's statements are built on, on the fresh load."""
    open_not_overdue = Order.objects.filter(status__in=OPEN, overdue=False)
    statements = {
        "newly overdue": open_not_overdue.filter(due_on__lt=ordinary).values_list("pk"),
        "due soon": open_not_overdue.filter(due_on=tomorrow).values_list("pk", "owner_id"),
        "to escalate (village)": Order.objects.filter(status__in=OPEN, level=Level.VILLAGE)
        .filter(Q(overdue=True) | Q(escalate_mark=True))
        .values_list("pk", "status"),
    }
    for label, qs in statements.items():
        print(f"--- {label}")
        print(_short(qs.order_by().explain(analyze=True, buffers=True)))


class SqlTimer:
    """With --profile: the time spent in each kind of SQL statement (a connection wrapper)."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:90]
            if " IN (" in key or "VALUES (" in key:
                key = key[: key.find(" IN (") if " IN (" in key else key.find("VALUES (")] + "…"
            entry = self.spent.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    def report(self, total: float) -> None:
        sql = sum(t for _, t in self.spent.values())
        print(
            f"      SQL {sql:.2f} s, Python and the driver {total - sql:.2f} s; slowest statements:"
        )
        for key, (n, t) in sorted(self.spent.items(), key=lambda kv: -kv[1][1])[:6]:
            print(f"        {t:6.2f} s  x{n:<4} {key}")
        self.spent.clear()


def timed(label: str, fn, open_orders: int) -> float:
    timer = SqlTimer()
    started = time.perf_counter()
    if args.profile:
        with connection.execute_wrapper(timer):
            result = fn()
    else:
        result = fn()
    seconds = time.perf_counter() - started
    print(
        f"{label:<46} {seconds:7.2f} s  {open_orders / seconds:12,.0f} open orders/s  -> {result}"
    )
    if args.profile:
        timer.report(seconds)
    return seconds


def main() -> None:
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    tree = build_tree()
    ordinary, tomorrow, cutoff = days()
    if cutoff <= tomorrow:
        sys.exit(f"the cut-off {cutoff} is not after the ordinary day {ordinary}")
    print(f"ordinary day {ordinary} (next working day {tomorrow}), village cut-off {cutoff}")
    load(args.orders, tree, ordinary, tomorrow, cutoff)
    shares(ordinary, cutoff)
    if args.explain:
        explain(ordinary, tomorrow)
    at_ordinary = dt.datetime.combine(ordinary, dt.time(0, 5), tzinfo=TZ)
    at_cutoff = dt.datetime.combine(cutoff, dt.time(0, 5), tzinfo=TZ)
    open_orders = Order.objects.filter(status__in=OPEN).count()
    seconds = {}

    def counts() -> str:
        return (
            f"overdue {Order.objects.filter(overdue=True).count():,}, "
            f"notices {Notice.objects.count():,}, events {OrderEvent.objects.count():,}"
        )

    print(f"before: {counts()}")
    seconds["a"] = timed(
        "(a) orders_flag_overdue, ordinary day",
        lambda: "newly overdue {:,}, reminders {:,}".format(
            *services.orders_flag_overdue(now=at_ordinary)
        ),
        open_orders,
    )
    print(f"    after (a): {counts()}")
    seconds["b"] = timed(
        "(b) the same again",
        lambda: "newly overdue {:,}, reminders {:,} (all already sent)".format(
            *services.orders_flag_overdue(now=at_ordinary)
        ),
        open_orders,
    )
    print(f"    after (b): {counts()}")
    seconds["c"] = timed(
        "(c) orders_sweep on the village cut-off",
        lambda: services.orders_sweep(now=at_cutoff),
        open_orders,
    )
    levels = dict(
        Order.objects.filter(status__in=OPEN).values_list("level").annotate(n=Count("pk"))
    )
    print(f"    after (c): {counts()}; open by level {levels}")
    print(f"    cut-off runs: {list(SweepRun.objects.values_list('kind', 'key', 'moved'))}")
    seconds["d"] = timed(
        "(d) the same again",
        lambda: services.orders_sweep(now=at_cutoff),
        open_orders,
    )
    print(f"    after (d): {counts()}")
    worst = max(seconds["a"], seconds["c"])
    print(
        f"goal: a sweep over {open_orders:,} open orders in <= 10 s; "
        f"slowest sweep here {worst:.1f} s ({'met' if worst <= 10 else 'NOT met'})"
    )


if __name__ == "__main__":
    run(main, args=args, url=URL, tmp=tmp)
