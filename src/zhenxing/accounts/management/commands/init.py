"""``zhenxing init --county NAME --admin USERNAME --password-file FILE``: the first run."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhenxing.accounts.services import deployment_init


class Command(BaseCommand):
    help = "首次运行：在空数据库上创建根区域（县）和第一个县级管理员账号；已有根区域时拒绝。"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县的名称，如 某某县")
        parser.add_argument("--admin", required=True, help="第一个县级管理员的用户名")
        parser.add_argument(
            "--password-file",
            required=True,
            type=Path,
            help="存放该管理员密码的文件（只读第一行；用后请删除）",
        )

    def handle(self, *args, county: str, admin: str, password_file: Path, **options):
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"读不到密码文件 {password_file}：{exc.strerror}") from exc
        password = lines[0] if lines else ""
        try:
            user = deployment_init(county_name=county, username=admin, password=password)
        except ValidationError as exc:
            raise CommandError(
                "；".join(f"{m}" for ms in exc.message_dict.values() for m in ms)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建根区域“{user.scope_region}”和县级管理员 {user.username}；"
                "请用该账号登录，在 系统设置 → 账号管理 中为乡镇和村开设账号。"
            )
        )
