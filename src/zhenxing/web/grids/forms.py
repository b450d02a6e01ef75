"""Forms of the grid pages: input shape and choices narrowed to one village. The services check
the rules (who may head a grid, a member of this village, one grid per level)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhenxing.grids import selectors
from zhenxing.grids.models import Grid, GridSettings, VisitItem
from zhenxing.orders.models import Category
from zhenxing.regions.models import Household, Level, PartyMember, Region, Resident


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.name)


class PairForm(forms.Form):
    member = MemberChoice(label=_("联户党员"), queryset=PartyMember.objects.none())
    note = forms.CharField(label=_("调整原因"), max_length=100, required=False)

    def __init__(self, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.village_members(village)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = GridSettings
        fields = ["ratio", "elder_age", "elder_ratio", "stale_days"]


class GridForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("层级"),
        choices=[(2, _("二级网格")), (3, _("三级网格")), (1, _("一级网格（村）"))],
        coerce=int,
    )
    name = forms.CharField(label=_("网格名称"), max_length=40)
    parent = forms.ModelChoiceField(
        label=_("上级网格"), queryset=Grid.objects.none(), required=False
    )
    head = forms.ModelChoiceField(label=_("网格长"), queryset=Resident.objects.none())
    groups = forms.ModelMultipleChoiceField(
        label=_("覆盖村民小组"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    households = forms.CharField(
        label=_("另含农户（户号）"),
        required=False,
        help_text=_("不在上述村民小组的农户，填写户号，以逗号或空格分隔"),
    )

    def __init__(self, village: Region, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.village = village
        self.fields["parent"].queryset = Grid.objects.filter(village=village, level__lt=3)
        people = selectors.current_posts(village).values("person")
        self.fields["head"].queryset = Resident.objects.filter(pk__in=people).order_by("name")
        self.fields["groups"].queryset = Region.objects.filter(
            level=Level.GROUP, path__startswith=village.path
        ).order_by("path")

    def clean_households(self) -> list[Household]:
        numbers = [
            n
            for n in self.cleaned_data["households"].replace("，", ",").replace(",", " ").split()
            if n
        ]
        found = {
            h.number: h for h in Household.objects.filter(village=self.village, number__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(_("本村没有户号 %(n)s") % {"n": "、".join(missing)})
        return [found[n] for n in numbers]


class VisitForm(forms.Form):
    household = forms.ModelChoiceField(label=_("走访农户"), queryset=Household.objects.none())
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    items = forms.MultipleChoiceField(
        label=_("五个到户"), choices=VisitItem.choices, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("走访情况"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requests = forms.CharField(
        label=_("群众诉求"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一条；每条诉求登记为一张服务工单"),
    )
    category = forms.ModelChoiceField(
        label=_("诉求类别"), queryset=Category.objects.filter(active=True), required=False
    )

    def __init__(self, households: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households

    def request_lines(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("requests", "").splitlines()
            if line.strip()
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("网格结构表（.xlsx）"))
