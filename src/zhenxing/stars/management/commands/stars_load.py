"""zhenxing stars_load [--year YEAR] [FILE ...]: load star standard files (default: the shipped
illustrative ones, the village standard 五星支部 and the township standard 五好乡镇党委). With
``--year`` each file is carried to that year as a new version (``stars.standards.carried_to``):
the same stars and thresholds, evaluated for that year instead of a stale one."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhenxing.stars.services import standard_load
from zhenxing.stars.standards import SHIPPED, StandardError, carried_to

DEFAULT = SHIPPED / "henan-village-2026.yaml"
TOWNSHIP_DEFAULT = SHIPPED / "henan-township-2026.yaml"
SHIPPED_FILES = (DEFAULT, TOWNSHIP_DEFAULT)


class Command(BaseCommand):
    help = "导入创星标准文件（YAML）；缺省导入随软件提供的示意标准（五星支部、五好乡镇党委）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", default=[str(f) for f in SHIPPED_FILES])
        parser.add_argument(
            "--year", type=int, help="沿用到该年度：年度改为此年，版本号随之更新，指标和门槛不变"
        )

    def handle(self, *args, **options) -> None:
        for name in options["files"]:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
                if options["year"]:
                    text = carried_to(text, options["year"])
                standard = standard_load(text=text)
            except StandardError as error:
                raise CommandError(f"{path}:\n" + "\n".join(error.errors)) from error
            except OSError as error:
                raise CommandError(f"{path}: {error}") from error
            except ValidationError as error:
                raise CommandError(f"{path}:\n" + "\n".join(error.messages)) from error
            self.stdout.write(f"{standard}：{standard.stars.count()} 颗星")
