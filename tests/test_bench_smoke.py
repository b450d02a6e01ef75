"""The benchmarks cannot rot: each ``bench/`` script runs at its ``--smoke`` size, must exit 0 and
must print its figure lines, each with its numbers. Nothing here asserts on time.

The SQLite bench (``import_households.py``) runs in every suite. The PostgreSQL ones (and that one
on PostgreSQL too) run when the suite runs on PostgreSQL (``DATABASE_URL=postgres…``, as ``scripts/test`` does second, and CI
always) and are skipped otherwise. Each gets a scratch database of its own on the suite's server,
``bench_smoke_<test>_<pid>``, copied from a template that is migrated once a session (a migration
from nothing costs more than most smoke runs); the script drops it at the end (checked here) and
the test drops what a failed run left. The full-size fixtures of the benches (``bench_orders``,
``bench_grids`` …) are never touched.

The scripts run as subprocesses with the real clock, not the session's pinned one.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SUITE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_URL.startswith("postgres")
TIMEOUT = 240  # seconds a smoke run may take on a busy machine before it counts as hung

NUM = r"\d[\d,]*(?:\.\d+)?"  # a figure as the benches print it: 1,234 or 0.05

_skip_unless_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="a PostgreSQL bench: smoked when the suite runs on PostgreSQL "
    "(DATABASE_URL=postgres://…; scripts/test and CI do)",
)
# Under pytest-xdist (scripts/test: -n 2 --dist loadgroup) the PostgreSQL benches are meant to
# run on one worker. (pytest-xdist 3.8 on pytest 9.2 ignores the groups,
# pytest-dev/pytest-xdist#1386; the workers share the template anyway, see ``_template``.)
_one_worker = pytest.mark.xdist_group("bench_smoke_postgresql")
# The run's template: the workers of one xdist run share it (and one pytest process has its own).
TEMPLATE = f"bench_smoke_template_{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}"[:63]


def postgres_only(test):
    return _one_worker(_skip_unless_postgres(test))


def _server_url(name: str) -> str:
    """The suite's PostgreSQL server, database ``name`` (a URL libpq reads)."""
    parts = urlsplit(SUITE_URL)
    return urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}", query=""))


def _admin(sql: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _exists(name: str) -> bool:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def _env(**extra: str) -> dict[str, str]:
    """The suite's environment without its database and settings (a script picks its own)."""
    dropped = {"DATABASE_URL", "BENCH_DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ZHENXING_VAR"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def _run(command: list[str], env: dict[str, str]) -> str:
    """Run ``command`` from the project's root; its output (stdout and stderr), which must end
    with exit code 0. A run that hangs gets SIGTERM first: the scripts stop their server and drop
    their database on it."""
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        pytest.fail(f"{command[1:]} still ran after {TIMEOUT} s:\n{out[-4000:]}")
    assert proc.returncode == 0, f"{command[1:]} exited with {proc.returncode}:\n{out[-4000:]}"
    return out


def smoke(script: str, *args: str, env: dict[str, str]) -> str:
    return _run([sys.executable, str(BENCH / script), "--smoke", *args], env)


def assert_lines(out: str, *patterns: str) -> None:
    """Every pattern matches a line of ``out`` (each is anchored at a line start)."""
    missing = [p for p in patterns if not re.search(p, out, re.MULTILINE)]
    assert not missing, f"figure lines missing: {missing}\n--- output:\n{out[-4000:]}"


@contextlib.contextmanager
def _template(var: Path) -> Iterator[psycopg.Connection]:
    """An admin connection holding the template's lock (the workers of a run take turns), with
    the template migrated: made here when missing (first use, or another worker dropped it)."""
    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [TEMPLATE])  # freed on close
        if not _exists(TEMPLATE):
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
            try:
                _run(
                    [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0"],
                    _env(
                        DATABASE_URL=_server_url(TEMPLATE),
                        DJANGO_SETTINGS_MODULE="zhenxing.settings",
                        ZHENXING_VAR=str(var),
                    ),
                )
            except BaseException:
                conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
                raise
        yield conn


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The template's place in the session: dropped when the session (or under xdist the first
    worker's) ends; a worker that still needs it makes it again."""
    yield tmp_path_factory.mktemp("bench-template")
    with psycopg.connect(_server_url("postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [TEMPLATE])
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')


@pytest.fixture
def pg_scratch(request: pytest.FixtureRequest, pg_template: Path) -> Iterator[str]:
    """``bench_smoke_<test>_<pid>``, a copy of the template; dropped if the run left it."""
    name = f"bench_smoke_{request.node.name.removeprefix('test_')}_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with _template(pg_template) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def assert_dropped(name: str) -> None:
    assert not _exists(name), f"the smoke run left its database {name}"


def test_import_households_on_sqlite() -> None:
    out = smoke("import_households.py", env=_env())
    assert_lines(out, r"^database: sqlite ")
    _assert_import_figures(out)


@postgres_only
def test_import_households_on_postgresql(pg_scratch: str) -> None:
    out = smoke("import_households.py", env=_env(DATABASE_URL=_server_url(pg_scratch)))
    assert_lines(out, rf"^database: postgresql \({pg_scratch}\)$")
    _assert_import_figures(out)
    assert_dropped(pg_scratch)


def _assert_import_figures(out: str) -> None:
    rate = rf"{NUM} rows/s \({NUM} s\)"
    assert_lines(
        out,
        rf"^generated two 300-row files with xlsxwriter in {NUM} s \({NUM} MB each\)$",
        rf"^read \(python-calamine\): +{rate}$",
        rf"^validate: +{rate}$",
        rf"^write \(one transaction, committed\): +{rate}$",
        rf"^bad file: job failed after {NUM} s, 1 error\(s\):$",
        r"^  names row 211: True; rows written: 0$",
        rf"^whole import \(job done, 300 households \+ {NUM} residents\): {rate}$",
    )


@postgres_only
def test_sweep_orders(pg_scratch: str) -> None:
    out = smoke("sweep_orders.py", _server_url(pg_scratch), env=_env())
    run = rf"+{NUM} s +{NUM} open orders/s +->"
    assert_lines(
        out,
        rf"^loaded 2,000 open orders and their events in {NUM} s \(\+ VACUUM ANALYZE {NUM} s\)$",
        r"^emptied .*\borders_order\b",
        rf"^  newly overdue on the ordinary day: {NUM} \({NUM} %\)$",
        rf"^\(a\) orders_flag_overdue, ordinary day {run} newly overdue {NUM}, reminders {NUM}$",
        rf"^\(b\) the same again {run} newly overdue 0, reminders 0 \(all already sent\)$",
        rf"^\(c\) orders_sweep on the village cut-off {run} .*\d",
        rf"^\(d\) the same again {run} .*\d",
        rf"^goal: a sweep over 2,000 open orders in <= 10 s; slowest sweep here {NUM} s ",
    )
    assert_dropped(pg_scratch)


@postgres_only
def test_grids_coverage(pg_scratch: str) -> None:
    out = smoke("grids_coverage.py", _server_url(pg_scratch), env=_env())
    timed = rf"{NUM} ms, {NUM} queries \(slowest {NUM} ms\)"
    assert_lines(
        out,
        rf"^\(a\) figures of the county and its 2 townships: {timed}$",
        rf"^    {NUM} households, {NUM} paired \({NUM}%\), {NUM} members, {NUM} a member",
        rf"^\(b\) figures of each of the 2 townships in turn: {timed}$",
        rf"^\(c\) coverage lists of the county .*: {timed}$",
        rf"^    {NUM} unpaired \({NUM} listed\), {NUM} members above capacity",
    )
    assert_dropped(pg_scratch)


LEDGER_METRICS = (
    "meetings_compliance",
    "meetings_attendance",
    "collective_income",
    "income_tier",
    "three_zeros",
    "talent_count",
    "reserve_cadres",
)


@postgres_only
def test_ledgers_village_metrics(pg_scratch: str) -> None:
    out = smoke("ledgers_village_metrics.py", _server_url(pg_scratch), env=_env())
    assert_lines(
        out,
        rf"^built in {NUM} s: ",
        r"^county: 6 villages, ",
        r"^第01镇: 3 villages, ",
        *(
            rf"^  {metric} +{NUM} ms +{NUM} queries +{villages} villages$"
            for metric in LEDGER_METRICS
            for villages in (6, 3)
        ),
    )
    assert_dropped(pg_scratch)


@postgres_only
def test_stars_evaluation(pg_scratch: str) -> None:
    out = smoke("stars_evaluation.py", _server_url(pg_scratch), env=_env())
    assert_lines(
        out,
        r"^province: 4 townships, 12 villages; standard .*: \d+ computed metrics",
        *(
            rf"^attempt {n}: evaluation_run {NUM} s \(metrics {NUM} s, the rest {NUM} s\); "
            rf"hand-written SQL {NUM} s; ratio {NUM}$"
            for n in (1, 2, 3)
        ),
        rf"^  collective_income +{NUM} +{NUM}$",
        rf"^evaluation_run: best {NUM} s .* ratio per attempt {NUM}, {NUM}, {NUM}, median {NUM} ",
        rf"^agreement: {NUM} stored values of 12 sampled villages checked, 0 differ$",
        rf"^township run: 4 townships in {NUM} s \({NUM} indicator results\)$",
    )
    assert_dropped(pg_scratch)


@postgres_only
def test_intake_http(pg_scratch: str) -> None:
    out = smoke("intake_http.py", _server_url(pg_scratch), env=_env())
    phase = rf"+{NUM} requests/s +\({NUM} in {NUM} s; failed {NUM}; latency median {NUM} ms"
    assert_lines(
        out,
        r"^zhenxing serve on 127\.0\.0\.1:\d+ \(1 workers x 2 threads, .*\); 2 client threads",
        rf"^intake POST /s/<village>/ {phase}",
        rf"^bare view POST /bench/bare/ \(1 insert\) {phase}",
        rf"^    CPU per request: gunicorn {NUM} ms, PostgreSQL backends seen {NUM} ms",
        rf"^ratio intake / bare: {NUM}$",
        r"^every intake answer a redirect to /t/<code>/: True ",
        rf"^orders grew by {NUM} = the redirects: True; bench_bare grew by {NUM} = its "
        r"redirects: True$",
    )
    # Its server is gone: serve's process group is empty and the port answers no more.
    stopped = re.search(r"^server \(process group (\d+)\) on port (\d+) stopped", out, re.M)
    assert stopped, out[-4000:]
    group, port = int(stopped[1]), int(stopped[2])
    assert not _group_members(group), f"serve's processes still run: {_group_members(group)}"
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass
    assert_dropped(pg_scratch)


def _group_members(group: int) -> list[int]:
    """The processes of process group ``group`` (from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                members.append(int(entry.name))
    return members
