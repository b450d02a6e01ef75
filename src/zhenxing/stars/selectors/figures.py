"""The two star figures of a year, never confused, each from one selector and named with the same
words on every page, in the API and in the notice:

* **评定结果** (``RESULT``) — what the application flow approved, published (公示中) or made final
  (已认定), minus revocations: ``results.result_distribution`` / ``results.distributions_of``.
  It is what a results headline, the Word notice and the 五好乡镇党委 indicator that reads
  village stars show.
* **测评** (``ESTIMATE``) — the computed evaluation of a standard's indicators from live data, an
  estimate with its time: ``estimate`` below (the newest finished run covering the region under
  a village standard of the year). Shown only labelled as such, with the time it was computed,
  and where a year has no 评定结果 yet, in its place with that said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhenxing.regions.models import Region
from zhenxing.stars.models import EvaluationRun
from zhenxing.stars.selectors.evaluation import (
    Ranking,
    current_standard,
    latest_run_covering,
    ranking,
)
from zhenxing.stars.selectors.results import result_years

RESULT = _("评定结果")
ESTIMATE = _("测评")
RESULT_NOTE = _(
    "评定结果：按公示中和已认定的创星申报统计，星数为现持有的星（已摘的星不计）；"
    "三星及以上占比以全部村（社区）为基数。"
)
ESTIMATE_NOTE = _(
    "测评：按标准用平台数据计算的估算，星数按已达标的星计（评审指标待乡镇和县里认定），"
    "不是评定结果。"
)


def default_year(region: Region, years: list[int] | None = None) -> int:
    """The year a results view shows when none is asked for: the newest with a 评定结果 under
    ``region``, else the current standard's, else this year (Shanghai)."""
    years = result_years(region) if years is None else years
    if years:
        return years[0]
    standard = current_standard()
    return standard.year if standard else timezone.localdate().year


@dataclass
class Estimate:
    """测评 of ``region`` for ``year``: the run it comes from, its time and its ranking."""

    run: EvaluationRun
    ranking: Ranking

    @property
    def at(self) -> dt.datetime:
        return self.run.finished_at

    @property
    def three_or_more(self) -> float | None:
        return self.ranking.share_at_least(3)

    def counts(self) -> dict[int, int]:
        """Stars met → villages, 0 to 5."""
        return {n: self.ranking.distribution.get(n, 0) for n in range(6)}

    def as_dict(self) -> dict[str, object]:
        return {
            "figure": str(ESTIMATE),
            "run_id": self.run.pk,
            "at": self.at,
            "standard": str(self.run.standard),
            "villages": self.ranking.villages,
            "counts": {str(n): c for n, c in self.counts().items()},
            "three_or_more": self.three_or_more,
        }


def estimate(region: Region, year: int | None = None) -> Estimate | None:
    """测评 under ``region``: the newest finished run of a village standard (of ``year``, when
    given) whose region contains ``region``; None when there is none (three queries)."""
    run = latest_run_covering(region, year=year)
    return Estimate(run=run, ranking=ranking(run, region)) if run is not None else None
