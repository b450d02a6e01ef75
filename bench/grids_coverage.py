"""Benchmark: 联户 coverage figures for a county of 135,000 households on PostgreSQL.

    .venv/bin/python bench/grids_coverage.py [DATABASE_URL] [--households-per-village N]
    .venv/bin/python bench/grids_coverage.py --smoke    # 2 townships of 3 villages, seconds

The database (the argument, else ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/bench_grids``) must be a scratch one: its name must contain
``bench``. It is created when missing and migrated; the script builds its county once and keeps
it: 15 townships of 21 villages (315 villages, seed 003's county of about 135,000 households:
435 a village), 50 Party members a village, nine households in ten paired (1+10: member
``k % 50`` of the village), and a visit for two households in three over the last 60 days.
Rows are generated inside PostgreSQL (``INSERT … SELECT`` over ``generate_series``). The sizes
(``--townships``, ``--villages``, ``--members``, ``--households-per-village``) count only when the
county is built. ``--smoke``: 2 townships of 3 villages of 30 households and 5 members, in the
database ``bench_smoke_grids_coverage`` (or the argument, whose name must contain ``bench_smoke``),
created and dropped by the run.

Then, timed with ``time.perf_counter`` and counted with Django's query capture:

(a) ``grids.selectors.figures`` of the county (its figures and each township's);
(b) the same for every township, one after another;
(c) ``grids.selectors.village_coverage`` of the county (unpaired households, at most 200 listed,
    and every member's load against the capacity from the settings).

It prints seconds and the number of queries of each. Nothing here asserts on time; the goal
(issue 4): the county's coverage in well under a second with a constant number of queries.
"""

from __future__ import annotations

import argparse
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_grids"
COUNTY = "基准测试县（联户）"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("database_url", nargs="?", default=None)
parser.add_argument("--townships", type=int, default=15)
parser.add_argument("--villages", type=int, default=21, help="villages per township")
parser.add_argument("--members", type=int, default=50, help="Party members per village")
parser.add_argument("--households-per-village", type=int, default=435)
add_smoke_option(parser)
args = parser.parse_args()
apply_smoke(parser, args, townships=2, villages=3, members=5, households_per_village=30)
URL = database_url(args, os.environ, DEFAULT_URL, "grids_coverage")
ensure_database(URL, smoke=args.smoke)
tmp = tempfile.TemporaryDirectory(prefix="zhenxing-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "zhenxing.settings"
os.environ["ZHENXING_VAR"] = tmp.name
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhenxing.grids import selectors  # noqa: E402
from zhenxing.regions.models import Level, OrgKind, PartyOrganization, Region  # noqa: E402


def build() -> Region:
    county = Region.objects.filter(depth=1, name=COUNTY).first()
    if county is not None:
        return county
    started = time.perf_counter()
    per = args.households_per_village
    with transaction.atomic():
        county = Region.objects.add_root({"name": COUNTY, "level": Level.COUNTY})
        townships = [
            Region(
                path=Region._get_path(county.path, 2, t + 1),
                depth=2,
                numchild=args.villages,
                name=f"第{t + 1:02d}镇",
                level=Level.TOWNSHIP,
            )
            for t in range(args.townships)
        ]
        Region.objects.bulk_create(townships)
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
        with connection.cursor() as c:
            c.execute(
                """INSERT INTO regions_household (village_id, number, head_name, address, phone, size)
                SELECT v.id, lpad(g::text, 4, '0'), '户主' || g, '', '13800000000', 3
                FROM regions_region v, generate_series(1, %s) g
                WHERE v.path LIKE %s AND v.level = 'village'""",
                [per, like],
            )
            c.execute(
                """INSERT INTO regions_resident (region_id, household_id, name, sex, birth_date,
                    phone, education)
                SELECT h.village_id, h.id, '党员' || h.id, 'M',
                    DATE '1950-01-01' + (h.id %% 40) * INTERVAL '365 days', '', 'junior'
                FROM regions_household h JOIN regions_region v ON v.id = h.village_id
                WHERE v.path LIKE %s AND h.number::int <= %s""",
                [like, args.members],
            )
            c.execute(
                """INSERT INTO regions_partymember (person_id, organization_id, kind, joined_on,
                    status)
                SELECT r.id, o.id, 'full', DATE '2000-07-01', 'active'
                FROM regions_resident r JOIN regions_partyorganization o ON o.region_id = r.region_id
                JOIN regions_region v ON v.id = r.region_id WHERE v.path LIKE %s""",
                [like],
            )
            c.execute(
                """WITH m AS (
                    SELECT pm.id, o.region_id,
                        row_number() OVER (PARTITION BY o.region_id ORDER BY pm.id) - 1 AS k
                    FROM regions_partymember pm
                    JOIN regions_partyorganization o ON o.id = pm.organization_id
                    JOIN regions_region v ON v.id = o.region_id WHERE v.path LIKE %s),
                h AS (
                    SELECT h.id, h.village_id, h.number::int - 1 AS k
                    FROM regions_household h JOIN regions_region v ON v.id = h.village_id
                    WHERE v.path LIKE %s)
                INSERT INTO grids_pairing (village_id, household_id, member_id, start_date, note)
                SELECT h.village_id, h.id, m.id, DATE '2025-01-01', ''
                FROM h JOIN m ON m.region_id = h.village_id AND m.k = h.k %% %s
                WHERE h.k %% 10 <> 9""",
                [like, like, args.members],
            )
            c.execute(
                """INSERT INTO grids_visit (village_id, household_id, visited_on, contact,
                    situation, policy, industry, service, notes, created_at)
                SELECT h.village_id, h.id, %s::date - (h.id %% 61)::int, true, h.id %% 2 = 0,
                    false, false, false, '', now()
                FROM regions_household h JOIN regions_region v ON v.id = h.village_id
                WHERE v.path LIKE %s AND h.id %% 3 <> 0""",
                [timezone.localdate(), like],
            )
            c.execute("ANALYZE")
    print(f"built the bench county in {time.perf_counter() - started:.1f} s")
    return Region.objects.get(pk=county.pk)


def timed(label: str, fn) -> object:
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    slowest = max((float(q["time"]) for q in ctx.captured_queries), default=0.0)
    print(
        f"{label}: {seconds * 1000:.0f} ms, {len(ctx.captured_queries)} queries"
        f" (slowest {slowest * 1000:.0f} ms)"
    )
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    county = build()
    townships = list(Region.objects.get_children(county).order_by("path"))
    timed("warm-up (connection, caches)", lambda: selectors.figures(county))
    f = timed(
        f"(a) figures of the county and its {len(townships)} townships",
        lambda: selectors.figures(county),
    )
    t = f.total
    print(
        f"    {t.households:,} households, {t.paired:,} paired ({t.coverage}%), "
        f"{t.members:,} members, {t.mean_per_member} a member on average "
        f"(max {t.max_per_member}), {t.visits_month:,} visits this month, "
        f"{t.stale:,} not visited for {f.stale_days} days"
    )
    timed(
        f"(b) figures of each of the {len(townships)} townships in turn",
        lambda: [selectors.figures(tw) for tw in townships],
    )
    c = timed(
        "(c) coverage lists of the county (unpaired, loads against capacity)",
        lambda: selectors.village_coverage(county, limit=200),
    )
    print(
        f"    {c.households - c.paired:,} unpaired ({len(c.unpaired)} listed),"
        f" {len(c.overloaded):,} members above capacity, {len(c.idle):,} without households"
    )
    print(f"today: {timezone.localdate():%Y-%m-%d}")


if __name__ == "__main__":
    run(main, args=args, url=URL, tmp=tmp)
