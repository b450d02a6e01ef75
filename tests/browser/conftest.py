"""Browser tests: the real `zhenxing demo` and `zhenxing serve` commands, driven by Chromium.

The server runs in its own process on a fresh database: a SQLite file in a temporary folder, or,
when the suite runs on PostgreSQL (DATABASE_URL), a fresh database on that server. Every process
the tests start (the demo build, the server's web workers, background worker and scheduler, other
commands) reads the session's pinned clock: ``ZHENXING_PINNED_CLOCK`` (see
``zhenxing.settings.pin_clock_for_tests``).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _admin_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def pinned_clock() -> str:
    """``ZHENXING_PINNED_CLOCK`` for a child process: this session's "now" and the real time of
    the same moment, so a process started later runs on the same clock as the session."""
    now = dt.datetime.now(dt.UTC)  # the pinned clock (root conftest.py), already running
    return f"{now.isoformat()}@{time_machine.escape_hatch.time.time()!r}"


@pytest.fixture
def today() -> dt.date:
    """The session's (and the server's) today, in Asia/Shanghai."""
    return timezone.localdate()


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["ZHENXING_VAR"] = str(tmp_path_factory.mktemp("var"))
    env["ZHENXING_PINNED_CLOCK"] = pinned_clock()
    pg = os.environ.get("DATABASE_URL", "")
    dbname = f"zhenxing_e2e_{os.getpid()}"
    if pg.startswith("postgres"):
        base = pg.rsplit("/", 1)[0]
        with psycopg.connect(_admin_url(pg), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = f"{base}/{dbname}"
    else:
        env.pop("DATABASE_URL", None)
    yield env
    if pg.startswith("postgres"):
        with psycopg.connect(_admin_url(pg), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live_url(server_env: dict[str, str]) -> Iterator[str]:
    """`zhenxing demo --no-serve` then `zhenxing serve` on a free port, as a user would run them."""
    subprocess.run([BIN / "zhenxing", "demo", "--no-serve"], env=server_env, check=True)
    port = _free_port()
    proc = subprocess.Popen(
        [BIN / "zhenxing", "serve", "--addr", f"127.0.0.1:{port}"],
        env=server_env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("zhenxing serve did not come up")
        time.sleep(0.3)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("ZHENXING_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (CI=true) but /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium is not installed (scripts/install-browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shot():
    """Save a screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    db = "pg" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{db}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
