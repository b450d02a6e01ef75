"""Writes of the star engine: loading a standard, running an evaluation."""

from __future__ import annotations

import operator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.regions.models import VILLAGE_LEVELS, Region
from zhenxing.stars.metrics import FLAG, METRICS
from zhenxing.stars.models import (
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Outcome,
    Standard,
    Star,
    StarResult,
)
from zhenxing.stars.rules import star_outcomes
from zhenxing.stars.standards import StandardError, parse_standard

COMPARE = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
BATCH = 5000


def standard_load(*, text: str, actor=None) -> Standard:
    """Load a standard file (checked line by line first). Loading the same file again returns the
    standard it made; a different file under a code and version already loaded is refused."""
    try:
        spec = parse_standard(text)
    except StandardError as error:
        raise ValidationError({"source": error.errors}) from error
    existing = Standard.objects.filter(code=spec.code, version=spec.version).first()
    if existing is not None:
        if existing.digest == spec.digest:
            return existing
        raise ValidationError(
            {
                "source": _("标准“%(code)s”的 %(version)s 版已导入且内容不同：修改后请换一个版本号")
                % {"code": spec.code, "version": spec.version}
            }
        )
    with transaction.atomic():
        standard = Standard.objects.create(
            code=spec.code,
            version=spec.version,
            year=spec.year,
            kind=spec.kind,
            title=spec.title,
            unconfirmed=spec.unconfirmed,
            notice_days=spec.notice_days,
            approval={str(k): v for k, v in spec.approval.items()},
            source=text,
            digest=spec.digest,
            loaded_by=actor,
        )
        stars = {}
        for n, star_spec in enumerate(spec.stars):
            stars[star_spec.code] = Star.objects.create(
                standard=standard,
                code=star_spec.code,
                name=star_spec.name,
                sort=n,
                capstone=star_spec.capstone,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    star=stars[star_spec.code],
                    code=i.code,
                    name=i.name,
                    sort=m,
                    metric=i.metric,
                    op=i.op,
                    threshold=None if i.threshold is None else _stored(i.threshold),
                    judged=i.judged,
                    veto=i.veto,
                    evidence=i.evidence,
                )
                for m, i in enumerate(star_spec.indicators)
            )
        for star_spec in spec.stars:
            if star_spec.requires:
                star = stars[star_spec.code]
                star.requires = stars[star_spec.requires]
                star.save(update_fields=["requires"])
    return standard


def _stored(threshold: Decimal | bool) -> str | bool:
    return threshold if isinstance(threshold, bool) else str(threshold)


def meets(indicator: Indicator, value) -> bool:
    """Whether a computed indicator's value meets its threshold."""
    threshold = indicator.threshold
    if METRICS[indicator.metric].kind == FLAG:
        return bool(value) is threshold
    return COMPARE[indicator.op](Decimal(str(value)), Decimal(threshold))


def _value(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    return Decimal(str(value)).quantize(Decimal("0.01"))


def evaluation_run(
    *, standard: Standard, region: Region, period: Period, scope: Scope, actor=None
) -> EvaluationRun:
    """Compute every computed indicator of ``standard`` for every village under ``region``: one
    call per metric for all villages (an aggregate query or a few), then the stars each village's
    computed indicators earn. Judged indicators stay pending until a reviewer decides."""
    scope.require(region)
    started = timezone.now()
    villages = Region.objects.filter(path__startswith=region.path, level__in=VILLAGE_LEVELS)
    village_ids = list(villages.values_list("pk", flat=True))
    stars = list(standard.stars.order_by("sort"))
    indicators = list(
        Indicator.objects.filter(star__standard=standard).order_by("star__sort", "sort")
    )
    by_star: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_star.setdefault(indicator.star_id, []).append(indicator)
    values = {
        name: METRICS[name].compute(villages, period)
        for name in sorted({i.metric for i in indicators if not i.judged})
    }
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            standard=standard,
            region=region,
            period=period.key,
            started_at=started,
            villages=len(village_ids),
            created_by=actor,
        )
        indicator_rows: list[IndicatorResult] = []
        star_rows: list[StarResult] = []
        for village_id in village_ids:
            outcomes = {}
            for indicator in indicators:
                value = None
                if indicator.judged:
                    outcome = Outcome.PENDING
                else:
                    value = values[indicator.metric].get(village_id)
                    if value is None:
                        outcome = Outcome.NO_DATA
                    else:
                        outcome = Outcome.MET if meets(indicator, value) else Outcome.NOT_MET
                outcomes[indicator.pk] = outcome
                indicator_rows.append(
                    IndicatorResult(
                        run=run,
                        village_id=village_id,
                        indicator=indicator,
                        value=_value(value),
                        outcome=outcome,
                    )
                )
            star_rows += [
                StarResult(
                    run=run, village_id=village_id, star_id=star_id, outcome=outcome, reason=reason
                )
                for star_id, (outcome, reason) in star_outcomes(stars, by_star, outcomes).items()
            ]
            if len(indicator_rows) >= BATCH:
                IndicatorResult.objects.bulk_create(indicator_rows)
                indicator_rows = []
        IndicatorResult.objects.bulk_create(indicator_rows)
        StarResult.objects.bulk_create(star_rows, batch_size=BATCH)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    return run
