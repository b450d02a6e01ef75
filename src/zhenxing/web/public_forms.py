"""Forms of the villager's pages (no account). They check the input's shape only: the lengths, the
phone format, the photos and the intake limits are the service's rules (``orders.services``), and
its refusals land next to the field they concern (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from zhenxing.orders.models import Category, Rating
from zhenxing.orders.selectors import active_categories


class Shared:
    """A form field that no form changes once declared: each form uses it as it is rather than
    a deep copy of it and its widget (Django copies every field for every form, in case a form
    changes its own). For the busiest form, the villager's request."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


class SharedCharField(Shared, forms.CharField):
    pass


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(Shared, forms.FileField):
    """Several files from one ``<input type=file multiple>``: a list, possibly empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CategoryChoiceField(Shared, forms.ChoiceField):
    """The active categories (``orders.selectors.active_categories``, kept in the cache: no query
    on a villager's request), read when the form is validated or drawn; cleans to the
    ``Category``. It keeps nothing of a form's: ``Shared``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.labels, **kwargs)

    @staticmethod
    def labels() -> list[tuple[str, str]]:
        return [("", _("请选择"))] + [
            (
                str(c.pk),
                ngettext_lazy(
                    "%(name)s（%(n)s 个工作日内办结）",
                    "%(name)s（%(n)s 个工作日内办结）",
                    c.time_limit_days,
                )
                % {"name": c.name, "n": c.time_limit_days},
            )
            for c in active_categories()
        ]

    @staticmethod
    def category(value: Any) -> Category | None:
        return next((c for c in active_categories() if str(c.pk) == value), None)

    def valid_value(self, value: Any) -> bool:
        return self.category(value) is not None

    def clean(self, value: Any) -> Category:
        return self.category(super().clean(value))  # type: ignore[return-value]


class RequestForm(forms.Form):
    """点单: what the villager fills in on the public form behind the village's QR code. Its
    fields are ``Shared``: no form changes them."""

    category = CategoryChoiceField(
        label=_("诉求类别"),
        error_messages={
            "required": _("请选择诉求类别"),
            "invalid_choice": _("该类别已停用，请选择其他类别"),
        },
    )
    description = SharedCharField(
        label=_("诉求内容"),
        required=False,  # lengths are the service's rule, and its message
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": 1000,
                "required": True,
                "placeholder": _("请写清楚什么事、在哪里，例如：村东头路灯坏了三盏，晚上看不见路"),
            }
        ),
    )
    photos = MultipleFileField(label=_("照片（选填，最多 3 张）"), required=False)
    name = SharedCharField(
        label=_("您的姓名"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 20, "required": True, "autocomplete": "name"}),
    )
    phone = SharedCharField(
        label=_("手机号"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "inputmode": "tel",
                "maxlength": 13,
                "required": True,
                "autocomplete": "tel",
            }
        ),
    )


class TrackForm(forms.Form):
    """查询: the tracking code and the last four digits of the phone given with the request."""

    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        error_messages={"required": _("请填写查询码")},
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("8 位字母和数字"),
            }
        ),
    )
    phone_last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^\d{4}$",
        error_messages={
            "required": _("请填写手机号后四位"),
            "invalid": _("请填写 4 位数字"),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{4}",
                "maxlength": 4,
                "autocomplete": "off",
            }
        ),
    )


class RateForm(forms.Form):
    """评价: 满意 / 基本满意 / 不满意 (which needs a reason: the service's rule)."""

    rating = forms.ChoiceField(
        label=_("您对办理结果是否满意"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择满意、基本满意或不满意"),
            "invalid_choice": _("请选择满意、基本满意或不满意"),
        },
    )
    reason = forms.CharField(
        label=_("理由（不满意时必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因（选填）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
