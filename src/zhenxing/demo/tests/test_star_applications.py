"""The demo's two star years: each evaluates to the plan's stars, the finished one published with
the plan's spread (objections and a revocation taken off), the one under way at every stage, all
with event logs that replay to their states."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from zhenxing.accounts.models import User
from zhenxing.regions.models import VILLAGE_LEVELS, Region
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    AppState,
    EvaluationRun,
    Objection,
    ObjectionDecision,
    Outcome,
    Standard,
    StarResult,
)
from zhenxing.stars.services import applications_finalise
from zhenxing.stars.states import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_county):
    return demo_county


def held_by_application() -> Counter[int]:
    return Counter(
        ApplicationStar.objects.filter(awarded=True, revoked_at__isnull=True).values_list(
            "application_id", flat=True
        )
    )


def _outcomes(standard) -> dict[str, set[str]]:
    """The stars each village (by region code) meets or awaits review for in the standard's
    newest evaluation."""
    run = EvaluationRun.objects.filter(standard=standard).order_by("-started_at", "-pk").first()
    out: dict[str, set[str]] = defaultdict(set)
    for code, star, outcome in StarResult.objects.filter(run=run).values_list(
        "village__code", "star__code", "outcome"
    ):
        if outcome in (Outcome.MET, Outcome.PENDING):
            out[code].add(star)
    return out


def test_each_year_evaluates_to_the_plan(demo):
    plan = demo.plan
    for year in plan.years:
        standard = Standard.objects.get(kind="village", year=year)
        assert standard.version == f"{year}.1"
        found = _outcomes(standard)
        villages = Region.objects.filter(level__in=VILLAGE_LEVELS).values_list("code", flat=True)
        wrong = {
            code: (sorted(found[code]), sorted(plan.stars(code, year)))
            for code in villages
            if found[code] != plan.stars(code, year)
        }
        assert not wrong, (year, wrong)


def test_the_finished_year_is_published_with_the_plans_spread(demo):
    plan = demo.plan
    final = Application.objects.filter(standard__year=plan.finished, state=AppState.FINAL)
    held = held_by_application()
    by_village = {code: held[pk] for pk, code in final.values_list("pk", "region__code")}
    moved = {  # the upheld objection took one star; the 三零 veto (branch) took every star
        code: plan.star_count(code, plan.finished) - n
        for code, n in by_village.items()
        if n != plan.star_count(code, plan.finished)
    }
    assert len(moved) == 2 and 1 in moved.values()
    revoked = [code for code, n in moved.items() if by_village[code] == 0]
    assert len(revoked) == 1 and 2 <= moved[revoked[0]] <= 4
    applied = {v.code for v in plan.villages if plan.star_count(v.code, plan.finished)}
    assert set(by_village) == applied
    assert not Application.objects.filter(standard__year=plan.finished).exclude(
        state__in=(AppState.FINAL, AppState.DRAFT)
    )
    counts = Counter(by_village.values())
    assert counts[5] >= 1 and {1, 2, 3, 4} <= set(counts)


def test_the_year_under_way_is_at_every_stage_up_to_approval_in_the_demo_township(demo):
    plan = demo.plan
    township = User.objects.get(username="township").scope_region
    current = Application.objects.filter(standard__year=plan.current)
    mine = Counter(
        current.filter(region__path__startswith=township.path).values_list("state", flat=True)
    )
    assert set(mine) == {
        AppState.DRAFT,
        AppState.SELF_ASSESSED,
        AppState.TOWNSHIP_REVIEWED,
        AppState.APPROVED,
    }
    others = set(current.exclude(region__path__startswith=township.path).values_list("state"))
    assert others == {(AppState.DRAFT,), (AppState.SELF_ASSESSED,)}


def test_objections_and_a_revocation(demo):
    assert sorted(Objection.objects.values_list("decision", flat=True)) == [
        ObjectionDecision.REJECTED,
        ObjectionDecision.UPHELD,
    ]
    revoked = ApplicationStar.objects.filter(revoked_at__isnull=False)
    assert revoked.count() >= 1
    assert all(r.revoke_reason.startswith("达到“三零”") for r in revoked)
    upheld = Objection.objects.get(decision=ObjectionDecision.UPHELD).application
    assert upheld.state == AppState.FINAL
    assert not upheld.stars.get(star=upheld.objections.get(decision="upheld").star).held


def test_every_event_log_replays_to_its_state(demo):
    for app in Application.objects.prefetch_related("events"):
        state = AppState.DRAFT
        for event in sorted(app.events.all(), key=lambda e: (e.at, e.pk)):
            assert event.from_state == state, (app.region_id, event.action)
            assert TRANSITIONS[(state, event.action)] == event.to_state
            state = event.to_state
        assert state == app.state, app.region_id


def test_nothing_is_left_for_the_finalising_job(demo):
    assert applications_finalise() == 0
