"""Reads of the working rhythm of a star year (周汇报、月排序、季观摩).

**Weekly reports.** Each village files one short report a week (ISO week, Monday to Sunday);
``weekly_filing`` lists, per township, who has filed for a week and who has not.

**Progress score (创星进度得分)**, 0–100, for a village with an ``Application`` for the current
village standard (``current_standard()``):

- *target indicators met* (目标指标达标率): the indicators of the village's goal stars
  (``ApplicationStar.goal``), and the share of them whose outcome is ``met`` in the newest finished
  ``EvaluationRun`` of that standard covering the village (a county's run covers its villages; a
  newer township run wins for its villages). No goal stars, or no run yet: nothing to measure.
- *tasks on time* (任务按时完成率): of the application's tasks due by the end of the month, the
  share done on or before their due date. No task due yet: nothing to measure.
- *score* = ``PROGRESS_WEIGHTS`` (70 for indicators met, 30 for tasks on time) applied to the
  parts that have something to measure: when only one part has, it carries the whole score; when
  neither has, the score is 0.

Villages are ranked within their township (名次 1, 2, 2, 4 for ties), highest score first. Villages
without an application for the standard are **not ranked**: they are listed apart as "尚未制定创星
目标" rather than given a score of 0 that would look like a result.

Every figure for all the villages under a region comes from a fixed handful of aggregate queries
(villages, townships, applications, goal indicators, the runs, met results, tasks), never a query
per village. A month's ranking, once archived (``RankingSnapshot``, taken on the 1st for the month
before), is read back as taken; movement (↑2 / ↓1 / — / 新) compares a village's rank with its rank
in the previous month's archive.

**Site reviews (季观摩)**: per quarter, each reviewed village with the average of the visiting
cadres' scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.core.periods import Period
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars.models import (
    Application,
    ApplicationStar,
    EvaluationRun,
    IndicatorResult,
    Outcome,
    RankingSnapshot,
    SiteReview,
    SiteReviewScore,
    Standard,
    Task,
    WeeklyReport,
)
from zhenxing.stars.selectors.evaluation import current_standard

# (target indicators met, tasks on time): the weights of the progress score's two parts.
PROGRESS_WEIGHTS = (Decimal(70), Decimal(30))
ONE_PLACE = Decimal("0.1")


def week_of(day: dt.date) -> Period:
    """The ISO week (Monday to Sunday) ``day`` falls in."""
    year, week, _weekday = day.isocalendar()
    return Period.parse(f"{year}W{week}")


def month_of(day: dt.date) -> Period:
    return Period.month(day.year, day.month)


def previous_month(month: Period) -> Period:
    day = month.start - dt.timedelta(days=1)
    return Period.month(day.year, day.month)


def quarter_of(day: dt.date) -> Period:
    return Period.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(ONE_PLACE, ROUND_HALF_UP)


def progress_score(met_share: Decimal | None, on_time_share: Decimal | None) -> Decimal:
    """The weighted score of the parts that have something to measure (0 when none has)."""
    parts = [
        (w, s)
        for w, s in zip(PROGRESS_WEIGHTS, (met_share, on_time_share), strict=True)
        if s is not None
    ]
    if not parts:
        return Decimal(0).quantize(ONE_PLACE)
    total = sum(w * s for w, s in parts) / sum(w for w, _s in parts)
    return Decimal(total).quantize(ONE_PLACE, ROUND_HALF_UP)


# --- the villages under a region and their townships ------------------------------------------


def villages_in(scope: Scope, region: Region) -> QuerySet[Region]:
    return visible(
        Region.objects.filter(level__in=VILLAGE_LEVELS, path__startswith=region.path), scope
    ).order_by("path")


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(Region.steplen, len(path) + 1, Region.steplen)]


def _townships(region: Region) -> dict[str, Region]:
    """The townships under ``region``, or the one above it (for a district or a village)."""
    rows = Region.objects.filter(level=Level.TOWNSHIP).filter(
        Q(path__startswith=region.path) | Q(path__in=_ancestor_paths(region.path))
    )
    return {t.path: t for t in rows}


def _township_of(village: Region, townships: dict[str, Region]) -> Region | None:
    for path in _ancestor_paths(village.path):
        if path in townships:
            return townships[path]
    return None


# --- weekly reports ------------------------------------------------------------------------------


@dataclass
class FilingGroup:
    township: Region | None
    filed: list[tuple[Region, WeeklyReport]] = field(default_factory=list)
    missing: list[Region] = field(default_factory=list)

    @property
    def villages(self) -> int:
        return len(self.filed) + len(self.missing)


def weekly_filing(scope: Scope, region: Region, week: Period) -> list[FilingGroup]:
    """Per township under ``region``: the villages that filed their report for ``week`` and
    those that have not (three queries)."""
    villages = list(villages_in(scope, region))
    townships = _townships(region)
    reports = {
        r.village_id: r
        for r in visible(WeeklyReport.objects.filter(week=week.key), scope)
        .filter(village__path__startswith=region.path)
        .select_related("submitted_by")
    }
    groups: dict[int | None, FilingGroup] = {}
    for village in villages:
        township = _township_of(village, townships)
        group = groups.setdefault(township.pk if township else None, FilingGroup(township))
        report = reports.get(village.pk)
        if report is None:
            group.missing.append(village)
        else:
            group.filed.append((village, report))
    return sorted(groups.values(), key=lambda g: g.township.path if g.township else "")


def weekly_reports(scope: Scope, village: Region, *, limit: int = 12) -> list[WeeklyReport]:
    """A village's latest reports with the tasks they name (two queries)."""
    return list(
        visible(WeeklyReport.objects.filter(village=village), scope)
        .select_related("submitted_by")
        .prefetch_related("tasks")
        .order_by("-week")[:limit]
    )


def weekly_report_of(scope: Scope, village: Region, week: Period) -> WeeklyReport | None:
    return (
        visible(WeeklyReport.objects.filter(village=village, week=week.key), scope)
        .prefetch_related("tasks")
        .first()
    )


def village_tasks(scope: Scope, village: Region, standard: Standard | None) -> QuerySet[Task]:
    """The tasks of the village's application for ``standard``, open ones first (to name in a
    weekly report)."""
    if standard is None:
        return Task.objects.none()
    return (
        visible(Task.objects.filter(application__region=village), scope)
        .filter(application__standard=standard)
        .order_by(F("done_on").asc(nulls_first=True), "due_on", "pk")
    )


# --- the progress score and the monthly ranking --------------------------------------------------


@dataclass
class Progress:
    village: Region
    township: Region | None
    targets: int = 0
    met: int = 0
    tasks_due: int = 0
    tasks_on_time: int = 0
    met_share: Decimal | None = None
    on_time_share: Decimal | None = None
    score: Decimal = Decimal(0)
    rank: int | None = None
    previous_rank: int | None = None
    archived_previous: bool = False  # the previous month has an archive to compare with

    @property
    def movement(self) -> str:
        """↑2 / ↓1 / — against the previous month's archived rank; 新 when it had none."""
        if self.rank is None or not self.archived_previous:
            return ""
        if self.previous_rank is None:
            return "新"
        delta = self.previous_rank - self.rank
        if delta > 0:
            return f"↑{delta}"
        if delta < 0:
            return f"↓{-delta}"
        return "—"


def _latest_runs(standard: Standard, region: Region) -> list[tuple[str, int]]:
    """The finished runs of ``standard`` that cover villages under ``region``: (path, id),
    newest first, only the newest of each region (an older run of a region is never the latest
    for any of its villages)."""
    newest: dict[str, int] = {}
    for path, pk in (
        EvaluationRun.objects.filter(standard=standard, finished_at__isnull=False)
        .filter(
            Q(region__path__in=_ancestor_paths(region.path))
            | Q(region__path__startswith=region.path)
        )
        .order_by("-started_at", "-pk")
        .values_list("region__path", "pk")
    ):
        newest.setdefault(path, pk)
    return list(newest.items())  # a dict keeps the newest-first order of first insertion


def progress_scores(
    scope: Scope, region: Region, month: Period, standard: Standard
) -> tuple[list[Progress], list[Progress]]:
    """Every village under ``region`` with its progress for ``month``: (villages with an
    application for ``standard``, villages without one). Seven queries, whatever the count."""
    villages = list(villages_in(scope, region))
    townships = _townships(region)
    under = {"application__region__path__startswith": region.path}
    applied = set(
        visible(Application.objects.filter(standard=standard), scope)
        .filter(region__path__startswith=region.path)
        .values_list("region_id", flat=True)
    )
    goals = ApplicationStar.objects.filter(goal=True, application__standard=standard)
    target_counts = dict(
        visible(goals, scope)
        .filter(**under)
        .values("application__region_id")
        .annotate(n=Count("star__indicators"))
        .values_list("application__region_id", "n")
    )
    runs = _latest_runs(standard, region)
    met: dict[tuple[int, int], int] = {}
    if runs:
        goal_star = ApplicationStar.objects.filter(
            goal=True,
            application__standard=standard,
            application__region_id=OuterRef("village_id"),
            star_id=OuterRef("indicator__star_id"),
        )
        met = {
            (run_id, village_id): n
            for run_id, village_id, n in visible(
                IndicatorResult.objects.filter(
                    run_id__in=[pk for _path, pk in runs], outcome=Outcome.MET
                ),
                scope,
            )
            .filter(village__path__startswith=region.path)
            .filter(Exists(goal_star))
            .values("run_id", "village_id")
            .annotate(n=Count("pk"))
            .values_list("run_id", "village_id", "n")
        }
    tasks = {
        row["application__region_id"]: row
        for row in visible(Task.objects.filter(application__standard=standard), scope)
        .filter(**under, due_on__lte=month.end)
        .values("application__region_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("due_on"))),
        )
    }
    ranked: list[Progress] = []
    unranked: list[Progress] = []
    for village in villages:
        row = Progress(village=village, township=_township_of(village, townships))
        if village.pk not in applied:
            unranked.append(row)
            continue
        row.targets = target_counts.get(village.pk, 0)
        run_id = next((pk for path, pk in runs if village.path.startswith(path)), None)
        if row.targets and run_id is not None:
            row.met = met.get((run_id, village.pk), 0)
            row.met_share = _share(row.met, row.targets)
        task = tasks.get(village.pk)
        if task:
            row.tasks_due, row.tasks_on_time = task["due"], task["on_time"]
            row.on_time_share = _share(row.tasks_on_time, row.tasks_due)
        row.score = progress_score(row.met_share, row.on_time_share)
        ranked.append(row)
    return ranked, unranked


def rank_within_townships(rows: list[Progress]) -> list[Progress]:
    """Set each row's rank within its township (ties share a rank: 1, 2, 2, 4) and return the
    rows in township order, best first."""
    ordered = sorted(
        rows,
        key=lambda r: (r.township.path if r.township else "", -r.score, r.village.path),
    )
    township, rank, last = None, 0, None
    for position, row in enumerate(ordered):
        key = row.township.pk if row.township else None
        if key != township:
            township, start, last = key, position, None
        if row.score != last:
            rank, last = position - start + 1, row.score
        row.rank = rank
    return ordered


@dataclass
class RankGroup:
    township: Region | None
    rows: list[Progress] = field(default_factory=list)
    unranked: list[Progress] = field(default_factory=list)


@dataclass
class MonthlyRanking:
    month: Period
    standard: Standard | None
    archived: bool = False  # read from the month's snapshot rather than computed now
    taken_at: dt.datetime | None = None
    previous: Period | None = None
    previous_archived: bool = False
    ranked_live: bool = True  # live ranks need the whole township in scope
    groups: list[RankGroup] = field(default_factory=list)

    @property
    def rows(self) -> list[Progress]:
        return [row for group in self.groups for row in group.rows]

    @property
    def unranked(self) -> list[Progress]:
        return [row for group in self.groups for row in group.unranked]


def _group(rows: list[Progress], unranked: list[Progress]) -> list[RankGroup]:
    groups: dict[int | None, RankGroup] = {}
    for row in rows:
        key = row.township.pk if row.township else None
        groups.setdefault(key, RankGroup(row.township)).rows.append(row)
    for row in unranked:
        key = row.township.pk if row.township else None
        groups.setdefault(key, RankGroup(row.township)).unranked.append(row)
    return sorted(groups.values(), key=lambda g: g.township.path if g.township else "")


def snapshots(scope: Scope, region: Region, standard: Standard, month: Period):
    return (
        visible(RankingSnapshot.objects.filter(standard=standard, month=month.key), scope)
        .filter(village__path__startswith=region.path)
        .select_related("village")
    )


def monthly_ranking(scope: Scope, region: Region, month: Period) -> MonthlyRanking:
    """The ranking of the villages under ``region`` for ``month``: as archived when the month's
    snapshot exists, else computed from today's data; with each village's movement against the
    previous month's archive. A fixed number of queries, whatever the number of villages."""
    standard = current_standard()
    result = MonthlyRanking(month=month, standard=standard, previous=previous_month(month))
    if standard is None:
        return result
    previous = {s.village_id: s.rank for s in snapshots(scope, region, standard, result.previous)}
    result.previous_archived = bool(previous)
    archived = list(snapshots(scope, region, standard, month))
    if archived:
        result.archived = True
        result.taken_at = max(s.taken_at for s in archived)
        townships = _townships(region)
        done = {s.village_id for s in archived}
        rows = [
            Progress(
                village=s.village,
                township=_township_of(s.village, townships),
                met_share=s.indicators_met_share,
                on_time_share=s.tasks_on_time_share,
                score=s.score,
                rank=s.rank,
            )
            for s in archived
        ]
        rows.sort(key=lambda r: (r.township.path if r.township else "", r.rank, r.village.path))
        unranked = [
            Progress(village=v, township=_township_of(v, townships))
            for v in villages_in(scope, region)
            if v.pk not in done
        ]
    else:
        rows, unranked = progress_scores(scope, region, month, standard)
        rows = rank_within_townships(rows)
        whole = {row.township.pk for row in rows if row.township and scope.covers(row.township)}
        for row in rows:
            if row.township is None or row.township.pk not in whole:
                row.rank = None  # a rank among the part of a township in scope would mislead
                result.ranked_live = False
    for row in rows:
        row.previous_rank = previous.get(row.village.pk)
        row.archived_previous = result.previous_archived
    result.groups = _group(rows, unranked)
    return result


# --- site reviews --------------------------------------------------------------------------------


def site_reviews(scope: Scope, region: Region, quarter: Period) -> list[SiteReview]:
    """The quarter's site reviews under ``region``, best average score first, each with
    ``average`` and ``scored`` (one query)."""
    return list(
        visible(SiteReview.objects.filter(quarter=quarter.key), scope)
        .filter(village__path__startswith=region.path)
        .select_related("village")
        .annotate(average=Avg("scores__score"), scored=Count("scores"))
        .order_by(F("average").desc(nulls_last=True), "village__path")
    )


def site_review_scores(scope: Scope, review: SiteReview) -> list[SiteReviewScore]:
    return list(visible(review.scores.all(), scope).order_by("pk"))


def site_review_average(scores: list[SiteReviewScore]) -> Decimal | None:
    if not scores:
        return None
    return (sum(s.score for s in scores) / len(scores)).quantize(ONE_PLACE, ROUND_HALF_UP)
