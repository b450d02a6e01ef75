"""人才库 and 后备干部 pages: the pool and the reserve cadres of the villages in scope with their add
forms, counts per township and category, an entry with its history and corrections, the export."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region, visible
from zhenxing.ledgers.exports import (
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.talent import ReserveCadre, Talent, TalentCategory
from zhenxing.ledgers.selectors import talent as selectors
from zhenxing.ledgers.services import talent as services
from zhenxing.regions.models import CadrePost, Region, Resident
from zhenxing.web.ledgers import common


class PersonFields(forms.Form):
    person = forms.CharField(label=gettext_lazy("姓名"), max_length=40)
    id_tail = forms.CharField(
        label=gettext_lazy("身份证号后四位"),
        max_length=4,
        required=False,
        help_text=gettext_lazy("本村有重名时填写"),
    )


def resident_named(
    form: forms.Form, scope: Scope, village: Region, name: str, tail: str, field: str = "person"
) -> Resident | None:
    """The one resident of ``village`` with this name (and ID tail when given); None and a form
    error naming the problem otherwise."""
    qs = visible(Resident.objects.filter(name=name.strip()), scope).filter(
        region__path__startswith=village.path
    )
    if tail:
        qs = qs.filter(id_number__endswith=tail.strip().upper())
    found = list(qs[:3])
    if not found:
        form.add_error(field, _("%(v)s没有登记名为“%(n)s”的居民") % {"v": village.name, "n": name})
        return None
    if len(found) > 1:
        form.add_error(
            field, _("%(v)s有多名“%(n)s”，请填写身份证号后四位") % {"v": village.name, "n": name}
        )
        return None
    return found[0]


class TalentForm(PersonFields):
    category = forms.ModelChoiceField(
        label=gettext_lazy("人才类别"), queryset=TalentCategory.objects.filter(active=True)
    )
    since = forms.DateField(label=gettext_lazy("入库日期"), widget=common.DateInput())
    strengths = forms.CharField(label=gettext_lazy("专长与事迹"), required=False, max_length=200)


def mentors(scope: Scope, village: Region) -> Any:
    """Serving cadres of the village and the regions above it: who may mentor (导师帮带)."""
    today = timezone.localdate()
    above = [village.path[:i] for i in range(Region.steplen, len(village.path) + 1, Region.steplen)]
    posts = CadrePost.objects.filter(region__path__in=above, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return Resident.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


class MentorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resident) -> str:
        posts = getattr(obj, "post_labels", "")
        return f"{obj.name}{f'（{posts}）' if posts else ''}"


class ReserveForm(PersonFields):
    mentor = MentorChoice(label=gettext_lazy("帮带导师"), queryset=Resident.objects.none())
    assignment = forms.CharField(
        label=gettext_lazy("岗位锻炼"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("如：村委会主任助理"),
    )
    since = forms.DateField(label=gettext_lazy("确定日期"), widget=common.DateInput())

    def __init__(self, scope: Scope, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors(scope, village)


class TalentCorrectForm(common.CorrectionReason):
    category = forms.ModelChoiceField(
        label=gettext_lazy("人才类别"), queryset=TalentCategory.objects.filter(active=True)
    )
    since = forms.DateField(label=gettext_lazy("入库日期"), widget=common.DateInput())
    strengths = forms.CharField(label=gettext_lazy("专长与事迹"), required=False, max_length=200)
    field_order = ["category", "since", "strengths", "reason"]


class ReserveCorrectForm(common.CorrectionReason):
    mentor = MentorChoice(label=gettext_lazy("帮带导师"), queryset=Resident.objects.none())
    assignment = forms.CharField(label=gettext_lazy("岗位锻炼"), required=False, max_length=60)
    since = forms.DateField(label=gettext_lazy("确定日期"), widget=common.DateInput())
    field_order = ["mentor", "assignment", "since", "reason"]

    def __init__(self, scope: Scope, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors(scope, village)


def _add(request: HttpRequest, village: Region | None) -> tuple[Any, Any, Any]:
    """The two add forms (pool, reserve cadre) and what was written, if anything."""
    scope = common.scope_of(request)
    if not common.writes(request) or village is None:
        return None, None, None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    talent_form = TalentForm(request.POST if action == "talent" else None, prefix="t")
    reserve_form = ReserveForm(
        scope, village, request.POST if action == "reserve" else None, prefix="r"
    )
    written = None
    if action == "talent" and talent_form.is_valid():
        data = talent_form.cleaned_data
        person = resident_named(talent_form, scope, village, data["person"], data["id_tail"])
        if person is not None:
            written = common.attempt(
                talent_form,
                lambda: services.talent_record(
                    scope=scope,
                    village=village,
                    person=person,
                    category=data["category"],
                    since=data["since"],
                    strengths=data["strengths"],
                    actor=request.user,
                ),
            )
    elif action == "reserve" and reserve_form.is_valid():
        data = reserve_form.cleaned_data
        person = resident_named(reserve_form, scope, village, data["person"], data["id_tail"])
        if person is not None:
            written = common.attempt(
                reserve_form,
                lambda: services.reserve_cadre_record(
                    scope=scope,
                    village=village,
                    person=person,
                    mentor=data["mentor"],
                    assignment=data["assignment"],
                    since=data["since"],
                    actor=request.user,
                ),
            )
    return talent_form, reserve_form, written


@login_required
def talent_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    category = request.GET.get("category", "")
    category_id = int(category) if category.isdigit() else None
    talent_form, reserve_form, written = _add(request, village)
    if written is not None:
        messages.success(request, _("已登记%(n)s") % {"n": written.person.name})
        target = "ledgers_talent_entry" if isinstance(written, Talent) else "ledgers_reserve_cadre"
        key = "talent_id" if isinstance(written, Talent) else "reserve_cadre_id"
        return redirect(target, **{key: written.pk})
    region = village or home_region(scope)
    categories, townships = selectors.counts_by_township(scope, region)
    context = {
        "filter_form": filter_form,
        "period": period,
        "village": village,
        "category_id": category_id,
        "categories": categories,
        "townships": [
            {"row": t, "cells": [t.by_category.get(c.pk, 0) for c in categories]} for t in townships
        ],
        "page": common.page(
            request, selectors.talents(scope, village=village, category_id=category_id)
        ),
        "reserve": selectors.reserve_list(scope, village=village)[:200],
        "talent_form": talent_form,
        "reserve_form": reserve_form,
        "writes": common.writes(request),
    }
    return render(request, "ledgers/talent/list.html", context)


def _talent_facts(e: Talent) -> list[tuple[str, Any]]:
    return [
        (_("人员"), e.person.name),
        (_("人才类别"), str(e.category)),
        (_("入库日期"), common.fmt_day(e.since)),
        (_("专长与事迹"), e.strengths),
        (_("已移出人才库"), _("是") if e.voided else ""),
    ]


def _reserve_facts(e: ReserveCadre) -> list[tuple[str, Any]]:
    return [
        (_("后备干部"), e.person.name),
        (_("帮带导师"), e.mentor.name),
        (_("岗位锻炼"), e.assignment),
        (_("确定日期"), common.fmt_day(e.since)),
        (_("已不再列为后备干部"), _("是") if e.voided else ""),
    ]


@login_required
def talent_entry(request: HttpRequest, talent_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    entry = get_visible_or_404(
        Talent.objects.select_related("village", "person", "category", "recorded_by"),
        scope,
        pk=talent_id,
    )
    current = common.is_current(entry)
    action = common.action_of(request)
    initial = {"category": entry.category_id, "since": entry.since, "strengths": entry.strengths}
    correct = TalentCorrectForm(common.posted(request, action, "correct"), initial=initial)
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        record = partial(services.talent_correct, scope=scope, talent=entry, actor=request.user)
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: record(
                reason=data["reason"],
                category=data["category"],
                since=data["since"],
                strengths=data["strengths"],
            ),
            lambda reason: record(reason=reason, voided=True),
        )
        if new is not None:
            return common.to_version(request, "ledgers_talent_entry", new)
    context = common.entry_context(
        request,
        entry,
        current,
        _talent_facts,
        "ledgers_talent_entry",
        title=_("人才库"),
        facts=_talent_facts(entry),
        latest_url="ledgers_talent_entry",
        correct=correct,
        void=void,
        void_label=_("移出人才库"),
    )
    return render(request, "ledgers/talent/entry.html", context)


@login_required
def reserve_cadre(request: HttpRequest, reserve_cadre_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    entry = get_visible_or_404(
        ReserveCadre.objects.select_related("village", "person", "mentor", "recorded_by"),
        scope,
        pk=reserve_cadre_id,
    )
    current = common.is_current(entry)
    action = common.action_of(request)
    initial = {"mentor": entry.mentor_id, "assignment": entry.assignment, "since": entry.since}
    correct = ReserveCorrectForm(
        scope, entry.village, common.posted(request, action, "correct"), initial=initial
    )
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        record = partial(
            services.reserve_cadre_correct, scope=scope, cadre=entry, actor=request.user
        )
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: record(
                reason=data["reason"],
                mentor=data["mentor"],
                assignment=data["assignment"],
                since=data["since"],
            ),
            lambda reason: record(reason=reason, voided=True),
        )
        if new is not None:
            return common.to_version(request, "ledgers_reserve_cadre", new)
    context = common.entry_context(
        request,
        entry,
        current,
        _reserve_facts,
        "ledgers_reserve_cadre",
        title=_("后备干部"),
        facts=_reserve_facts(entry),
        latest_url="ledgers_reserve_cadre",
        correct=correct,
        void=void,
        void_label=_("不再列为后备干部"),
    )
    return render(request, "ledgers/talent/entry.html", context)


@login_required
def talent_export(request: HttpRequest) -> HttpResponse:
    _form, _period, village = common.filters(request)
    sheets, where = selectors.export_sheets(common.scope_of(request), village)
    name = export_filename(where, _("人才库"), f"{timezone.localdate():%Y}")
    return common.download(export_bytes(*sheets), name)


def index_figures(villages: Any, period: Any) -> list[tuple[str, str]]:
    """The line of figures on the ledgers index: people in the pool and reserve cadres."""
    return [
        (_("人才"), str(sum(selectors.talent_count(villages, period).values()))),
        (_("后备干部"), str(sum(selectors.reserve_cadres(villages, period).values()))),
    ]
