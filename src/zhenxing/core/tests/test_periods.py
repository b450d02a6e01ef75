"""Periods: each spelling, the Chinese message for a bad one, and how an office writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from zhenxing.core.periods import Period

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "key"),
    [
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "2026"),
        ("2026H1", D(2026, 1, 1), D(2026, 6, 30), "2026H1"),
        ("2026h2", D(2026, 7, 1), D(2026, 12, 31), "2026H2"),
        ("2026Q1", D(2026, 1, 1), D(2026, 3, 31), "2026Q1"),
        ("2026Q2", D(2026, 4, 1), D(2026, 6, 30), "2026Q2"),
        ("2026q4", D(2026, 10, 1), D(2026, 12, 31), "2026Q4"),
        ("2026-04", D(2026, 4, 1), D(2026, 4, 30), "2026-04"),
        ("2026-4", D(2026, 4, 1), D(2026, 4, 30), "2026-04"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31), "2026-12"),
        ("2026W14", D(2026, 3, 30), D(2026, 4, 5), "2026W14"),
        ("2026w1", D(2025, 12, 29), D(2026, 1, 4), "2026W01"),
        (" 2026-04-01~2026-06-15 ", D(2026, 4, 1), D(2026, 6, 15), "2026-04-01~2026-06-15"),
        ("2026-05-01~2026-05-01", D(2026, 5, 1), D(2026, 5, 1), "2026-05-01~2026-05-01"),
    ],
)
def test_each_spelling_parses(text, start, end, key):
    period = Period.parse(text)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert str(period) == key
    assert Period.parse(period.key) == period  # the key reads back as the same period


@pytest.mark.parametrize(
    "text",
    [
        "",
        "二〇二六",
        "2026Q5",
        "2026H3",
        "2026-13",
        "2026-00",
        "2025W53",  # 2025 has 52 ISO weeks
        "2026-06-15~2026-04-01",  # ends before it starts
        "2026-02-30~2026-03-01",
        "26",
        "2026/04",
    ],
)
def test_bad_input_gives_a_chinese_message(text):
    with pytest.raises(ValueError, match="无法识别") as info:
        Period.parse(text)
    message = str(info.value)
    assert message.startswith(f"期间“{text.strip().upper()}”无法识别")
    assert "2026H1" in message and "2026Q2" in message


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2026", "2026年"),
        ("2026H1", "2026年上半年"),
        ("2026H2", "2026年下半年"),
        ("2026Q1", "2026年第一季度"),
        ("2026Q2", "2026年第二季度"),
        ("2026Q4", "2026年第四季度"),
        ("2026-04", "2026年4月"),
        ("2026-11", "2026年11月"),
        ("2026W14", "2026年第14周"),
        ("2026W03", "2026年第3周"),
        ("2026-04-01~2026-06-15", "2026年4月1日至2026年6月15日"),
    ],
)
def test_labels_are_written_the_way_a_chinese_office_writes_them(text, label):
    assert Period.parse(text).label == label


def test_a_period_contains_its_first_and_last_day_only():
    q2 = Period.parse("2026Q2")
    assert D(2026, 4, 1) in q2 and D(2026, 6, 30) in q2
    assert D(2026, 3, 31) not in q2 and D(2026, 7, 1) not in q2


def test_the_constructors_match_the_spellings():
    assert Period.year(2026) == Period.parse("2026")
    assert Period.month(2026, 4) == Period.parse("2026-04")
    assert Period.parse("2026Q1") < Period.parse("2026Q2")
