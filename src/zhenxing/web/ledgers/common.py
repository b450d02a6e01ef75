"""What the pages of ledgers 1–3 share: the period and village filter, paging, downloads, the
history of an entry, and turning a service's refusal into form errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import XLSX_CONTENT_TYPE
from zhenxing.ledgers.selectors.common import history, villages_under
from zhenxing.ledgers.services.base import AlreadyCorrected
from zhenxing.ledgers.services.common import may_write
from zhenxing.regions.models import VILLAGE_LEVELS, Region

PAGE_SIZE = 30


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FilterForm(forms.Form):
    """期间 and 村（社区）: what every ledger list is filtered by."""

    period = forms.CharField(
        label=gettext_lazy("期间"),
        required=False,
        max_length=23,
        help_text=gettext_lazy("如 2026、2026H1、2026Q2、2026-04"),
    )
    village = forms.ModelChoiceField(
        label=gettext_lazy("村（社区）"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部村（社区）"),
    )

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(scope).order_by("path")

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period") or str(timezone.localdate().year)
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def scope_of(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def filters(request: HttpRequest) -> tuple[FilterForm, Period, Region | None]:
    """The filter form of a list, its period (this year by default) and village (or None)."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    data = request.GET.copy()
    if scope.level in VILLAGE_LEVELS and not data.get("village"):
        data["village"] = str(scope.region_id)
    form = FilterForm(scope, data)
    if form.is_valid():
        return form, form.cleaned_data["period"], form.cleaned_data["village"]
    return form, Period.year(timezone.localdate().year), None


def page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def writes(request: HttpRequest) -> bool:
    return may_write(request.user)


def add_errors(form: forms.Form, exc: Exception, rename: dict[str, str] | None = None) -> None:
    """A service's refusal as form errors: on the field it names when the form has it."""
    rename = rename or {}
    if isinstance(exc, (PermissionDenied, AlreadyCorrected)):
        form.add_error(None, str(exc) or _("您不能执行此操作"))
        return
    assert isinstance(exc, ValidationError)  # noqa: S101
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, messages in exc.message_dict.items():
        field = rename.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def attempt(form: forms.Form, call: Callable[[], Any], rename: dict[str, str] | None = None) -> Any:
    """Run a service; on refusal put its messages on ``form`` and return None."""
    try:
        return call()
    except (ValidationError, PermissionDenied, AlreadyCorrected) as exc:
        add_errors(form, exc, rename)
        return None


def fmt_day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def history_rows(
    chain: Iterable[Any], facts: Callable[[Any], list[tuple[str, Any]]], url_name: str
) -> list[dict[str, Any]]:
    """Each version of an entry, oldest first: who wrote it, when, why, and what it said."""
    return [
        {
            "entry": e,
            "n": i,
            "kind": _("原始记录") if e.supersedes_id is None else _("更正"),
            "facts": facts(e),
            "url": reverse(url_name, args=[e.pk]),
        }
        for i, e in enumerate(chain, start=1)
    ]


class CorrectionReason(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("更正原因"), max_length=200, widget=forms.TextInput()
    )


# --- an entry's page: its history, and the forms that correct or void it -----------------------


def action_of(request: HttpRequest) -> str:
    """Which form of an entry's page was posted (``correct``, ``void``, …); "" for a GET."""
    return request.POST.get("action", "") if request.method == "POST" else ""


def posted(request: HttpRequest, action: str, name: str) -> QueryDict | None:
    """The POST data for the form ``name``, None (an unbound form) when another was posted."""
    return request.POST if action == name else None


def is_current(entry: Any) -> bool:
    """Whether no correction supersedes ``entry`` yet."""
    return not type(entry).objects.filter(supersedes=entry).exists()


def void_form(request: HttpRequest, action: str) -> CorrectionReason:
    return CorrectionReason(posted(request, action, "void"), prefix="void")


def correct_or_void(
    action: str,
    correct: forms.Form,
    void: forms.Form,
    correction: Callable[[dict[str, Any]], Any],
    voiding: Callable[[str], Any],
) -> Any:
    """The posted correction (``correction`` given the form's data) or voiding (``voiding`` given
    the reason); the new version, or None with the service's refusal on the form."""
    if action == "correct" and correct.is_valid():
        data = correct.cleaned_data
        return attempt(correct, lambda: correction(data))
    if action == "void" and void.is_valid():
        reason = void.cleaned_data["reason"]
        return attempt(void, lambda: voiding(reason))
    return None


def to_version(
    request: HttpRequest, url_name: str, new: Any, message: str | None = None
) -> HttpResponse:
    """After a correction: say so and show the new version."""
    flash.success(request, message or _("已保存更正，原记录保留在历史中"))
    return redirect(url_name, new.pk)


def entry_context(
    request: HttpRequest,
    entry: Any,
    current: bool,
    facts_of: Callable[[Any], list[tuple[str, Any]]],
    url_name: str,
    /,
    **extra: Any,
) -> dict[str, Any]:
    """What every entry page shows: the entry, its versions (``facts_of`` each, linked through
    ``url_name``), and whether it may be corrected; ``extra`` is the page's own."""
    chain = history(entry)
    return {
        "entry": entry,
        "current": current,
        "latest": chain[-1],
        "history": history_rows(chain, facts_of, url_name),
        "may_write": writes(request) and current and not entry.voided,
        **extra,
    }
