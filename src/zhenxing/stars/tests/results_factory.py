"""A small factory for star results (创星结果): a standard with the five stars, and applications
written straight into the tables in state published or final with the stars they hold — what the
results pages, the API and the notice read, without walking the whole application workflow."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zhenxing.regions.models import Level, Region
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    AppState,
    Standard,
    StandardKind,
    Star,
)

TZ = ZoneInfo("Asia/Shanghai")
STARS = (
    ("branch", "支部过硬星"),
    ("industry", "产业兴旺星"),
    ("ecology", "生态宜居星"),
    ("safety", "平安法治星"),
    ("civility", "文明幸福星"),
)


def make_standard(year: int = 2026, kind: str = StandardKind.VILLAGE) -> Standard:
    standard = Standard.objects.create(
        code=f"test-{kind}-{year}",
        version="1",
        year=year,
        kind=kind,
        title=f"{year}年度村党支部“五星”创建标准",
        source="-",
        digest="-",
    )
    for sort, (code, name) in enumerate(STARS):
        Star.objects.create(standard=standard, code=code, name=name, sort=sort)
    return standard


def publish(
    region: Region,
    standard: Standard,
    held: int,
    *,
    state: str = AppState.FINAL,
    revoked: int = 0,
) -> Application:
    """An application of ``region`` in ``state`` holding the last ``held`` stars of the standard
    (so a 1-star village holds 文明幸福星), ``revoked`` more awarded and then revoked."""
    application = Application.objects.create(
        region=region, standard=standard, state=state, approved_stars=held + revoked
    )
    stars = list(standard.stars.order_by("-sort"))
    ApplicationStar.objects.bulk_create(
        ApplicationStar(
            application=application,
            star=star,
            goal=True,
            claimed=True,
            recommended=i < held + revoked,
            awarded=i < held + revoked,
            revoked_at=dt.datetime(2026, 12, 20, tzinfo=TZ) if held <= i < held + revoked else None,
            revoke_reason="测试摘星" if held <= i < held + revoked else "",
        )
        for i, star in enumerate(stars)
    )
    return application


def add_villages(township: Region, n: int, prefix: str) -> list[Region]:
    return [
        Region.objects.add_child(
            Region.objects.get(pk=township.pk),
            {"name": f"{prefix}{i:02d}村", "level": Level.VILLAGE},
        )
        for i in range(n)
    ]
