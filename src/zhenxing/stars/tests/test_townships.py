"""五好乡镇党委: a township standard evaluates the townships under the run's region, on township
metrics (their villages' star results, their secretaries, their reserve cadres, their orders)
and the county's judgements."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.talent import ReserveCadre
from zhenxing.orders.models import Rating
from zhenxing.regions.models import CadrePost, Education, Level, Post, Region, Resident
from zhenxing.stars import metrics
from zhenxing.stars.management.commands.stars_load import DEFAULT, TOWNSHIP_DEFAULT
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    AppState,
    IndicatorResult,
    Judgement,
    Outcome,
    Standard,
    StandardKind,
    StarResult,
)
from zhenxing.stars.selectors import (
    current_standard,
    gap_list,
    latest_run_covering,
    ranking,
    result_distribution,
)
from zhenxing.stars.services import evaluation_run, standard_load
from zhenxing.stars.standards import load_shipped
from zhenxing.stars.tests.test_evaluation import STANDARD as VILLAGE_STANDARD
from zhenxing.stars.tests.test_evaluation import served

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
YEAR = Period.parse("2026")


def township_standard() -> Standard:
    return standard_load(text=TOWNSHIP_DEFAULT.read_text(encoding="utf-8"))


def secretary(village: Region, born: dt.date, education: str) -> Resident:
    person = Resident.objects.create(
        region=village, name=f"{village.name}书记", sex="M", birth_date=born, education=education
    )
    CadrePost.objects.create(
        person=person, region=village, post=Post.SECRETARY, start_date=dt.date(2021, 3, 1)
    )
    return person


def value(run, township, code):
    return IndicatorResult.objects.get(run=run, village=township, indicator__code=code)


def test_a_township_run_scores_each_township_on_township_metrics(
    tree, category, village_a1_user, member_a1, county_user
):
    standard = township_standard()
    young = secretary(tree.village_a1, dt.date(1990, 5, 1), Education.BACHELOR)
    secretary(tree.village_a2, dt.date(1962, 5, 1), Education.JUNIOR)
    # A secretary who left before the year's end is not counted.
    CadrePost.objects.create(
        person=young,
        region=tree.village_b1,
        post=Post.SECRETARY,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2026, 6, 30),
    )
    ReserveCadre.objects.create(
        village=tree.village_a1,
        person=Resident.objects.create(
            region=tree.village_a1, name="后备甲", sex="F", birth_date=dt.date(1995, 1, 1)
        ),
        mentor=young,
        since=dt.date(2026, 4, 1),
        recorded_by=county_user,
    )
    served(tree.village_a1, category, village_a1_user, member_a1, Rating.SATISFIED)
    application = Application.objects.create(region=tree.township_a, standard=standard)
    Judgement.objects.create(
        application=application,
        indicator=standard.stars.get(code="leadership").indicators.get(code="clean_team"),
        met=True,
        decided_at=dt.datetime(2026, 12, 1, 10, tzinfo=TZ),
    )
    run = evaluation_run(
        standard=standard, region=tree.county, period=YEAR, scope=scope_for(county_user)
    )
    assert run.villages == 2  # two townships, not three villages
    assert set(IndicatorResult.objects.filter(run=run).values_list("village", flat=True)) == {
        tree.township_a.pk,
        tree.township_b.pk,
    }
    a, b = tree.township_a, tree.township_b
    assert value(run, a, "young_secretaries").value == 50
    assert value(run, a, "young_secretaries").outcome == Outcome.MET  # ≥ 30
    assert value(run, a, "educated_secretaries").value == 50
    assert value(run, a, "reserve").value == 50
    assert value(run, a, "reserve").outcome == Outcome.NOT_MET  # every village needs one
    assert value(run, a, "satisfaction").value == 100
    assert value(run, a, "in_township").value == 100
    # No village of the year has a published result: the 评定结果 share has no value yet.
    assert value(run, a, "star_villages").value is None
    assert value(run, a, "star_villages").outcome == Outcome.NO_DATA
    assert value(run, a, "clean_team").outcome == Outcome.MET
    assert value(run, a, "performance").outcome == Outcome.PENDING
    # 乙镇: no secretary in post at the year's end, no orders: no data; no reserve cadre: 0%.
    assert value(run, b, "young_secretaries").outcome == Outcome.NO_DATA
    assert value(run, b, "satisfaction").outcome == Outcome.NO_DATA
    assert value(run, b, "reserve").value == 0
    assert value(run, b, "clean_team").outcome == Outcome.PENDING
    stars = {
        r.star.code: r.outcome
        for r in StarResult.objects.filter(run=run, village=a).select_related("star")
    }
    assert stars["corps"] == Outcome.NOT_MET and stars["leadership"] == Outcome.PENDING
    assert stars["service"] == Outcome.PENDING  # satisfaction met, the service centre judged


def test_the_three_star_share_is_the_published_figure_never_the_evaluation(
    tree, category, village_a1_user, member_a1, county_user
):
    """The 五好 indicator reads village stars through the 评定结果 selector the results pages, the
    API and the notice use: an evaluation (测评) never enters it."""
    villages = standard_load(text=VILLAGE_STANDARD)
    served(tree.village_a1, category, village_a1_user, member_a1, Rating.SATISFIED)
    evaluation_run(standard=villages, region=tree.county, period=YEAR, scope=scope_for(county_user))
    townships = Region.objects.filter(level=Level.TOWNSHIP)

    def share() -> dict[int, float | None]:
        found = metrics.METRICS["township_villages_three_star_share"].compute(townships, YEAR)
        children = result_distribution(tree.county, YEAR.end.year).children
        assert found == {t.pk: d.three_or_more for t, d in children if t.pk in found}
        return found

    # Nothing published: no value, whatever the evaluation estimated.
    assert share() == {tree.township_a.pk: None, tree.township_b.pk: None}
    # 南村's published application holds three stars (one more revoked): it counts.
    application = Application.objects.create(
        region=tree.village_b1, standard=villages, state=AppState.PUBLISHED
    )
    for star in villages.stars.all():
        ApplicationStar.objects.create(application=application, star=star, awarded=True)
    assert share() == {tree.township_a.pk: None, tree.township_b.pk: 100}
    revoked = application.stars.first()
    revoked.revoked_at = dt.datetime(2026, 12, 5, tzinfo=TZ)
    revoked.save()
    assert share()[tree.township_b.pk] == 0
    # A draft application is no result.
    Application.objects.filter(pk=application.pk).update(state=AppState.DRAFT)
    assert share()[tree.township_b.pk] is None


def test_a_township_run_costs_the_same_queries_for_2_and_12_townships(tree, county_user):
    standard = township_standard()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            evaluation_run(
                standard=standard,
                region=Region.objects.get(pk=tree.county.pk),
                period=YEAR,
                scope=scope_for(county_user),
            )
        return len(captured)

    few = queries()
    for n in range(10):
        township = Region.objects.add_child(
            Region.objects.get(pk=tree.county.pk), {"name": f"新镇{n}", "level": Level.TOWNSHIP}
        )
        village = Region.objects.add_child(township, {"name": f"新镇{n}村", "level": Level.VILLAGE})
        secretary(village, dt.date(1980, 1, 1), Education.COLLEGE)
    assert queries() == few


def test_a_township_page_reads_the_township_run_and_the_county_ranks_townships(tree, county_user):
    township_run = evaluation_run(
        standard=township_standard(),
        region=tree.county,
        period=YEAR,
        scope=scope_for(county_user),
    )
    village_standard = standard_load(text=VILLAGE_STANDARD)
    village_run = evaluation_run(
        standard=village_standard, region=tree.county, period=YEAR, scope=scope_for(county_user)
    )
    # The village pages keep reading the village run, the township ones the township run.
    assert latest_run_covering(tree.village_a1) == village_run
    assert latest_run_covering(tree.township_a, kinds=(StandardKind.TOWNSHIP,)) == township_run
    gaps = gap_list(township_run, tree.township_a)
    assert [star.star.name for star, _gaps in gaps][:2] == ["领导班子好", "队伍建设好"]
    rows = ranking(township_run, tree.county).rows
    assert {r.village for r in rows} == {tree.township_a, tree.township_b}


def test_stars_load_loads_both_shipped_standards_by_default(db):
    out = StringIO()
    call_command("stars_load", stdout=out)
    assert set(Standard.objects.values_list("code", "kind")) == {
        ("henan-village", StandardKind.VILLAGE),
        ("henan-township", StandardKind.TOWNSHIP),
    }
    call_command("stars_load", str(DEFAULT), stdout=out)  # again: the same standard
    assert Standard.objects.count() == 2


def test_stars_load_carries_the_shipped_standards_to_a_year(db):
    out = StringIO()
    call_command("stars_load", "--year", "2028", stdout=out)
    assert set(Standard.objects.values_list("code", "version", "year")) == {
        ("henan-village", "2028.1", 2028),
        ("henan-township", "2028.1", 2028),
    }
    carried = Standard.objects.get(code="henan-village")
    shipped = load_shipped("henan-village-2026.yaml")
    assert [s.code for s in carried.stars.order_by("sort")] == [s.code for s in shipped.stars]
    call_command("stars_load", str(DEFAULT), stdout=out)  # the shipped year beside it
    assert current_standard().year == 2028
    assert Standard.objects.filter(code="henan-village").count() == 2
