"""Fixtures of the ledger tests (see ``people``); a test module's own fixtures override these."""

from zhenxing.ledgers.tests.people import (  # noqa: F401
    clock,
    county_admin,
    outsider,
    secretary,
    township_admin,
)
