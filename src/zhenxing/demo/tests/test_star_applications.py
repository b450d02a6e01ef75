"""The demo's star applications: every stage present, a spread of star counts, objections and a
revocation, all with event logs that replay to their states."""

from __future__ import annotations

from collections import Counter

import pytest

from zhenxing.accounts.models import User
from zhenxing.demo import build
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    AppState,
    Objection,
    ObjectionDecision,
)
from zhenxing.stars.services import applications_finalise
from zhenxing.stars.states import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build.reset_demo()
        result = build.build_demo_county()
    yield result
    with django_db_blocker.unblock():
        build.reset_demo()


def held_by_application() -> Counter[int]:
    return Counter(
        ApplicationStar.objects.filter(awarded=True, revoked_at__isnull=True).values_list(
            "application_id", flat=True
        )
    )


def test_every_stage_and_a_spread_of_star_counts(demo):
    states = Counter(Application.objects.values_list("state", flat=True))
    assert set(states) == set(AppState.values)
    assert states[AppState.FINAL] >= 15
    final = Application.objects.filter(state=AppState.FINAL).values_list("pk", flat=True)
    held = held_by_application()
    counts = Counter(held[pk] for pk in final)
    assert {1, 2, 3} <= set(counts) and max(counts) >= 4
    # 裴岗镇 (the demo accounts' township) is at mixed stages: none of its results final yet.
    township = User.objects.get(username="township").scope_region
    mine = Counter(
        Application.objects.filter(region__path__startswith=township.path).values_list(
            "state", flat=True
        )
    )
    assert AppState.FINAL not in mine and len(mine) == 5


def test_the_village_login_finds_its_plan_in_draft(demo):
    village = User.objects.get(username="village").scope_region
    app = Application.objects.get(region=village)
    assert app.state == AppState.DRAFT and app.goal_note
    assert app.stars.filter(goal=True).count() >= 3
    tasks = app.tasks.filter(owner__isnull=False)
    assert tasks.count() >= 5 and tasks.filter(done_on__isnull=False).exists()


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
