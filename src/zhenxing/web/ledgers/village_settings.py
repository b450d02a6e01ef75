"""台账设置 for ledgers 4–7, the county's page: organisational-life kinds and their required
frequencies, income sources and tiers (万元), talent categories. Plain reference data, written
here through model formsets (``full_clean`` on each row), like the service loop's settings pages;
a kind, source or category in use is switched off rather than deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms import modelformset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.ledgers.models.income import IncomeSource, IncomeTier
from zhenxing.ledgers.models.meetings import MeetingKind, MeetingRequirement
from zhenxing.ledgers.models.talent import TalentCategory

COUNTY_ROLES = frozenset({"county_admin"})


class TierForm(forms.ModelForm):
    class Meta:
        model = IncomeTier
        fields = ["name", "min_wan"]

    def clean_min_wan(self) -> Any:
        value = self.cleaned_data["min_wan"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("下限不能为负数"))
        return value


class RequirementForm(forms.ModelForm):
    class Meta:
        model = MeetingRequirement
        fields = ["kind", "per", "count"]

    def clean_count(self) -> int:
        count = self.cleaned_data["count"]
        if not 1 <= count <= 31:
            raise forms.ValidationError(_("次数应在 1 至 31 之间"))
        return int(count)


SECTIONS: dict[str, tuple[str, Any]] = {
    "kinds": (
        gettext_lazy("组织生活类型"),
        modelformset_factory(
            MeetingKind, fields=["code", "name", "sort", "active", "all_members"], extra=1
        ),
    ),
    "requirements": (
        gettext_lazy("组织生活频次要求"),
        modelformset_factory(MeetingRequirement, form=RequirementForm, extra=1, can_delete=True),
    ),
    "sources": (
        gettext_lazy("集体收入来源"),
        modelformset_factory(IncomeSource, fields=["name", "sort", "active"], extra=1),
    ),
    "tiers": (
        gettext_lazy("集体收入档次（万元）"),
        modelformset_factory(IncomeTier, form=TierForm, extra=1, can_delete=True),
    ),
    "categories": (
        gettext_lazy("人才类别"),
        modelformset_factory(TalentCategory, fields=["name", "sort", "active"], extra=1),
    ),
}


def _require_county(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or getattr(user, "role", "") in COUNTY_ROLES):
        raise Http404(_("未找到"))


@login_required
def village_settings(request: HttpRequest) -> HttpResponse:
    _require_county(request)
    posted = request.POST.get("section", "") if request.method == "POST" else ""
    if posted and posted not in SECTIONS:
        raise Http404(_("未找到"))
    sections = []
    for name, (label, formset_class) in SECTIONS.items():
        formset = formset_class(request.POST if name == posted else None, prefix=name)
        if name == posted and formset.is_valid():
            with transaction.atomic():
                formset.save()
            messages.success(request, _("已保存“%(s)s”") % {"s": label})
            return redirect(f"{request.path}#{name}")
        sections.append({"name": name, "label": label, "formset": formset})
    return render(request, "ledgers/village_settings.html", {"sections": sections})
