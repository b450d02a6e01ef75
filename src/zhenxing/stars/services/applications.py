"""Every write of a star application (创星申报), from the year's goal to a revoked star.

A state change is one conditional UPDATE (``WHERE state = <what the caller saw>``) plus one event
row, in one transaction: two county admins pressing 审定 at once both run the UPDATE, exactly one
changes a row, the other gets ``StaleState`` ("已由他人审定"). Who may do what is in
``stars.states``; a refused action raises before anything is written.

Revoking a star (摘星) also revokes the stars that need it: a star that ``requires`` it, and the
capstone (which is held only with every other star). The event rows say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.regions.models import VILLAGE_LEVELS, Region, Resident
from zhenxing.stars.models import (
    Application,
    ApplicationEvent,
    ApplicationStar,
    Approver,
    AppState,
    Evidence,
    Indicator,
    Judgement,
    Objection,
    ObjectionDecision,
    Outcome,
    Standard,
    Star,
    Task,
)
from zhenxing.stars.selectors.applications import (
    application_outcomes,
    judged_indicators,
    standard_parts,
)
from zhenxing.stars.selectors.evaluation import latest_run_covering
from zhenxing.stars.states import (
    HIGHER_LEVELS,
    SYSTEM,
    TRANSITIONS,
    AppAction,
    may,
)

# Evidence files: what a village office has (scans, photos, Word and Excel files), by content.
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
EVIDENCE_MAX_BYTES = getattr(settings, "STARS_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


class StaleState(Exception):
    """Someone else moved the application first."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("该申报刚被他人处理，请刷新后查看最新状态"))


# --- helpers ----------------------------------------------------------------------------------


def _role(actor) -> str:
    if actor is None:
        return SYSTEM
    return getattr(actor, "role", "") or ""


def _label(actor) -> str:
    if actor is None:
        return str(_("系统"))
    return actor.get_full_name() or actor.username


def _state_label(state: str) -> str:
    return str(AppState(state).label)


def _level_label(level: str) -> str:
    return str(Approver(level).label) if level in Approver.values else level


def _check(application: Application, action: str, actor, *, level: str = "") -> None:
    """Refuse before anything is written: a state the action does not start from (a clear
    ValidationError), or a role that may not take it (PermissionDenied)."""
    if (application.state, action) not in TRANSITIONS:
        raise ValidationError(
            _("该申报当前为“%(state)s”，不能%(action)s")
            % {"state": _state_label(application.state), "action": AppAction(action).label}
        )
    if not may(action, state=application.state, actor_role=_role(actor), level=level):
        raise PermissionDenied(_("您的角色不能%(action)s") % {"action": AppAction(action).label})


def _text(value: str, field: str, label: str, *, low: int = 1, high: int = 2000) -> str:
    value = (value or "").strip()
    if len(value) < low:
        raise ValidationError(
            {field: _("请填写%(label)s（至少 %(n)s 个字）") % {"label": label, "n": low}}
        )
    if len(value) > high:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字") % {"label": label, "n": high}}
        )
    return value


def _event(
    application: Application,
    action: str,
    *,
    from_state: str,
    to_state: str,
    actor,
    now: dt.datetime,
    note: str = "",
    star: Star | None = None,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=to_state,
        star=star,
        actor=actor,
        actor_label=_label(actor),
        at=now,
        note=note[:2000],
    )


def _move(
    application: Application,
    action: str,
    *,
    actor,
    now: dt.datetime,
    note: str = "",
    star: Star | None = None,
    stale: str | None = None,
    **fields,
) -> Application:
    """The conditional UPDATE from the state the caller saw, and its event."""
    from_state = application.state
    to_state = TRANSITIONS[(from_state, action)]
    updated = Application.objects.filter(pk=application.pk, state=from_state).update(
        state=to_state, updated_at=now, **fields
    )
    if updated == 0:
        raise StaleState(stale)
    application.state = to_state
    for name, value in fields.items():
        setattr(application, name, value)
    _event(
        application,
        action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        now=now,
        note=note,
        star=star,
    )
    return application


def _stay(application: Application, action: str, *, actor, now: dt.datetime, **kw) -> None:
    """An action that keeps the state: the event only (the state is checked against the row so a
    concurrent move is not written over)."""
    if not Application.objects.filter(pk=application.pk, state=application.state).exists():
        raise StaleState()
    _event(
        application,
        action,
        from_state=application.state,
        to_state=application.state,
        actor=actor,
        now=now,
        **kw,
    )


def _stars_of(standard: Standard, stars: Iterable[Star | int], field: str) -> list[Star]:
    ids = {s if isinstance(s, int) else s.pk for s in stars}
    found = list(standard.stars.filter(pk__in=ids).order_by("sort"))
    if len(found) != len(ids):
        raise ValidationError({field: _("所选的星不属于该标准")})
    return found


def _set_flag(application: Application, stars: list[Star], flag: str) -> None:
    """``flag`` true on exactly ``stars`` (rows created as needed), false on the others."""
    existing = {r.star_id for r in ApplicationStar.objects.filter(application=application)}
    ApplicationStar.objects.bulk_create(
        ApplicationStar(application=application, star=s) for s in stars if s.pk not in existing
    )
    rows = ApplicationStar.objects.filter(application=application)
    rows.filter(star__in=stars).update(**{flag: True})
    rows.exclude(star__in=stars).update(**{flag: False})


def _names(stars: Iterable[Star]) -> str:
    return "、".join(s.name for s in stars)


# --- the year's plan --------------------------------------------------------------------------


@transaction.atomic
def application_goal_set(
    *,
    region: Region,
    standard: Standard,
    stars: Iterable[Star | int],
    note: str = "",
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Application:
    """创星目标: which stars the village goes for this year, and how. Opens the application the
    first time (in 创建中)."""
    scope.require(region)
    now = now or timezone.now()
    if region.level not in VILLAGE_LEVELS:
        raise ValidationError({"region": _("创星申报以村（社区）为单位")})
    goal = _stars_of(standard, stars, "stars")
    if not goal:
        raise ValidationError({"stars": _("请至少选择一颗目标星")})
    note = _text(note, "note", _("创星思路"), low=0)
    application = Application.objects.filter(region=region, standard=standard).first()
    if application is None:
        application = Application(region=region, standard=standard)
    _check(application, AppAction.GOAL, actor)
    application.goal_note = note
    application.save()
    _set_flag(application, goal, "goal")
    _stay(application, AppAction.GOAL, actor=actor, now=now, note=_names(goal))
    return application


@transaction.atomic
def application_task_add(
    *,
    application: Application,
    title: str,
    due_on: dt.date | None,
    star: Star | None = None,
    owner: Resident | None = None,
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Task:
    """台账式推进: one task with its owner and due date."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.TASK_ADD, actor)
    title = _text(title, "title", _("任务"), low=2, high=200)
    if due_on is None:
        raise ValidationError({"due_on": _("请填写完成时限")})
    if star is not None and star.standard_id != application.standard_id:
        raise ValidationError({"star": _("所选的星不属于该标准")})
    if owner is not None and not owner.region.path.startswith(application.region.path):
        raise ValidationError({"owner": _("责任人须是本村（社区）居民")})
    task = Task.objects.create(
        application=application, title=title, due_on=due_on, star=star, owner=owner
    )
    _stay(application, AppAction.TASK_ADD, actor=actor, now=now, note=title, star=star)
    return task


@transaction.atomic
def application_task_done(
    *,
    task: Task,
    done_on: dt.date | None = None,
    note: str = "",
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Task:
    application = task.application
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.TASK_DONE, actor)
    done_on = done_on or timezone.localdate(now)
    if done_on > timezone.localdate(now):
        raise ValidationError({"done_on": _("完成日期不能晚于今天")})
    note = _text(note, "note", _("进展说明"), low=0)
    if (
        Task.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=done_on, note=note)
        == 0
    ):
        raise ValidationError({"task": _("任务“%(title)s”已标记完成") % {"title": task.title}})
    task.done_on, task.note = done_on, note
    _stay(application, AppAction.TASK_DONE, actor=actor, now=now, note=task.title, star=task.star)
    return task


def _checked_file(upload: UploadedFile) -> None:
    name = upload.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = "、".join(sorted({k.upper() for k in EVIDENCE_TYPES} - {"JPEG"}))
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _("附件“%(name)s”的类型不支持：请上传 %(types)s 文件")
                % {"name": name, "types": allowed}
            }
        )
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("附件“%(name)s”超过 %(mb)s MB")
                % {"name": name, "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        raise ValidationError(
            {
                "file": _("附件“%(name)s”的内容与 %(type)s 格式不符")
                % {"name": name, "type": suffix.upper()}
            }
        )


@transaction.atomic
def application_evidence_add(
    *,
    application: Application,
    indicator: Indicator,
    text: str,
    file: UploadedFile | None = None,
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Evidence:
    """佐证材料 for a judged indicator: a text and optionally a file (checked by its content)."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.EVIDENCE, actor)
    if indicator.star.standard_id != application.standard_id or not indicator.judged:
        raise ValidationError({"indicator": _("只有评审指标需要上传佐证材料")})
    text = _text(text, "text", _("佐证说明"), low=2, high=4000)
    if file is not None:
        _checked_file(file)
    evidence = Evidence(application=application, indicator=indicator, text=text, added_by=actor)
    if file is not None:
        evidence.file.save(file.name, file, save=False)
    try:
        evidence.save()
    except Exception:
        if evidence.file:
            evidence.file.delete(save=False)
        raise
    _stay(
        application,
        AppAction.EVIDENCE,
        actor=actor,
        now=now,
        note=indicator.name,
        star=indicator.star,
    )
    return evidence


# --- self-assessment and review ---------------------------------------------------------------


@transaction.atomic
def application_self_assess(
    *,
    application: Application,
    stars: Iterable[Star | int],
    note: str = "",
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Application:
    """村自评: the stars the village claims, on its latest evaluation run, with evidence for every
    judged indicator they need."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.SELF_ASSESS, actor)
    claimed = _stars_of(application.standard, stars, "stars")
    if not claimed:
        raise ValidationError({"stars": _("请至少申报一颗星")})
    note = _text(note, "note", _("自评说明"), low=0)
    run = latest_run_covering(application.region)
    if run is None or run.standard_id != application.standard_id:
        raise ValidationError(_("县里尚未按该标准测评本村，暂不能自评"))
    _stars, by_star = standard_parts(application.standard)
    with_evidence = set(
        Evidence.objects.filter(application=application).values_list("indicator_id", flat=True)
    )
    missing = [
        i for i in judged_indicators(by_star, {s.pk for s in claimed}) if i.pk not in with_evidence
    ]
    if missing:
        raise ValidationError(
            {
                "evidence": [
                    _("评审指标“%(name)s”（%(star)s）还没有佐证材料")
                    % {"name": i.name, "star": next(s.name for s in _stars if s.pk == i.star_id)}
                    for i in missing
                ]
            }
        )
    _move(
        application,
        AppAction.SELF_ASSESS,
        actor=actor,
        now=now,
        note=note or _names(claimed),
        run=run,
    )
    _set_flag(application, claimed, "claimed")
    return application


@transaction.atomic
def application_return(
    *, application: Application, reason: str, actor, scope: Scope, now: dt.datetime | None = None
) -> Application:
    """The township sends the self-assessment back for more work, with the reason."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.RETURN, actor)
    reason = _text(reason, "reason", _("退回原因"), low=2)
    return _move(application, AppAction.RETURN, actor=actor, now=now, note=reason)


@transaction.atomic
def application_review(
    *,
    application: Application,
    judgements: dict[int, tuple[bool, str]],
    recommend: Iterable[Star | int],
    note: str = "",
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Application:
    """乡镇初评: a judgement (met or not, with a note) for every judged indicator of the claimed
    stars and every judged veto indicator, and the stars the township recommends. A star the data
    does not earn cannot be recommended (the message names it and says why)."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.REVIEW, actor)
    recommended = _stars_of(application.standard, recommend, "recommend")
    note = _text(note, "note", _("初评意见"), low=0)
    _stars, by_star = standard_parts(application.standard)
    claimed = set(
        ApplicationStar.objects.filter(application=application, claimed=True).values_list(
            "star_id", flat=True
        )
    )
    needed = judged_indicators(by_star, claimed)
    missing = [i.name for i in needed if i.pk not in judgements]
    if missing:
        raise ValidationError(
            {"judgements": _("请对评审指标作出认定：%(names)s") % {"names": "、".join(missing)}}
        )
    allowed = {i.pk: i for found in by_star.values() for i in found if i.judged}
    for indicator_id, (_met, text) in judgements.items():
        if indicator_id not in allowed:
            raise ValidationError({"judgements": _("只能对评审指标作出认定")})
        _text(text, "judgements", _("评审意见"), low=0)
    errors = []
    outcomes = application_outcomes(application, {k: v[0] for k, v in judgements.items()})
    for star in recommended:
        outcome, reason = outcomes[star.pk]
        if star.pk not in claimed:
            errors.append(_("“%(star)s”村里没有申报，不能推荐") % {"star": star.name})
        elif outcome != Outcome.MET:
            errors.append(
                _("“%(star)s”不能推荐：%(reason)s")
                % {"star": star.name, "reason": reason or Outcome(outcome).label}
            )
    if errors:
        raise ValidationError({"recommend": errors})
    _move(
        application,
        AppAction.REVIEW,
        actor=actor,
        now=now,
        note=note or (_("推荐：%(names)s") % {"names": _names(recommended) or _("无")}),
    )
    for indicator_id, (met, text) in judgements.items():
        Judgement.objects.update_or_create(
            application=application,
            indicator_id=indicator_id,
            defaults={"met": met, "note": text.strip(), "decided_by": actor, "decided_at": now},
        )
    _set_flag(application, recommended, "recommended")
    return application


# --- approval, notice, objections -------------------------------------------------------------


def approval_level(application: Application) -> str:
    """The level the standard names for the recommended star count ("" when none)."""
    n = ApplicationStar.objects.filter(application=application, recommended=True).count()
    return application.standard.approver_for(n) if n else ""


@transaction.atomic
def application_approve(
    *,
    application: Application,
    approval_ref: str = "",
    note: str = "",
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Application:
    """审定: the township's recommendation approved by the level the standard names for that star
    count. A role the standard does not allow is refused, naming the level; so is a second
    approval (the conditional update finds the state moved: "已由他人审定")."""
    scope.require(application.region)
    now = now or timezone.now()
    recommended = list(
        Star.objects.filter(
            pk__in=ApplicationStar.objects.filter(application=application, recommended=True).values(
                "star_id"
            )
        ).order_by("sort")
    )
    n = len(recommended)
    level = application.standard.approver_for(n) if n else ""
    if application.state == AppState.APPROVED or (
        application.state in (AppState.PUBLISHED, AppState.FINAL)
    ):
        raise StaleState(_("已由他人审定"))
    if (application.state, AppAction.APPROVE) not in TRANSITIONS:
        _check(application, AppAction.APPROVE, actor, level=level)
    if n == 0:
        raise ValidationError(_("乡镇没有推荐任何星，无需审定"))
    if not level:
        raise ValidationError(_("标准没有规定 %(n)s 星由哪一级审定，请先修订标准") % {"n": n})
    if not may(AppAction.APPROVE, state=application.state, actor_role=_role(actor), level=level):
        raise PermissionDenied(
            _("%(n)s 星须由%(level)s审定，您的角色不能审定")
            % {"n": n, "level": _level_label(level)}
        )
    approval_ref = (approval_ref or "").strip()
    if level in HIGHER_LEVELS and not approval_ref:
        raise ValidationError(
            {"approval_ref": _("请填写%(level)s的审定文号") % {"level": _level_label(level)}}
        )
    if len(approval_ref) > 60:
        raise ValidationError({"approval_ref": _("审定文号不能超过 60 个字")})
    note = _text(note, "note", _("审定意见"), low=0)
    return _move(
        application,
        AppAction.APPROVE,
        actor=actor,
        now=now,
        note=note
        or (
            _("%(level)s审定 %(n)s 星：%(names)s")
            % {"level": _level_label(level), "n": n, "names": _names(recommended)}
        ),
        stale=_("已由他人审定"),
        approved_stars=n,
        approved_by_level=level,
        approval_ref=approval_ref,
    )


@transaction.atomic
def application_publish(
    *, application: Application, actor, scope: Scope, now: dt.datetime | None = None
) -> Application:
    """公示: the approved stars are awarded and the notice runs for the standard's days."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.PUBLISH, actor, level=application.approved_by_level)
    today = timezone.localdate(now)
    until = today + dt.timedelta(days=application.standard.notice_days)
    _move(
        application,
        AppAction.PUBLISH,
        actor=actor,
        now=now,
        note=_("公示期至 %(d)s") % {"d": f"{until.year}年{until.month}月{until.day}日"},
        notice_from=today,
        notice_until=until,
    )
    ApplicationStar.objects.filter(application=application, recommended=True).update(awarded=True)
    return application


@transaction.atomic
def objection_record(
    *,
    application: Application,
    content: str,
    received_on: dt.date | None = None,
    objector: str = "",
    star: Star | None = None,
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Objection:
    """公示期异议: recorded while the notice runs (anonymous allowed)."""
    scope.require(application.region)
    now = now or timezone.now()
    _check(application, AppAction.OBJECTION, actor)
    content = _text(content, "content", _("异议内容"), low=5, high=4000)
    objector = (objector or "").strip()
    if len(objector) > 40:
        raise ValidationError({"objector": _("异议人不能超过 40 个字")})
    received_on = received_on or timezone.localdate(now)
    if application.notice_from and not (
        application.notice_from <= received_on <= application.notice_until
    ):
        raise ValidationError({"received_on": _("收到日期须在公示期内")})
    if received_on > timezone.localdate(now):
        raise ValidationError({"received_on": _("收到日期不能晚于今天")})
    if (
        star is not None
        and not ApplicationStar.objects.filter(
            application=application, star=star, awarded=True
        ).exists()
    ):
        raise ValidationError({"star": _("“%(star)s”不在公示的星中") % {"star": star.name}})
    objection = Objection.objects.create(
        application=application,
        star=star,
        received_on=received_on,
        objector=objector,
        content=content,
        recorded_by=actor,
    )
    _stay(application, AppAction.OBJECTION, actor=actor, now=now, note=content, star=star)
    return objection


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    upheld: bool,
    note: str,
    actor,
    scope: Scope,
    now: dt.datetime | None = None,
) -> Objection:
    """异议处理. Upheld: the application goes back to 乡镇已初评 with its awards cleared (and the
    star objected to no longer recommended) for a new approval. Rejected: the notice goes on."""
    application = objection.application
    scope.require(application.region)
    now = now or timezone.now()
    action = AppAction.UPHOLD if upheld else AppAction.REJECT
    _check(application, action, actor, level=application.approved_by_level)
    note = _text(note, "note", _("处理意见"), low=2)
    decided = Objection.objects.filter(pk=objection.pk, decision=ObjectionDecision.PENDING).update(
        decision=ObjectionDecision.UPHELD if upheld else ObjectionDecision.REJECTED,
        decision_note=note,
        decided_by=actor,
        decided_at=now,
    )
    if decided == 0:
        raise StaleState(_("该异议已处理"))
    objection.refresh_from_db()
    if not upheld:
        _stay(application, action, actor=actor, now=now, note=note, star=objection.star)
        return objection
    _move(
        application,
        action,
        actor=actor,
        now=now,
        note=note,
        star=objection.star,
        approved_stars=None,
        approved_by_level="",
        approval_ref="",
        notice_from=None,
        notice_until=None,
    )
    rows = ApplicationStar.objects.filter(application=application)
    rows.update(awarded=False)
    if objection.star_id:
        rows.filter(star_id=objection.star_id).update(recommended=False)
        # The stars that need it go with it.
        stars, _by_star = standard_parts(application.standard)
        rows.filter(star__in=_dependants(stars, objection.star)).update(recommended=False)
    # Other objections of this notice are moot: the result is approved and published again.
    Objection.objects.filter(application=application, decision=ObjectionDecision.PENDING).update(
        decision=ObjectionDecision.REJECTED,
        decision_note=_("另一异议成立，申报已退回重新审定"),
        decided_by=actor,
        decided_at=now,
    )
    return objection


def applications_finalise(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """公示期满: every published application whose notice ended before ``today`` and has no
    objection pending becomes final. Idempotent (a periodic job); returns how many moved."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    pending = Objection.objects.filter(
        application=OuterRef("pk"), decision=ObjectionDecision.PENDING
    )
    due = list(
        Application.objects.filter(state=AppState.PUBLISHED, notice_until__lt=today)
        .exclude(Exists(pending))
        .select_related("region")
    )
    moved = 0
    for application in due:
        try:
            with transaction.atomic():
                _move(
                    application,
                    AppAction.FINALISE,
                    actor=None,
                    now=now,
                    note=_("公示期满无异议，予以认定"),
                )
        except StaleState:
            continue
        moved += 1
    return moved


# --- revocation -------------------------------------------------------------------------------


def _dependants(stars: list[Star], star: Star) -> list[Star]:
    """The stars held only with ``star``: those requiring it (transitively) and the capstone."""
    found: list[Star] = []
    frontier = [star.pk]
    while frontier:
        pk = frontier.pop()
        for s in stars:
            if s.pk != star.pk and s not in found and (s.requires_id == pk or s.capstone):
                found.append(s)
                frontier.append(s.pk)
    return found
