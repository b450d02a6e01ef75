"""摘星 and 摘星建议: what a veto event does to the stars a village holds.

``application_revoke`` revokes the held stars a failed veto takes — by ``rules.taken_by_veto``,
the same rule as the evaluation and the approval. ``revocation_propose`` turns a veto event into
a proposal for the county: for a final result it waits for ``revocation_decide`` (摘星 with the
reason, or dismissed with a reason); during the notice period it enters as an objection, so the
scheduler cannot confirm the result over an open case (an upheld objection sends the application
back to review and re-approval). ``incident_saved`` connects the 三零 ledger: a new incident
proposes, a correction follows it, a voided one withdraws (``revocations_withdraw``). Every step is
an ``ApplicationEvent`` written in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope, region_scope
from zhenxing.regions.models import Region
from zhenxing.stars.models import (
    OPEN_STATES,
    Application,
    ApplicationStar,
    AppState,
    Indicator,
    Objection,
    ObjectionDecision,
    ProposalState,
    RevocationProposal,
    Star,
)
from zhenxing.stars.rules import taken_by_veto, veto_label
from zhenxing.stars.selectors.applications import standard_parts
from zhenxing.stars.services.applications import (
    StaleState,
    _check,
    _event,
    _label,
    _stay,
    _text,
)
from zhenxing.stars.states import TRANSITIONS, AppAction

# The metrics an incident of the 三零 ledger fails (a veto indicator computing one of these).
INCIDENT_METRICS = frozenset({"three_zeros"})
HOLDING_STATES = (AppState.PUBLISHED, AppState.FINAL)


def _held(application: Application) -> dict[int, ApplicationStar]:
    return {
        r.star_id: r
        for r in ApplicationStar.objects.filter(
            application=application, awarded=True, revoked_at__isnull=True
        )
    }


def _taken(application: Application, veto: Indicator) -> list[tuple[Star, str]]:
    """The held stars ``veto`` takes, each with the rule's reason (refused when it takes none)."""
    if veto.star.standard_id != application.standard_id or not veto.veto:
        raise ValidationError({"veto": _("请选择引起摘星的一票否决事项")})
    stars, by_star = standard_parts(application.standard)
    held = _held(application)
    taken = [(s, why) for s, why in taken_by_veto(stars, by_star, veto) if s.pk in held]
    if not taken:
        raise ValidationError(
            {
                "veto": _("该村现有的星不受“%(veto)s”（%(scope)s）影响，无星可摘")
                % {"veto": veto.name, "scope": veto_label(veto)}
            }
        )
    return taken


@transaction.atomic
def application_revoke(
    *,
    application: Application,
    veto: Indicator,
    reason: str,
    actor,
    scope: Scope,
    star: Star | None = None,
    now: dt.datetime | None = None,
) -> list[Star]:
    """摘星: the held stars a failed ``veto`` takes (its own star and the stars that need it, or
    every star for a ``branch`` veto), with the reason. ``star``, when given, must be one the
    village holds and one the veto takes. Returns the stars revoked, in the standard's order."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.REVOKE, actor)
    reason = _text(reason, "reason", _("摘星原因"), low=5)
    if star is not None and star.pk not in _held(application):
        raise ValidationError({"star": _("“%(star)s”不是该村现有的星") % {"star": star.name}})
    taken = _taken(application, veto)
    revoked = [s for s, _why in taken]
    if star is not None and star not in revoked:
        raise ValidationError(
            {
                "star": _("“%(veto)s”（%(scope)s）不涉及“%(star)s”")
                % {"veto": veto.name, "scope": veto_label(veto), "star": star.name}
            }
        )
    text = f"{veto.name}：{reason}"
    _stay(application, AppAction.REVOKE, actor=actor, now=now, note=text, star=revoked[0])
    for other, why in taken[1:]:
        _event(
            application,
            AppAction.REVOKE,
            from_state=application.state,
            to_state=application.state,
            actor=actor,
            now=now,
            star=other,
            note=why,
        )
    ApplicationStar.objects.filter(
        application=application, star__in=revoked, revoked_at__isnull=True
    ).update(revoked_at=now, revoked_by=actor, revoke_reason=text)
    return revoked


def holding_application(village: Region) -> Application | None:
    """The village's newest result with stars it holds (published or final), if any."""
    return (
        Application.objects.filter(
            region=village,
            state__in=HOLDING_STATES,
            stars__awarded=True,
            stars__revoked_at__isnull=True,
        )
        .select_related("standard", "region")
        .order_by("-standard__year", "-pk")
        .first()
    )


@transaction.atomic
def revocation_propose(
    *,
    application: Application,
    veto: Indicator,
    event: str,
    actor,
    scope: Scope,
    reference: str = "",
    incident=None,
    now: dt.datetime | None = None,
) -> RevocationProposal:
    """摘星建议 for a veto event of ``application``'s village: an open proposal for the county
    when the result is final, an objection (公示期异议) while it is published. ``incident`` is the
    三零 ledger row behind it; a judged veto (a disciplinary case) names its ``reference``."""
    scope.require(application.region)
    now = now or timezone.now()
    if application.state not in HOLDING_STATES:
        raise ValidationError(
            {
                "application": _("%(village)s没有已公示或已认定的星，无需摘星")
                % {"village": application.region.name}
            }
        )
    action = AppAction.PROPOSE if application.state == AppState.FINAL else AppAction.OBJECTION
    if incident is None:  # entered by hand: the township or the county (an objection in notice)
        _check(application, action, actor)
    event = _text(event, "event", _("事件"), low=5, high=300)
    reference = (reference or "").strip()
    if len(reference) > 60:
        raise ValidationError({"reference": _("案号/文号不能超过 60 个字")})
    stars = [s for s, _why in _taken(application, veto)]
    duplicate = RevocationProposal.objects.filter(state__in=OPEN_STATES)
    duplicate = (
        duplicate.filter(incident=incident)
        if incident is not None
        else duplicate.filter(application=application, indicator=veto, reference=reference)
    )
    if duplicate.exists():
        raise ValidationError({"event": _("该事件已有待处理的摘星建议，不能重复提出")})
    names = "、".join(s.name for s in stars)
    reason = _("%(veto)s未达标，%(scope)s：拟摘%(names)s") % {
        "veto": veto.name,
        "scope": veto_label(veto),
        "names": names,
    }
    proposal = RevocationProposal(
        application=application,
        indicator=veto,
        incident=incident,
        event=event,
        reference=reference,
        reason=reason[:300],
        created_at=now,
        created_by=actor,
    )
    by = actor if incident is None else None  # an incident proposes on its own: the system
    note = f"{event}（{reason}）"
    if action == AppAction.OBJECTION:
        proposal.state = ProposalState.OBJECTION
        proposal.objection = Objection.objects.create(
            application=application,
            star=stars[0] if len(stars) == 1 else None,
            received_on=timezone.localdate(now),
            objector=_label(actor) if actor is not None else "",
            content=note[:4000],
            recorded_by=actor,
        )
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:  # the same event proposed at the same moment by someone else
        raise ValidationError({"event": _("该事件已有待处理的摘星建议，不能重复提出")}) from None
    proposal.stars.set(stars)
    _stay(application, action, actor=by, now=now, note=note[:2000])
    return proposal


@transaction.atomic
def revocation_decide(
    *,
    proposal: RevocationProposal,
    revoke: bool,
    note: str,
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> list[Star]:
    """The county decides an open proposal: 摘星 (the stars the veto takes, by the same rule) or
    不予摘星, each with the reason. Returns the stars revoked (none when dismissed)."""
    application = proposal.application
    scope.require(application.region)
    now = now or timezone.now()
    if proposal.state != ProposalState.OPEN:
        raise ValidationError(
            {
                "proposal": _("该摘星建议当前为“%(state)s”，不能再处理")
                % {"state": proposal.get_state_display()}
            }
        )
    action = AppAction.REVOKE if revoke else AppAction.DISMISS
    _check(application, action, actor)
    note = _text(note, "note", _("处理意见"), low=5)
    moved = RevocationProposal.objects.filter(pk=proposal.pk, state=ProposalState.OPEN).update(
        state=ProposalState.REVOKED if revoke else ProposalState.DISMISSED,
        decided_at=now,
        decided_by=actor,
        decision_note=note,
    )
    if moved == 0:
        raise StaleState(_("该摘星建议已由他人处理"))
    proposal.refresh_from_db()
    if not revoke:
        _stay(
            application, AppAction.DISMISS, actor=actor, now=now, note=f"{proposal.event}：{note}"
        )
        return []
    return application_revoke(
        application=application,
        veto=proposal.indicator,
        reason=f"{proposal.event}。{note}",
        actor=actor,
        scope=scope,
        now=now,
    )


def revocations_withdraw(proposals, *, actor, why: str, now: dt.datetime | None = None) -> int:
    """Withdraw the open ``proposals`` (their event was voided): an open proposal is withdrawn, an
    objection it entered as is withdrawn while still pending. Returns how many."""
    now = now or timezone.now()
    count = 0
    for proposal in proposals.filter(state__in=OPEN_STATES).select_related(
        "application", "objection"
    ):
        objection = proposal.objection
        if objection is not None and objection.decision != ObjectionDecision.PENDING:
            continue  # decided already: the decision stands
        RevocationProposal.objects.filter(pk=proposal.pk).update(
            state=ProposalState.WITHDRAWN, decided_at=now, decided_by=actor, decision_note=why
        )
        if objection is not None:
            Objection.objects.filter(pk=objection.pk).update(
                decision=ObjectionDecision.WITHDRAWN,
                decision_note=why,
                decided_by=actor,
                decided_at=now,
            )
        application = proposal.application
        if (application.state, AppAction.WITHDRAW) in TRANSITIONS:
            _stay(
                application,
                AppAction.WITHDRAW,
                actor=None,
                now=now,
                note=f"{proposal.event}：{why}",
            )
        count += 1
    return count


def incident_saved(incident) -> None:
    """The 三零 ledger's hook (a ``post_save`` of ``ledgers.Incident``, same transaction): a new
    incident proposes revocation for its village's held stars; a correction moves the proposal to
    the new row; a voided one withdraws it."""
    if incident.supersedes_id is not None:
        earlier = RevocationProposal.objects.filter(incident_id=incident.supersedes_id)
        if incident.voided:
            revocations_withdraw(
                earlier,
                actor=incident.recorded_by,
                why=_("三零事件已更正为作废：%(reason)s") % {"reason": incident.reason},
            )
        else:
            earlier.filter(state__in=OPEN_STATES).update(incident=incident)
        return
    if incident.voided:
        return
    application = holding_application(incident.village)
    if application is None:
        return
    vetoes = Indicator.objects.filter(
        star__standard=application.standard, metric__in=INCIDENT_METRICS
    ).exclude(veto="")
    for veto in vetoes.select_related("star"):
        try:
            revocation_propose(
                application=application,
                veto=veto,
                event=_("%(day)s %(kind)s：%(summary)s")
                % {
                    "day": f"{incident.occurred_on:%Y-%m-%d}",
                    "kind": incident.get_kind_display(),
                    "summary": incident.summary,
                },
                reference=incident.reference,
                incident=incident,
                actor=incident.recorded_by,
                scope=region_scope(incident.village),  # the incident was accepted there
                now=incident.recorded_at,
            )
        except (ValidationError, PermissionDenied):
            continue  # nothing held that this veto takes
