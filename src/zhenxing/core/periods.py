"""Periods: one small value type for weeks, months, quarters, half-years and years.

Spelled ``2026W14`` (ISO week), ``2026-04``, ``2026Q2``, ``2026H1`` and ``2026``; a custom range is
``2026-04-01~2026-06-15``. Used by figures, meetings, ratings, rankings and star years alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

QUARTERS = (
    gettext_lazy("%(year)s年第一季度"),
    gettext_lazy("%(year)s年第二季度"),
    gettext_lazy("%(year)s年第三季度"),
    gettext_lazy("%(year)s年第四季度"),
)

_PATTERNS = {
    "week": re.compile(r"^(\d{4})W(\d{1,2})$"),
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
    "range": re.compile(r"^(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})$"),
}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    key: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period's spelling; a ``ValueError`` carries a Chinese message."""
        text = (text or "").strip().upper()
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(text)
            if match:
                try:
                    return cls._build(kind, *match.groups())
                except ValueError:
                    break
        raise ValueError(
            _("期间“%(text)s”无法识别，请写作 2026、2026H1、2026Q2、2026-04、2026W14 或 起~止 日期")
            % {"text": text}
        )

    @classmethod
    def _build(cls, kind: str, a: str, b: str | None = None) -> Period:
        if kind == "range":
            start, end = dt.date.fromisoformat(a), dt.date.fromisoformat(b or "")
            if end < start:
                raise ValueError(end)
            return cls(start, end, f"{start:%Y-%m-%d}~{end:%Y-%m-%d}")
        year = int(a)
        if kind == "year":
            return cls.year(year)
        n = int(b or 0)
        if kind == "month":
            return cls.month(year, n)
        if kind == "quarter":
            return cls(dt.date(year, 3 * n - 2, 1), _month_end(year, 3 * n), f"{year}Q{n}")
        if kind == "half":
            return cls(dt.date(year, 6 * n - 5, 1), _month_end(year, 6 * n), f"{year}H{n}")
        start = dt.date.fromisocalendar(year, n, 1)
        return cls(start, start + dt.timedelta(days=6), f"{year}W{n:02d}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        """How a Chinese office writes it: 2026年、2026年上半年、2026年第二季度、2026年4月…"""
        key = self.key
        if "~" in key:
            return f"{self.start:%Y年%-m月%-d日}至{self.end:%Y年%-m月%-d日}"
        if "W" in key:
            year, week = key.split("W")
            return _("%(year)s年第%(week)s周") % {"year": year, "week": int(week)}
        if "Q" in key:
            year, q = key.split("Q")
            return QUARTERS[int(q) - 1] % {"year": year}
        if "H" in key:
            year, h = key.split("H")
            return (_("%s年上半年") if h == "1" else _("%s年下半年")) % year
        if "-" in key:
            year, month = key.split("-")
            return _("%(year)s年%(month)s月") % {"year": year, "month": int(month)}
        return _("%s年") % key
