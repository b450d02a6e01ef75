"""The star results pages (创星结果): a county's distribution by township with the three-star
share, a township's villages and their stars, the year selector, and the Word notice (通报) for
the county organisation department. Reads go through ``stars.selectors`` for a region fetched
through the scoping module; the notice is built by ``stars.notice``."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.regions.models import Level, Region
from zhenxing.stars import selectors
from zhenxing.stars.notice import notice_docx

ISSUERS = frozenset({"county_admin"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMBER = re.compile(r"^[0-9]{1,4}$")
PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,8}$")  # 机关代字, e.g. 县组通
DEFAULT_PREFIX = "县组通"
# Regions whose page groups the results by child region (a county by township); below these the
# page lists the villages.
GROUPING_LEVELS = frozenset({Level.PROVINCE, Level.CITY, Level.COUNTY})


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def may_issue(request: HttpRequest) -> bool:
    return request.user.is_superuser or getattr(request.user, "role", "") in ISSUERS


def chosen_year(request: HttpRequest, region: Region, years: list[int]) -> int:
    """The year asked for (any four-digit year), else ``selectors.default_year``."""
    asked = request.GET.get("year", "")
    if asked.isdigit() and len(asked) == 4:
        return int(asked)
    return selectors.default_year(region, years)


@login_required
@require_safe
def star_results_home(request: HttpRequest) -> HttpResponse:
    url = reverse("star_results_region", args=[home_region(_scope(request)).pk])
    year = request.GET.get("year", "")
    return redirect(f"{url}?year={year}" if year.isdigit() else url)


@login_required
@require_safe
def star_results_region(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    years = selectors.result_years(region)
    year = chosen_year(request, region, years)
    result = selectors.result_distribution(region, year)
    grouped = region.level in GROUPING_LEVELS
    context = {
        "region": region,
        "year": year,
        "years": sorted(set(years) | {year}, reverse=True),
        "total": result.total,
        "levels": [(s, n) for s, n in result.total.descending()],
        "grouped": grouped,
        "may_issue": may_issue(request) and grouped,
        "today": timezone.localdate(),
        "RESULT": selectors.RESULT,
        "ESTIMATE": selectors.ESTIMATE,
        # A year with no 评定结果 yet says so, and shows the 测评 estimate, labelled.
        "estimate": None if result.total.villages else selectors.estimate(region, year),
    }
    if grouped:
        context["children"] = [(child, dist) for child, dist in result.children]
        context["chart"] = {
            "categories": [child.name for child, _dist in result.children],
            "series": [
                {
                    "name": _("%(n)s星") % {"n": s} if s else _("未获星"),
                    "stars": s,
                    "data": [dist.counts.get(s, 0) for _child, dist in result.children],
                }
                for s, _n in result.total.descending()
            ],
            "share": [dist.three_or_more for _child, dist in result.children],
            "share_name": _("三星及以上占比"),
            "unit": _("个村（社区）"),
        }
    else:
        context["results"] = selectors.village_results(region, year)
        context["distribution"] = [
            [_("%(n)s星") % {"n": s} if s else _("未获星"), n] for s, n in result.total.descending()
        ]
    return render(request, "stars/results/region.html", context)


@login_required
@require_safe
def star_results_notice(request: HttpRequest, region_id: int) -> HttpResponse:
    """The Word notice of the year's results under the region, for the county organisation
    department; ``number`` is the document's serial number, ``date`` its date (default today)."""
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    page = reverse("star_results_region", args=[region.pk])
    if not may_issue(request):
        messages.error(request, _("创星结果通报由县委组织部印发"))
        return redirect(page)
    years = selectors.result_years(region)
    year = chosen_year(request, region, years)
    if year not in years:
        messages.error(request, _("%(year)s年度还没有已公示或已认定的创星结果") % {"year": year})
        return redirect(f"{page}?year={year}")
    number = request.GET.get("number", "1").strip() or "1"
    if not NUMBER.match(number):
        messages.error(request, _("文号：请填写 1 至 4 位数字的序号"))
        return redirect(f"{page}?year={year}")
    prefix = request.GET.get("prefix", "").strip() or DEFAULT_PREFIX
    if not PREFIX.match(prefix):
        messages.error(request, _("机关代字：请填写 1 至 8 个汉字，如“县组通”"))
        return redirect(f"{page}?year={year}")
    asked = request.GET.get("date", "").strip()
    try:
        issued_on = dt.date.fromisoformat(asked) if asked else timezone.localdate()
    except ValueError:
        messages.error(request, _("成文日期：请按“2026-12-01”的格式填写"))
        return redirect(f"{page}?year={year}")
    data = notice_docx(
        region=region,
        year=year,
        doc_number=f"{prefix}〔{issued_on.year}〕{number}号",
        issued_on=issued_on,
    )
    filename = _("%(year)s年度五星支部创建结果通报.docx") % {"year": year}
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
