"""Forms of the cadre side of the service loop: input shape and scoped choices only.

The services check everything else (lengths, phone numbers, who may act, the order's state) and
their messages are put back on these forms, so what was typed is never lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.orders import selectors, services
from zhenxing.orders.models import (
    Category,
    Mediation,
    Order,
    Rating,
    Source,
    Team,
)
from zhenxing.orders.states import Level, Status
from zhenxing.regions.models import VILLAGE_LEVELS, Household, MemberStatus, PartyMember, Region

TEXTAREA = {"rows": 3}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few photos; the service checks each one and re-encodes it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each field's message next to the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


# --- lists ------------------------------------------------------------------------------------

STATUS_FILTERS = [("", _("全部状态")), ("open", _("未办结")), *Status.choices]


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("查询码、姓名或内容"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("查询码、姓名或内容")}),
    )
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTERS, required=False)
    level = forms.ChoiceField(
        label=_("层级"), choices=[("", _("全部层级")), *Level.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("全部类别"),
    )
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    region = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict[str, Any]:
        """The valid filters (a bad value is ignored, not an error page)."""
        self.is_valid()
        data = self.cleaned_data
        category = data.get("category")
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "level": data.get("level") or "",
            "category": category.pk if category else None,
            "overdue": bool(data.get("overdue")),
        }


# --- logging a request ------------------------------------------------------------------------

LOGGED_SOURCES = [(value, label) for value, label in Source.choices if value != Source.QR]


def visible_villages(scope: Scope) -> QuerySet[Region]:
    return visible(Region.objects.filter(level__in=VILLAGE_LEVELS), scope).order_by("path")


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class OrderNewForm(forms.Form):
    village = VillageChoiceField(label=_("村（社区）"), queryset=Region.objects.none())
    household = forms.ModelChoiceField(
        label=_("农户"),
        queryset=Household.objects.none(),
        required=False,
        empty_label=_("不关联农户"),
        help_text=_("可选：走访的农户，按户号或户主姓名查找"),
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.filter(active=True), empty_label=None
    )
    description = forms.CharField(
        label=_("诉求内容"), max_length=1000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    name = forms.CharField(label=_("群众姓名"), max_length=20)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    source = forms.ChoiceField(label=_("来源"), choices=LOGGED_SOURCES, initial=Source.VISIT)
    photos = PhotosField(label=_("照片"), help_text=_("可选，最多 3 张"))
    received_on = forms.DateField(
        label=_("收到日期（补录）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("县级、乡镇管理员补录纸质台账上往日收到的诉求时填写；当天收到的留空"),
    )

    def __init__(self, scope: Scope, *args: Any, backfill: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = visible_villages(scope)
        if not backfill:
            del self.fields["received_on"]
        village_id = self.village_id()
        if village_id is not None:
            self.fields["household"].queryset = visible(
                Household.objects.filter(village_id=village_id), scope
            )

    def village_id(self) -> int | None:
        raw = self["village"].value()
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None


# --- actions on an order ----------------------------------------------------------------------


def note_field(label: str, *, required_hint: bool = True) -> forms.CharField:
    attrs = {**TEXTAREA, "required": True} if required_hint else dict(TEXTAREA)
    return forms.CharField(
        label=label, max_length=2000, required=False, widget=forms.Textarea(attrs=attrs)
    )


class AcceptForm(forms.Form):
    pass


MEMBER_OPTIONS = 300


def dispatch_members(order: Order, scope: Scope) -> QuerySet[PartyMember]:
    """Active Party members of the order's level region that the dispatcher can see."""
    region = services.level_region(order)
    return (
        visible(PartyMember.objects.filter(status=MemberStatus.ACTIVE), scope)
        .filter(organization__region__path__startswith=region.path)
        .select_related("person", "organization")
        .order_by("organization__region__path", "organization__name", "person__name", "pk")
    )


class DispatchForm(forms.Form):
    """One select: a Party member (``m:<id>``) or a team (``t:<id>``) of the order's level."""

    assignee = forms.CharField(label=_("派给"), required=False, widget=forms.Select)
    note = note_field(_("派单说明（可选）"), required_hint=False)

    def __init__(self, *args: Any, order: Order, scope: Scope, member_q: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.members = dispatch_members(order, scope)
        self.teams = selectors.teams_for(order, scope)
        self.member_q = member_q

    def choices(self) -> dict[str, Any]:
        """What the select offers: members (narrowed by ``member_q``, at most a few hundred),
        grouped by Party organisation, and the teams."""
        members = self.members
        if self.member_q:
            members = members.filter(person__name__contains=self.member_q)
        shown = list(members[: MEMBER_OPTIONS + 1])
        groups: dict[str, list[tuple[str, str]]] = {}
        for m in shown[:MEMBER_OPTIONS]:
            groups.setdefault(m.organization.name, []).append((f"m:{m.pk}", m.person.name))
        teams = [(f"t:{t.pk}", f"{t.name}（{t.get_kind_display()}）") for t in self.teams]
        return {"groups": groups, "teams": teams, "more": len(shown) > MEMBER_OPTIONS}

    def clean_assignee(self) -> PartyMember | Team | None:
        value = self.cleaned_data.get("assignee") or ""
        kind, _sep, raw = value.partition(":")
        if not raw.isdigit():
            return None  # the service says to choose one
        qs: QuerySet[Any] | None = {"m": self.members, "t": self.teams}.get(kind)
        found = qs.filter(pk=int(raw)).first() if qs is not None else None
        if found is None:
            raise ValidationError(_("该党员或队伍不在本级范围内"))
        return found


class ReturnForm(forms.Form):
    note = note_field(_("退回理由"))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("办理情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "required": True}),
    )
    mediation = forms.ChoiceField(
        label=_("调解结果"), choices=[("", "—"), *Mediation.choices], required=False
    )
    photos = PhotosField(label=_("办结照片"), help_text=_("可选，最多 3 张"))

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not order.category.is_dispute:
            del self.fields["mediation"]


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("回访评价"), choices=Rating.choices, required=False, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("评价理由（不满意时必填）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class WithdrawForm(forms.Form):
    note = note_field(_("撤回原因（可选）"), required_hint=False)


class MarkForm(forms.Form):
    note = note_field(_("上报理由"))


class UrgeForm(forms.Form):
    note = note_field(_("督办意见"))
