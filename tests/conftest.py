"""Cross-app tests: the fixtures of ``src/zhenxing/conftest.py`` plus the demo county."""

import pytest

from zhenxing.conftest import fresh_references, tree  # noqa: F401
from zhenxing.demo.build import build_demo_county, reset_demo


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    """The demo county, built once for a test module and removed after it."""
    with django_db_blocker.unblock():
        build_demo_county()
    yield
    with django_db_blocker.unblock():
        reset_demo()
