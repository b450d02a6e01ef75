"""The star application pages (创星申报): the applications by state, a village's application (goal,
tasks, evidence, self-assessment, timeline: phone first, for the village secretary), and the
township's review, the county's approval, notice, objections and revocation on the same page,
each shown to the role ``stars.states.may`` allows.

Every action is a POST to its own URL calling one service. Done: back to the application's page
(post/redirect/get). Refused: nothing written, and the page is rendered again at once with the
refusal's messages and the refused form filled with what was posted (``posted``,
``posted_action``, ``posted_row`` for the ``kept`` template tags), so nothing typed is lost.
Reads go through ``stars.selectors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.regions.models import VILLAGE_LEVELS, Region, Resident
from zhenxing.stars import selectors, services
from zhenxing.stars.models import (
    Application,
    AppState,
    Evidence,
    Indicator,
    Objection,
    RevocationProposal,
    Star,
    Task,
)
from zhenxing.stars.services.applications import EVIDENCE_TYPES, approval_level
from zhenxing.stars.states import HIGHER_LEVELS, AppAction, may


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _role(request: HttpRequest) -> str:
    return getattr(request.user, "role", "") or ""


def _application(request: HttpRequest, application_id: int) -> Application:
    return get_visible_or_404(
        Application.objects.select_related("region", "standard", "run"),
        _scope(request),
        pk=application_id,
    )


# --- pages ------------------------------------------------------------------------------------


@login_required
@require_safe
def applications_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    region = home_region(scope)
    if region.level in VILLAGE_LEVELS:
        return redirect("star_application_region", region_id=region.pk)
    standard = selectors.current_standard()
    state = request.GET.get("state", "")
    if state not in AppState.values:
        state = ""
    context = {"region": region, "standard": standard, "state": state}
    if standard is not None:
        counts = selectors.state_counts(scope, standard)
        rows, townships = selectors.application_rows(scope, standard, region, state=state)
        context |= {
            "tabs": [(s, AppState(s).label, counts[s]) for s in AppState.values],
            "total": sum(counts.values()),
            "applications": rows,
            "show_township": townships > 1,
        }
    return render(request, "stars/application/list.html", context)


@login_required
def application_region(request: HttpRequest, region_id: int) -> HttpResponse:
    """A village's application for the current standard; before there is one, its goal form."""
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    standard = selectors.current_standard()
    if region.level not in VILLAGE_LEVELS or standard is None:
        return redirect("stars_region", region_id=region.pk)
    application = selectors.application_for(region, standard)
    if application is not None:
        return redirect("star_application", application_id=application.pk)
    if request.method == "POST":
        try:
            application = services.application_goal_set(
                region=region,
                standard=standard,
                stars=_ids(request, "stars"),
                note=request.POST.get("note", ""),
                actor=request.user,
                scope=scope,
            )
        except (ValidationError, PermissionDenied) as error:
            refusal = _refused(request, error)
            posted = request.POST  # what was typed stays: the form again, filled in
        else:
            messages.success(request, _("已制定创星目标"))
            return redirect("star_application", application_id=application.pk)
    else:
        posted, refusal = None, []
    return render(
        request,
        "stars/application/new.html",
        {
            "region": region,
            "standard": standard,
            "stars": list(standard.stars.order_by("sort")),
            "may_plan": may(AppAction.GOAL, state=AppState.DRAFT, actor_role=_role(request)),
            **_kept(posted, "goal", refusal),
        },
    )


@login_required
@require_safe
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    return _detail_page(request, _application(request, application_id))


# The field naming the row of a form repeated on every row (a task, an indicator, an objection).
ROW_FIELDS = {
    "task_done": "task",
    "evidence": "indicator",
    "decide": "objection",
    "proposal": "proposal",
}


def _kept(posted: QueryDict | None, action: str, refusal: list[str]) -> dict:
    """The context the ``kept`` template tags read: the refused POST, which form (and row) sent
    it, and why it was refused."""
    if posted is None:
        return {"posted": None, "posted_action": "", "posted_row": "", "refusal": []}
    return {
        "posted": posted,
        "posted_action": action,
        "posted_row": posted.get(ROW_FIELDS.get(action, ""), ""),
        "refusal": refusal,
    }


def _detail_page(
    request: HttpRequest,
    application: Application,
    *,
    posted: QueryDict | None = None,
    posted_action: str = "",
    refusal: list[str] | None = None,
) -> HttpResponse:
    """The application's page; after a refusal, with the refused form filled with ``posted`` and
    the ``refusal`` messages repeated at its top."""
    view = selectors.application_view(application)
    role, state = _role(request), application.state
    level = approval_level(application) if state == AppState.TOWNSHIP_REVIEWED else ""
    done_level = application.approved_by_level

    def can(action: str, lvl: str = "") -> bool:
        return may(action, state=state, actor_role=role, level=lvl)

    held = [s for s in view.stars if s.held]
    context = {
        "application": application,
        "region": application.region,
        "standard": application.standard,
        "view": view,
        "held": held,
        "can": {
            "goal": can(AppAction.GOAL),
            "task": can(AppAction.TASK_ADD),
            "task_done": can(AppAction.TASK_DONE),
            "evidence": can(AppAction.EVIDENCE),
            "self_assess": can(AppAction.SELF_ASSESS),
            "return": can(AppAction.RETURN),
            "review": can(AppAction.REVIEW),
            "approve": can(AppAction.APPROVE, level),
            "publish": can(AppAction.PUBLISH, done_level),
            "objection": can(AppAction.OBJECTION),
            "decide": can(AppAction.UPHOLD, done_level),
            "revoke": can(AppAction.REVOKE),
            "propose": can(AppAction.PROPOSE) or can(AppAction.OBJECTION),
            "proposal": can(AppAction.DISMISS),
        },
        "approve_level": level,
        "approve_needs_ref": level in HIGHER_LEVELS,
        "recommended_count": len(view.recommended),
        "owners": selectors.task_owners(application.region),
        "vetoes": [
            i for line in view.stars for i in (x.indicator for x in line.indicators) if i.veto
        ],
        "file_types": ", ".join(f".{t}" for t in EVIDENCE_TYPES),
        "today": timezone.localdate(),
        "review_lines": view.judged_lines(claimed_only=True),
        **_kept(posted, posted_action, refusal or []),
    }
    return render(request, "stars/application/detail.html", context)


@login_required
@require_safe
def application_evidence_file(
    request: HttpRequest, application_id: int, evidence_id: int
) -> HttpResponse:
    application = _application(request, application_id)
    evidence = get_visible_or_404(
        Evidence.objects.filter(application=application), _scope(request), pk=evidence_id
    )
    if not evidence.file:  # a text without a file: its place on the application's page
        return redirect("star_application", application_id=application.pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("未找到")) from exc
    suffix = evidence.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        handle,
        as_attachment=suffix in ("docx", "xlsx"),
        filename=f"evidence-{evidence.pk}.{suffix}",
    )


# --- actions ----------------------------------------------------------------------------------


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if v.isdigit()]


def _date(request: HttpRequest, name: str, label: str) -> dt.date | None:
    value = request.POST.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: _("%(label)s的日期格式不对") % {"label": label}}) from exc


def _one(model, request: HttpRequest, name: str, app: Application):
    """An object the form names by id, among those the action on ``app`` may name (none: None)."""
    value = request.POST.get(name, "")
    if not value.isdigit():
        return None
    found = selectors.application_part(app, model, int(value), _scope(request))
    if found is None:
        raise ValidationError({name: _("所选的项目不存在")})
    return found


def _refused(request: HttpRequest, error: Exception) -> list[str]:
    """Say why on the page (a message each); returns them for the refused form to repeat."""
    said = (
        list(error.messages)
        if isinstance(error, ValidationError)
        else [str(error) or _("您不能执行此操作")]
    )
    if request.FILES and said:  # a browser cannot be given a file back: say so
        said[-1] = _("%(message)s，请重新选择附件") % {"message": said[-1]}
    for message in said:
        messages.error(request, message)
    return said


def _goal(request, app, actor, scope):
    services.application_goal_set(
        region=app.region,
        standard=app.standard,
        stars=_ids(request, "stars"),
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    return _("已更新创星目标")


def _task(request, app, actor, scope):
    services.application_task_add(
        application=app,
        title=request.POST.get("title", ""),
        due_on=_date(request, "due_on", _("完成时限")),
        star=_one(Star, request, "star", app),
        owner=_one(Resident, request, "owner", app),
        actor=actor,
        scope=scope,
    )
    return _("已添加任务")


def _task_done(request, app, actor, scope):
    task = _one(Task, request, "task", app)
    if task is None:
        raise ValidationError({"task": _("请选择任务")})
    services.application_task_done(
        task=task, note=request.POST.get("note", ""), actor=actor, scope=scope
    )
    return _("任务“%(title)s”已完成") % {"title": task.title}


def _evidence(request, app, actor, scope):
    indicator = _one(Indicator, request, "indicator", app)
    if indicator is None:
        raise ValidationError({"indicator": _("请选择评审指标")})
    services.application_evidence_add(
        application=app,
        indicator=indicator,
        text=request.POST.get("text", ""),
        file=request.FILES.get("file"),
        actor=actor,
        scope=scope,
    )
    return _("已上传“%(name)s”的佐证材料") % {"name": indicator.name}


def _self_assess(request, app, actor, scope):
    services.application_self_assess(
        application=app,
        stars=_ids(request, "stars"),
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    return _("已提交自评，等待乡镇初评")


def _return(request, app, actor, scope):
    services.application_return(
        application=app, reason=request.POST.get("reason", ""), actor=actor, scope=scope
    )
    return _("已退回村里修改")


def _review(request, app, actor, scope):
    judgements = {}
    for key, value in request.POST.items():
        if key.startswith("met_") and key[4:].isdigit() and value in ("1", "0"):
            indicator_id = int(key[4:])
            judgements[indicator_id] = (value == "1", request.POST.get(f"note_{indicator_id}", ""))
    services.application_review(
        application=app,
        judgements=judgements,
        recommend=_ids(request, "recommend"),
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    return _("已完成乡镇初评")


def _approve(request, app, actor, scope):
    services.application_approve(
        application=app,
        approval_ref=request.POST.get("approval_ref", ""),
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    return _("已审定")


def _publish(request, app, actor, scope):
    services.application_publish(application=app, actor=actor, scope=scope)
    return _("已公示")


def _objection(request, app, actor, scope):
    services.objection_record(
        application=app,
        star=_one(Star, request, "star", app),
        received_on=_date(request, "received_on", _("收到日期")),
        objector=request.POST.get("objector", ""),
        content=request.POST.get("content", ""),
        actor=actor,
        scope=scope,
    )
    return _("已登记异议")


def _decide(request, app, actor, scope):
    objection = _one(Objection, request, "objection", app)
    decision = request.POST.get("decision", "")
    if objection is None or decision not in ("upheld", "rejected"):
        raise ValidationError({"decision": _("请选择异议及处理结果")})
    services.objection_decide(
        objection=objection,
        upheld=decision == "upheld",
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    return _("异议成立，申报退回重新审定") if decision == "upheld" else _("异议不成立，公示继续")


def _revoke(request, app, actor, scope):
    star = _one(Star, request, "star", app)  # optional: the veto decides what goes
    veto = _one(Indicator, request, "veto", app)
    if veto is None:
        raise ValidationError({"veto": _("请选择引起摘星的一票否决事项")})
    revoked = services.application_revoke(
        application=app,
        star=star,
        veto=veto,
        reason=request.POST.get("reason", ""),
        actor=actor,
        scope=scope,
    )
    return _("已摘除：%(names)s") % {"names": "、".join(s.name for s in revoked)}


def _propose(request, app, actor, scope):
    veto = _one(Indicator, request, "veto", app)
    if veto is None:
        raise ValidationError({"veto": _("请选择事件所涉的一票否决事项")})
    proposal = services.revocation_propose(
        application=app,
        veto=veto,
        event=request.POST.get("event", ""),
        reference=request.POST.get("reference", ""),
        actor=actor,
        scope=scope,
    )
    if proposal.objection_id:
        return _("公示期内：已作为异议登记，待处理")
    return _("已提出摘星建议，待县委组织部决定")


def _proposal(request, app, actor, scope):
    proposal = _one(RevocationProposal, request, "proposal", app)
    decision = request.POST.get("decision", "")
    if proposal is None or decision not in ("revoke", "dismiss"):
        raise ValidationError({"decision": _("请选择摘星建议及处理结果")})
    revoked = services.revocation_decide(
        proposal=proposal,
        revoke=decision == "revoke",
        note=request.POST.get("note", ""),
        actor=actor,
        scope=scope,
    )
    if not revoked:
        return _("已决定不予摘星")
    return _("已摘除：%(names)s") % {"names": "、".join(s.name for s in revoked)}


ACTIONS: dict[str, Callable] = {
    "goal": _goal,
    "task": _task,
    "task_done": _task_done,
    "evidence": _evidence,
    "self_assess": _self_assess,
    "return": _return,
    "review": _review,
    "approve": _approve,
    "publish": _publish,
    "objection": _objection,
    "decide": _decide,
    "revoke": _revoke,
    "propose": _propose,
    "proposal": _proposal,
}


def act(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST view of one action: run its service; done: say so and back to the page; refused:
    say why on the page rendered again, the form filled with what was posted."""
    run = ACTIONS[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, application_id: int) -> HttpResponse:
        application = _application(request, application_id)
        try:
            done = run(request, application, request.user, _scope(request))
        except (ValidationError, PermissionDenied, services.StaleState) as error:
            refusal = _refused(request, error)
            return _detail_page(
                request,
                _application(request, application_id),  # as stored: nothing was written
                posted=request.POST,
                posted_action=name,
                refusal=refusal,
            )
        messages.success(request, done)
        return redirect("star_application", application_id=application.pk)

    view.__name__ = f"application_{name}"
    return view
