"""Household ratings: schemes as data, scale and period checks, titles, rankings, metrics against
direct SQL, pages, export and the API twin."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhenxing.conftest import add_household
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.ratings import HouseholdRating, RatingScheme
from zhenxing.ledgers.selectors import ratings as selectors
from zhenxing.ledgers.services.ratings import (
    ensure_rating_defaults,
    household_rating_add,
    household_rating_correct,
    household_rating_void,
    rating_scheme_save,
)
from zhenxing.ledgers.tests.people import (
    current,
    many_villages,
    scope,
    sql,
    table,
)
from zhenxing.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(db) -> RatingScheme:
    return ensure_rating_defaults()[0]  # 户月评: 庭院整洁 30, 环境卫生 30, 家风文明 20, 遵纪守法 20


def scores(scheme: RatingScheme, *values: int) -> dict[str, int]:
    return {str(item.pk): v for item, v in zip(scheme.items.all(), values, strict=True)}


def rate(actor, household, scheme, values, period="2026-05", **kw):
    return household_rating_add(
        scope=scope(actor),
        household=household,
        scheme=scheme,
        period=period,
        rated_on=kw.pop("rated_on", dt.date(2026, 6, 2)),
        scores=scores(scheme, *values),
        actor=actor,
        **kw,
    )


def test_a_rating_adds_up_its_items_and_earns_the_highest_title_reached(
    tree, clock, secretary, monthly
):
    household = add_household(tree.village_a1, "A1-1")
    r = rate(secretary, household, monthly, (29, 28, 18, 18))
    assert (r.score, r.max_score, r.title.name) == (93, 100, "最美庭院")
    r2 = rate(secretary, add_household(tree.village_a1, "A1-2"), monthly, (25, 25, 16, 16))
    assert (r2.score, r2.title.name) == (82, "文明户")
    r3 = rate(secretary, add_household(tree.village_a1, "A1-3"), monthly, (20, 20, 10, 10))
    assert r3.title is None
    fixed = household_rating_correct(
        rating=r3, reason="复核后加分", actor=secretary, scores=scores(monthly, 28, 28, 18, 18)
    )
    assert (fixed.score, fixed.title.name) == (92, "最美庭院")


@pytest.mark.parametrize(
    ("values", "period", "rated_on", "field", "words"),
    [
        (
            (31, 20, 10, 10),
            "2026-05",
            dt.date(2026, 6, 2),
            "scores",
            "“庭院整洁”的得分 31 超出评分范围 0–30 分",
        ),
        ((-1, 20, 10, 10), "2026-05", dt.date(2026, 6, 2), "scores", "超出评分范围"),
        ((20, 20, 10, 10), "2026Q2", dt.date(2026, 6, 2), "period", "按每月评比"),
        ((20, 20, 10, 10), "2026-05", dt.date(2026, 6, 20), "rated_on", "不能晚于今天"),
        ((20, 20, 10, 10), "2026-06", dt.date(2026, 5, 20), "rated_on", "不能早于评比期间"),
        ((20, 20, 10, 10), "2026-13", dt.date(2026, 6, 2), "period", "无法识别"),
    ],
)
def test_bad_ratings_are_refused_naming_the_field(
    tree, clock, secretary, monthly, values, period, rated_on, field, words
):
    household = add_household(tree.village_a1, "A1-1")
    with pytest.raises(ValidationError) as refused:
        rate(secretary, household, monthly, values, period=period, rated_on=rated_on)
    assert words in " ".join(refused.value.message_dict[field])
    assert not HouseholdRating.objects.exists()


def test_a_household_is_rated_once_per_scheme_and_period(tree, clock, secretary, monthly):
    household = add_household(tree.village_a1, "A1-1")
    first = rate(secretary, household, monthly, (20, 20, 10, 10))
    with pytest.raises(ValidationError, match="已有“户月评”评比记录"):
        rate(secretary, household, monthly, (25, 25, 10, 10))
    household_rating_void(rating=first, reason="录错户", actor=secretary)
    assert rate(secretary, household, monthly, (25, 25, 10, 10)).score == 70


def test_schemes_are_data_only_the_county_edits_them_and_used_items_stay(
    tree, clock, secretary, county_admin, monthly
):
    with pytest.raises(PermissionDenied):
        rating_scheme_save(
            actor=secretary,
            name="新方案",
            cadence="month",
            rater="group",
            items=[("整洁", 10)],
            titles=[],
        )
    new = rating_scheme_save(
        actor=county_admin,
        name="十星文明户",
        cadence="year",
        rater="village",
        items=[("爱国守法", 10), ("诚信友善", 10)],
        titles=[("十星文明户", 18)],
    )
    assert [i.name for i in new.items.all()] == ["爱国守法", "诚信友善"]
    rate(secretary, add_household(tree.village_a1, "A1-1"), monthly, (20, 20, 10, 10))
    with pytest.raises(ValidationError, match="已有评比记录"):
        rating_scheme_save(
            actor=county_admin,
            name="户月评",
            cadence="month",
            rater="group",
            items=[("庭院整洁", 50)],
            titles=[],
            scheme=monthly,
        )
    with pytest.raises(ValidationError, match="最低得分须在 0–20 之间"):
        rating_scheme_save(
            actor=county_admin,
            name="别的方案",
            cadence="month",
            rater="group",
            items=[("a", 10), ("b", 10)],
            titles=[("高分户", 25)],
        )


def _direct_mean(period: Period) -> dict:
    t = table(HouseholdRating)
    rows = sql(
        f"SELECT r.village_id, ROUND(AVG(r.score * 100.0 / r.max_score), 1) FROM {t} r "  # noqa: S608
        f"WHERE r.period_start BETWEEN %s AND %s AND {current('r', HouseholdRating)} "
        "GROUP BY r.village_id",
        [period.start, period.end, False],
    )
    return {k: float(v) for k, v in rows.items()}


def _direct_titled(period: Period) -> dict:
    t = table(HouseholdRating)
    return sql(
        f"SELECT r.village_id, COUNT(DISTINCT r.household_id) FROM {t} r "  # noqa: S608
        f"WHERE r.title_id IS NOT NULL AND r.period_start BETWEEN %s AND %s "
        f"AND {current('r', HouseholdRating)} GROUP BY r.village_id",
        [period.start, period.end, False],
    )


@pytest.mark.parametrize("n", [2, 200])
def test_rating_metrics_equal_a_direct_sql_computation_in_one_query(
    tree, clock, township_admin, monthly, django_assert_num_queries, n
):
    villages = many_villages(tree.township_a, n)
    for i, v in enumerate(villages[: min(n, 10)]):
        for k in range(3):
            h = add_household(v, f"{i}-{k}")
            r = rate(
                township_admin, h, monthly, (10 + i + k, 20, 12 + k, 15), period=f"2026-0{k + 3}"
            )
            if k == 1 and i % 2:
                household_rating_correct(
                    rating=r,
                    reason="复核",
                    actor=township_admin,
                    scores=scores(monthly, 30, 30, 20, 20),
                )
    qs = Region.objects.filter(pk__in=[v.pk for v in villages])
    for period in (Period.parse("2026"), Period.parse("2026Q2"), Period.parse("2026-03")):
        with django_assert_num_queries(1):
            mean = selectors.household_rating_mean(qs, period)
        assert mean == _direct_mean(period)
        with django_assert_num_queries(1):
            titled = selectors.titled_households(qs, period)
        assert titled == _direct_titled(period)
    assert selectors.titled_households(qs, Period.parse("2026"))


def test_rankings_show_groups_and_households_and_villages(
    client, tree, clock, secretary, township_admin, monthly
):
    a = add_household(tree.village_a1, "A1-1")
    a.group = tree.group_a1
    a.save(update_fields=["group"])
    rate(secretary, a, monthly, (29, 29, 19, 19))
    rate(secretary, add_household(tree.village_a1, "A1-2"), monthly, (15, 15, 10, 10))
    rate(township_admin, add_household(tree.village_a2, "A2-1"), monthly, (20, 20, 15, 15))
    client.force_login(township_admin)
    page = client.get(
        f"/ledgers/ratings/rankings/?period=2026&village={tree.village_a1.pk}"
    ).content.decode()
    assert "一组" in page and "96.0%" in page and "户主A1-1" in page and "最美庭院" in page
    page = client.get("/ledgers/ratings/rankings/?period=2026").content.decode()
    table = page[page.index('id="villages"') :]
    assert table.index("东村") < table.index("西村")  # 东村 (96 + 50) / 2 = 73.0% before 70.0%
    assert "73.0%" in page and "70.0%" in page


def test_the_rating_pages_add_correct_and_export(client, tree, clock, secretary, monthly, outsider):
    add_household(tree.village_a1, "A1-1")
    client.force_login(secretary)
    items = list(monthly.items.all())
    data = {
        "scheme": monthly.pk,
        "household": "A1-1",
        "period": "2026-05",
        "rated_on": "2026-06-01",
    }
    data |= {f"item_{i.pk}": v for i, v in zip(items, (28, 28, 18, 18), strict=True)}
    response = client.post(f"/ledgers/ratings/?village={tree.village_a1.pk}", data)
    rating = HouseholdRating.objects.get()
    assert response["Location"] == f"/ledgers/ratings/{rating.pk}/"
    bad = data | {f"item_{items[0].pk}": 40, "household": "A1-1"}
    response = client.post(f"/ledgers/ratings/?village={tree.village_a1.pk}", bad)
    assert "40" in response.content.decode() and HouseholdRating.objects.count() == 1
    fix = data | {"action": "correct", "reason": "分数录错", f"item_{items[0].pk}": 20}
    response = client.post(f"/ledgers/ratings/{rating.pk}/", fix)
    new = HouseholdRating.objects.get(supersedes=rating)
    assert new.score == 84 and response["Location"] == f"/ledgers/ratings/{new.pk}/"
    export = client.get(
        f"/ledgers/ratings/export/?period=2026&village={tree.village_a1.pk}&scheme={monthly.pk}"
    )
    ws = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert ws["A1"].value == "东村农户评比台账"
    assert (
        ws["D4"].value == "A1-1"
        and ws["I4"].value == 84
        and ws["H4"].value == dt.datetime(2026, 6, 1)
    )
    client.force_login(outsider)
    assert client.get(f"/ledgers/ratings/{new.pk}/").status_code == 404


def test_the_api_rates_and_refuses_a_score_outside_the_scale(
    client, tree, clock, secretary, monthly
):
    add_household(tree.village_a1, "A1-1")
    client.force_login(secretary)
    body = {
        "village_id": tree.village_a1.pk,
        "household_number": "A1-1",
        "scheme_id": monthly.pk,
        "period": "2026-05",
        "rated_on": "2026-06-01",
        "scores": scores(monthly, 35, 20, 10, 10),
    }
    response = client.post(
        "/api/v1/ledgers/ratings", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "超出评分范围 0–30 分" in response.json()["errors"][0]["message"]
    body["scores"] = scores(monthly, 30, 20, 10, 10)
    response = client.post(
        "/api/v1/ledgers/ratings", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["score"] == 70
    schemes = client.get("/api/v1/ledgers/ratings/schemes").json()
    assert [s["name"] for s in schemes][:3] == ["户月评", "组季评", "党员户半年评"]
