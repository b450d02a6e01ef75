"""zhenxing stars_load [FILE]: load a star standard file (default: the shipped illustrative one)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhenxing.stars.services import standard_load
from zhenxing.stars.standards import SHIPPED

DEFAULT = SHIPPED / "henan-village-2026.yaml"


class Command(BaseCommand):
    help = "导入创星标准文件（YAML）；缺省导入随软件提供的示意标准。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT))

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            standard = standard_load(text=path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{path}: {error}") from error
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(f"{standard}：{standard.stars.count()} 颗星")
