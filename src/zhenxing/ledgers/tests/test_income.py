"""Collective income: entries, refusals, corrections, tiers, counts per township, and the metrics
against a direct SQL computation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource, IncomeTier
from zhenxing.ledgers.selectors.income import (
    collective_income,
    income_tier,
    tier_counts,
    wan,
)
from zhenxing.ledgers.services.income import income_correct, income_defaults_ensure, income_record
from zhenxing.ledgers.tests.village_helpers import many_villages, sql
from zhenxing.regions.models import Region


@pytest.fixture
def sources(db) -> list[IncomeSource]:
    income_defaults_ensure()
    return list(IncomeSource.objects.order_by("sort"))


def add(user, village, amount, source, year=2025):
    return income_record(
        scope=scope_for(user), village=village, year=year, source=source, amount=amount, actor=user
    )


def test_amounts_read_in_wan():
    assert wan(Decimal("125000")) == "12.5万元"
    assert wan(Decimal("50000.00")) == "5万元"
    assert wan(Decimal("1234567.89")) == "123.46万元"


def test_negative_income_is_refused(tree, village_a1_user, sources):
    with pytest.raises(ValidationError) as exc:
        add(village_a1_user, tree.village_a1, "-100", sources[0])
    assert "不能为负数" in exc.value.message_dict["amount"][0]
    assert not IncomeEntry.objects.exists()


def test_a_future_year_is_refused(tree, village_a1_user, sources):
    with pytest.raises(ValidationError) as exc:
        add(village_a1_user, tree.village_a1, "100", sources[0], year=timezone.localdate().year + 1)
    assert "不能晚于今年" in exc.value.message_dict["year"][0]


def test_income_outside_the_scope_is_refused(tree, village_a1_user, sources):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        add(village_a1_user, tree.village_a2, "100", sources[0])


def test_a_correction_replaces_the_amount_and_keeps_the_original(
    tree, village_a1_user, township_a_user, sources
):
    first = add(village_a1_user, tree.village_a1, "80000", sources[0])
    fixed = income_correct(
        scope=scope_for(township_a_user),
        entry=first,
        actor=township_a_user,
        reason="合同金额核对后为 8.5 万",
        amount="85000",
    )
    assert collective_income([tree.village_a1], 2025) == {tree.village_a1.pk: Decimal("85000.00")}
    first.refresh_from_db()
    assert first.amount == Decimal("80000") and first.recorded_by == village_a1_user
    assert fixed.supersedes_id == first.pk and fixed.recorded_by == township_a_user
    with pytest.raises(ValidationError):
        income_correct(
            scope=scope_for(township_a_user),
            entry=fixed,
            actor=township_a_user,
            reason="误录",
            amount="-1",
        )


def test_tiers_and_counts_per_township(tree, county_user, sources):
    income_defaults_ensure()
    add(county_user, tree.village_a1, "260000", sources[0])  # ≥20万
    add(county_user, tree.village_a1, "250000", sources[1])  # 51万 in all: 强村
    add(county_user, tree.village_a2, "30000", sources[0])  # under 5万
    add(county_user, tree.village_b1, "120000", sources[2])  # 清五跃十
    tiers = income_tier([tree.village_a1, tree.village_a2, tree.village_b1], 2025)
    assert tiers[tree.village_a1.pk].min_wan == 50
    assert tiers[tree.village_a2.pk].min_wan == 0
    assert tiers[tree.village_b1.pk].min_wan == 10
    bands, rows = tier_counts(scope_for(county_user), 2025, tree.county)
    by_name = {r.township.name: r for r in rows}
    ten = IncomeTier.objects.get(min_wan=10)
    assert by_name["甲镇"].villages == 2 and by_name["甲镇"].at_least[ten.pk] == 1
    assert by_name["乙镇"].at_least[ten.pk] == 1
    assert by_name["甲镇"].total == Decimal("540000")
    assert [b.min_wan for b in bands] == [0, 5, 10, 20, 50]


@pytest.mark.parametrize("n", [2, 200])
def test_the_metric_matches_sql_in_a_constant_number_of_queries(
    n, tree, county_user, sources, django_assert_num_queries
):
    villages = many_villages(tree, n)
    for i, village in enumerate(villages[:30]):
        add(county_user, village, Decimal(10_000 * i), sources[i % 3])
        add(county_user, village, Decimal("1234.56"), sources[3])
    wrong = add(county_user, villages[-1], "999999", sources[4])
    income_correct(
        scope=scope_for(county_user), entry=wrong, actor=county_user, reason="误录", voided=True
    )
    qs = Region.objects.filter(pk__in=[v.pk for v in villages])
    with django_assert_num_queries(2):  # the village ids, the sums
        totals = collective_income(qs, 2025)
    with django_assert_num_queries(3):  # + the tiers
        tiers = income_tier(qs, 2025)
    direct = dict(
        sql(
            "SELECT village_id, SUM(amount) FROM ledgers_incomeentry e WHERE year = %s AND {current} GROUP BY village_id",
            [2025],
            table="ledgers_incomeentry",
        )
    )
    assert len(totals) == n
    for village in villages:
        expected = Decimal(str(direct.get(village.pk, 0))).quantize(Decimal("0.01"))
        assert totals[village.pk] == expected
    assert tiers[villages[0].pk].min_wan == 0
    assert tiers[villages[1].pk].min_wan == 0  # 1.12万
    assert tiers[villages[-1].pk].min_wan == 0  # the 99.9万 entry was voided
