"""A small standard and a finished run for the application tests, written as rows: the tests are
about the application's moves, not about computing metrics (test_evaluation covers that)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from textwrap import dedent

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhenxing.accounts.scoping import scope_for
from zhenxing.stars.models import (
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Outcome,
    Standard,
    Star,
)
from zhenxing.stars.services import applications as svc
from zhenxing.stars.services import standard_load

STANDARD = dedent(
    """\
    standard:
      code: test-apps
      version: "1"
      year: 2026
      kind: village
      title: 测试标准
      notice_days: 7
      approval: {1: township, 2: county, 3: city, 4: city, 5: city}
    stars:
      - code: safety
        name: 平安法治星
        indicators:
          - code: three_zeros
            name: 三零达标
            metric: three_zeros
            op: "=="
            threshold: true
            veto: star
      - code: industry
        name: 产业兴旺星
        indicators:
          - code: one_product
            name: 有一村一品
            judged: true
            evidence: 产业项目材料
      - code: branch
        name: 支部过硬星
        capstone: true
        indicators:
          - code: meetings
            name: 组织生活达标
            metric: meetings_compliance
            op: ">="
            threshold: 90
          - code: clean_team
            name: 班子成员无违纪违法
            judged: true
            veto: branch
    """
)
PDF = b"%PDF-1.4\n% test\n"


@dataclass
class Setup:
    standard: Standard
    run: EvaluationRun
    stars: dict[str, Star]
    indicators: dict[str, Indicator]


def setup_standard(tree, *, meetings_met: bool = True) -> Setup:
    standard = standard_load(text=STANDARD)
    run = EvaluationRun.objects.create(
        standard=standard,
        region=tree.county,
        period="2026",
        started_at=timezone.now() - dt.timedelta(minutes=1),
        finished_at=timezone.now(),
        villages=3,
    )
    indicators = {i.code: i for i in Indicator.objects.filter(star__standard=standard)}
    rows = []
    for village in (tree.village_a1, tree.village_a2, tree.village_b1):
        for code, indicator in indicators.items():
            if indicator.judged:
                outcome = Outcome.PENDING
            elif code == "meetings" and not meetings_met:
                outcome = Outcome.NOT_MET
            else:
                outcome = Outcome.MET
            rows.append(
                IndicatorResult(run=run, village=village, indicator=indicator, outcome=outcome)
            )
    IndicatorResult.objects.bulk_create(rows)
    return Setup(
        standard=standard,
        run=run,
        stars={s.code: s for s in standard.stars.all()},
        indicators=indicators,
    )


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def drafted(s: Setup, village, secretary, stars=("safety", "industry", "branch")):
    app = svc.application_goal_set(
        region=village,
        standard=s.standard,
        stars=[s.stars[c] for c in stars],
        note="发展特色产业",
        actor=secretary,
        scope=scope_for(secretary),
    )
    return app


def evidenced(s: Setup, app, secretary, codes=("one_product", "clean_team")):
    for code in codes:
        svc.application_evidence_add(
            application=app,
            indicator=s.indicators[code],
            text="见附件",
            file=pdf(),
            actor=secretary,
            scope=scope_for(secretary),
        )
    return app


def self_assessed(s: Setup, app, secretary, stars=("safety", "industry", "branch")):
    evidenced(s, app, secretary)
    return svc.application_self_assess(
        application=app,
        stars=[s.stars[c] for c in stars],
        actor=secretary,
        scope=scope_for(secretary),
    )


def reviewed(s: Setup, app, township, recommend=("safety", "industry", "branch"), met=True):
    return svc.application_review(
        application=app,
        judgements={
            s.indicators["one_product"].pk: (met, "属实"),
            s.indicators["clean_team"].pk: (True, "无违纪"),
        },
        recommend=[s.stars[c] for c in recommend],
        actor=township,
        scope=scope_for(township),
    )
