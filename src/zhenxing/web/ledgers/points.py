"""党员积分 and 承诺践诺 pages: entries with the add form, an entry with its history, balances and
rankings with the follow-up list, pledges, the Excel export, and the rule table (county)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404
from zhenxing.ledgers.exports import (
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.points import CapPeriod, Pledge, PledgeStatus, PointsEntry, PointsRule
from zhenxing.ledgers.selectors import points as selectors
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.ledgers.services import points as services
from zhenxing.regions.models import PartyMember, Region
from zhenxing.web.ledgers import common
from zhenxing.web.order_forms import PhotosField


class PointsForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("党员"), queryset=PartyMember.objects.none())
    rule = forms.ModelChoiceField(
        label=gettext_lazy("积分项目"), queryset=PointsRule.objects.none()
    )
    occurred_on = forms.DateField(label=gettext_lazy("发生日期"), widget=common.DateInput())
    points = forms.IntegerField(
        label=gettext_lazy("分值"),
        required=False,
        help_text=gettext_lazy("留空按规则分值；扣分项填负数"),
    )
    note = forms.CharField(label=gettext_lazy("事由"), max_length=200)
    evidence = forms.CharField(label=gettext_lazy("佐证说明"), required=False, max_length=200)
    photos = PhotosField(label=gettext_lazy("佐证照片"), help_text=gettext_lazy("可选，最多 3 张"))

    def __init__(self, scope: Scope, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_in(scope, village)
        self.fields["rule"].queryset = selectors.rules()
        self.fields["rule"].label_from_instance = lambda r: (
            f"{r.name}（{r.points:+d}，{r.get_cap_period_display()}封顶{r.cap}）"
        )


class PointsCorrectForm(common.CorrectionReason, PointsForm):
    pass


@login_required
def points_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    form = None
    if common.writes(request) and village is not None:
        form = PointsForm(
            scope,
            village,
            request.POST or None,
            request.FILES or None,
            initial={"occurred_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entry = common.attempt(
                form,
                lambda: services.points_entry_add(
                    scope=scope,
                    village=village,
                    member=data["member"],
                    rule=data["rule"],
                    occurred_on=data["occurred_on"],
                    points=data["points"],
                    note=data["note"],
                    evidence=data["evidence"],
                    photos=data["photos"],
                    actor=request.user,
                ),
            )
            if entry is not None:
                messages.success(request, _("已记录积分"))
                return redirect("ledgers_points_entry", points_entry_id=entry.pk)
    rows = selectors.points_entries(scope, region=village, period=period)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "page": common.page(request, rows),
        "form": form,
        "tab": "points",
    }
    return render(request, "ledgers/points/list.html", context)


def _facts(e: PointsEntry) -> list[tuple[str, Any]]:
    return [
        (_("党员"), e.member.person.name),
        (_("积分项目"), e.rule.name),
        (_("发生日期"), common.fmt_day(e.occurred_on)),
        (_("分值"), f"{e.points:+d}"),
        (_("事由"), e.note),
        (_("佐证说明"), e.evidence),
        (_("已作废"), _("是") if e.voided else ""),
    ]


@login_required
def points_entry(request: HttpRequest, points_entry_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    entry = get_visible_or_404(
        PointsEntry.objects.select_related(*selectors.RELATED), scope, pk=points_entry_id
    )
    current = common.is_current(entry)
    action = common.action_of(request)
    initial = {
        "member": entry.member_id,
        "rule": entry.rule_id,
        "occurred_on": entry.occurred_on,
        "points": entry.points,
        "note": entry.note,
        "evidence": entry.evidence,
    }
    correct = PointsCorrectForm(
        scope,
        entry.village,
        common.posted(request, action, "correct"),
        request.FILES or None,
        initial=initial,
    )
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: services.points_entry_correct(
                entry=entry,
                reason=data["reason"],
                actor=request.user,
                photos=data["photos"],
                member=data["member"],
                rule=data["rule"],
                occurred_on=data["occurred_on"],
                points=data["points"],
                note=data["note"],
                evidence=data["evidence"],
            ),
            lambda reason: services.points_entry_void(
                entry=entry, reason=reason, actor=request.user
            ),
        )
        if new is not None:
            return common.to_version(request, "ledgers_points_entry", new)
    context = common.entry_context(
        request,
        entry,
        current,
        _facts,
        "ledgers_points_entry",
        facts=_facts(entry),
        photos=list(entry.photos.all()),
        correct=correct,
        void=void,
        back="ledgers_points",
        title=_("党员积分"),
    )
    return render(request, "ledgers/points/entry.html", context)


@login_required
def points_balances(request: HttpRequest) -> HttpResponse:
    """积分排名 and the members under the threshold, for the period."""
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    villages = villages_under(scope, village)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "ranking": list(selectors.balances(villages, period)[:100]),
        "below": list(selectors.below_threshold(villages, period)[:200]),
        "base": settings.LEDGERS_POINTS_BASE,
        "threshold": settings.LEDGERS_POINTS_THRESHOLD,
        "tab": "balances",
    }
    return render(request, "ledgers/points/balances.html", context)


@login_required
def points_export(request: HttpRequest) -> HttpResponse:
    """积分台账: entries, balances and pledges of the period, one sheet each."""
    scope = common.scope_of(request)
    _form, period, village = common.filters(request)
    where = village.name if village else _("辖区")
    sheets = selectors.points_sheets(scope, region=village, period=period, where=where)
    return common.download(export_bytes(*sheets), export_filename(where, _("党员积分"), period.key))


# --- pledges ----------------------------------------------------------------------------------


class PledgeForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("党员"), queryset=PartyMember.objects.none())
    text = forms.CharField(label=gettext_lazy("承诺内容"), max_length=100)
    made_on = forms.DateField(label=gettext_lazy("承诺日期"), widget=common.DateInput())
    due_on = forms.DateField(label=gettext_lazy("承诺期限"), widget=common.DateInput())

    def __init__(self, scope: Scope, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_in(scope, village)


class PledgeCorrectForm(common.CorrectionReason, PledgeForm):
    pass


class PledgeCloseForm(forms.Form):
    fulfilled = forms.TypedChoiceField(
        label=gettext_lazy("践诺情况"),
        choices=[("1", gettext_lazy("已践诺")), ("0", gettext_lazy("未践诺"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    closed_on = forms.DateField(label=gettext_lazy("评定日期"), widget=common.DateInput())
    evidence = forms.CharField(label=gettext_lazy("践诺佐证"), required=False, max_length=200)
    photos = PhotosField(label=gettext_lazy("佐证照片"), help_text=gettext_lazy("可选，最多 3 张"))


@login_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    status = request.GET.get("status", "")
    status = status if status in PledgeStatus.values else ""
    form = None
    if common.writes(request) and village is not None:
        today = timezone.localdate()
        form = PledgeForm(scope, village, request.POST or None, initial={"made_on": today})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            pledge = common.attempt(
                form,
                lambda: services.pledge_add(
                    scope=scope,
                    village=village,
                    member=data["member"],
                    text=data["text"],
                    made_on=data["made_on"],
                    due_on=data["due_on"],
                    actor=request.user,
                ),
            )
            if pledge is not None:
                messages.success(request, _("已登记承诺"))
                return redirect("ledgers_pledge", pledge_id=pledge.pk)
    rows = selectors.pledges(scope, region=village, period=period, status=status)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "status": status,
        "statuses": PledgeStatus.choices,
        "page": common.page(request, rows),
        "form": form,
        "today": timezone.localdate(),
        "tab": "pledges",
    }
    return render(request, "ledgers/points/pledges.html", context)


def _pledge_facts(p: Pledge) -> list[tuple[str, Any]]:
    return [
        (_("党员"), p.member.person.name),
        (_("承诺内容"), p.text),
        (_("承诺日期"), common.fmt_day(p.made_on)),
        (_("承诺期限"), common.fmt_day(p.due_on)),
        (_("践诺情况"), p.get_status_display()),
        (_("评定日期"), common.fmt_day(p.closed_on)),
        (_("践诺佐证"), p.evidence),
        (_("已作废"), _("是") if p.voided else ""),
    ]


@login_required
def pledge_detail(request: HttpRequest, pledge_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    pledge = get_visible_or_404(
        Pledge.objects.select_related("village", "member__person", "recorded_by"),
        scope,
        pk=pledge_id,
    )
    current = common.is_current(pledge)
    action = common.action_of(request)
    close = PledgeCloseForm(
        common.posted(request, action, "close"),
        request.FILES or None,
        initial={"closed_on": timezone.localdate(), "fulfilled": "1"},
    )
    initial = {
        "member": pledge.member_id,
        "text": pledge.text,
        "made_on": pledge.made_on,
        "due_on": pledge.due_on,
    }
    correct = PledgeCorrectForm(
        scope, pledge.village, common.posted(request, action, "correct"), initial=initial
    )
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        if action == "close" and close.is_valid():
            data = close.cleaned_data
            new = common.attempt(
                close,
                lambda: services.pledge_close(
                    pledge=pledge,
                    fulfilled=data["fulfilled"],
                    closed_on=data["closed_on"],
                    evidence=data["evidence"],
                    photos=data["photos"],
                    actor=request.user,
                ),
            )
        else:
            new = common.correct_or_void(
                action,
                correct,
                void,
                lambda data: services.pledge_correct(
                    pledge=pledge,
                    reason=data["reason"],
                    actor=request.user,
                    member=data["member"],
                    text=data["text"],
                    made_on=data["made_on"],
                    due_on=data["due_on"],
                ),
                lambda reason: services.pledge_void(
                    pledge=pledge, reason=reason, actor=request.user
                ),
            )
        if new is not None:
            return common.to_version(
                request, "ledgers_pledge", new, _("已保存，原记录保留在历史中")
            )
    context = common.entry_context(
        request,
        pledge,
        current,
        _pledge_facts,
        "ledgers_pledge",
        facts=_pledge_facts(pledge),
        photos=list(pledge.photos.all()),
        close=close if pledge.status == PledgeStatus.OPEN else None,
        correct=correct,
        void=void,
        back="ledgers_pledges",
        title=_("承诺践诺"),
    )
    return render(request, "ledgers/points/entry.html", context)


# --- the rule table (county settings) ---------------------------------------------------------


class RuleForm(forms.Form):
    rule_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("积分项目"), max_length=40)
    points = forms.IntegerField(label=gettext_lazy("每次分值"), min_value=-100, max_value=100)
    cap = forms.IntegerField(label=gettext_lazy("封顶分值"), min_value=1, max_value=1000)
    cap_period = forms.ChoiceField(label=gettext_lazy("封顶周期"), choices=CapPeriod.choices)
    evidence_required = forms.BooleanField(label=gettext_lazy("须附佐证"), required=False)
    active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


@login_required
def points_rules(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_edit = user.is_superuser or user.role == "county_admin"  # type: ignore[union-attr]
    all_rules = list(selectors.rules(active_only=False))
    bound = RuleForm(request.POST) if request.method == "POST" else None
    if bound is not None:
        if not may_edit:
            raise PermissionDenied
        if bound.is_valid():
            data = bound.cleaned_data
            existing = next((r for r in all_rules if r.pk == data["rule_id"]), None)
            saved = common.attempt(
                bound,
                lambda: services.points_rule_save(
                    actor=user,
                    name=data["name"],
                    points=data["points"],
                    cap=data["cap"],
                    cap_period=data["cap_period"],
                    evidence_required=data["evidence_required"],
                    active=data["active"],
                    rule=existing,
                ),
            )
            if saved is not None:
                messages.success(request, _("已保存积分项目“%(r)s”") % {"r": saved.name})
                return redirect("ledgers_points_rules")
    rows = []
    for r in all_rules:
        if bound is not None and str(bound.data.get("rule_id")) == str(r.pk):
            rows.append((r, bound))
        else:
            initial = {
                "rule_id": r.pk,
                "name": r.name,
                "points": r.points,
                "cap": r.cap,
                "cap_period": r.cap_period,
                "evidence_required": r.evidence_required,
                "active": r.active,
            }
            rows.append((r, RuleForm(initial=initial)))
    new = bound if bound is not None and not bound.data.get("rule_id") else RuleForm()
    context = {
        "rows": rows,
        "new": new,
        "may_edit": may_edit,
        "base": settings.LEDGERS_POINTS_BASE,
        "threshold": settings.LEDGERS_POINTS_THRESHOLD,
        "tab": "rules",
    }
    return render(request, "ledgers/points/rules.html", context)
