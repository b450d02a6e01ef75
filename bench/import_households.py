"""Benchmark: import 100,000 households from one .xlsx, then the same file with one bad row.

    .venv/bin/python bench/import_households.py                 # a temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rosters .venv/bin/python bench/import_households.py
    .venv/bin/python bench/import_households.py --smoke         # 300 rows, the bad one row 211

With DATABASE_URL the database must be a scratch one (on PostgreSQL its name must contain
``bench``; it is created when missing): the script migrates it, builds its own small region tree
(a county with 2 townships, 20 villages, 60 villager groups) and removes what it made at the end.
``--smoke`` with a PostgreSQL DATABASE_URL: its name must contain ``bench_smoke``, and the database
is dropped at the end. Prints figures only; nothing here asserts on time.

The import runs exactly as from the web page: ``roster_import_start`` checks the upload, keeps the
file with a job and queues the task; the task backend here is the immediate one, so the task
(validate every row, then write everything in one transaction) runs at once in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from scratch_db import (  # bench/ is the script's folder
    add_smoke_option,
    apply_smoke,
    drop_smoke_database,
    ensure_database,
)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=100_000, help="households in the file")
parser.add_argument(
    "--bad-row", type=int, default=73_211, help="Excel row of the bad ID number (1: the header)"
)
add_smoke_option(parser)
args = parser.parse_args()
apply_smoke(parser, args, rows=300, bad_row=211)
if not 2 <= args.bad_row <= args.rows + 1:
    parser.error("--bad-row must be one of the file's rows (2 to --rows + 1)")
ROWS = args.rows
BAD_ROW = args.bad_row

tmp = tempfile.TemporaryDirectory(prefix="zhenxing-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "zhenxing.settings"
os.environ["ZHENXING_VAR"] = tmp.name
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}")
URL = os.environ["DATABASE_URL"]
ON_POSTGRES = URL.startswith(("postgres:", "postgresql:", "pgsql:"))
if ON_POSTGRES:
    ensure_database(URL, smoke=args.smoke)
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from zhenxing.core.models import Job  # noqa: E402
from zhenxing.regions import rosters  # noqa: E402
from zhenxing.regions.models import Household, Level, Region, Resident  # noqa: E402


class RootScope:
    """The whole deployment (what a superuser has)."""

    role = "county_admin"
    is_root = True

    def require(self, region: Region) -> None:
        return None


def id_number(n: int) -> str:
    day, serial = divmod(n, 500)
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=day * 7)
    body = f"110105{birth:%Y%m%d}{serial * 2 + n % 2:03d}"
    return body + ric.calc_check_digit(body + "0")


def build_tree() -> Region:
    add = Region.objects.add_child
    county = Region.objects.add_root(
        {"name": f"基准测试县{time.strftime('%H%M%S')}", "level": Level.COUNTY}
    )
    for t in range(2):
        township = add(county, {"name": f"第{t + 1}镇", "level": Level.TOWNSHIP})
        for v in range(10):
            village = add(township, {"name": f"{t + 1}镇{v + 1}村", "level": Level.VILLAGE})
            for g in range(3):
                add(village, {"name": f"{g + 1}组", "level": Level.GROUP})
    county.refresh_from_db()
    return county


def households_file(bad_row: int | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = book.add_worksheet("农户")
    ws.write_row(0, 0, [c.header for c in rosters.HOUSEHOLDS.columns])
    for i in range(ROWS):
        row = i + 1
        number = id_number(i)
        if bad_row is not None and row + 1 == bad_row:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        ws.write_string(row, 0, f"{i % 2 + 1}镇{i // 2 % 10 + 1}村")
        ws.write_string(row, 1, f"{i % 3 + 1}组")
        ws.write_string(row, 2, f"{i:06d}")
        ws.write_string(row, 3, f"户主{i}")
        ws.write_string(row, 4, number)
        ws.write_string(row, 5, f"幸福路{i % 300}号")
        ws.write_string(row, 6, f"1{380_000_0000 + i}")
        ws.write_number(row, 7, 1 + i % 6)
        if i % 10 == 0:
            ws.write_string(row, 8, "低保、留守")
    book.close()
    return out.getvalue()


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s ({seconds:.2f} s)"


def main() -> None:
    engine = connection.vendor
    print(f"database: {engine} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    county = build_tree()
    scope = RootScope()

    started = time.perf_counter()
    good = households_file()
    bad = households_file(bad_row=BAD_ROW)
    print(
        f"generated two {ROWS:,}-row files with xlsxwriter in {time.perf_counter() - started:.1f} s"
        f" ({len(good) / 1e6:.2f} MB each)"
    )

    # Phases on their own: read, validate (no writes), write (one transaction).
    rosters.clear_id_cache()
    started = time.perf_counter()
    sheets = rosters.read_workbook(io.BytesIO(good), "households")
    read = time.perf_counter() - started
    started = time.perf_counter()
    plan = rosters.validate(region=county, sheets=sheets)
    validation = time.perf_counter() - started
    assert plan.ok, plan.errors[:3]
    print(f"read (python-calamine):        {rate(ROWS, read)}")
    print(f"validate:                      {rate(ROWS, validation)}")
    started = time.perf_counter()
    with transaction.atomic():  # committed: PostgreSQL checks the deferred foreign keys here
        rosters.write(plan)
    written = time.perf_counter() - started
    print(f"write (one transaction, committed):  {rate(ROWS, written)}")
    remove_registers(county)  # the jobs below import the same rows again

    # First the file with one bad ID number: the error names its row, and nothing is written.
    before = (Household.objects.count(), Resident.objects.count())
    rosters.clear_id_cache()
    started = time.perf_counter()
    job = rosters.roster_import_start(
        region=county,
        kind="households",
        upload=SimpleUploadedFile("bad.xlsx", bad),
        actor=None,
        scope=scope,
    )
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    after = (Household.objects.count(), Resident.objects.count())
    print(f"bad file: job {job.status} after {seconds:.2f} s, {job.error_count} error(s):")
    for error in job.errors[:5]:
        print(f"  {error['text']}")
    print(
        f"  names row {BAD_ROW:,}: {any(e['row'] == BAD_ROW for e in job.errors)}; "
        f"rows written: {after[0] - before[0] + after[1] - before[1]}"
    )

    # Then the good file, as from the page: check upload, keep file, job, validate, write.
    before = Household.objects.count()
    rosters.clear_id_cache()
    started = time.perf_counter()
    job = rosters.roster_import_start(
        region=county,
        kind="households",
        upload=SimpleUploadedFile("good.xlsx", good),
        actor=None,
        scope=scope,
    )
    whole = time.perf_counter() - started
    job.refresh_from_db()
    created = Household.objects.count() - before
    print(
        f"whole import (job {job.status}, {created:,} households + "
        f"{job.result.get('created', {}).get('residents', 0):,} residents): {rate(ROWS, whole)}"
    )

    cleanup(county)


def remove_registers(county: Region) -> None:
    subtree = Region.objects.filter(path__startswith=county.path).values("pk")
    with transaction.atomic():
        Household.tags.through.objects.filter(household__village__in=subtree).delete()
        Resident.objects.filter(region__in=subtree).delete()
        Household.objects.filter(village__in=subtree).delete()


def cleanup(county: Region) -> None:
    remove_registers(county)
    Job.objects.filter(region__path__startswith=county.path).delete()
    Region.objects.filter(path__startswith=county.path).delete()


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        tmp.cleanup()
        if args.smoke and ON_POSTGRES:
            drop_smoke_database(URL)
