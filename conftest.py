"""What the whole suite shares, loaded before the package conftests (and outside the layered
``zhenxing`` package, so that it may reach the demo):

- **The pinned clock.** The session runs on a pinned, ticking clock started in
  ``pytest_configure`` (before collection, fixtures and the demo build): "now" starts at
  ``ZHENXING_TEST_NOW`` (ISO 8601 with a UTC offset; default ``DEFAULT_TEST_NOW``), so a run does
  not depend on the day it runs, and ``scripts/test-calendar`` replays the suite on chosen dates.
  A test that travels itself (``time_machine.travel``, the ``time_machine`` fixture) nests inside
  it. The browser tests hand the same clock to the processes they start (``pinned_now``).
- **The demo county** (``demo_county``), built once per session at the pinned reference date
  and kept committed until the session ends, so every test that runs after it sees the demo's
  rows. The tests that do not use it run first, on an empty database: the collection hook moves
  every test that uses it, directly or through another fixture, to the end, keeping their order.

Under pytest-xdist each worker has its own test database and session and runs what it is sent in
the order sent. scripts/test runs ``-n 2 --dist loadgroup --no-loadscope-reorder``: the demo tests
go, alternately, into two groups at the end of the queue, so each worker gets one only when every
other test has been handed out, builds the demo once (both at the same time, one per core) and
runs its half last. (``--no-loadscope-reorder`` keeps the queue in collection order; by default
xdist may sort its work units by size, the biggest first.)
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine

DEFAULT_TEST_NOW = "2026-12-08T10:00:00+08:00"
DEMO_FIXTURE = "demo_county"
DEMO_GROUPS = 2
_pinned = pytest.StashKey[dt.datetime]()
_demo_seen = pytest.StashKey[int]()


def pinned_instant() -> dt.datetime:
    """The instant the session's clock starts at: ``ZHENXING_TEST_NOW`` or ``DEFAULT_TEST_NOW``."""
    value = os.environ.get("ZHENXING_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise pytest.UsageError(
            f"ZHENXING_TEST_NOW must be ISO 8601 with a UTC offset, e.g. {DEFAULT_TEST_NOW}; "
            f"got {value!r}"
        )
    return at


def pytest_configure(config: pytest.Config) -> None:
    at = pinned_instant()
    travel = time_machine.travel(at, tick=True)
    travel.start()
    config.add_cleanup(travel.stop)  # after the session fixtures' teardown (the demo's reset)
    config.stash[_pinned] = at


@pytest.fixture(scope="session")
def pinned_now(pytestconfig: pytest.Config) -> dt.datetime:
    """The instant the session's clock was pinned at."""
    return pytestconfig.stash[_pinned]


def uses_demo(item: pytest.Item) -> bool:
    return DEMO_FIXTURE in getattr(item, "fixturenames", ())


def pytest_itemcollected(item: pytest.Item) -> None:
    # Marked here, not below: xdist reads the group in its own collection_modifyitems. Without
    # xdist the marker is unknown (and --strict-markers would refuse it).
    if not (uses_demo(item) and item.config.pluginmanager.hasplugin("xdist")):
        return
    seen = item.config.stash.get(_demo_seen, 0)
    item.config.stash[_demo_seen] = seen + 1
    item.add_marker(pytest.mark.xdist_group(f"{DEMO_FIXTURE}_{seen % DEMO_GROUPS}"))


@pytest.hookimpl(trylast=True)  # after pytest-django's own sort by test type
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = [item for item in items if not uses_demo(item)] + [
        item for item in items if uses_demo(item)
    ]


@pytest.fixture(scope="session")
def demo_county(django_db_setup, django_db_blocker):
    """The demo county, built once for the session at the pinned reference date (its
    ``BuildResult``: ``.plan`` says what the data was built to show) and removed at the end."""
    from zhenxing.conftest import seed_reference_data
    from zhenxing.demo.build import build_demo_county, reset_demo

    with django_db_blocker.unblock():
        seed_reference_data()  # a transactional test that ran before may have flushed it
        reset_demo()
        result = build_demo_county()
    yield result
    with django_db_blocker.unblock():
        reset_demo()
