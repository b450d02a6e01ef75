"""Standard files: what loads, and every way a bad one is refused with its line named."""

from __future__ import annotations

from decimal import Decimal
from textwrap import dedent

import pytest

from zhenxing.stars.standards import (
    SHIPPED,
    StandardError,
    carried_to,
    load_shipped,
    parse_standard,
)

HEAD = """\
standard:
  code: test-village
  version: "1"
  year: 2026
  kind: village
  title: 测试标准
  approval: {1: township, 2: township, 3: county, 4: county, 5: county}
stars:
"""

GOOD = HEAD + dedent(
    """\
      - code: strong_branch
        name: 支部过硬星
        capstone: true
        indicators:
          - code: clean
            name: 班子无违纪
            judged: true
            veto: branch
      - code: civility
        name: 文明幸福星
        requires: strong_branch
        indicators:
          - code: satisfaction
            name: 满意率不低于 90%
            metric: orders_satisfaction_rate
            op: ">="
            threshold: 90
    """
)


def refused(text: str) -> list[str]:
    with pytest.raises(StandardError) as caught:
        parse_standard(text)
    return caught.value.errors


def test_a_good_file_loads_with_its_stars_indicators_and_lines():
    spec = parse_standard(GOOD)
    assert (spec.code, spec.year, spec.kind, spec.notice_days) == (
        "test-village",
        2026,
        "village",
        7,
    )
    assert spec.approval == {1: "township", 2: "township", 3: "county", 4: "county", 5: "county"}
    strong, civility = spec.stars
    assert strong.capstone and strong.indicators[0].judged
    assert strong.indicators[0].veto == "branch"
    assert civility.requires == "strong_branch"
    satisfaction = civility.indicators[0]
    assert (satisfaction.metric, satisfaction.op, satisfaction.threshold) == (
        "orders_satisfaction_rate",
        ">=",
        Decimal("90"),
    )
    assert satisfaction.line == 21
    assert len(spec.digest) == 64


def test_a_metric_that_does_not_exist_is_refused_with_its_line():
    errors = refused(GOOD.replace("orders_satisfaction_rate", "happiness_index"))
    assert errors == ["第 23 行：没有名为“happiness_index”的指标数据"]


def test_a_veto_must_say_what_it_takes():
    """``veto: true`` would leave the scope to a guess in code: the file must choose."""
    errors = refused(GOOD.replace("veto: branch", "veto: true"))
    assert errors == [
        "第 16 行：veto 应写明一票否决的范围：star（否决本星，及须先获得它的星）"
        "或 branch（整个支部当年不评星）"
    ]
    assert (
        parse_standard(GOOD.replace("veto: branch", "veto: star")).stars[0].indicators[0].veto
        == "star"
    )


def test_every_veto_of_the_shipped_standards_says_what_it_takes():
    for name in ("henan-village-2026.yaml", "henan-township-2026.yaml"):
        vetoes = [i for s in load_shipped(name).stars for i in s.indicators if i.veto]
        assert vetoes and all(i.veto in ("star", "branch") for i in vetoes), name
        text = (SHIPPED / name).read_text(encoding="utf-8")
        assert "veto: true" not in text and text.count("veto: branch") + text.count(
            "veto: star"
        ) == len(vetoes)


def test_a_star_that_requires_itself_is_refused():
    errors = refused(GOOD.replace("requires: strong_branch", "requires: civility"))
    assert errors == ["第 17 行：“文明幸福星”不能要求自己"]


def test_requirements_in_a_circle_are_refused():
    text = GOOD.replace("  capstone: true\n", "  requires: civility\n")
    assert "形成循环" in " ".join(refused(text))


def test_a_threshold_of_the_wrong_type_is_refused():
    errors = refused(GOOD.replace("threshold: 90", 'threshold: "九成"'))
    assert errors == ["第 25 行：“orders_satisfaction_rate”的门槛应是数字"]
    errors = refused(GOOD.replace("threshold: 90", "threshold: 120"))
    assert errors == ["第 25 行：“orders_satisfaction_rate”是百分比，门槛应在 0 到 100 之间"]


def test_unknown_keys_missing_keys_and_bad_values_are_all_listed():
    text = (
        GOOD.replace("kind: village", "kind: city")
        .replace("  title: 测试标准\n", "")
        .replace('op: ">="', 'op: "≥"')
        .replace("veto: branch", "vote: true")
    )
    errors = refused(text)
    assert "第 5 行：kind 应是 village、community、township 之一" in errors
    assert "第 2 行：标准信息（standard）缺少“title”" in errors
    assert "第 15 行：指标中有不认识的项“vote”" in errors
    assert "第 23 行：op 应是 >= > <= < == 之一" in errors


def test_an_approval_chain_missing_a_star_count_is_refused():
    errors = refused(GOOD.replace(", 5: county}", "}"))
    assert errors == ["第 7 行：approval 缺少 5 星的审定层级"]


def test_broken_yaml_is_refused_with_its_line():
    errors = refused(GOOD.replace("  name: 文明幸福星", "  name: [文明幸福星"))
    assert len(errors) == 1 and errors[0].startswith("第 1")


def test_the_shipped_standard_loads_and_says_it_needs_local_confirmation():
    spec = load_shipped("henan-village-2026.yaml")
    assert spec.unconfirmed and "待本地确认" in spec.title
    assert [s.name for s in spec.stars] == [
        "支部过硬星",
        "产业兴旺星",
        "生态宜居星",
        "平安法治星",
        "文明幸福星",
    ]
    assert spec.stars[0].capstone


def test_a_township_metric_in_a_village_standard_is_refused_with_its_line():
    errors = refused(GOOD.replace("orders_satisfaction_rate", "township_orders_satisfaction_rate"))
    assert errors == [
        "第 23 行：“township_orders_satisfaction_rate”是乡镇指标，不能用于村（社区）标准"
    ]


def test_a_village_metric_in_a_township_standard_is_refused_with_its_line():
    errors = refused(GOOD.replace("kind: village", "kind: township"))
    assert errors == [
        "第 23 行：“orders_satisfaction_rate”是村（社区）指标，不能用于乡镇标准（kind: township）"
    ]
    spec = parse_standard(
        GOOD.replace("kind: village", "kind: township").replace(
            "orders_satisfaction_rate", "township_orders_satisfaction_rate"
        )
    )
    assert spec.kind == "township"


def test_the_shipped_township_standard_has_the_five_goods_and_county_approval():
    spec = load_shipped("henan-township-2026.yaml")
    assert spec.kind == "township" and spec.unconfirmed and "待本地确认" in spec.title
    assert [s.name for s in spec.stars] == [
        "领导班子好",
        "队伍建设好",
        "发展质量好",
        "基层治理好",
        "服务群众好",
    ]
    assert set(spec.approval.values()) == {"county"}
    metrics = {i.metric for s in spec.stars for i in s.indicators if not i.judged}
    assert all(m.startswith("township_") for m in metrics) and len(metrics) == 7


def test_a_standard_carried_to_another_year_changes_only_its_year_and_version():
    text = load_shipped("henan-village-2026.yaml").source
    carried = carried_to(text, 2031)
    spec = parse_standard(carried)
    assert (spec.year, spec.version) == (2031, "2031.1")
    changed = [
        (old, new)
        for old, new in zip(text.splitlines(), carried.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        ('  version: "2026.1"', '  version: "2031.1"'),
        ("  year: 2026", "  year: 2031"),
    ]
    original = parse_standard(text)
    assert [
        (i.code, i.metric, i.op, i.threshold, i.veto) for s in spec.stars for i in s.indicators
    ] == [
        (i.code, i.metric, i.op, i.threshold, i.veto) for s in original.stars for i in s.indicators
    ]
    assert carried_to(text, 2026) == text
    assert parse_standard(carried_to(GOOD, 2027)).version == "2027-1"
