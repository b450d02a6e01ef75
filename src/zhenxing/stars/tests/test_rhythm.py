"""The working rhythm of a star year: weekly reports, the monthly ranking and its archive, the
quarterly site reviews (services and selectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.orders.models import SweepRun
from zhenxing.regions.models import Level, Region
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    EvaluationRun,
    IndicatorResult,
    Outcome,
    RankingSnapshot,
    SiteReviewScore,
    Task,
    WeeklyReport,
)
from zhenxing.stars.selectors.rhythm import (
    monthly_ranking,
    progress_score,
    progress_scores,
    site_reviews,
    weekly_filing,
)
from zhenxing.stars.services import standard_load
from zhenxing.stars.services.rhythm import (
    ScoreRow,
    ranking_snapshot_take,
    ranking_snapshots_due,
    site_review_record,
    site_review_score,
    weekly_report_file,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 18, 10, tzinfo=TZ)  # a Wednesday of week 47
OCTOBER = Period.parse("2026-10")
NOVEMBER = Period.parse("2026-11")

STANDARD = dedent(
    """\
    standard:
      code: rhythm-test
      version: "1"
      year: 2026
      kind: village
      title: 测试标准
      approval: {1: township, 2: township, 3: county, 4: county, 5: county}
    stars:
      - code: branch
        name: 支部过硬星
        indicators:
          - {code: meetings, name: 组织生活, metric: meetings_compliance, op: ">=", threshold: 90}
          - {code: points, name: 党员积分, metric: member_points_mean, op: ">=", threshold: 80}
      - code: industry
        name: 产业兴旺星
        indicators:
          - {code: income, name: 集体收入, metric: collective_income, op: ">=", threshold: 200000}
          - {code: titled, name: 称号户, metric: titled_households, op: ">=", threshold: 5}
      - code: safety
        name: 平安法治星
        indicators:
          - {code: three_zeros, name: 三零, metric: three_zeros, op: "==", threshold: true}
    """
)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def standard(db):
    return standard_load(text=STANDARD)


def apply(standard, village, goals=("branch", "industry")) -> Application:
    application = Application.objects.create(region=village, standard=standard)
    for star in standard.stars.all():
        ApplicationStar.objects.create(application=application, star=star, goal=star.code in goals)
    return application


def task(application, due: str, done: str | None = None, title: str = "任务") -> Task:
    return Task.objects.create(
        application=application,
        title=title,
        due_on=dt.date.fromisoformat(due),
        done_on=dt.date.fromisoformat(done) if done else None,
    )


def run_with(standard, region, met: dict[Region, set[str]], *, at=NOW) -> EvaluationRun:
    """A finished run in which each village met exactly the indicators named."""
    run = EvaluationRun.objects.create(
        standard=standard, region=region, period="2026", started_at=at, finished_at=at
    )
    indicators = list(standard.stars.all().values_list("indicators__pk", "indicators__code"))
    IndicatorResult.objects.bulk_create(
        IndicatorResult(
            run=run,
            village=village,
            indicator_id=pk,
            outcome=Outcome.MET if code in codes else Outcome.NOT_MET,
        )
        for village, codes in met.items()
        for pk, code in indicators
    )
    return run


# --- the score ----------------------------------------------------------------------------------


def test_the_score_weighs_indicators_70_and_tasks_30_over_the_parts_that_exist():
    assert progress_score(Decimal(50), Decimal(100)) == Decimal("65.0")
    assert progress_score(Decimal(75), None) == Decimal("75.0")  # no task due yet
    assert progress_score(None, Decimal(40)) == Decimal("40.0")  # no goal stars or no run
    assert progress_score(None, None) == Decimal("0.0")


def test_progress_counts_goal_indicators_met_in_the_latest_run_and_tasks_done_on_time(
    tree, standard, county_user
):
    east = apply(standard, tree.village_a1)  # goals: branch + industry = 4 indicators
    apply(standard, tree.village_a2, goals=("safety",))
    older = run_with(standard, tree.county, {tree.village_a1: {"meetings", "points", "income"}})
    older.started_at = NOW - dt.timedelta(days=30)
    older.save(update_fields=["started_at"])
    run_with(
        standard,
        tree.county,
        {tree.village_a1: {"meetings", "three_zeros"}, tree.village_a2: {"three_zeros"}},
    )
    task(east, "2026-10-10", "2026-10-09")  # on time
    task(east, "2026-10-20", "2026-10-25")  # late
    task(east, "2026-11-05")  # due, not done
    task(east, "2026-12-01")  # not due by the end of November
    rows, unranked = progress_scores(scope_for(county_user), tree.county, NOVEMBER, standard)
    by = {r.village.name: r for r in rows}
    # 东村: of its 4 goal indicators 1 met in the newest run (三零 is no goal of it).
    assert (by["东村"].targets, by["东村"].met, by["东村"].met_share) == (4, 1, Decimal("25.0"))
    assert (by["东村"].tasks_due, by["东村"].tasks_on_time) == (3, 1)
    assert by["东村"].on_time_share == Decimal("33.3")
    assert by["东村"].score == Decimal("27.5")  # (70×25 + 30×33.3) / 100
    assert by["西村"].met_share == Decimal("100.0") and by["西村"].on_time_share is None
    assert by["西村"].score == Decimal("100.0")
    assert [r.village.name for r in unranked] == ["南村"]  # no application: not ranked
    assert by["东村"].township == tree.township_a


def test_the_ranking_costs_the_same_queries_for_3_and_30_villages(
    tree, standard, county_user, township_a_user
):
    run_with(standard, tree.county, {})
    scope = scope_for(township_a_user)

    def grow(n):
        for i in range(n):
            township = Region.objects.get(pk=tree.township_a.pk)
            village = Region.objects.add_child(
                township, {"name": f"新村{i}", "level": Level.VILLAGE}
            )
            task(apply(standard, village), "2026-10-01", "2026-10-01")

    def queries(call) -> int:
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured)

    grow(1)
    township = Region.objects.get(pk=tree.township_a.pk)
    live = queries(lambda: monthly_ranking(scope, township, NOVEMBER))
    filing = queries(lambda: weekly_filing(scope, township, Period.parse("2026W47")))
    ranking_snapshot_take(month=OCTOBER, region=tree.county)
    archived = queries(lambda: monthly_ranking(scope, township, OCTOBER))
    grow(27)
    RankingSnapshot.objects.all().delete()
    assert queries(lambda: monthly_ranking(scope, township, NOVEMBER)) == live
    assert queries(lambda: weekly_filing(scope, township, Period.parse("2026W47"))) == filing
    ranking_snapshot_take(month=OCTOBER, region=tree.county)
    assert RankingSnapshot.objects.count() == 28
    assert queries(lambda: monthly_ranking(scope, township, OCTOBER)) == archived


# --- monthly snapshots --------------------------------------------------------------------------


def test_a_snapshot_ranks_within_each_township_and_a_second_run_changes_nothing(
    tree, standard, county_user
):
    east, _west, south = (apply(standard, v) for v in tree_villages(tree))
    run_with(standard, tree.county, {tree.village_a2: {"meetings", "points"}})
    task(south, "2026-10-01", "2026-10-01")
    assert ranking_snapshot_take(month=OCTOBER, region=tree.county) == 3
    ranks = dict(RankingSnapshot.objects.values_list("village__name", "rank"))
    assert ranks == {"西村": 1, "东村": 2, "南村": 1}  # 南村 ranks first in 乙镇
    scores = dict(RankingSnapshot.objects.values_list("village__name", "score"))
    assert scores == {"西村": Decimal("50.0"), "东村": Decimal("0.0"), "南村": Decimal("30.0")}
    task(east, "2026-10-02", "2026-10-02")  # later data does not rewrite an archived month
    assert ranking_snapshot_take(month=OCTOBER, region=tree.county) == 0
    assert ranking_snapshot_take(month=OCTOBER, region=tree.township_a) == 0
    assert dict(RankingSnapshot.objects.values_list("village__name", "rank")) == ranks


def tree_villages(tree):
    return (tree.village_a1, tree.village_a2, tree.village_b1)


def test_a_month_not_yet_over_or_a_part_of_a_township_cannot_be_archived(
    tree, standard, township_a_user, village_a1_user
):
    with pytest.raises(ValidationError) as error:
        ranking_snapshot_take(month=NOVEMBER, region=tree.county)
    assert error.value.message_dict["month"] == ["2026年11月尚未结束，月底之后才能存档排序"]
    with pytest.raises(ValidationError) as error:
        ranking_snapshot_take(month=OCTOBER, region=tree.district_a1)
    assert "按乡镇存档" in error.value.message_dict["month"][0]
    with pytest.raises(PermissionDenied):
        ranking_snapshot_take(
            month=OCTOBER,
            region=tree.village_a1,
            actor=village_a1_user,
            scope=scope_for(village_a1_user),
        )
    with pytest.raises(PermissionDenied):  # township B is out of township A's scope
        ranking_snapshot_take(
            month=OCTOBER,
            region=tree.township_b,
            actor=township_a_user,
            scope=scope_for(township_a_user),
        )


def test_movement_compares_with_the_previous_months_archive(
    tree, standard, township_a_user, time_machine
):
    east, west = apply(standard, tree.village_a1), apply(standard, tree.village_a2)
    task(west, "2026-09-10", "2026-09-10")
    task(east, "2026-09-12")
    ranking_snapshot_take(month=Period.parse("2026-09"), region=tree.county)
    task(east, "2026-10-05", "2026-10-01")
    task(east, "2026-10-06", "2026-10-01")
    task(east, "2026-10-07", "2026-10-01")  # 东村 3 of 4 on time: 75
    task(west, "2026-10-15")  # 西村 1 of 2: 50
    ranking_snapshot_take(month=OCTOBER, region=tree.county)
    scope = scope_for(township_a_user)
    ranking = monthly_ranking(scope, tree.township_a, OCTOBER)
    assert ranking.archived and ranking.previous_archived
    moves = {r.village.name: (r.rank, r.movement) for r in ranking.rows}
    assert moves == {"东村": (1, "↑1"), "西村": (2, "↓1")}
    Region.objects.add_child(
        Region.objects.get(pk=tree.township_a.pk), {"name": "新村", "level": Level.VILLAGE}
    )
    newcomer = Region.objects.get(name="新村")
    task(apply(standard, newcomer), "2026-11-02", "2026-11-01")
    live = monthly_ranking(scope, tree.township_a, NOVEMBER)  # not archived: computed now
    assert not live.archived
    moves = {r.village.name: (r.rank, r.movement) for r in live.rows}
    assert moves["新村"] == (1, "新") and moves["东村"][1] == "↓1"


def test_the_scheduler_archives_last_month_once_from_the_first(tree, standard, time_machine):
    apply(standard, tree.village_a1)
    time_machine.move_to(dt.datetime(2026, 12, 1, 0, 10, tzinfo=TZ), tick=False)
    assert ranking_snapshots_due() == 1
    assert RankingSnapshot.objects.get().month == "2026-11"
    assert SweepRun.objects.filter(kind="stars_ranking", key="2026-11").exists()
    apply(standard, tree.village_a2)
    assert ranking_snapshots_due() == 0  # a second run (or machine) changes nothing
    assert RankingSnapshot.objects.count() == 1


# --- weekly reports -----------------------------------------------------------------------------


def test_a_village_files_its_weekly_report_and_may_correct_it_until_the_week_ends(
    tree, standard, village_a1_user, time_machine
):
    scope = scope_for(village_a1_user)
    east = apply(standard, tree.village_a1)
    road = task(east, "2026-12-01", title="硬化进村道路")
    report, created = weekly_report_file(
        village=tree.village_a1,
        done="完成道路测量",
        tasks=[road],
        actor=village_a1_user,
        scope=scope,
    )
    assert created and report.week == "2026W47" and list(report.tasks.all()) == [road]
    report, created = weekly_report_file(
        village=tree.village_a1,
        done="完成道路测量和招标",
        blockers="资金未到位",
        actor=village_a1_user,
        scope=scope,
    )
    assert not created and WeeklyReport.objects.get().done == "完成道路测量和招标"
    assert list(report.tasks.all()) == []
    time_machine.move_to(dt.datetime(2026, 11, 23, 9, tzinfo=TZ), tick=False)  # next Monday
    report, created = weekly_report_file(
        village=tree.village_a1, done="开工", actor=village_a1_user, scope=scope
    )
    assert created and report.week == "2026W48"
    assert WeeklyReport.objects.get(week="2026W47").done == "完成道路测量和招标"


def test_a_weekly_report_refuses_what_is_not_the_villages(
    tree, standard, village_a1_user, township_a_user
):
    scope = scope_for(village_a1_user)
    other = task(apply(standard, tree.village_a2), "2026-12-01", title="西村的任务")
    with pytest.raises(ValidationError) as error:
        weekly_report_file(
            village=tree.village_a1, done="  ", tasks=[other], actor=village_a1_user, scope=scope
        )
    assert error.value.message_dict == {
        "done": ["请填写本周进展：做了哪些事、推进了哪项任务"],
        "tasks": ["任务“西村的任务”不是本村的创星任务"],
    }
    with pytest.raises(PermissionDenied):
        weekly_report_file(village=tree.village_a2, done="进展", actor=village_a1_user, scope=scope)
    with pytest.raises(PermissionDenied, match="村党支部书记"):
        weekly_report_file(
            village=tree.village_a1,
            done="进展",
            actor=township_a_user,
            scope=scope_for(township_a_user),
        )
    assert not WeeklyReport.objects.exists()


def test_the_township_sees_who_has_not_filed_this_week(tree, village_a1_user, county_user):
    weekly_report_file(
        village=tree.village_a1,
        done="召开创星推进会",
        actor=village_a1_user,
        scope=scope_for(village_a1_user),
    )
    groups = weekly_filing(scope_for(county_user), tree.county, Period.parse("2026W47"))
    assert [
        (g.township.name, [v.name for v, _r in g.filed], [v.name for v in g.missing])
        for g in groups
    ] == [
        ("乙镇", [], ["南村"]),  # in the tree's order
        ("甲镇", ["东村"], ["西村"]),
    ]
    last_week = weekly_filing(scope_for(county_user), tree.county, Period.parse("2026W46"))
    assert sum(len(g.missing) for g in last_week) == 3


# --- site reviews -------------------------------------------------------------------------------


def test_a_site_review_is_recorded_and_scored_with_each_refusal_naming_its_row(
    tree, township_a_user, county_user
):
    scope = scope_for(township_a_user)
    q4 = Period.parse("2026Q4")
    review = site_review_record(
        village=tree.village_a1,
        quarter=q4,
        visited_on=dt.date(2026, 11, 12),
        note="人居环境整治成效明显",
        actor=township_a_user,
        scope=scope,
    )
    with pytest.raises(ValidationError) as error:
        site_review_score(
            review=review,
            rows=[
                ScoreRow("王建国", "92"),
                ScoreRow("李梅", "101"),
                ScoreRow("", "80"),
                ScoreRow("赵强", "八十"),
            ],
            actor=township_a_user,
            scope=scope,
        )
    assert error.value.message_dict["scores"] == [
        "第2行（李梅）：得分须在 0 到 100 之间",
        "第3行：请填写评分人",
        "第4行（赵强）：得分“八十”不是数字",
    ]
    assert not SiteReviewScore.objects.exists()  # all or nothing
    site_review_score(
        review=review,
        rows=[ScoreRow("王建国", "92"), ScoreRow("李梅", "87.5", "亮点突出")],
        actor=township_a_user,
        scope=scope,
    )
    with pytest.raises(ValidationError) as error:
        site_review_score(
            review=review,
            rows=[ScoreRow("王建国", "90")],
            actor=county_user,
            scope=scope_for(county_user),
        )
    assert error.value.message_dict["scores"] == ["第1行（王建国）：王建国已评过分"]
    (shown,) = site_reviews(scope, tree.township_a, q4)
    assert shown.average == Decimal("89.75") and shown.scored == 2


def test_a_site_review_date_must_fall_in_its_quarter_and_once_per_village(
    tree, township_a_user, village_a1_user
):
    scope = scope_for(township_a_user)
    q4 = Period.parse("2026Q4")
    with pytest.raises(ValidationError) as error:
        site_review_record(
            village=tree.village_a1,
            quarter=q4,
            visited_on=dt.date(2026, 9, 30),
            actor=township_a_user,
            scope=scope,
        )
    assert error.value.message_dict == {
        "visited_on": ["观摩日期 2026年9月30日 不在2026年第四季度内"]
    }
    site_review_record(
        village=tree.village_a1,
        quarter=q4,
        visited_on=dt.date(2026, 10, 9),
        actor=township_a_user,
        scope=scope,
    )
    with pytest.raises(ValidationError) as error:
        site_review_record(
            village=tree.village_a1,
            quarter=q4,
            visited_on=dt.date(2026, 10, 10),
            actor=township_a_user,
            scope=scope,
        )
    assert error.value.message_dict["village"] == [
        "2026年第四季度已登记过东村的观摩，请在该记录中补充评分"
    ]
    with pytest.raises(PermissionDenied):
        site_review_record(
            village=tree.village_b1,
            quarter=q4,
            visited_on=dt.date(2026, 10, 9),
            actor=township_a_user,
            scope=scope,
        )
    with pytest.raises(PermissionDenied):
        site_review_record(
            village=tree.village_a1,
            quarter=q4,
            visited_on=dt.date(2026, 10, 9),
            actor=village_a1_user,
            scope=scope_for(village_a1_user),
        )


def test_a_newer_township_run_wins_for_its_villages_only(tree, standard, county_user):
    apply(standard, tree.village_a1)
    apply(standard, tree.village_b1)
    every = {"meetings", "points", "income", "titled"}
    county = run_with(
        standard, tree.county, {tree.village_a1: every, tree.village_b1: every}, at=NOW
    )
    county.started_at = NOW - dt.timedelta(days=3)
    county.save(update_fields=["started_at"])
    run_with(standard, tree.township_a, {tree.village_a1: {"meetings"}})
    rows, _unranked = progress_scores(scope_for(county_user), tree.county, NOVEMBER, standard)
    assert {r.village.name: r.met for r in rows} == {"东村": 1, "南村": 4}


def test_the_command_archives_a_month_for_cron(tree, standard):
    from io import StringIO

    from django.core.management import CommandError, call_command

    apply(standard, tree.village_a1)
    out = StringIO()
    call_command("stars_ranking", month="2026-10", stdout=out)
    assert out.getvalue().strip() == "1"
    with pytest.raises(CommandError, match="2026年11月尚未结束"):
        call_command("stars_ranking", month="2026-11", stdout=out)
