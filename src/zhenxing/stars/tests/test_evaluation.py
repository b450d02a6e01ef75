"""An evaluation run: every computed indicator for every village, then the stars they earn."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.orders.models import Rating
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
)
from zhenxing.orders.tests.conftest import actor, submit
from zhenxing.regions.models import Level, Region
from zhenxing.stars.models import (
    Application,
    Indicator,
    IndicatorResult,
    Judgement,
    Outcome,
    StarResult,
)
from zhenxing.stars.services import evaluation_run, standard_load

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MAY = dt.datetime(2026, 5, 11, 9, tzinfo=TZ)

STANDARD = dedent(
    """\
    standard:
      code: test-village
      version: "1"
      year: 2026
      kind: village
      title: 测试标准
      approval: {1: township, 2: township, 3: county, 4: county, 5: county}
    stars:
      - code: safety
        name: 平安法治星
        indicators:
          - code: three_zeros
            name: 三零达标
            metric: three_zeros
            op: "=="
            threshold: true
            veto: branch
      - code: civility
        name: 文明幸福星
        indicators:
          - code: satisfaction
            name: 满意率不低于 90%
            metric: orders_satisfaction_rate
            op: ">="
            threshold: 90
      - code: industry
        name: 产业兴旺星
        requires: civility
        indicators:
          - code: one_product
            name: 有一村一品
            judged: true
    """
)


def served(village, category, secretary, member, rating):
    order = submit(village, category, phone=f"138{village.pk:08d}", now=MAY)
    order_dispatch(order=order, actor=actor(secretary), member=member[0], now=MAY)
    order_accept(order=order, actor=actor(member[1]), now=MAY)
    order_resolve(order=order, actor=actor(member[1]), resolution="已办结", now=MAY)
    order_rate(order=order, actor=REQUESTER_ACTOR, rating=rating, reason="", now=MAY)


def outcomes(run, village) -> dict[str, str]:
    return {
        r.star.code: r.outcome
        for r in StarResult.objects.filter(run=run, village=village).select_related("star")
    }


def test_a_run_scores_every_village_and_derives_its_stars(
    tree, category, village_a1_user, member_a1, county_user
):
    standard = standard_load(text=STANDARD)
    served(tree.village_a1, category, village_a1_user, member_a1, Rating.SATISFIED)
    Incident.objects.create(
        village=tree.village_a2,
        kind=IncidentKind.CRIMINAL,
        occurred_on=dt.date(2026, 3, 1),
        summary="盗窃案",
        recorded_by=county_user,
    )
    run = evaluation_run(
        standard=standard,
        region=tree.county,
        period=Period.parse("2026"),
        scope=scope_for(county_user),
        actor=county_user,
    )
    assert run.villages == 3 and run.finished_at is not None
    assert IndicatorResult.objects.filter(run=run).count() == 3 * 3
    # 东村: 三零 held, every rated order satisfied; the judged one waits for a reviewer.
    assert outcomes(run, tree.village_a1) == {
        "safety": Outcome.MET,
        "civility": Outcome.MET,
        "industry": Outcome.PENDING,
    }
    # 西村: a criminal case vetoes every star.
    west = StarResult.objects.filter(run=run, village=tree.village_a2)
    assert {r.outcome for r in west} == {Outcome.NOT_MET}
    assert all(r.reason == "一票否决，整个支部当年不评星：三零达标" for r in west)
    # 南村: no rated order, so no satisfaction figure: civility not met, industry (which needs it) neither.
    south = outcomes(run, tree.village_b1)
    assert south["civility"] == Outcome.NOT_MET and south["industry"] == Outcome.NOT_MET
    value = IndicatorResult.objects.get(
        run=run, village=tree.village_a1, indicator__code="satisfaction"
    )
    assert value.value == 100 and value.outcome == Outcome.MET


def test_a_run_costs_the_same_queries_for_3_and_30_villages(tree, county_user):
    standard = standard_load(text=STANDARD)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            evaluation_run(
                standard=standard,
                region=Region.objects.get(pk=tree.county.pk),
                period=Period.parse("2026"),
                scope=scope_for(county_user),
            )
        return len(captured)

    few = queries()
    for n in range(27):
        Region.objects.add_child(
            Region.objects.get(pk=tree.township_b.pk), {"name": f"新村{n}", "level": Level.VILLAGE}
        )
    assert queries() == few


def test_judged_indicators_take_the_township_judgement_of_the_unit_application(
    tree, category, village_a1_user, member_a1, county_user
):
    standard = standard_load(text=STANDARD)
    served(tree.village_a1, category, village_a1_user, member_a1, Rating.SATISFIED)
    one_product = Indicator.objects.get(star__standard=standard, code="one_product")
    now = dt.datetime(2026, 11, 20, 10, tzinfo=TZ)
    for village, met in ((tree.village_a1, True), (tree.village_a2, False)):
        application = Application.objects.create(region=village, standard=standard)
        Judgement.objects.create(
            application=application, indicator=one_product, met=met, decided_at=now
        )
    # 南村 has an application but no judgement yet.
    Application.objects.create(region=tree.village_b1, standard=standard)
    run = evaluation_run(
        standard=standard,
        region=tree.county,
        period=Period.parse("2026"),
        scope=scope_for(county_user),
    )

    def judged(village) -> str:
        return IndicatorResult.objects.get(run=run, village=village, indicator=one_product).outcome

    assert judged(tree.village_a1) == Outcome.MET
    assert outcomes(run, tree.village_a1)["industry"] == Outcome.MET
    assert judged(tree.village_a2) == Outcome.NOT_MET
    industry = StarResult.objects.get(run=run, village=tree.village_a2, star__code="industry")
    assert (industry.outcome, industry.reason) == (Outcome.NOT_MET, "未达标：有一村一品")
    assert judged(tree.village_b1) == Outcome.PENDING


def test_a_judgement_under_another_standard_does_not_count(tree, county_user):
    standard = standard_load(text=STANDARD)
    other = standard_load(text=STANDARD.replace('version: "1"', 'version: "2"'))
    judged_there = Indicator.objects.get(star__standard=other, code="one_product")
    application = Application.objects.create(region=tree.village_a1, standard=other)
    Judgement.objects.create(
        application=application,
        indicator=judged_there,
        met=True,
        decided_at=dt.datetime(2026, 11, 20, 10, tzinfo=TZ),
    )
    run = evaluation_run(
        standard=standard,
        region=tree.county,
        period=Period.parse("2026"),
        scope=scope_for(county_user),
    )
    result = IndicatorResult.objects.get(
        run=run, village=tree.village_a1, indicator__code="one_product"
    )
    assert result.outcome == Outcome.PENDING


def test_judgements_cost_one_query_for_any_number_of_villages(tree, county_user):
    standard = standard_load(text=STANDARD)
    one_product = Indicator.objects.get(star__standard=standard, code="one_product")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            evaluation_run(
                standard=standard,
                region=Region.objects.get(pk=tree.county.pk),
                period=Period.parse("2026"),
                scope=scope_for(county_user),
            )
        return len(captured)

    def judge(village) -> None:
        application = Application.objects.create(region=village, standard=standard)
        Judgement.objects.create(
            application=application,
            indicator=one_product,
            met=True,
            decided_at=dt.datetime(2026, 11, 20, 10, tzinfo=TZ),
        )

    judge(tree.village_a1)
    few = queries()
    for n in range(12):
        judge(
            Region.objects.add_child(
                Region.objects.get(pk=tree.township_b.pk),
                {"name": f"新村{n}", "level": Level.VILLAGE},
            )
        )
    assert queries() == few
