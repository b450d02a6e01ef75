"""Writes of the working rhythm of a star year (周汇报、月排序、季观摩).

- ``weekly_report_file``: a village secretary files the village's report for the current week
  (one per village and week). Filing again in the same week corrects it; once the week is over
  (Sunday night) it can no longer be filed or changed, so "who has not filed" stays true.
- ``ranking_snapshot_take``: archive a month's progress ranking (see ``stars.selectors.rhythm``
  for the score) for the villages under a region, township by township. A township already archived
  for that month is left as it was, so running it twice changes nothing; a month not yet over is
  refused. ``ranking_snapshots_due`` is the scheduler job: from the 1st of each month it archives
  the month before for every county, once (a ``SweepRun`` row records that it ran).
- ``site_review_record`` and ``site_review_score``: a quarter's site review (季观摩) of a village and
  the visiting cadres' scores (0–100, each refusal names the row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.models import Role
from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.orders.models import SweepRun
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars.models import (
    RankingSnapshot,
    SiteReview,
    SiteReviewScore,
    Task,
    WeeklyReport,
)
from zhenxing.stars.selectors.evaluation import current_standard
from zhenxing.stars.selectors.rhythm import (
    month_of,
    previous_month,
    progress_scores,
    rank_within_townships,
    week_of,
)

FILERS = frozenset({Role.VILLAGE_SECRETARY})
RANKERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN})
REVIEWERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_ADMIN})
SNAPSHOT_JOB = "stars_ranking"
ROOT = Scope(region_id=None, path="", level="", role="")


def _has_role(actor: Any, roles: frozenset[str]) -> bool:
    return bool(getattr(actor, "is_superuser", False) or getattr(actor, "role", "") in roles)


def may_file(actor: Any) -> bool:
    return _has_role(actor, FILERS)


def may_rank(actor: Any) -> bool:
    return _has_role(actor, RANKERS)


def may_review(actor: Any) -> bool:
    return _has_role(actor, REVIEWERS)


# --- weekly reports ------------------------------------------------------------------------------


@transaction.atomic
def weekly_report_file(
    *,
    village: Region,
    done: str,
    blockers: str = "",
    tasks: Iterable[Task] = (),
    actor: Any,
    scope: Scope,
    now: dt.datetime | None = None,
) -> tuple[WeeklyReport, bool]:
    """File (or, within the same week, correct) the village's report for this week.
    Returns (report, created)."""
    scope.require(village)
    if not may_file(actor):
        raise PermissionDenied(_("周汇报由村党支部书记填报"))
    if village.level not in VILLAGE_LEVELS:
        raise ValidationError({"village": _("周汇报按村（社区）填报，请选择一个村")})
    now = now or timezone.now()
    week = week_of(timezone.localdate(now))
    done, blockers = (done or "").strip(), (blockers or "").strip()
    errors: dict[str, str] = {}
    if not done:
        errors["done"] = _("请填写本周进展：做了哪些事、推进了哪项任务")
    elif len(done) > 4000:
        errors["done"] = _("本周进展不能超过 4000 字")
    if len(blockers) > 2000:
        errors["blockers"] = _("困难问题不能超过 2000 字")
    chosen = list(tasks)
    allowed = set(
        visible(Task.objects.filter(application__region=village), scope).values_list(
            "pk", flat=True
        )
    )
    strangers = [t for t in chosen if t.pk not in allowed]
    if strangers:
        errors["tasks"] = _("任务“%(t)s”不是本村的创星任务") % {"t": strangers[0].title}
    if errors:
        raise ValidationError(errors)
    report = WeeklyReport.objects.filter(village=village, week=week.key).first()
    created = report is None
    if report is None:
        report = WeeklyReport(village=village, week=week.key)
    report.done, report.blockers = done, blockers
    report.submitted_by, report.submitted_at = actor, now
    report.full_clean(exclude=["tasks"])
    if created:
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:  # the same village filed at the same moment from two phones
            raise ValidationError(
                {"done": _("本周的周汇报刚刚已由他人提交，请刷新后修改")}
            ) from None
    else:
        report.save(update_fields=["done", "blockers", "submitted_by", "submitted_at"])
    report.tasks.set(chosen)
    return report, created


# --- monthly ranking snapshots ---------------------------------------------------------------


@transaction.atomic
def ranking_snapshot_take(
    *,
    month: Period,
    region: Region,
    actor: Any = None,
    scope: Scope | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Archive ``month``'s ranking for the villages under ``region``; returns the rows written.

    Townships already archived for the month are skipped whole (their ranks stay as taken), so a
    second run writes nothing. A person taking it needs the county or township admin role and
    ``region`` in scope; the scheduler passes neither."""
    if scope is not None:
        scope.require(region)
        if not may_rank(actor):
            raise PermissionDenied(_("月度排序由乡镇或县级管理员存档"))
    if region.level in (Level.DISTRICT, Level.GROUP, *VILLAGE_LEVELS):
        # Ranks are within the whole township: it is archived whole, never a part of it.
        raise ValidationError({"month": _("月度排序按乡镇存档，请在乡镇或县的页面操作")})
    if len(month.key) != 7 or month.key[4] != "-":
        raise ValidationError({"month": _("请选择一个月份，如 2026-10")})
    now = now or timezone.now()
    if month.end >= timezone.localdate(now):
        raise ValidationError(
            {"month": _("%(m)s尚未结束，月底之后才能存档排序") % {"m": month.label}}
        )
    standard = current_standard()
    if standard is None:
        raise ValidationError({"month": _("尚未导入创星标准，无法计算进度得分")})
    rows, _unranked = progress_scores(ROOT, region, month, standard)
    done = set(
        RankingSnapshot.objects.filter(
            standard=standard, month=month.key, village__path__startswith=region.path
        ).values_list("village_id", flat=True)
    )
    archived = {r.township.pk for r in rows if r.township and r.village.pk in done}
    fresh = [
        r
        for r in rows
        if r.village.pk not in done and not (r.township and r.township.pk in archived)
    ]
    ranked = rank_within_townships(fresh)
    created = RankingSnapshot.objects.bulk_create(
        [
            RankingSnapshot(
                standard=standard,
                month=month.key,
                village=r.village,
                score=r.score,
                indicators_met_share=r.met_share,
                tasks_on_time_share=r.on_time_share,
                rank=r.rank or 0,
                taken_at=now,
            )
            for r in ranked
        ],
        ignore_conflicts=True,  # another machine archiving the same month at once
    )
    return len(created)


def ranking_snapshots_due(*, now: dt.datetime | None = None) -> int:
    """The scheduler job: archive last month's ranking for every county, once a month (from the
    1st; a late start catches up). Returns the rows written (0 when already done)."""
    now = now or timezone.now()
    month = previous_month(month_of(timezone.localdate(now)))
    if SweepRun.objects.filter(kind=SNAPSHOT_JOB, key=month.key).exists():
        return 0
    if current_standard() is None:
        return 0
    written = 0
    tops = Region.objects.filter(level=Level.COUNTY)
    for county in tops.order_by("path"):
        written += ranking_snapshot_take(month=month, region=county, now=now)
    try:
        with transaction.atomic():
            SweepRun.objects.create(kind=SNAPSHOT_JOB, key=month.key, ran_at=now, moved=written)
    except IntegrityError:
        pass  # another machine recorded the same month
    return written


# --- site reviews --------------------------------------------------------------------------------


@transaction.atomic
def site_review_record(
    *,
    village: Region,
    quarter: Period,
    visited_on: dt.date,
    note: str = "",
    actor: Any,
    scope: Scope,
    now: dt.datetime | None = None,
) -> SiteReview:
    """Record a quarter's site review of a village (one per village and quarter)."""
    scope.require(village)
    if not may_review(actor):
        raise PermissionDenied(_("季度观摩由乡镇或县级管理员登记"))
    today = timezone.localdate(now or timezone.now())
    errors: dict[str, str] = {}
    if village.level not in VILLAGE_LEVELS:
        errors["village"] = _("请选择被观摩的村（社区）")
    if "Q" not in quarter.key:
        errors["quarter"] = _("请选择季度，如 2026Q4")
    elif visited_on not in quarter:
        errors["visited_on"] = _("观摩日期 %(d)s 不在%(q)s内") % {
            "d": f"{visited_on:%Y年%-m月%-d日}",
            "q": quarter.label,
        }
    elif visited_on > today:
        errors["visited_on"] = _("观摩日期不能晚于今天")
    note = (note or "").strip()
    if len(note) > 4000:
        errors["note"] = _("观摩情况不能超过 4000 字")
    if not errors and SiteReview.objects.filter(quarter=quarter.key, village=village).exists():
        errors["village"] = _("%(q)s已登记过%(v)s的观摩，请在该记录中补充评分") % {
            "q": quarter.label,
            "v": village.name,
        }
    if errors:
        raise ValidationError(errors)
    return SiteReview.objects.create(
        quarter=quarter.key, village=village, visited_on=visited_on, note=note, recorded_by=actor
    )


@dataclass(frozen=True)
class ScoreRow:
    reviewer: str
    score: Decimal | str
    comment: str = ""


def _score_of(value: Decimal | str) -> Decimal | None:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return score if score.is_finite() else None


@transaction.atomic
def site_review_score(
    *, review: SiteReview, rows: Sequence[ScoreRow], actor: Any, scope: Scope
) -> list[SiteReviewScore]:
    """Add the visiting cadres' scores (0–100, one decimal) to a site review; all or nothing."""
    if not visible(SiteReview.objects.filter(pk=review.pk), scope).exists():
        raise PermissionDenied(_("该区域不在您的管辖范围内"))
    if not may_review(actor):
        raise PermissionDenied(_("观摩评分由乡镇或县级管理员录入"))
    problems: list[str] = []
    if not rows:
        problems.append(_("请至少录入一位评分人的得分"))
    taken = set(review.scores.values_list("reviewer", flat=True))
    seen: set[str] = set()
    scores: list[SiteReviewScore] = []
    for n, row in enumerate(rows, start=1):
        reviewer = (row.reviewer or "").strip()
        label = _("第%(n)s行") % {"n": n} + (f"（{reviewer}）" if reviewer else "")
        score = _score_of(row.score)
        if not reviewer:
            problems.append(_("%(row)s：请填写评分人") % {"row": label})
        elif len(reviewer) > 40:
            problems.append(_("%(row)s：评分人不能超过 40 字") % {"row": label})
        elif reviewer in taken:
            problems.append(_("%(row)s：%(r)s已评过分") % {"row": label, "r": reviewer})
        elif reviewer in seen:
            problems.append(_("%(row)s：评分人重复") % {"row": label})
        if score is None:
            problems.append(
                _("%(row)s：得分“%(s)s”不是数字") % {"row": label, "s": str(row.score).strip()}
            )
        elif not Decimal(0) <= score <= Decimal(100):
            problems.append(_("%(row)s：得分须在 0 到 100 之间") % {"row": label})
        elif score != score.quantize(Decimal("0.1")):
            problems.append(_("%(row)s：得分最多保留一位小数") % {"row": label})
        comment = (row.comment or "").strip()
        if len(comment) > 200:
            problems.append(_("%(row)s：评语不能超过 200 字") % {"row": label})
        seen.add(reviewer)
        if score is not None:
            scores.append(
                SiteReviewScore(review=review, reviewer=reviewer, score=score, comment=comment)
            )
    if problems:
        raise ValidationError({"scores": problems})
    return SiteReviewScore.objects.bulk_create(scores)
