"""zhenxing stars_finalise [--today 2026-12-01]: make final every published star application
whose notice has ended without a pending objection (公示期满认定).

The scheduler inside `zhenxing serve` runs the same service every few minutes; this is for cron,
and ``--today`` lets a person (or a test) finalise as of another day. Running it twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhenxing.stars.services import applications_finalise


class Command(BaseCommand):
    help = "公示期满且无待处理异议的创星申报予以认定（可重复运行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="按该日期判断公示是否期满，如 2026-12-01")

    def handle(self, *args, today: str | None = None, **options) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"日期格式应为 2026-12-01：{today}") from error
        self.stdout.write(f"{applications_finalise(today=day)}")
