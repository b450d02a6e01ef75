"""Benchmark: the metrics of ledgers 4–7 over 1,000 villages on PostgreSQL.

    .venv/bin/python bench/ledgers_village_metrics.py [DATABASE_URL] [--townships 25] [--villages 40]
    .venv/bin/python bench/ledgers_village_metrics.py --smoke   # 2 townships of 3 villages

The database (the argument, else ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/bench_ledgers_village``) must be a scratch one: its name must
contain ``bench``. It is created when missing and migrated; the script builds its county once and
keeps it: ``--townships`` × ``--villages`` villages, each with a branch of 40 members and a year of
organisational life by the default requirements (a weekly 微党课, three monthly and two quarterly
kinds: 96 meetings a branch, each with 6 attendees or, for the kinds every member attends, 30),
two years of income from three sources, an incident in one village out of ten, ten people in the
talent pool and two reserve cadres. The rows are generated inside PostgreSQL (INSERT … SELECT over
``generate_series``). ``--smoke``: 2 townships of 3 villages, in the database
``bench_smoke_ledgers_village_metrics`` (or the argument, whose name must contain ``bench_smoke``),
created and dropped by the run.

Then each metric (``meetings_compliance``, ``meetings_attendance``, ``collective_income``,
``income_tier``, ``three_zeros``, ``talent_count``, ``reserve_cadres``) is computed for every
village of the county and for the villages of one township, timed with ``time.perf_counter``
(best of three) and with its query count. Nothing here asserts on time.
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
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_ledgers_village"
COUNTY = "台账基准县"
MEMBERS = 40

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("database_url", nargs="?", default=None)
parser.add_argument("--townships", type=int, default=25)
parser.add_argument("--villages", type=int, default=40, help="villages per township")
add_smoke_option(parser)
args = parser.parse_args()
apply_smoke(parser, args, townships=2, villages=3)
URL = database_url(args, os.environ, DEFAULT_URL, "ledgers_village_metrics")
ensure_database(URL, smoke=args.smoke)
tmp = tempfile.TemporaryDirectory(prefix="zhenxing-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenxing.settings")
os.environ["ZHENXING_VAR"] = tmp.name
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhenxing.accounts.models import User  # noqa: E402
from zhenxing.core.periods import Period  # noqa: E402
from zhenxing.ledgers.selectors import incidents, income, meetings, talent  # noqa: E402
from zhenxing.ledgers.services.income import income_defaults_ensure  # noqa: E402
from zhenxing.ledgers.services.meetings import meeting_defaults_ensure  # noqa: E402
from zhenxing.ledgers.services.talent import talent_defaults_ensure  # noqa: E402
from zhenxing.regions.models import Level, OrgKind, PartyOrganization, Region  # noqa: E402

YEAR = dt.date.today().year - 1


def build() -> Region:
    county = Region.objects.filter(depth=1, name=COUNTY).first()
    if county is not None:
        return county
    started = time.perf_counter()
    meeting_defaults_ensure()
    income_defaults_ensure()
    talent_defaults_ensure()
    user = User.objects.get_or_create(username="bench_ledgers")[0]
    with transaction.atomic():
        county = Region.objects.add_root({"name": COUNTY, "level": Level.COUNTY})
        townships = Region.objects.bulk_create(
            Region(
                path=Region._get_path(county.path, 2, t + 1),
                depth=2,
                numchild=args.villages,
                name=f"第{t + 1:02d}镇",
                level=Level.TOWNSHIP,
            )
            for t in range(args.townships)
        )
        villages = Region.objects.bulk_create(
            Region(
                path=Region._get_path(township.path, 3, v + 1),
                depth=3,
                numchild=0,
                name=f"{township.name}{v + 1:02d}村",
                level=Level.VILLAGE,
            )
            for township in townships
            for v in range(args.villages)
        )
        Region.objects.filter(pk=county.pk).update(numchild=args.townships)
        PartyOrganization.objects.bulk_create(
            PartyOrganization(name=f"{v.name}党支部", kind=OrgKind.VILLAGE_BRANCH, region=v)
            for v in villages
        )
        like = county.path + "%"
        start = dt.date(YEAR, 1, 1)
        with connection.cursor() as c:
            c.execute(
                """INSERT INTO regions_resident (region_id, name, sex, birth_date, phone, education)
                SELECT v.id, '居民' || v.id || '-' || g, 'M', DATE '1960-01-01' + g * 300, '',
                    'junior'
                FROM regions_region v, generate_series(1, %s) g
                WHERE v.path LIKE %s AND v.level = 'village'""",
                [MEMBERS, like],
            )
            c.execute(
                """INSERT INTO regions_partymember (person_id, organization_id, kind, joined_on,
                    status)
                SELECT r.id, o.id, 'full', DATE '2000-07-01', 'active'
                FROM regions_resident r JOIN regions_partyorganization o ON o.region_id = r.region_id
                JOIN regions_region v ON v.id = r.region_id WHERE v.path LIKE %s""",
                [like],
            )
            # A year of meetings: each kind in each of its units (weeks, months, quarters).
            c.execute(
                """INSERT INTO ledgers_orgmeeting (organization_id, kind_id, held_on, topic, minutes,
                    recorded_by_id, recorded_at, reason, voided)
                SELECT o.id, k.id, u.day, '学习会', '', %s, now(), '', false
                FROM regions_partyorganization o
                JOIN regions_region v ON v.id = o.region_id
                JOIN ledgers_meetingrequirement r ON true
                JOIN ledgers_meetingkind k ON k.id = r.kind_id
                JOIN LATERAL (
                    SELECT d::date AS day FROM generate_series(%s::date, %s::date,
                        CASE r.per WHEN 'week' THEN INTERVAL '7 days'
                                   WHEN 'month' THEN INTERVAL '1 month'
                                   WHEN 'quarter' THEN INTERVAL '3 months'
                                   WHEN 'half' THEN INTERVAL '6 months'
                                   ELSE INTERVAL '1 year' END) d
                ) u ON true
                WHERE v.path LIKE %s""",
                [
                    user.pk,
                    start + dt.timedelta(days=(7 - start.weekday()) % 7),
                    dt.date(YEAR, 12, 31),
                    like,
                ],
            )
            c.execute(
                """INSERT INTO ledgers_orgmeeting_attendees (orgmeeting_id, partymember_id)
                SELECT m.id, pm.id
                FROM ledgers_orgmeeting m
                JOIN ledgers_meetingkind k ON k.id = m.kind_id
                JOIN LATERAL (
                    SELECT id FROM regions_partymember
                    WHERE organization_id = m.organization_id
                    ORDER BY id LIMIT CASE WHEN k.all_members THEN 30 ELSE 6 END
                ) pm ON true"""
            )
            c.execute(
                """INSERT INTO ledgers_incomeentry (village_id, year, source_id, amount, note,
                    recorded_by_id, recorded_at, reason, voided)
                SELECT v.id, y, s.id, (v.id * 7919 %% 300000) / 3.0 + 1000, '', %s, now(), '', false
                FROM regions_region v, generate_series(%s, %s) y,
                    (SELECT id FROM ledgers_incomesource ORDER BY sort LIMIT 3) s
                WHERE v.path LIKE %s AND v.level = 'village'""",
                [user.pk, YEAR - 1, YEAR, like],
            )
            c.execute(
                """INSERT INTO ledgers_incident (village_id, kind, occurred_on, summary, deaths,
                    injuries, reference, recorded_by_id, recorded_at, reason, voided)
                SELECT v.id, 'petition', DATE %s, '越级上访', 0, 0, '', %s, now(), '', false
                FROM regions_region v WHERE v.path LIKE %s AND v.level = 'village'
                    AND v.id %% 10 = 0""",
                [f"{YEAR}-06-01", user.pk, like],
            )
            c.execute(
                """INSERT INTO ledgers_talent (village_id, person_id, category_id, since, strengths,
                    recorded_by_id, recorded_at, reason, voided)
                SELECT r.region_id, r.id, (SELECT min(id) FROM ledgers_talentcategory),
                    DATE %s, '', %s, now(), '', false
                FROM regions_resident r JOIN regions_region v ON v.id = r.region_id
                WHERE v.path LIKE %s AND r.name LIKE '%%-1_'""",
                [f"{YEAR}-03-01", user.pk, like],
            )
            c.execute(
                """INSERT INTO ledgers_reservecadre (village_id, person_id, mentor_id, assignment,
                    since, recorded_by_id, recorded_at, reason, voided)
                SELECT r.region_id, r.id, r.id - 1, '村委会主任助理', DATE %s, %s, now(), '', false
                FROM regions_resident r JOIN regions_region v ON v.id = r.region_id
                WHERE v.path LIKE %s AND (r.name LIKE '%%-21' OR r.name LIKE '%%-22')""",
                [f"{YEAR}-04-01", user.pk, like],
            )
        with connection.cursor() as c:
            c.execute("ANALYZE")
    counts = {
        "villages": len(villages),
        "meetings": _count("ledgers_orgmeeting"),
        "attendees": _count("ledgers_orgmeeting_attendees"),
        "income rows": _count("ledgers_incomeentry"),
        "talents": _count("ledgers_talent"),
    }
    print(f"built in {time.perf_counter() - started:.1f} s: {counts}")
    return county


def _count(table: str) -> int:
    with connection.cursor() as c:
        c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed table name
        return int(c.fetchone()[0])


def timed(label: str, fn, *fargs) -> None:
    best = None
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = fn(*fargs)
            spent = time.perf_counter() - started
        best = spent if best is None else min(best, spent)
    print(
        f"  {label:<22} {best * 1000:8.1f} ms  {len(queries):2d} queries  {len(result):5d} villages"
    )


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    county = build()
    year = Period.year(YEAR)
    township = Region.objects.filter(depth=2, path__startswith=county.path).order_by("path")[0]
    for label, region in (("county", county), (township.name, township)):
        villages = Region.objects.filter(path__startswith=region.path, level=Level.VILLAGE)
        print(f"{label}: {villages.count()} villages, {year.label}")
        timed("meetings_compliance", meetings.meetings_compliance, villages, year)
        timed("meetings_attendance", meetings.meetings_attendance, villages, year)
        timed("collective_income", income.collective_income, villages, year)
        timed("income_tier", income.income_tier, villages, year)
        timed("three_zeros", incidents.three_zeros, villages, year)
        timed("talent_count", talent.talent_count, villages, year)
        timed("reserve_cadres", talent.reserve_cadres, villages, year)


if __name__ == "__main__":
    run(main, args=args, url=URL, tmp=tmp)
