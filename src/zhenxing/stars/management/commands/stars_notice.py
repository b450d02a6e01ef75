"""zhenxing stars_notice: write the year's star results notice (通报) as a Word file.

    zhenxing stars_notice --year 2026 --number 12 --date 2026-12-01 --out var/notice.docx

The county is the only county in the database unless ``--region`` names one (by id); the year
defaults to the newest with published results, the date to today.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhenxing.regions.models import Level, Region
from zhenxing.stars.notice import notice_docx
from zhenxing.stars.selectors import result_distribution, result_years


class Command(BaseCommand):
    help = "按已公示、已认定的创星结果生成年度“五星支部”创建结果通报（Word）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="年度（缺省为有结果的最近一年）")
        parser.add_argument("--number", default="1", help="文号中的序号，如 12")
        parser.add_argument("--prefix", default="县组通", help="发文字号的机关代字，缺省“县组通”")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD（缺省为今天）")
        parser.add_argument("--region", type=int, help="县的区域编号（库中只有一个县时可省略）")
        parser.add_argument("--out", default="var/notice.docx", help="输出文件")

    def handle(self, *args, **options) -> None:
        region = self._region(options["region"])
        year = options["year"] or next(iter(result_years(region)), None)
        if year is None:
            raise CommandError(f"{region.name}：还没有已公示或已认定的创星结果")
        try:
            issued_on = (
                dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(f"--date：日期格式应为 YYYY-MM-DD（{error}）") from error
        data = notice_docx(
            region=region,
            year=year,
            doc_number=f"{options['prefix']}〔{issued_on.year}〕{options['number']}号",
            issued_on=issued_on,
        )
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        total = result_distribution(region, year).total
        self.stdout.write(
            f"{out}：{region.name}{year}年度，{total.villages} 个村（社区）有结果，"
            f"三星及以上占 {total.three_or_more if total.three_or_more is not None else '—'}%"
        )

    def _region(self, pk: int | None) -> Region:
        if pk is not None:
            region = Region.objects.filter(pk=pk).first()
            if region is None:
                raise CommandError(f"--region：没有编号为 {pk} 的区域")
            return region
        counties = list(Region.objects.filter(level=Level.COUNTY)[:2])
        if len(counties) != 1:
            raise CommandError("库中不止一个县（或没有县）：请用 --region 指定")
        return counties[0]
