"""The working rhythm of a star year (周汇报、月排序、季观摩): a village files its weekly report from
a phone; the township sees who has not filed, the monthly ranking with its movement (and archives
a finished month), and records the quarter's site reviews with the visiting cadres' scores.

Reads go through ``stars.selectors.rhythm`` for a region fetched through the scoping module,
writes through ``stars.services.rhythm``; the API twins are in ``api/star_rhythm.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhenxing.accounts.scoping import Scope, get_visible_or_404, home_region
from zhenxing.core.periods import Period
from zhenxing.regions.models import VILLAGE_LEVELS, Region
from zhenxing.stars.models import SiteReview, Task
from zhenxing.stars.selectors import current_standard
from zhenxing.stars.selectors import rhythm as selectors
from zhenxing.stars.services import rhythm as services


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _period(request: HttpRequest, name: str, kind: str, default: Period) -> Period:
    """The period asked for in the query string (a week, month or quarter), else ``default``."""
    text = request.GET.get(name, "")
    try:
        period = Period.parse(text) if text else default
    except ValueError:
        return default
    ok = len(period.key) == 7 and period.key[4] == "-" if kind == "-" else kind in period.key
    return period if ok else default


def _shift(period: Period, kind: str, step: int) -> Period:
    """The period before (step -1) or after (step 1) ``period``."""
    day = period.start - dt.timedelta(days=1) if step < 0 else period.end + dt.timedelta(days=1)
    return {"W": selectors.week_of, "-": selectors.month_of, "Q": selectors.quarter_of}[kind](day)


def _errors(form: forms.Form, exc: Exception) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("您不能执行此操作"))
        return
    assert isinstance(exc, ValidationError)  # noqa: S101
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, problems in exc.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


def _tabs(region: Region, tab: str) -> dict[str, Any]:
    return {
        "region": region,
        "tab": tab,
        "tabs": [
            ("weekly", reverse("stars_rhythm_weekly", args=[region.pk]), _("周汇报")),
            ("ranking", reverse("stars_rhythm_ranking", args=[region.pk]), _("月排序")),
            ("reviews", reverse("stars_rhythm_reviews", args=[region.pk]), _("季观摩")),
        ],
    }


@login_required
@require_safe
def rhythm_home(request: HttpRequest) -> HttpResponse:
    return redirect("stars_rhythm_weekly", region_id=home_region(_scope(request)).pk)


# --- 周汇报 ------------------------------------------------------------------------------------


class WeeklyReportForm(forms.Form):
    done = forms.CharField(
        label=gettext_lazy("本周进展"),
        max_length=4000,
        required=False,  # the service says what is missing
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("做了哪些事、推进了哪项任务，简要写明"),
    )
    blockers = forms.CharField(
        label=gettext_lazy("困难问题"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("需要乡镇协调解决的，没有可不填"),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=gettext_lazy("涉及任务"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, tasks: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = tasks
        self.fields["tasks"].label_from_instance = lambda t: (
            f"{t.title}（{t.due_on:%-m月%-d日}前）" + (" ✓" if t.done_on else "")
        )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rhythm_weekly(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    if region.level in VILLAGE_LEVELS:
        return _village_weekly(request, scope, region)
    if request.method == "POST":
        return redirect("stars_rhythm_weekly", region_id=region.pk)
    this_week = selectors.week_of(timezone.localdate())
    week = _period(request, "week", "W", this_week)
    groups = selectors.weekly_filing(scope, region, week)
    context = _tabs(region, "weekly") | {
        "week": week,
        "this_week": this_week,
        "earlier": _shift(week, "W", -1),
        "later": _shift(week, "W", 1) if week < this_week else None,
        "groups": groups,
        "filed": sum(len(g.filed) for g in groups),
        "missing": sum(len(g.missing) for g in groups),
    }
    return render(request, "stars/rhythm/weekly.html", context)


def _village_weekly(request: HttpRequest, scope: Scope, village: Region) -> HttpResponse:
    week = selectors.week_of(timezone.localdate())
    standard = current_standard()
    tasks = selectors.village_tasks(scope, village, standard)
    current = selectors.weekly_report_of(scope, village, week)
    may_file = services.may_file(request.user)
    form = None
    if may_file:
        initial = (
            {"done": current.done, "blockers": current.blockers, "tasks": list(current.tasks.all())}
            if current
            else {}
        )
        form = WeeklyReportForm(tasks, request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                _report, created = services.weekly_report_file(
                    village=village,
                    done=data["done"],
                    blockers=data["blockers"],
                    tasks=data["tasks"],
                    actor=request.user,
                    scope=scope,
                )
            except (ValidationError, PermissionDenied) as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request,
                    (_("已提交%(w)s的周汇报") if created else _("已修改%(w)s的周汇报"))
                    % {"w": week.label},
                )
                return redirect("stars_rhythm_weekly", region_id=village.pk)
    elif request.method == "POST":
        messages.error(request, _("周汇报由村党支部书记填报"))
        return redirect("stars_rhythm_weekly", region_id=village.pk)
    month = selectors.month_of(timezone.localdate())
    context = _tabs(village, "weekly") | {
        "week": week,
        "current": current,
        "form": form,
        "reports": [(r, Period.parse(r.week)) for r in selectors.weekly_reports(scope, village)],
        "ranking": selectors.monthly_ranking(scope, village, month),
        "last": selectors.monthly_ranking(scope, village, selectors.previous_month(month)),
    }
    return render(request, "stars/rhythm/village.html", context)


# --- 月排序 ------------------------------------------------------------------------------------


class ArchiveForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("月份"), max_length=7)

    def clean_month(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["month"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


@login_required
@require_safe
def rhythm_ranking(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    this_month = selectors.month_of(timezone.localdate())
    month = _period(request, "month", "-", selectors.previous_month(this_month))
    ranking = selectors.monthly_ranking(scope, region, month)
    context = _tabs(region, "ranking") | {
        "ranking": ranking,
        "month": month,
        "earlier": _shift(month, "-", -1),
        "later": _shift(month, "-", 1) if month < this_month else None,
        "may_archive": (
            services.may_rank(request.user)
            and not ranking.archived
            and month < this_month
            and region.level not in VILLAGE_LEVELS
            and ranking.standard is not None
        ),
        "weights": selectors.PROGRESS_WEIGHTS,
        "is_village": region.level in VILLAGE_LEVELS,
    }
    return render(request, "stars/rhythm/ranking.html", context)


@login_required
@require_POST
def rhythm_archive(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    form = ArchiveForm(request.POST)
    url = reverse("stars_rhythm_ranking", args=[region.pk])
    if not form.is_valid():
        messages.error(request, _("请选择要存档的月份"))
        return redirect(url)
    month = form.cleaned_data["month"]
    try:
        written = services.ranking_snapshot_take(
            month=month, region=region, actor=request.user, scope=scope
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, _("已存档%(m)s排序：%(n)s 个村") % {"m": month.label, "n": written}
        )
    return redirect(f"{url}?month={month.key}")


# --- 季观摩 ------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SiteReviewForm(forms.Form):
    village = forms.ModelChoiceField(
        label=gettext_lazy("观摩村（社区）"), queryset=Region.objects.none()
    )
    visited_on = forms.DateField(label=gettext_lazy("观摩日期"), widget=DateInput())
    note = forms.CharField(
        label=gettext_lazy("观摩情况"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, villages: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class ScoresForm(forms.Form):
    scores = forms.CharField(
        label=gettext_lazy("评分"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "王建国 92 亮点突出\n李梅 87.5"}),
        help_text=gettext_lazy("每行一位：评分人 得分（0–100） 评语（可不填），用空格隔开"),
    )

    def clean_scores(self) -> list[services.ScoreRow]:
        rows = []
        for line in self.cleaned_data["scores"].splitlines():
            parts = line.split(maxsplit=2)
            if not parts:
                continue
            rows.append(
                services.ScoreRow(
                    reviewer=parts[0],
                    score=parts[1] if len(parts) > 1 else "",
                    comment=parts[2] if len(parts) > 2 else "",
                )
            )
        return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rhythm_reviews(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = _scope(request)
    region = get_visible_or_404(Region, scope, pk=region_id)
    this_quarter = selectors.quarter_of(timezone.localdate())
    quarter = _period(request, "quarter", "Q", this_quarter)
    form = None
    if services.may_review(request.user):
        villages = selectors.villages_in(scope, region)
        form = SiteReviewForm(villages, request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                review = services.site_review_record(
                    village=data["village"],
                    quarter=selectors.quarter_of(data["visited_on"]),
                    visited_on=data["visited_on"],
                    note=data["note"],
                    actor=request.user,
                    scope=scope,
                )
            except (ValidationError, PermissionDenied) as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request, _("已登记%(v)s的观摩，请录入评分") % {"v": review.village.name}
                )
                return redirect("stars_rhythm_review", site_review_id=review.pk)
    elif request.method == "POST":
        messages.error(request, _("季度观摩由乡镇或县级管理员登记"))
        return redirect("stars_rhythm_reviews", region_id=region.pk)
    context = _tabs(region, "reviews") | {
        "quarter": quarter,
        "earlier": _shift(quarter, "Q", -1),
        "later": _shift(quarter, "Q", 1) if quarter < this_quarter else None,
        "reviews": selectors.site_reviews(scope, region, quarter),
        "form": form,
    }
    return render(request, "stars/rhythm/reviews.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rhythm_review(request: HttpRequest, site_review_id: int) -> HttpResponse:
    scope = _scope(request)
    review = get_visible_or_404(
        SiteReview.objects.select_related("village"), scope, pk=site_review_id
    )
    form = None
    if services.may_review(request.user):
        form = ScoresForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                added = services.site_review_score(
                    review=review, rows=form.cleaned_data["scores"], actor=request.user, scope=scope
                )
            except (ValidationError, PermissionDenied) as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("已录入 %(n)s 位评分人的得分") % {"n": len(added)})
                return redirect("stars_rhythm_review", site_review_id=review.pk)
    elif request.method == "POST":
        messages.error(request, _("观摩评分由乡镇或县级管理员录入"))
        return redirect("stars_rhythm_review", site_review_id=review.pk)
    scores = selectors.site_review_scores(scope, review)
    context = {
        "review": review,
        "quarter": Period.parse(review.quarter),
        "scores": scores,
        "average": selectors.site_review_average(scores),
        "form": form,
    }
    return render(request, "stars/rhythm/review.html", context)
