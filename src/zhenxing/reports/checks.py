"""Setting a report's figures beside the platform's: each figure goes to the first active rule
(``FigureRule``, the county's data) whose units, subject words, context words and exclusions fit
it; the rule's metric is read through ``recorded.Platform`` and judged by ``verdicts.judge``.
A figure no rule fits is 未核."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zhenxing.reports import verdicts
from zhenxing.reports.figures import Figure
from zhenxing.reports.models import FigureRule, Metric
from zhenxing.reports.recorded import Platform, applies

WORDS = re.compile(r"[、,，;；\s]+")


def words(text: str) -> list[str]:
    return [w for w in WORDS.split(text or "") if w]


@dataclass(frozen=True)
class Rule:
    label: str
    metric: str
    subjects: tuple[str, ...]
    context: tuple[str, ...]
    excludes: tuple[str, ...]
    units: tuple[str, ...]

    @classmethod
    def of(cls, row: FigureRule) -> Rule:
        return cls(
            row.label,
            row.metric,
            tuple(words(row.subjects)),
            tuple(words(row.context)),
            tuple(words(row.excludes)),
            tuple(words(row.units)),
        )

    def fits(self, figure: Figure) -> bool:
        if self.units and figure.unit not in self.units:
            return False
        if not any(w in figure.subject for w in self.subjects):
            return False
        if self.context and not any(w in figure.clause for w in self.context):
            return False
        if any(w in figure.clause for w in self.excludes):
            return False
        return applies(self.metric, figure)


def rule_for(figure: Figure, rules: Iterable[Rule]) -> Rule | None:
    return next((r for r in rules if r.fits(figure)), None)


def _plain(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return text if "." not in text else text.rstrip("0").rstrip(".")


def check(figures: list[Figure], rules: list[Rule], platform: Platform) -> list[dict[str, Any]]:
    """One row per figure: the figure, the rule's label and metric, the recorded value and its
    basis (现状/期间), the verdict and the difference (recorded − claimed, in the claim's unit)."""
    labels = dict(Metric.choices)
    rows = []
    for figure in figures:
        row = figure.as_dict()
        rule = rule_for(figure, rules)
        if rule is None:
            row.update(rule="", metric="", metric_label="", recorded=None, basis="", note="")
            row.update(verdict=verdicts.UNCHECKED, difference=None)
            rows.append(row)
            continue
        recorded = platform.read(rule.metric, figure)
        verdict, difference = verdicts.judge(
            value=figure.value,
            bound=figure.bound,
            qualifier=figure.qualifier,
            precision=figure.precision,
            recorded=recorded.value,
        )
        row.update(
            rule=rule.label,
            metric=rule.metric,
            metric_label=str(labels.get(rule.metric, rule.metric)),
            recorded=_plain(recorded.value),
            basis=recorded.basis,
            note=recorded.note,
            verdict=verdict,
            difference=_plain(difference),
        )
        rows.append(row)
    return rows


def tally(claims: list[dict[str, Any]]) -> dict[str, int]:
    """Claims per verdict, in the order 一致, 有出入, 平台无数据, 未核."""
    out = dict.fromkeys(verdicts.VERDICTS, 0)
    for claim in claims:
        out[claim["verdict"]] = out.get(claim["verdict"], 0) + 1
    return out
