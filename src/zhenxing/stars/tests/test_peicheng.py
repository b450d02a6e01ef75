"""Seed 000's Peicheng rebuilt: 24 villages whose data earns, under the shipped standard, 1
five-star, 6 four-star and 13 three-star branches. Each village goes the whole way — goal,
evidence, self-assessment, the township's review, approval at the level the standard names,
publication, the end of the notice — and both the township's evaluation page and its results page
show 83% at three stars or better (20 of 24)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.urls import reverse

from zhenxing.accounts.models import Role
from zhenxing.accounts.scoping import scope_for
from zhenxing.core.periods import Period
from zhenxing.ledgers.tests.people import county_admin, user  # noqa: F401
from zhenxing.stars.management.commands.stars_load import DEFAULT
from zhenxing.stars.models import Application, AppState, Indicator
from zhenxing.stars.selectors import ranking, result_distribution
from zhenxing.stars.services import (
    application_approve,
    application_evidence_add,
    application_goal_set,
    application_publish,
    application_review,
    application_self_assess,
    applications_finalise,
    evaluation_run,
    standard_load,
)
from zhenxing.stars.tests.peicheng import AS_OF, PROFILES, TZ, YEAR, build_peicheng

pytestmark = pytest.mark.django_db


def carry(village, profile, standard, township_admin, county_admin):  # noqa: F811
    """One village's year through the services: goal, evidence, self-assessment, review by the
    township (every judged requirement met), approval by the level the standard names, notice."""
    secretary = user(f"sec_{village.pk}", Role.VILLAGE_SECRETARY, village)
    mine, town, county = (scope_for(u) for u in (secretary, township_admin, county_admin))
    stars = {s.code: s for s in standard.stars.all()}
    judged = list(Indicator.objects.filter(star__standard=standard, judged=True))
    application = application_goal_set(
        region=village, standard=standard, stars=list(stars.values()), actor=secretary, scope=mine
    )
    for indicator in judged:
        application_evidence_add(
            application=application,
            indicator=indicator,
            text=f"{indicator.evidence}已归档",
            actor=secretary,
            scope=mine,
        )
    earned = [stars[code] for code in profile.stars]
    application_self_assess(
        application=application, stars=earned or [stars["safety"]], actor=secretary, scope=mine
    )
    application_review(
        application=application,
        judgements={i.pk: (True, "") for i in judged},
        recommend=earned,
        actor=township_admin,
        scope=town,
    )
    if not earned:  # nothing to approve: the branch holds no star
        return
    approver = township_admin if standard.approver_for(len(earned)) == "township" else county_admin
    application_approve(application=application, actor=approver, scope=scope_for(approver))
    application_publish(application=application, actor=county_admin, scope=county)


@pytest.fixture
def peicheng(tree, county_admin):  # noqa: F811
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(9), tzinfo=TZ), tick=False):
        township, villages = build_peicheng(tree.county, county_admin)
        standard = standard_load(text=DEFAULT.read_text(encoding="utf-8"), actor=county_admin)

        def evaluate():
            return evaluation_run(
                standard=standard,
                region=township,
                period=Period.parse(str(YEAR)),
                scope=scope_for(county_admin),
                actor=county_admin,
            )

        evaluate()  # the year's data; judged requirements wait for the township
        township_admin = user("peicheng_town", Role.TOWNSHIP_ADMIN, township)
        for village, profile in zip(villages, PROFILES, strict=True):
            carry(village, profile, standard, township_admin, county_admin)
        run = evaluate()  # again, with the township's judgements
        assert applications_finalise(today=AS_OF + dt.timedelta(days=30)) == 23
        yield township, villages, run


def test_peicheng_data_earns_the_seeds_stars(peicheng):
    township, villages, run = peicheng
    result = ranking(run, township)
    stars = {row.village.pk: row.met for row in result.rows}
    assert [stars[v.pk] for v in villages] == [len(p.stars) for p in PROFILES]
    assert Counter(stars.values()) == {5: 1, 4: 6, 3: 13, 2: 3, 0: 1}
    assert result.share_at_least(3) == 83.3
    assert sum(p.income_wan >= 20 for p in PROFILES) == 13  # seed 000: 13 villages ≥ 20万
    assert sum(p.income_wan >= 50 for p in PROFILES) == 4  # and 4 at ≥ 50万


def test_peicheng_results_once_published(peicheng):
    township, villages, _run = peicheng
    total = result_distribution(township, YEAR).total
    assert total.counts == {0: 0, 1: 0, 2: 3, 3: 13, 4: 6, 5: 1}
    assert total.unrated == 1  # the vetoed branch: nothing to approve, nothing published
    assert total.three_or_more == 83.3
    states = Counter(
        Application.objects.filter(region__in=villages).values_list("state", flat=True)
    )
    assert states == {AppState.FINAL: 23, AppState.TOWNSHIP_REVIEWED: 1}


@pytest.mark.parametrize("page", ["stars_region", "star_results_region"])
def test_the_township_pages_show_83_percent(peicheng, client, county_admin, page):  # noqa: F811
    township, _villages, _run = peicheng
    client.force_login(county_admin)
    response = client.get(reverse(page, args=[township.pk]), {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    marker = "data-stars" if page == "stars_region" else "data-results"
    assert f'<b {marker}="three-or-more">83.3%</b>' in html
    assert "裴城01村" in html
