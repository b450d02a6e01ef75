"""The verdict on one claim beside what the platform records: 一致 when the recorded value lies
within what the claim's wording allows, 有出入 (with the difference) when it does not, 平台无数据
when the platform holds nothing for it (no value, or none recorded at all). Claims no figure rule
maps are 未核. Pure functions over Decimals.

What the wording allows: an exact figure, half a unit of its last written digit (83% covers
82.5–83.5, 585万元 covers 584.5–585.5万元, 576名 exactly 576); a lower bound (超过、以上、突破) the
value or more; 余/多 the value up to the next step of its last non-zero digit (30余 is 30–39,
1200多 is 1200–1299); an upper bound (不足、以下) the value or less; an approximation (近、约、左右)
within a tenth of it.
"""

from __future__ import annotations

from decimal import Decimal

AGREES = "一致"
DIFFERS = "有出入"
NO_DATA = "平台无数据"
UNCHECKED = "未核"
VERDICTS = (AGREES, DIFFERS, NO_DATA, UNCHECKED)
OVER = frozenset({"余", "多", "来"})


def step_of(value: Decimal, precision: Decimal) -> Decimal:
    """30 → 10, 1200 → 100, 88 → 1, 13.5万 (precision 1000) → 1000."""
    if not precision:
        return Decimal(1)
    units = int(value / precision)
    step = precision
    while units and units % 10 == 0:
        units //= 10
        step *= 10
    return step


def allowed(value: Decimal, bound: str, qualifier: str, precision: Decimal) -> tuple:
    """(low, high) the claim's wording allows; None for an open end."""
    if bound == "at_least":
        if qualifier in OVER:
            return value, value + step_of(value, precision) - (precision or Decimal(1)) / 100
        return value, None
    if bound == "at_most":
        return None, value
    if bound == "about":
        slack = max(value / 10, precision / 2)
        return value - slack, value + slack
    half = precision / 2
    return value - half, value + half


def judge(
    *, value: Decimal, bound: str, qualifier: str, precision: Decimal, recorded: Decimal | None
) -> tuple[str, Decimal | None]:
    """(verdict, difference recorded − claimed, or None when there is nothing to compare)."""
    if recorded is None or (recorded == 0 and value != 0):
        return NO_DATA, None
    low, high = allowed(value, bound, qualifier, precision)
    if (low is None or recorded >= low) and (high is None or recorded <= high):
        return AGREES, Decimal(0)
    return DIFFERS, recorded - value
