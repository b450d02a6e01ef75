"""/api/v1/stars/applications: the JSON twins of the star application pages (创星申报); every action calls the
same service as its page.

Errors are those of /api/v1/orders:

- 422 ``{"detail": [{"field": ..., "message": ...}]}``: the service refused the input (Chinese
  messages; ``field`` null for a message about the whole request, such as a state the action does
  not start from).
- 403 ``{"detail": message}``: the caller's role may not take the action (for 审定, the message
  names the level the standard requires).
- 404: anything outside the caller's scope, exactly like something that does not exist.
- 409 ``{"detail": message}``: someone moved the application first ("已由他人审定").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.errors import ValidationError as Unprocessable

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.api.orders import ErrorOut, FieldErrorsOut, field_errors
from zhenxing.api.star_proposal_out import RevocationProposalOut, proposal_out
from zhenxing.regions.models import Region, Resident
from zhenxing.stars import selectors, services
from zhenxing.stars.models import (
    Application,
    AppState,
    Indicator,
    Objection,
    Star,
    Task,
)
from zhenxing.stars.services.applications import approval_level
from zhenxing.stars.states import AppAction, may

router = Router(tags=["stars"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: FieldErrorsOut}


@contextmanager
def service_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise Unprocessable(field_errors(exc, {})) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or _("您不能执行此操作")) from exc
    except services.StaleState as exc:
        raise HttpError(409, str(exc)) from exc


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest):
    return request.auth  # type: ignore[attr-defined]


def _application(request: HttpRequest, application_id: int) -> Application:
    return get_visible_or_404(
        Application.objects.select_related("region", "standard", "run"),
        _scope(request),
        pk=application_id,
    )


def _pick(request: HttpRequest, app: Application, model, field: str, pk: int | None):
    if pk is None:
        return None
    found = selectors.application_part(app, model, pk, _scope(request))
    if found is None:
        raise Unprocessable([{"field": field, "message": _("所选的项目不存在")}])
    return found


def allowed_actions(application: Application, role: str) -> list[str]:
    state = application.state
    level = (
        approval_level(application)
        if state == AppState.TOWNSHIP_REVIEWED
        else application.approved_by_level
    )
    return [
        a
        for a in AppAction.values
        if may(a, state=state, actor_role=role, level=level) and a != AppAction.FINALISE
    ]


# --- reads ------------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    region_id: int
    region_name: str
    standard_id: int
    state: str
    state_label: str
    approved_stars: int | None
    approved_by_level: str
    approval_ref: str
    notice_from: dt.date | None
    notice_until: dt.date | None


class ApplicationRowOut(ApplicationOut):
    claimed: int
    recommended: int
    held: int
    objections_open: int

    @staticmethod
    def resolve_region_name(obj: Application) -> str:
        return obj.region.name

    @staticmethod
    def resolve_state_label(obj: Application) -> str:
        return obj.get_state_display()


class StarOut(Schema):
    star_id: int
    code: str
    name: str
    goal: bool
    claimed: bool
    recommended: bool
    awarded: bool
    held: bool
    revoked_at: dt.datetime | None
    revoke_reason: str
    outcome: str = Field(description="数据（测评结果加乡镇认定）是否达标")
    reason: str


class TaskOut(Schema):
    id: int
    title: str
    star_id: int | None
    owner_id: int | None
    owner_name: str
    due_on: dt.date
    done_on: dt.date | None
    note: str


class EvidenceOut(Schema):
    id: int
    indicator_id: int
    text: str
    has_file: bool
    added_at: dt.datetime


class JudgementOut(Schema):
    indicator_id: int
    met: bool
    note: str


class ObjectionOut(Schema):
    id: int
    star_id: int | None
    received_on: dt.date
    objector: str
    content: str
    decision: str
    decision_note: str


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    star_id: int | None
    actor: str
    at: dt.datetime
    note: str


class JudgedOnOut(Schema):
    run_id: int
    at: dt.datetime = Field(description="评审所依据的测评的测算时间")


class NewerEvaluationOut(Schema):
    run_id: int
    at: dt.datetime = Field(description="较新测评的测算时间")
    stars: list[list[str]] = Field(description="结果变化的星：[名称, 原结果, 新结果]")
    indicators: list[list[str]] = Field(description="结果变化的指标：[名称, 原结果, 新结果]")


class ApplicationDetailOut(ApplicationOut):
    judged_on: JudgedOnOut | None = Field(description="评审所依据的测评（村自评时选定）")
    newer_evaluation: NewerEvaluationOut | None = Field(
        description="较新的测评与评审所依据的测评不一致时，列出变化的星和指标；一致或没有较新测评时为空"
    )
    proposals: list[RevocationProposalOut] = Field(description="摘星建议，新的在前")
    held: int
    goal_note: str
    stars: list[StarOut]
    tasks: list[TaskOut]
    evidence: list[EvidenceOut]
    judgements: list[JudgementOut]
    objections: list[ObjectionOut]
    events: list[EventOut]
    allowed_actions: list[str]


def _detail(request: HttpRequest, application: Application) -> dict[str, Any]:
    view = selectors.application_view(application)
    run, newer = application.run, view.newer
    return {
        "judged_on": {"run_id": run.pk, "at": run.finished_at} if run else None,
        "newer_evaluation": (
            {
                "run_id": newer.run.pk,
                "at": newer.run.finished_at,
                "stars": [list(s) for s in newer.stars],
                "indicators": [list(i) for i in newer.indicators],
            }
            if newer
            else None
        ),
        "proposals": [proposal_out(p) for p in view.proposals],
        "id": application.pk,
        "region_id": application.region_id,
        "region_name": application.region.name,
        "standard_id": application.standard_id,
        "state": application.state,
        "state_label": application.get_state_display(),
        "approved_stars": application.approved_stars,
        "approved_by_level": application.approved_by_level,
        "approval_ref": application.approval_ref,
        "notice_from": application.notice_from,
        "notice_until": application.notice_until,
        "goal_note": application.goal_note,
        "held": view.held,
        "stars": [
            {
                "star_id": line.star.pk,
                "code": line.star.code,
                "name": line.star.name,
                "goal": bool(line.row and line.row.goal),
                "claimed": bool(line.row and line.row.claimed),
                "recommended": bool(line.row and line.row.recommended),
                "awarded": bool(line.row and line.row.awarded),
                "held": line.held,
                "revoked_at": line.row.revoked_at if line.row else None,
                "revoke_reason": line.row.revoke_reason if line.row else "",
                "outcome": line.outcome,
                "reason": line.reason,
            }
            for line in view.stars
        ],
        "tasks": [
            {
                "id": t.pk,
                "title": t.title,
                "star_id": t.star_id,
                "owner_id": t.owner_id,
                "owner_name": t.owner.name if t.owner else "",
                "due_on": t.due_on,
                "done_on": t.done_on,
                "note": t.note,
            }
            for t in view.tasks
        ],
        "evidence": [
            {
                "id": e.pk,
                "indicator_id": e.indicator_id,
                "text": e.text,
                "has_file": bool(e.file),
                "added_at": e.added_at,
            }
            for line in view.stars
            for i in line.indicators
            for e in i.evidence
        ],
        "judgements": [
            {"indicator_id": j.indicator_id, "met": j.met, "note": j.note}
            for line in view.stars
            for i in line.indicators
            if (j := i.judgement) is not None
        ],
        "objections": [
            {
                "id": o.pk,
                "star_id": o.star_id,
                "received_on": o.received_on,
                "objector": o.objector,
                "content": o.content,
                "decision": o.decision,
                "decision_note": o.decision_note,
            }
            for o in view.objections
        ],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "star_id": e.star_id,
                "actor": e.actor_label,
                "at": e.at,
                "note": e.note,
            }
            for e in view.events
        ],
        "allowed_actions": allowed_actions(application, getattr(_actor(request), "role", "")),
    }


class ApplicationFilter(Schema):
    state: AppState | None = None
    region: int | None = Field(None, description="只列出该区域（含下级）的申报")


@router.get("", response=list[ApplicationRowOut], summary="当前标准下可见的创星申报")
def application_list(request: HttpRequest, filters: Query[ApplicationFilter]) -> Any:
    scope = _scope(request)
    standard = selectors.current_standard()
    if standard is None:
        return []
    region = get_visible_or_404(Region, scope, pk=filters.region) if filters.region else None
    return selectors.application_list(scope, standard, state=filters.state or "", region=region)


@router.get(
    "/{int:application_id}",
    response={200: ApplicationDetailOut, 404: ErrorOut},
    summary="申报详情：各星、任务、佐证、认定、异议、记录与调用者可执行的动作",
)
def application_detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _detail(request, _application(request, application_id))


# --- actions ----------------------------------------------------------------------------------


class GoalIn(Schema):
    star_ids: list[int]
    note: str = ""


@router.post(
    "/regions/{int:region_id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="制定或修改创星目标（首次即建立申报）",
)
def application_goal(request: HttpRequest, region_id: int, payload: GoalIn) -> Any:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    standard = selectors.current_standard()
    if standard is None:
        raise HttpError(422, _("尚未导入创星标准"))
    with service_errors():
        application = services.application_goal_set(
            region=region,
            standard=standard,
            stars=payload.star_ids,
            note=payload.note,
            actor=_actor(request),
            scope=scope,
        )
    return _detail(request, _application(request, application.pk))


class TaskIn(Schema):
    title: str
    due_on: dt.date
    star_id: int | None = None
    owner_id: int | None = None


@router.post(
    "/{int:application_id}/tasks",
    response={201: TaskOut, **ERRORS},
    summary="添加任务（台账式推进）",
)
def task_add(request: HttpRequest, application_id: int, payload: TaskIn) -> Status[dict]:
    app = _application(request, application_id)
    star = _pick(request, app, Star, "star_id", payload.star_id)
    owner = _pick(request, app, Resident, "owner_id", payload.owner_id)
    with service_errors():
        task = services.application_task_add(
            application=app,
            title=payload.title,
            due_on=payload.due_on,
            star=star,
            owner=owner,
            actor=_actor(request),
            scope=_scope(request),
        )
    return Status(201, _task(task))


def _task(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "star_id": task.star_id,
        "owner_id": task.owner_id,
        "owner_name": task.owner.name if task.owner else "",
        "due_on": task.due_on,
        "done_on": task.done_on,
        "note": task.note,
    }


class TaskDoneIn(Schema):
    task_id: int
    note: str = ""


@router.post(
    "/{int:application_id}/tasks/done",
    response={200: TaskOut, **ERRORS},
    summary="标记任务完成",
)
def task_done(request: HttpRequest, application_id: int, payload: TaskDoneIn) -> dict:
    app = _application(request, application_id)
    task = _pick(request, app, Task, "task_id", payload.task_id)
    with service_errors():
        task = services.application_task_done(
            task=task, note=payload.note, actor=_actor(request), scope=_scope(request)
        )
    return _task(task)


@router.post(
    "/{int:application_id}/evidence",
    response={201: EvidenceOut, **ERRORS},
    summary="上传评审指标的佐证材料（表单：indicator_id、text，可附 file）",
)
def evidence_add(
    request: HttpRequest,
    application_id: int,
    indicator_id: Form[int],
    text: Form[str],
    file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[dict]:
    app = _application(request, application_id)
    indicator = _pick(request, app, Indicator, "indicator_id", indicator_id)
    with service_errors():
        evidence = services.application_evidence_add(
            application=app,
            indicator=indicator,
            text=text,
            file=file,
            actor=_actor(request),
            scope=_scope(request),
        )
    return Status(
        201,
        {
            "id": evidence.pk,
            "indicator_id": evidence.indicator_id,
            "text": evidence.text,
            "has_file": bool(evidence.file),
            "added_at": evidence.added_at,
        },
    )


class StarsIn(Schema):
    star_ids: list[int]
    note: str = ""


@router.post(
    "/{int:application_id}/self-assess",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="村自评申报",
)
def self_assess(request: HttpRequest, application_id: int, payload: StarsIn) -> Any:
    app = _application(request, application_id)
    with service_errors():
        services.application_self_assess(
            application=app,
            stars=payload.star_ids,
            note=payload.note,
            actor=_actor(request),
            scope=_scope(request),
        )
    return _detail(request, app)


class ReasonIn(Schema):
    reason: str


@router.post(
    "/{int:application_id}/return",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="乡镇退回修改",
)
def return_(request: HttpRequest, application_id: int, payload: ReasonIn) -> Any:
    app = _application(request, application_id)
    with service_errors():
        services.application_return(
            application=app, reason=payload.reason, actor=_actor(request), scope=_scope(request)
        )
    return _detail(request, app)


class JudgementIn(Schema):
    indicator_id: int
    met: bool
    note: str = ""


class ReviewIn(Schema):
    judgements: list[JudgementIn]
    recommend_star_ids: list[int]
    note: str = ""


@router.post(
    "/{int:application_id}/review",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="乡镇初评：认定评审指标并推荐星",
)
def review(request: HttpRequest, application_id: int, payload: ReviewIn) -> Any:
    app = _application(request, application_id)
    with service_errors():
        services.application_review(
            application=app,
            judgements={j.indicator_id: (j.met, j.note) for j in payload.judgements},
            recommend=payload.recommend_star_ids,
            note=payload.note,
            actor=_actor(request),
            scope=_scope(request),
        )
    return _detail(request, app)


class ApproveIn(Schema):
    approval_ref: str = Field("", description="市、省审定时必填：其审定文号")
    note: str = ""


@router.post(
    "/{int:application_id}/approve",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="按标准规定的层级审定",
)
def approve(request: HttpRequest, application_id: int, payload: ApproveIn) -> Any:
    app = _application(request, application_id)
    with service_errors():
        services.application_approve(
            application=app,
            approval_ref=payload.approval_ref,
            note=payload.note,
            actor=_actor(request),
            scope=_scope(request),
        )
    return _detail(request, app)


@router.post(
    "/{int:application_id}/publish",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="公示（按标准的公示天数）",
)
def publish(request: HttpRequest, application_id: int) -> Any:
    app = _application(request, application_id)
    with service_errors():
        services.application_publish(application=app, actor=_actor(request), scope=_scope(request))
    return _detail(request, app)


class ObjectionIn(Schema):
    content: str
    received_on: dt.date | None = None
    objector: str = ""
    star_id: int | None = None


@router.post(
    "/{int:application_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    summary="登记公示期异议",
)
def objection_add(request: HttpRequest, application_id: int, payload: ObjectionIn) -> Any:
    app = _application(request, application_id)
    star = _pick(request, app, Star, "star_id", payload.star_id)
    with service_errors():
        o = services.objection_record(
            application=app,
            content=payload.content,
            received_on=payload.received_on,
            objector=payload.objector,
            star=star,
            actor=_actor(request),
            scope=_scope(request),
        )
    return Status(201, _objection(o))


def _objection(o: Objection) -> dict[str, Any]:
    return {
        "id": o.pk,
        "star_id": o.star_id,
        "received_on": o.received_on,
        "objector": o.objector,
        "content": o.content,
        "decision": o.decision,
        "decision_note": o.decision_note,
    }


class DecideIn(Schema):
    objection_id: int
    decision: Literal["upheld", "rejected"]
    note: str


@router.post(
    "/{int:application_id}/objections/decide",
    response={200: ObjectionOut, **ERRORS},
    summary="处理异议：成立则退回重新审定",
)
def objection_decide(request: HttpRequest, application_id: int, payload: DecideIn) -> Any:
    app = _application(request, application_id)
    objection = _pick(request, app, Objection, "objection_id", payload.objection_id)
    with service_errors():
        o = services.objection_decide(
            objection=objection,
            upheld=payload.decision == "upheld",
            note=payload.note,
            actor=_actor(request),
            scope=_scope(request),
        )
    return _objection(o)


class RevokeIn(Schema):
    veto_indicator_id: int = Field(
        description="一票否决事项：按其范围摘星（本星及须先获得它的星，或全部）"
    )
    star_id: int | None = Field(None, description="核对：须在所摘的星之中（可不填）")
    reason: str


class RevokedOut(Schema):
    revoked_star_ids: list[int]
    held: int


@router.post(
    "/{int:application_id}/revoke",
    response={200: RevokedOut, **ERRORS},
    summary="摘星：按一票否决事项的范围，与测评、审定同一规则",
)
def revoke(request: HttpRequest, application_id: int, payload: RevokeIn) -> Any:
    app = _application(request, application_id)
    star = _pick(request, app, Star, "star_id", payload.star_id)
    veto = _pick(request, app, Indicator, "veto_indicator_id", payload.veto_indicator_id)
    with service_errors():
        revoked = services.application_revoke(
            application=app,
            star=star,
            veto=veto,
            reason=payload.reason,
            actor=_actor(request),
            scope=_scope(request),
        )
    return {"revoked_star_ids": [s.pk for s in revoked], "held": selectors.held_count(app)}
