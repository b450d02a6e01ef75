"""The verdict on one claim: the tolerance its wording allows (pure, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhenxing.reports.verdicts import AGREES, DIFFERS, NO_DATA, allowed, judge, step_of


@pytest.mark.parametrize(
    ("value", "bound", "qualifier", "precision", "recorded", "verdict", "difference"),
    [
        ("576", "exact", "", "1", "576", AGREES, "0"),
        ("576", "exact", "", "1", "575", DIFFERS, "-1"),
        ("83", "exact", "", "1", "83.3", AGREES, "0"),  # 83% covers 82.5–83.5
        ("96.7", "exact", "", "0.1", "96.8", DIFFERS, "0.1"),
        ("30", "at_least", "余", "1", "39", AGREES, "0"),  # 30余: 30–39
        ("30", "at_least", "余", "1", "40", DIFFERS, "10"),
        ("20", "at_least", "超过", "1", "35", AGREES, "0"),
        ("50", "at_most", "不足", "1", "51", DIFFERS, "1"),
        ("10", "about", "近", "1", "9.2", AGREES, "0"),
        ("100", "exact", "", "0", "99.4", DIFFERS, "-0.6"),  # 全覆盖 is all of them
        ("0", "exact", "", "0", "0", AGREES, "0"),  # 零上访
        ("576", "exact", "", "1", None, NO_DATA, None),
        ("576", "exact", "", "1", "0", NO_DATA, None),  # nothing recorded at all
    ],
)
def test_the_verdict_follows_the_wording(
    value, bound, qualifier, precision, recorded, verdict, difference
):
    got = judge(
        value=D(value),
        bound=bound,
        qualifier=qualifier,
        precision=D(precision),
        recorded=None if recorded is None else D(recorded),
    )
    assert got == (verdict, None if difference is None else D(difference))


def test_the_step_of_an_over_figure_is_its_last_non_zero_digit():
    assert step_of(D(30), D(1)) == 10
    assert step_of(D(1200), D(1)) == 100
    assert step_of(D(88), D(1)) == 1
    assert step_of(D(135000), D(1000)) == 1000  # 13.5万余
    assert allowed(D(1200), "at_least", "多", D(1))[0] == 1200
