"""Settings of ``bench/intake_http.py``'s server: the application's, with the bench's URLs (the real
ones plus a bare view). Used only with ``bench/`` on ``PYTHONPATH``."""

import os

from zhenxing.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"

if os.environ.get("BENCH_SMOKE") == "1":
    # A smoke run: serve's collectstatic copies the static files without compressing them (about
    # 10 s of gzip and brotli over echarts otherwise); the bench POSTs and reads no static file.
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
