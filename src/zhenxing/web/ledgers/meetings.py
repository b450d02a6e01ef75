"""组织生活 pages: the meeting list with its add form, a meeting with its history and corrections,
the compliance view (held against required, attendance) per branch and period, and the export."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import (
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.meetings import MeetingKind, OrgMeeting
from zhenxing.ledgers.selectors import meetings as selectors
from zhenxing.ledgers.services import meetings as services
from zhenxing.regions.models import MemberStatus, PartyMember, PartyOrganization, Region
from zhenxing.web.ledgers import common
from zhenxing.web.order_forms import PhotosField


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


class MeetingFields(forms.Form):
    kind = forms.ModelChoiceField(
        label=gettext_lazy("会议类型"), queryset=MeetingKind.objects.filter(active=True)
    )
    held_on = forms.DateField(label=gettext_lazy("召开日期"), widget=common.DateInput())
    topic = forms.CharField(label=gettext_lazy("会议主题"), max_length=120)
    minutes = forms.CharField(
        label=gettext_lazy("会议记录"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Any member in scope may be posted: the service names those not of the branch and refuses.
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("参会党员"), queryset=PartyMember.objects.none(), required=False
    )

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = visible(PartyMember.objects.all(), scope)


class MeetingForm(MeetingFields):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("党组织"), queryset=PartyOrganization.objects.none()
    )
    photos = PhotosField(label=gettext_lazy("照片"), help_text=gettext_lazy("可选，最多 3 张"))

    field_order = ["organization", "kind", "held_on", "topic", "minutes", "photos"]

    def __init__(self, scope: Scope, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(scope, *args, **kwargs)
        branches = selectors.branches_visible(scope, village)
        self.fields["organization"].queryset = branches
        only = list(branches[:2])
        if len(only) == 1:  # the usual case: one branch in the village, chosen already
            self.fields["organization"].initial = only[0].pk
            self.fields["organization"].empty_label = None


class MeetingCorrectForm(common.CorrectionReason, MeetingFields):
    field_order = ["kind", "held_on", "topic", "minutes", "reason"]


def candidates(scope: Scope, organizations: Any) -> list[PartyMember]:
    """Members in good standing of the given branches, to tick as attendees."""
    return list(
        visible(PartyMember.objects.filter(status=MemberStatus.ACTIVE), scope)
        .filter(organization__in=organizations)
        .select_related("person", "organization")
        .order_by("organization_id", "person__name", "pk")
    )


def ticked(form: forms.Form, default: Any = ()) -> set[int]:
    if form.is_bound:
        return {int(v) for v in form.data.getlist("attendees") if str(v).isdigit()}
    return {m.pk for m in default}


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    kind = request.GET.get("kind", "")
    kind_id = int(kind) if kind.isdigit() else None
    form = None
    if common.writes(request) and village is not None:
        form = MeetingForm(scope, village, request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            meeting = common.attempt(
                form,
                lambda: services.org_meeting_record(
                    scope=scope,
                    organization=data["organization"],
                    kind=data["kind"],
                    held_on=data["held_on"],
                    topic=data["topic"],
                    minutes=data["minutes"],
                    attendees=list(data["attendees"]),
                    photos=data["photos"],
                    actor=request.user,
                ),
            )
            if meeting is not None:
                messages.success(request, _("已记录%(kind)s") % {"kind": meeting.kind})
                return redirect("ledgers_meeting", org_meeting_id=meeting.pk)
    rows = selectors.org_meetings(scope, period=period, village=village, kind_id=kind_id)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "kind_id": kind_id,
        "kinds": MeetingKind.objects.all(),
        "page": common.page(request, rows),
        "form": form,
        "writes": common.writes(request),
    }
    if form is not None:
        context["candidates"] = candidates(scope, form.fields["organization"].queryset)
        context["ticked"] = ticked(form)
    return render(request, "ledgers/meetings/list.html", context)


def _facts(e: OrgMeeting) -> list[tuple[str, Any]]:
    names = "、".join(m.person.name for m in e.attendees.select_related("person").order_by("pk"))
    return [
        (_("会议类型"), str(e.kind)),
        (_("召开日期"), common.fmt_day(e.held_on)),
        (_("会议主题"), e.topic),
        (_("参会党员"), names),
        (_("会议记录"), e.minutes),
        (_("已作废"), _("是") if e.voided else ""),
    ]


@login_required
def meeting_detail(request: HttpRequest, org_meeting_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    meeting = get_visible_or_404(
        OrgMeeting.objects.select_related("organization__region", "kind", "recorded_by"),
        scope,
        pk=org_meeting_id,
    )
    current = common.is_current(meeting)
    attendees = list(meeting.attendees.select_related("person").order_by("person__name"))
    action = common.action_of(request)
    initial = {
        "kind": meeting.kind_id,
        "held_on": meeting.held_on,
        "topic": meeting.topic,
        "minutes": meeting.minutes,
    }
    correct = MeetingCorrectForm(scope, common.posted(request, action, "correct"), initial=initial)
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        record = partial(
            services.org_meeting_correct, scope=scope, meeting=meeting, actor=request.user
        )
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: record(
                reason=data["reason"],
                kind=data["kind"],
                held_on=data["held_on"],
                topic=data["topic"],
                minutes=data["minutes"],
                attendees=list(data["attendees"]),
            ),
            lambda reason: record(reason=reason, voided=True),
        )
        if new is not None:
            return common.to_version(request, "ledgers_meeting", new)
    context = common.entry_context(
        request,
        meeting,
        current,
        _facts,
        "ledgers_meeting",
        attendees=attendees,
        members=meeting.organization.members.filter(status=MemberStatus.ACTIVE).count(),
        photos=list(meeting.photos.all()),
        correct=correct,
        void=void,
        candidates=candidates(scope, [meeting.organization_id]),
        ticked=ticked(correct, attendees),
    )
    return render(request, "ledgers/meetings/detail.html", context)


@login_required
def meeting_compliance(request: HttpRequest) -> HttpResponse:
    filter_form, period, village = common.filters(request)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        **selectors.compliance_rows(common.scope_of(request), period, village),
    }
    return render(request, "ledgers/meetings/compliance.html", context)


@login_required
def meeting_export(request: HttpRequest) -> HttpResponse:
    _form, period, village = common.filters(request)
    where = village.name if village else _("辖区")
    content = export_bytes(
        *selectors.export_sheets(common.scope_of(request), period, village, where)
    )
    return common.download(content, export_filename(where, _("组织生活"), period.key))


def index_figures(villages: Any, period: Period) -> list[tuple[str, str]]:
    """The line of figures on the ledgers index: compliance and attendance over the villages."""
    figures = selectors.branch_figures(villages, period)
    met = sum(b.met for b in figures.values())
    required = sum(b.required for b in figures.values())
    slots = sum(b.attendees for b in figures.values())
    seats = sum(b.expected * b.members for b in figures.values())
    return [
        (_("会议"), str(sum(b.held for b in figures.values()))),
        (_("达标率"), pct(round(100 * met / required, 1) if required else None)),
        (_("参会率"), pct(round(100 * slots / seats, 1) if seats else None)),
    ]
