"""Talent pool and reserve cadres: refusals, corrections, counts per township, and the metrics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.selectors.talent import counts_by_township, reserve_cadres, talent_count
from zhenxing.ledgers.services.talent import (
    reserve_cadre_correct,
    reserve_cadre_record,
    talent_correct,
    talent_defaults_ensure,
    talent_record,
)
from zhenxing.ledgers.tests.village_helpers import cadre, many_villages, sql
from zhenxing.regions.models import Region, Resident

DAY = dt.date(2025, 4, 1)


@pytest.fixture
def categories(db) -> list[TalentCategory]:
    talent_defaults_ensure()
    return list(TalentCategory.objects.order_by("sort"))


def person(village, name="李明"):
    return Resident.objects.create(
        region=village, name=name, sex="M", birth_date=dt.date(1992, 1, 1)
    )


def add_talent(user, village, who, category):
    return talent_record(
        scope=scope_for(user), village=village, person=who, category=category, since=DAY, actor=user
    )


def test_a_person_of_another_village_is_refused(tree, township_a_user, categories):
    stranger = person(tree.village_a2, "赵强")
    with pytest.raises(ValidationError) as exc:
        add_talent(township_a_user, tree.village_a1, stranger, categories[0])
    assert "赵强" in exc.value.message_dict["person"][0]
    assert not Talent.objects.exists()


def test_the_same_person_twice_in_a_category_is_refused(tree, village_a1_user, categories):
    who = person(tree.village_a1)
    add_talent(village_a1_user, tree.village_a1, who, categories[0])
    with pytest.raises(ValidationError):
        add_talent(village_a1_user, tree.village_a1, who, categories[0])
    add_talent(village_a1_user, tree.village_a1, who, categories[1])
    assert talent_count([tree.village_a1], Period.parse("2025")) == {tree.village_a1.pk: 1}


def test_a_mentor_must_be_a_serving_cadre(tree, village_a1_user):
    young = person(tree.village_a1, "刘洋")
    not_a_cadre = person(tree.village_a1, "钱老")
    with pytest.raises(ValidationError) as exc:
        reserve_cadre_record(
            scope=scope_for(village_a1_user),
            village=tree.village_a1,
            person=young,
            mentor=not_a_cadre,
            since=DAY,
            assignment="村委会主任助理",
            actor=village_a1_user,
        )
    assert "钱老" in exc.value.message_dict["mentor"][0]
    mentor = cadre(tree.village_a1)
    reserve = reserve_cadre_record(
        scope=scope_for(village_a1_user),
        village=tree.village_a1,
        person=young,
        mentor=mentor,
        since=DAY,
        assignment="村委会主任助理",
        actor=village_a1_user,
    )
    assert reserve.mentor == mentor


def test_taking_someone_out_of_the_pool_keeps_the_history(
    tree, village_a1_user, township_a_user, categories
):
    who = person(tree.village_a1)
    first = add_talent(village_a1_user, tree.village_a1, who, categories[0])
    out = talent_correct(
        scope=scope_for(township_a_user),
        talent=first,
        actor=township_a_user,
        reason="已迁出本村",
        voided=True,
    )
    assert talent_count([tree.village_a1], Period.parse("2025")) == {tree.village_a1.pk: 0}
    assert out.voided and out.supersedes_id == first.pk and out.recorded_by == township_a_user
    assert Talent.objects.get(pk=first.pk).recorded_by == village_a1_user


def test_counts_per_township(tree, county_user, categories):
    mentor = cadre(tree.village_a1)
    add_talent(county_user, tree.village_a1, person(tree.village_a1, "甲"), categories[0])
    add_talent(county_user, tree.village_a2, person(tree.village_a2, "乙"), categories[0])
    add_talent(county_user, tree.village_b1, person(tree.village_b1, "丙"), categories[2])
    reserve = reserve_cadre_record(
        scope=scope_for(county_user),
        village=tree.village_a1,
        person=person(tree.village_a1, "丁"),
        mentor=mentor,
        since=DAY,
        actor=county_user,
    )
    reserve_cadre_correct(
        scope=scope_for(county_user),
        cadre=reserve,
        actor=county_user,
        reason="补录岗位",
        assignment="村委会主任助理",
    )
    cats, rows = counts_by_township(scope_for(county_user), tree.county)
    by_name = {r.township.name: r for r in rows}
    assert by_name["甲镇"].by_category == {categories[0].pk: 2}
    assert by_name["甲镇"].talents == 2 and by_name["甲镇"].reserve == 1
    assert by_name["乙镇"].by_category == {categories[2].pk: 1} and by_name["乙镇"].reserve == 0
    assert ReserveCadre.objects.current().get().assignment == "村委会主任助理"
    assert cats == categories


@pytest.mark.parametrize("n", [2, 200])
def test_the_metrics_match_sql_in_a_constant_number_of_queries(
    n, tree, county_user, categories, django_assert_num_queries
):
    villages = many_villages(tree, n)
    mentor = cadre(tree.township_b, "镇干部")
    for i, village in enumerate(villages[:12]):
        for k in range(i % 4):
            add_talent(county_user, village, person(village, f"人{i}-{k}"), categories[k])
        if i % 2:
            reserve_cadre_record(
                scope=scope_for(county_user),
                village=village,
                person=person(village, f"后备{i}"),
                mentor=mentor,
                since=DAY,
                actor=county_user,
            )
    qs = Region.objects.filter(pk__in=[v.pk for v in villages])
    year = Period.parse("2025")
    with django_assert_num_queries(2):
        talents = talent_count(qs, year)
    with django_assert_num_queries(2):
        reserves = reserve_cadres(qs, year)
    direct_t = dict(
        sql(
            "SELECT village_id, COUNT(DISTINCT person_id) FROM ledgers_talent e WHERE since <= %s AND {current} GROUP BY village_id",
            [year.end],
            table="ledgers_talent",
        )
    )
    direct_r = dict(
        sql(
            "SELECT village_id, COUNT(DISTINCT person_id) FROM ledgers_reservecadre e "
            "WHERE since <= %s AND {current} GROUP BY village_id",
            [year.end],
            table="ledgers_reservecadre",
        )
    )
    for v in villages:
        assert talents[v.pk] == direct_t.get(v.pk, 0)
        assert reserves[v.pk] == direct_r.get(v.pk, 0)
    assert sum(talents.values()) > 0 and sum(reserves.values()) > 0
    assert talent_count(qs, Period.parse("2025Q1"))[villages[1].pk] == 0  # since 1 April
