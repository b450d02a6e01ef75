"""村集体经济 pages: each village's yearly income by source with its tier, the counts per township
and tier, the entries with their add form, an entry with its history and corrections, the export."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.core.periods import Period
from zhenxing.ledgers.exports import (
    DECIMAL,
    NUMBER,
    Column,
    Sheet,
    export_bytes,
    export_filename,
)
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource
from zhenxing.ledgers.selectors import income as selectors
from zhenxing.ledgers.selectors.common import villages_under
from zhenxing.ledgers.services import income as services
from zhenxing.regions.models import Region
from zhenxing.web.ledgers import common

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_ERRORS_SHOWN = 30


def year_of(request: HttpRequest, period: Any) -> int:
    """The year shown: the period's (its last year), or last year when none was asked for."""
    if not request.GET.get("period"):
        return timezone.localdate().year - 1
    return int(period.end.year)


class IncomeFields(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"))
    source = forms.ModelChoiceField(label=gettext_lazy("收入来源"), queryset=selectors.sources())
    amount = forms.DecimalField(
        label=gettext_lazy("金额（元）"),
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("经营性收入，单位为元，如 125000"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)


class IncomeForm(IncomeFields):
    village = forms.ModelChoiceField(
        label=gettext_lazy("村（社区）"), queryset=Region.objects.none()
    )
    field_order = ["village", "year", "source", "amount", "note"]

    def __init__(self, scope: Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_under(scope).order_by("path")


class IncomeCorrectForm(common.CorrectionReason, IncomeFields):
    field_order = ["year", "source", "amount", "note", "reason"]


def tier_index(tiers: list[Any]) -> dict[int, int]:
    return {t.pk: i for i, t in enumerate(tiers)}


@login_required
def income_list(request: HttpRequest) -> HttpResponse:
    scope = common.scope_of(request)
    filter_form, period, village = common.filters(request)
    year = year_of(request, period)
    form = None
    if common.writes(request):
        initial = {"village": village.pk if village else None, "year": year}
        form = IncomeForm(scope, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entry = common.attempt(
                form,
                lambda: services.income_record(
                    scope=scope,
                    village=data["village"],
                    year=data["year"],
                    source=data["source"],
                    amount=data["amount"],
                    note=data["note"],
                    actor=request.user,
                ),
            )
            if entry is not None:
                messages.success(
                    request,
                    _("已记入%(v)s %(y)s 年%(s)s收入 %(a)s")
                    % {
                        "v": entry.village.name,
                        "y": entry.year,
                        "s": entry.source,
                        "a": selectors.wan(entry.amount),
                    },
                )
                return redirect(f"{request.path}?village={entry.village_id}&period={entry.year}")
    region = village or home_region(scope)
    tiers, townships = selectors.tier_counts(scope, year, region)
    totals = selectors.village_totals(scope, year, region)
    index = tier_index(tiers)
    context = {
        "filter_form": filter_form,
        "period": Period.year(year),  # income is yearly: the filter shows the year shown
        "year": year,
        "village": village,
        "tiers": tiers,
        "townships": [
            {
                "row": t,
                "bands": [t.bands.get(tier.pk, 0) for tier in tiers],
                "at_least": [t.at_least.get(tier.pk, 0) for tier in tiers],
                "total": selectors.wan(t.total),
            }
            for t in townships
        ],
        "totals": [
            {
                "village": r.village,
                "total": selectors.wan(r.total),
                "tier": r.tier,
                "tier_index": index.get(r.tier.pk, 0) if r.tier else 0,
            }
            for r in totals
        ],
        "page": common.page(request, selectors.income_entries(scope, year=year, village=village)),
        "form": form,
    }
    return render(request, "ledgers/income/list.html", context)


def _facts(e: IncomeEntry) -> list[tuple[str, Any]]:
    return [
        (_("年度"), _("%s年") % e.year),
        (_("收入来源"), str(e.source)),
        (_("金额"), f"{e.amount:,.2f}元（{selectors.wan(e.amount)}）"),
        (_("说明"), e.note),
        (_("已作废"), _("是") if e.voided else ""),
    ]


@login_required
def income_entry(request: HttpRequest, income_entry_id: int) -> HttpResponse:
    scope = common.scope_of(request)
    entry = get_visible_or_404(
        IncomeEntry.objects.select_related("village", "source", "recorded_by"),
        scope,
        pk=income_entry_id,
    )
    current = common.is_current(entry)
    action = common.action_of(request)
    initial = {
        "year": entry.year,
        "source": entry.source_id,
        "amount": entry.amount,
        "note": entry.note,
    }
    correct = IncomeCorrectForm(common.posted(request, action, "correct"), initial=initial)
    void = common.void_form(request, action)
    if action and current and common.writes(request):
        record = partial(services.income_correct, scope=scope, entry=entry, actor=request.user)
        new = common.correct_or_void(
            action,
            correct,
            void,
            lambda data: record(
                reason=data["reason"],
                year=data["year"],
                source=data["source"],
                amount=data["amount"],
                note=data["note"],
            ),
            lambda reason: record(reason=reason, voided=True),
        )
        if new is not None:
            return common.to_version(request, "ledgers_income_entry", new)
    context = common.entry_context(
        request,
        entry,
        current,
        _facts,
        "ledgers_income_entry",
        wan=selectors.wan(entry.amount),
        correct=correct,
        void=void,
    )
    return render(request, "ledgers/income/entry.html", context)


@login_required
def income_export(request: HttpRequest) -> HttpResponse:
    _form, period, village = common.filters(request)
    year = year_of(request, period)
    sheets, where = selectors.export_sheets(common.scope_of(request), year, village)
    return common.download(export_bytes(*sheets), export_filename(where, _("集体经济"), str(year)))


def index_figures(villages: Any, period: Any) -> list[tuple[str, str]]:
    """The line of figures on the ledgers index: the year's total and the villages ≥10万 and ≥50万
    (the year is the period's last year; this year's income is usually still being entered)."""
    year = int(period.end.year)
    totals = selectors.collective_income(villages, year)
    return [
        (_("%(y)s年合计") % {"y": year}, selectors.wan(sum(totals.values(), selectors.ZERO))),
        (_("10万元以上"), str(sum(1 for v in totals.values() if v >= 100_000))),
        (_("50万元以上"), str(sum(1 for v in totals.values() if v >= 500_000))),
    ]


# --- import from Excel ------------------------------------------------------------------------


@login_required
def income_import_template(request: HttpRequest) -> HttpResponse:
    """The workbook to fill: the columns the import reads, an example row, the sources."""
    year = timezone.localdate().year - 1
    sources = "、".join(IncomeSource.objects.filter(active=True).values_list("name", flat=True))
    sheet = Sheet(
        services.IMPORT_SHEET,
        [
            Column(services.IMPORT_COLUMNS[0], 16),
            Column(services.IMPORT_COLUMNS[1], 8, NUMBER),
            Column(services.IMPORT_COLUMNS[2], 12),
            Column(services.IMPORT_COLUMNS[3], 14, DECIMAL),
            Column(services.IMPORT_COLUMNS[4], 30),
        ],
        [[_("（村名或区划代码）"), year, _("资产租赁"), 120000, _("示例行，导入前请删除")]],
        title=_("村集体经济收入导入表"),
        notes=[
            _("每行一个村一个来源一年的经营性收入，金额单位为元，不能为负数。"),
            _("收入来源可填：%(s)s") % {"s": sources},
            _("有任何一行出错时整个文件都不导入，并逐行列出错误。"),
        ],
    )
    return common.download(export_bytes(sheet), export_filename(_("集体经济收入导入模板")))


@login_required
def income_import(request: HttpRequest) -> HttpResponse:
    """Import a filled workbook: every row or none; the errors name their rows."""
    if request.method != "POST" or not common.writes(request):
        raise Http404(_("未找到"))
    upload = request.FILES.get("file")
    back = reverse("ledgers_income")
    if upload is None:
        messages.error(request, _("请选择要导入的 Excel 文件"))
        return redirect(back)
    if upload.size > IMPORT_MAX_BYTES:
        messages.error(request, _("文件过大（不超过 5 MB）"))
        return redirect(back)
    try:
        rows = services.income_rows_read(upload)
        n = services.income_import(scope=common.scope_of(request), rows=rows, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages[:IMPORT_ERRORS_SHOWN]:
            messages.error(request, message)
        if len(exc.messages) > IMPORT_ERRORS_SHOWN:
            messages.error(
                request,
                _("另有 %(n)s 处错误未列出") % {"n": len(exc.messages) - IMPORT_ERRORS_SHOWN},
            )
        messages.error(request, _("文件未导入：请改正以上错误后重新上传"))
        return redirect(back)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _("已导入 %(n)s 条收入记录") % {"n": n})
    return redirect(back)
