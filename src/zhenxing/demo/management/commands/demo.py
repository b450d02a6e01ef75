"""``zhenxing demo``: migrate, build the demo county if there is none, print the logins, serve."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from zhenxing.demo.build import (
    COUNTY,
    DEMO_ACCOUNTS,
    DEMO_VILLAGE,
    PASSWORD,
    TOWNSHIP_A,
    DemoResetError,
    build_demo_county,
    reset_demo,
)
from zhenxing.demo.stars import star_summary
from zhenxing.regions.models import Level, Region


class Command(BaseCommand):
    help = "创建演示县（已有数据时不做改动），打印演示账号，然后启动服务。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="先删除全部区域、登记数据和演示账号，再重建演示县"
        )
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="服务地址 HOST:PORT")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="演示数据的基准日期 YYYY-MM-DD（缺省为今天）：同一日期总是得到同样的数据",
        )

    def handle(
        self, *args, reset: bool, no_serve: bool, addr: str, today: dt.date | None, **options
    ) -> None:
        verbosity = options["verbosity"]
        self.stdout.write("正在迁移数据库……")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        if reset:
            try:
                reset_demo()
            except DemoResetError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write("已删除原有区域、登记数据和演示账号。")
        result = build_demo_county(today=today)
        if result is None:
            self.stdout.write("已有区域数据，未创建演示县（如需重建：zhenxing demo --reset）。")
        else:
            c = result.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"已创建演示县 {COUNTY}：{c['households']:,} 户，{c['residents']:,} 人，"
                    f"党员 {c['members']:,} 名，干部任职 {c['posts']:,} 条，"
                    f"服务工单 {c.get('orders', 0):,} 件，用时 {result.seconds:.1f} 秒。"
                )
            )
            self.stdout.write(f"基准日期：{result.plan.today:%Y-%m-%d}")
            for line in star_summary(result.county, result.plan):
                self.stdout.write(f"  {line}")
        self._print_logins(addr)
        if not no_serve:
            call_command("serve", addr=addr)

    def _print_logins(self, addr: str) -> None:
        existing = set(
            get_user_model()
            .objects.filter(username__in=[u for u, _, _ in DEMO_ACCOUNTS])
            .values_list("username", flat=True)
        )
        self.stdout.write(f"\n网址：http://{addr}/")
        if not existing:
            self.stdout.write("（没有演示账号）")
            return
        self.stdout.write(f"演示账号（密码均为 {PASSWORD}）：")
        for username, role, scope in DEMO_ACCOUNTS:
            if username in existing:
                self.stdout.write(f"  {username:<9} {role}，范围：{scope}")
        township = Region.objects.filter(level=Level.TOWNSHIP, name=TOWNSHIP_A).first()
        village = township and (
            Region.objects.filter(
                level=Level.VILLAGE, name=DEMO_VILLAGE, path__startswith=township.path
            ).first()
        )
        if village is not None:
            form, poster = _public_urls(village.pk)
            self.stdout.write(
                f"群众点单（{TOWNSHIP_A}{DEMO_VILLAGE}，无需登录）：http://{addr}{form}"
            )
            self.stdout.write(f"  该村的二维码海报（可打印张贴）：http://{addr}{poster}")
        self.stdout.write("")


def _public_urls(village_id: int) -> tuple[str, str]:
    """The villager's request form and its QR poster (their paths, should the pages be absent)."""
    try:
        return (
            reverse("public_request", args=[village_id]),
            reverse("public_poster", args=[village_id]),
        )
    except NoReverseMatch:
        return f"/s/{village_id}/", f"/s/{village_id}/poster/"
