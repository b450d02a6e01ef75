"""Demo rhythm of the star year (周汇报、月排序、季观摩), after the demo applications:

- weekly reports for the last four weeks from most villages (about one in six misses a week),
  and this week from about two thirds of them; the `village` login's village has filed the past
  weeks but not this one, for a person (or the browser test) to file;
- in 裴岗镇 (the demo accounts' township) one task per village due in the middle of last month,
  done on time by some and late or not at all by others, so last month's ranking moves against
  the month before;
- the two finished months' ranking snapshots, taken through the service as the scheduler would
  on the 1st (villages without an application are not ranked: with no demo applications at all
  the ranking is empty and says so);
- this quarter's site reviews of six villages of 裴岗镇 and two of each other township, scored by
  three or four visiting cadres.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from zhenxing.accounts.models import User
from zhenxing.demo.plan import DemoPlan, stream
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars.models import (
    Application,
    RankingSnapshot,
    SiteReview,
    SiteReviewScore,
    Task,
    WeeklyReport,
)
from zhenxing.stars.selectors.evaluation import current_standard
from zhenxing.stars.selectors.rhythm import month_of, previous_month, quarter_of, week_of
from zhenxing.stars.services.rhythm import ranking_snapshot_take

DONE = (
    "召开两委会研究创星任务推进",
    "组织党员开展人居环境集中整治",
    "走访重点户，收集群众诉求 {n} 条",
    "完善三会一课记录并整理佐证材料",
    "推进一村一品产业基地建设",
    "开展矛盾纠纷排查，化解纠纷 {n} 起",
    "召开村民代表会议通报创星进展",
)
BLOCKERS = (
    "",
    "",
    "",
    "产业项目配套资金尚未到位",
    "部分农户对改厕有顾虑，需乡镇协调技术人员",
    "村内道路硬化需交通部门支持",
)
REVIEWERS = ("王建国", "李梅", "赵卫东", "孙丽华")
REVIEW_NOTES = (
    "人居环境整治成效明显，党群服务中心规范化建设到位",
    "产业发展思路清晰，合作社带动作用较好",
    "创星台账完整，佐证材料分类清楚",
    "矛盾纠纷化解机制运行良好，群众满意度较高",
)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_star_rhythm(
    *, county: Region, plan: DemoPlan, accounts: dict[str, int], demo_village: Region
) -> dict[str, int]:
    today = plan.today
    standard = current_standard()
    villages = list(
        Region.objects.filter(path__startswith=county.path, level__in=VILLAGE_LEVELS).order_by(
            "path"
        )
    )
    township_a = Region.objects.get_ancestors(demo_village).get(level=Level.TOWNSHIP)
    secretary = User.objects.get(pk=accounts["village"])
    township_admin = User.objects.get(pk=accounts["township"])
    this_week = week_of(today)
    reports: list[WeeklyReport] = []
    for back in range(4, -1, -1):
        week = week_of(today - dt.timedelta(days=7 * back))
        for village in villages:
            rng = stream("weekly-reports", village.code, week.key)
            if village.pk == demo_village.pk:
                if week == this_week:
                    continue  # left for the village login to file
            elif rng.random() < (1 / 3 if week == this_week else 1 / 6):
                continue
            day = min(week.start + dt.timedelta(days=rng.randint(3, 6)), today)
            reports.append(
                WeeklyReport(
                    village=village,
                    week=week.key,
                    done="；".join(d.format(n=rng.randint(2, 9)) for d in rng.sample(DONE, 2)),
                    blockers=rng.choice(BLOCKERS),
                    submitted_by=secretary if village.pk == demo_village.pk else None,
                    submitted_at=_at(day, rng.randint(9, 20)),
                )
            )
    WeeklyReport.objects.bulk_create(reports)

    last = previous_month(month_of(today))
    before = previous_month(last)
    tasks: list[Task] = []
    if standard is not None:
        for application in Application.objects.filter(
            standard=standard, region__path__startswith=township_a.path
        ).order_by("pk"):
            due = last.start + dt.timedelta(days=14)
            luck = stream("monthly-task", application.region.code, last.key).random()
            done = (
                due - dt.timedelta(days=2)
                if luck < 0.55
                else (due + dt.timedelta(days=6) if luck < 0.8 else None)
            )
            tasks.append(
                Task(
                    application=application,
                    title="完成月度人居环境整治任务",
                    due_on=due,
                    done_on=done,
                    note="已完成" if done else "",
                )
            )
        Task.objects.bulk_create(tasks)
    snapshots = 0
    if standard is not None:
        for month in (before, last):
            first = month.end + dt.timedelta(days=1)
            snapshots += ranking_snapshot_take(
                month=month,
                region=county,
                now=min(_at(first, 0), _at(today, 0)) + dt.timedelta(minutes=5),
            )

    quarter = quarter_of(today)
    rng = stream("site-reviews", quarter.key)
    chosen = [v for v in villages if v.path.startswith(township_a.path)]
    rng.shuffle(chosen)
    others = [v for v in villages if not v.path.startswith(township_a.path)]
    rng.shuffle(others)
    picked = chosen[:6] + others[:4]
    span = (today - quarter.start).days
    reviews = SiteReview.objects.bulk_create(
        SiteReview(
            quarter=quarter.key,
            village=village,
            visited_on=quarter.start + dt.timedelta(days=rng.randint(0, span)),
            note=rng.choice(REVIEW_NOTES),
            recorded_by=township_admin,
        )
        for village in picked
    )
    scores = [
        SiteReviewScore(
            review=review,
            reviewer=name,
            score=Decimal(str(round(rng.uniform(72, 97), 1))),
            comment=rng.choice(("", "", "亮点突出", "台账规范", "还需补齐产业短板")),
        )
        for review in reviews
        for name in REVIEWERS[: rng.choice((3, 4))]
    ]
    SiteReviewScore.objects.bulk_create(scores)
    return {
        "weekly_reports": len(reports),
        "ranking_snapshots": snapshots,
        "site_reviews": len(reviews),
        "site_review_scores": len(scores),
    }


def delete_star_rhythm() -> None:
    """Before the applications, standards and regions go."""
    for model in (SiteReviewScore, SiteReview, RankingSnapshot, WeeklyReport.tasks.through):
        model.objects.all().delete()
    WeeklyReport.objects.all().delete()
