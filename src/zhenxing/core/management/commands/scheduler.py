"""The embedded scheduler: every SCHEDULER_INTERVAL seconds, run each job in PERIODIC_JOBS.

`zhenxing serve` starts it as a child process. Each job is an idempotent service taking ``now``,
so a larger deployment may run the same jobs from cron (`zhenxing sweep`) instead, or as well.
"""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("zhenxing.scheduler")


class Command(BaseCommand):
    help = "定时任务进程：按 SCHEDULER_INTERVAL 秒的间隔运行 PERIODIC_JOBS。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出")

    def handle(self, *args, once: bool, **options) -> None:
        jobs = [(path, import_string(path)) for path in settings.PERIODIC_JOBS]
        stopping: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: stopping.append(signum))
        while not stopping:
            for path, job in jobs:
                close_old_connections()
                try:
                    result = job(now=timezone.now())
                except Exception:
                    log.exception("periodic job %s failed", path)
                else:
                    log.info("%s: %s", path, result)
            if once:
                return
            deadline = time.monotonic() + settings.SCHEDULER_INTERVAL
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
