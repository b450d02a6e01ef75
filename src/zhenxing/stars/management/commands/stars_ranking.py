"""zhenxing stars_ranking [--month 2026-10]: archive the monthly progress ranking (月排序).

Without ``--month`` it does what the scheduler inside `zhenxing serve` does every few minutes:
archive last month's ranking once (for cron). With ``--month`` it archives that month for every
county; townships already archived for it are left as they were, so running it twice changes
nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhenxing.core.periods import Period
from zhenxing.regions.models import Level, Region
from zhenxing.stars.services import ranking_snapshot_take, ranking_snapshots_due


class Command(BaseCommand):
    help = "存档月度创星进度排序（缺省：上月，已存档的不变）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="月份，如 2026-10")

    def handle(self, *args, month: str | None = None, **options) -> None:
        if not month:
            self.stdout.write(f"{ranking_snapshots_due()}")
            return
        try:
            period = Period.parse(month)
            written = sum(
                ranking_snapshot_take(month=period, region=county)
                for county in Region.objects.filter(level=Level.COUNTY).order_by("path")
            )
        except (ValueError, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write(f"{written}")
