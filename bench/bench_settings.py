"""Settings of ``bench/intake_http.py``'s server: the application's, with the bench's URLs (the real
ones plus a bare view). Used only with ``bench/`` on ``PYTHONPATH``."""

from zhenxing.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"
