"""zhenxing stars_load [FILE ...]: load star standard files (default: the shipped illustrative
ones, the village standard 五星支部 and the township standard 五好乡镇党委)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhenxing.stars.services import standard_load
from zhenxing.stars.standards import SHIPPED

DEFAULT = SHIPPED / "henan-village-2026.yaml"
TOWNSHIP_DEFAULT = SHIPPED / "henan-township-2026.yaml"
SHIPPED_FILES = (DEFAULT, TOWNSHIP_DEFAULT)


class Command(BaseCommand):
    help = "导入创星标准文件（YAML）；缺省导入随软件提供的示意标准（五星支部、五好乡镇党委）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", default=[str(f) for f in SHIPPED_FILES])

    def handle(self, *args, **options) -> None:
        for name in options["files"]:
            path = Path(name)
            try:
                standard = standard_load(text=path.read_text(encoding="utf-8"))
            except OSError as error:
                raise CommandError(f"{path}: {error}") from error
            except ValidationError as error:
                raise CommandError(f"{path}:\n" + "\n".join(error.messages)) from error
            self.stdout.write(f"{standard}：{standard.stars.count()} 颗星")
