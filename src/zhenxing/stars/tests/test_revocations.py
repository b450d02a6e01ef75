"""One veto rule for the evaluation, the approval and the revocation; revocation proposals refused
on bad input with nothing written; a newer evaluation that disagrees with the one an application
was judged on is named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.ledgers.services.incidents import incident_record
from zhenxing.stars.models import (
    ApplicationEvent,
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Outcome,
    ProposalState,
    RevocationProposal,
    Star,
    VetoScope,
)
from zhenxing.stars.rules import star_outcomes, taken_by_veto
from zhenxing.stars.selectors.applications import application_view, held_count
from zhenxing.stars.services import applications as svc
from zhenxing.stars.services import revocations
from zhenxing.stars.tests.applications_fixtures import drafted, setup_standard
from zhenxing.stars.tests.test_applications import published


def _parts(veto: str):
    """Three stars: safety (with a veto of scope ``veto``), industry, and a capstone."""
    safety = Star(pk=1, code="safety", name="平安法治星")
    industry = Star(pk=2, code="industry", name="产业兴旺星")
    capstone = Star(pk=3, code="branch", name="支部过硬星", capstone=True)
    zeros = Indicator(pk=11, star_id=1, code="zeros", name="三零", veto=veto)
    income = Indicator(pk=12, star_id=2, code="income", name="集体收入")
    meetings = Indicator(pk=13, star_id=3, code="meetings", name="组织生活")
    return [safety, industry, capstone], {1: [zeros], 2: [income], 3: [meetings]}, zeros


@pytest.mark.parametrize(
    ("veto", "kept"),
    [(VetoScope.STAR, {"industry"}), (VetoScope.BRANCH, set())],
)
def test_the_evaluation_and_the_revocation_read_one_veto_rule(veto, kept):
    stars, by_star, zeros = _parts(veto)
    outcomes = {11: Outcome.NOT_MET, 12: Outcome.MET, 13: Outcome.MET}
    evaluated = star_outcomes(stars, by_star, outcomes)
    met = {s.code for s in stars if evaluated[s.pk][0] == Outcome.MET}
    assert met == kept
    taken = {s.code for s, _why in taken_by_veto(stars, by_star, zeros)}
    assert taken == {s.code for s in stars} - kept  # exactly what the evaluation fails
    if veto == VetoScope.BRANCH:
        assert evaluated[2][1] == "一票否决，整个支部当年不评星：三零"
    else:
        assert evaluated[1][1] == "一票否决：三零" and evaluated[3][1] == "须先获得：平安法治星"


@pytest.fixture
def s(tree):
    return setup_standard(tree)


def final(
    s, tree, village_user, township_user, county_user, stars=("safety", "industry", "branch")
):
    app = published(s, tree, village_user, township_user, county_user, stars)
    svc.applications_finalise(today=app.notice_until + dt.timedelta(days=1))
    app.refresh_from_db()
    return app


def test_bad_proposals_and_decisions_are_refused_naming_them_with_nothing_written(
    s, tree, village_a1_user, township_a_user, county_user
):
    app = drafted(s, tree.village_a1, village_a1_user)
    township = scope_for(township_a_user)
    events = ApplicationEvent.objects.count()

    def propose(**kw):
        return revocations.revocation_propose(
            **{
                "application": app,
                "veto": s.indicators["clean_team"],
                "event": "支部书记受党内警告处分",
                "reference": "清纪〔2026〕5号",
                "actor": township_a_user,
                "scope": township,
            }
            | kw
        )

    # A village with no published or final stars.
    with pytest.raises(ValidationError) as refused:
        propose()
    assert refused.value.message_dict == {"application": ["东村没有已公示或已认定的星，无需摘星"]}
    assert RevocationProposal.objects.count() == 0 and ApplicationEvent.objects.count() == events

    app = final(s, tree, village_a1_user, township_a_user, county_user)
    # An indicator that is no veto.
    with pytest.raises(ValidationError) as refused:
        propose(veto=s.indicators["meetings"])
    assert "veto" in refused.value.message_dict
    # A village secretary may not enter a judged veto event.
    with pytest.raises(PermissionDenied):
        propose(actor=village_a1_user, scope=scope_for(village_a1_user))
    proposal = propose()
    assert proposal.state == ProposalState.OPEN
    assert set(proposal.stars.values_list("code", flat=True)) == {"safety", "industry", "branch"}
    # A second open proposal for the same event.
    with pytest.raises(ValidationError) as refused:
        propose(event="同一处分的重复登记")
    assert refused.value.message_dict == {"event": ["该事件已有待处理的摘星建议，不能重复提出"]}
    assert RevocationProposal.objects.count() == 1
    # The township may not decide it.
    with pytest.raises(PermissionDenied):
        revocations.revocation_decide(
            proposal=proposal, revoke=True, note="核实属实", actor=township_a_user, scope=township
        )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.OPEN and held_count(app) == 3
    # Dismissed by the county, with the reason; the history says so.
    assert (
        revocations.revocation_decide(
            proposal=proposal,
            revoke=False,
            note="处分不属一票否决情形",
            actor=county_user,
            scope=scope_for(county_user),
        )
        == []
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DISMISSED and held_count(app) == 3
    assert app.events.filter(action="dismiss").count() == 1


def test_a_judged_veto_entered_during_the_notice_is_an_objection(
    s, tree, village_a1_user, township_a_user, county_user
):
    app = published(s, tree, village_a1_user, township_a_user, county_user, ("safety", "industry"))
    proposal = revocations.revocation_propose(
        application=app,
        veto=s.indicators["clean_team"],
        event="支部书记受党内警告处分",
        reference="清纪〔2026〕6号",
        actor=township_a_user,
        scope=scope_for(township_a_user),
    )
    assert proposal.state == ProposalState.OBJECTION
    assert proposal.objection.decision == "pending" and proposal.objection.star is None
    assert app.events.filter(action="objection").count() == 1
    # The scheduler cannot confirm the result over it.
    assert svc.applications_finalise(today=app.notice_until + dt.timedelta(days=1)) == 0


def test_a_star_the_village_does_not_hold_or_the_veto_does_not_take_is_refused(
    s, tree, village_a1_user, township_a_user, county_user
):
    app = final(
        s, tree, village_a1_user, township_a_user, county_user, stars=("safety", "industry")
    )
    county = scope_for(county_user)
    zeros = s.indicators["three_zeros"]  # veto: star (safety, and the capstone that needs it)
    with pytest.raises(ValidationError) as refused:
        revocations.application_revoke(
            application=app,
            veto=zeros,
            star=s.stars["branch"],
            reason="刑事案件一起",
            actor=county_user,
            scope=county,
        )
    assert refused.value.message_dict == {"star": ["“支部过硬星”不是该村现有的星"]}
    with pytest.raises(ValidationError) as refused:
        revocations.application_revoke(
            application=app,
            veto=zeros,
            star=s.stars["industry"],
            reason="刑事案件一起",
            actor=county_user,
            scope=county,
        )
    assert refused.value.message_dict == {
        "star": ["“三零达标”（一票否决（否决本星））不涉及“产业兴旺星”"]
    }
    assert held_count(app) == 2
    revoked = revocations.application_revoke(
        application=app, veto=zeros, reason="刑事案件一起", actor=county_user, scope=county
    )
    assert [r.code for r in revoked] == ["safety"] and held_count(app) == 1
    # Nothing left that this veto takes.
    with pytest.raises(ValidationError) as refused:
        revocations.application_revoke(
            application=app, veto=zeros, reason="又一起刑事案件", actor=county_user, scope=county
        )
    assert "无星可摘" in refused.value.message_dict["veto"][0]


def test_an_incident_in_a_village_without_published_stars_proposes_nothing(tree, village_a1_user):
    incident_record(
        scope=scope_for(village_a1_user),
        village=tree.village_a1,
        kind="petition",
        occurred_on=dt.date(2026, 11, 30),
        summary="村民越级上访一次",
        actor=village_a1_user,
    )
    assert RevocationProposal.objects.count() == 0


def test_a_newer_evaluation_that_disagrees_is_named_on_the_application(
    s, tree, village_a1_user, township_a_user, county_user
):
    app = final(s, tree, village_a1_user, township_a_user, county_user)
    assert application_view(app).newer is None
    # A newer run: 三零 now failed in 东村.
    newer = EvaluationRun.objects.create(
        standard=s.standard,
        region=tree.county,
        period="2026",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        villages=1,
    )
    IndicatorResult.objects.bulk_create(
        IndicatorResult(
            run=newer,
            village=tree.village_a1,
            indicator=i,
            outcome=Outcome.NOT_MET if code == "three_zeros" else Outcome.MET,
        )
        for code, i in s.indicators.items()
        if not i.judged
    )
    disagreement = application_view(app).newer
    assert disagreement is not None and disagreement.run == newer
    assert disagreement.stars == [
        ("平安法治星", "达标", "未达标"),
        ("支部过硬星", "达标", "未达标"),
    ]
    assert disagreement.indicators == [("三零达标", "达标", "未达标")]
