"""三零 pages: the incidents with their add form, each village's derived 三零 status for the
period, an incident with its history and corrections, and the export."""

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

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import (
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.incidents import Incident, IncidentKind
from zhenxing.ledgers.selectors import incidents as selectors
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.ledgers.services import incidents as services
from zhenxing.regions.models import Region
from zhenxing.web.ledgers import common

FIELDS = ("kind", "occurred_on", "summary", "deaths", "injuries", "reference")


class IncidentFields(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=IncidentKind.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(label=gettext_lazy("发生日期"), widget=common.DateInput())
    summary = forms.CharField(
        label=gettext_lazy("简要情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    deaths = forms.IntegerField(
        label=gettext_lazy("死亡人数"), min_value=0, initial=0, required=False
    )
    injuries = forms.IntegerField(
        label=gettext_lazy("受伤人数"),
        min_value=0,
        initial=0,
        required=False,
        help_text=gettext_lazy("伤亡事故必填"),
    )
    reference = forms.CharField(label=gettext_lazy("案号/文号"), required=False, max_length=60)


class IncidentForm(IncidentFields):
    village = forms.ModelChoiceField(
        label=gettext_lazy("村（社区）"), queryset=Region.objects.none()
    )
    field_order = ["village", "kind", "occurred_on", "summary", "deaths", "injuries", "reference"]

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(scope).order_by("path")


class IncidentCorrectForm(common.CorrectionReason, IncidentFields):
    field_order = ["kind", "occurred_on", "summary", "deaths", "injuries", "reference", "reason"]


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in IncidentKind.values else ""
    form = None
    if common.writes(request):
        initial = {
            "village": village.pk if village else None,
            "kind": kind or IncidentKind.PETITION,
        }
        form = IncidentForm(scope, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            incident = common.attempt(
                form,
                lambda: services.incident_record(
                    scope=scope,
                    village=data["village"],
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    summary=data["summary"],
                    deaths=data["deaths"],
                    injuries=data["injuries"],
                    reference=data["reference"],
                    actor=request.user,
                ),
            )
            if incident is not None:
                messages.success(request, _("已登记%(k)s") % {"k": incident.get_kind_display()})
                return redirect("ledgers_incident", incident_id=incident.pk)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "kind": kind,
        "kinds": IncidentKind.choices,
        "page": common.page(
            request, selectors.incidents(scope, period=period, village=village, kind=kind)
        ),
        "form": form,
        **selectors.status_rows(scope, period, village),
    }
    return render(request, "ledgers/incidents/list.html", context)


def _facts(e: Incident) -> list[tuple[str, Any]]:
    return [
        (_("类别"), e.get_kind_display()),
        (_("发生日期"), common.fmt_day(e.occurred_on)),
        (_("简要情况"), e.summary),
        (_("死亡人数"), e.deaths or ""),
        (_("受伤人数"), e.injuries or ""),
        (_("案号/文号"), e.reference),
        (_("已作废"), _("是") if e.voided else ""),
    ]


@login_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    incident = get_visible_or_404(
        Incident.objects.select_related("village", "recorded_by"), scope, pk=incident_id
    )
    current = common.is_current(incident)
    action = common.action_of(request)
    initial = {name: getattr(incident, name) for name in FIELDS}
    correct = IncidentCorrectForm(common.posted(request, action, "correct"), initial=initial)
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        record = partial(
            services.incident_correct, scope=scope, incident=incident, actor=request.user
        )
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: record(reason=data["reason"], **{n: data[n] for n in FIELDS}),
            lambda reason: record(reason=reason, voided=True),
        )
        if new is not None:
            return common.to_version(request, "ledgers_incident", new)
    context = common.entry_context(
        request, incident, current, _facts, "ledgers_incident", correct=correct, void=void
    )
    return render(request, "ledgers/incidents/detail.html", context)


@login_required
def incident_export(request: HttpRequest) -> HttpResponse:
    _form, period, village = common.filters(request)
    sheets, where = selectors.export_sheets(common.scope_of(request), period, village)
    return common.download(export_bytes(*sheets), export_filename(where, _("三零"), period.key))


def index_figures(villages: Any, period: Period) -> list[tuple[str, str]]:
    """The line of figures on the ledgers index: villages meeting 三零, and incidents."""
    status = selectors.three_zeros(villages, period)
    ok = sum(1 for s in status.values() if s.ok)
    events = sum(s.petitions + s.accidents + s.criminal_cases for s in status.values())
    return [
        (_("三零达标"), f"{ok}/{len(status)}"),
        (_("事件"), str(events)),
    ]
