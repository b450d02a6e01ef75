"""Cross-app tests: the fixtures of ``src/zhenxing/conftest.py`` (the pinned clock and the demo
county come from the root conftest.py)."""

from zhenxing.conftest import fresh_references, tree  # noqa: F401
