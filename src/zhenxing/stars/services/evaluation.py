"""Writes of the star engine: loading a standard, running an evaluation."""

from __future__ import annotations

import operator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope
from zhenxing.core.periods import Period
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region
from zhenxing.stars.metrics import FLAG, METRICS, compute_all
from zhenxing.stars.models import (
    EvaluationRun,
    Indicator,
    IndicatorResult,
    Judgement,
    Outcome,
    Standard,
    StandardKind,
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
CENT = Decimal("0.01")


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


def units_under(standard: Standard, region: Region) -> QuerySet[Region]:
    """What ``standard`` evaluates under ``region``: its villages and communities, or its
    townships for a township standard (五好乡镇党委)."""
    levels = (Level.TOWNSHIP,) if standard.kind == StandardKind.TOWNSHIP else VILLAGE_LEVELS
    return Region.objects.filter(path__startswith=region.path, level__in=levels)


def _judged(standard: Standard, units: QuerySet[Region]) -> dict[tuple[int, int], bool]:
    """``{(unit id, indicator id): met}``: the reviewers' judgements of the units' applications
    for ``standard`` (one query)."""
    return {
        (region_id, indicator_id): met
        for region_id, indicator_id, met in Judgement.objects.filter(
            application__standard=standard,
            application__region__in=units.order_by().values("pk"),
        ).values_list("application__region_id", "indicator_id", "met")
    }


def _outcomes(indicator: Indicator, values: list) -> list[str]:
    """The outcome of each value (None: no data) against ``indicator``'s threshold, for one
    indicator and many units: the threshold converted once."""
    met, not_met, no_data = Outcome.MET.value, Outcome.NOT_MET.value, Outcome.NO_DATA.value
    if METRICS[indicator.metric].kind == FLAG:
        wanted = indicator.threshold
        return [no_data if v is None else met if bool(v) is wanted else not_met for v in values]
    compare = COMPARE[indicator.op]
    exact = Decimal(indicator.threshold)
    rough = float(exact)  # floats are rounded to a tenth, thresholds short decimals
    return [
        no_data
        if v is None
        else met
        if compare(v, exact if isinstance(v, Decimal) else rough)
        else not_met
        for v in values
    ]


def _text(value) -> str | None:
    """A value as the two-decimal text stored (None stays None)."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    return str(Decimal(value).quantize(CENT))


def evaluation_run(
    *, standard: Standard, region: Region, period: Period, scope: Scope, actor=None
) -> EvaluationRun:
    """Compute every indicator of ``standard`` for every unit under ``region`` (its villages, or
    its townships for a township standard): one call per metric source for all units (an
    aggregate query or a few), the judged indicators from the reviewers' ``Judgement`` rows of
    each unit's application for the standard (one query; pending without one), then the stars
    each unit earns. Results are written in bulk (COPY on PostgreSQL)."""
    scope.require(region)
    started = timezone.now()
    units = units_under(standard, region)
    unit_ids = list(units.order_by("path").values_list("pk", flat=True))
    stars = list(standard.stars.order_by("sort"))
    indicators = list(
        Indicator.objects.filter(star__standard=standard).order_by("star__sort", "sort")
    )
    by_star: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_star.setdefault(indicator.star_id, []).append(indicator)
    values = compute_all({i.metric for i in indicators if not i.judged}, units, period)
    judged = _judged(standard, units) if any(i.judged for i in indicators) else {}
    # Column by column (one indicator for every unit), then each unit's row of outcomes.
    texts: list[list[str | None]] = []
    outcomes: list[list[str]] = []
    decided = {True: Outcome.MET.value, False: Outcome.NOT_MET.value, None: Outcome.PENDING.value}
    for indicator in indicators:
        if indicator.judged:
            texts.append([None] * len(unit_ids))
            outcomes.append([decided[judged.get((u, indicator.pk))] for u in unit_ids])
        else:
            found = values[indicator.metric]
            column = [found.get(u) for u in unit_ids]
            texts.append([_text(v) for v in column])
            outcomes.append(_outcomes(indicator, column))
    earned: dict[tuple[str, ...], list[tuple[int, str, str]]] = {}
    per_unit = list(zip(*outcomes, strict=True)) if indicators else [()] * len(unit_ids)
    for key in set(per_unit):  # units with the same outcomes earn the same stars
        result = star_outcomes(
            stars, by_star, {i.pk: o for i, o in zip(indicators, key, strict=True)}
        )
        earned[key] = [(pk, str(o), r) for pk, (o, r) in result.items()]
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            standard=standard,
            region=region,
            period=period.key,
            started_at=started,
            villages=len(unit_ids),
            created_by=actor,
        )
        _write_indicators(run.pk, unit_ids, indicators, texts, outcomes)
        _write_stars(run.pk, unit_ids, per_unit, earned)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    return run


NULL = "\\N"


def _escaped(text: str) -> str:
    """Text for COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(model, names: tuple[str, ...], chunks) -> None:
    """COPY the text lines ``chunks`` yields into ``model``'s columns ``names``."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in names
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for chunk in chunks:
            copy.write(chunk)


def _write_indicators(run_id, unit_ids, indicators, texts, outcomes) -> None:
    if connection.vendor == "postgresql":
        _copy(
            IndicatorResult,
            ("run", "village", "indicator", "value", "outcome"),
            (
                "".join(
                    [
                        f"{run_id}\t{u}\t{indicator.pk}\t{NULL if t is None else t}\t{o}\n"
                        for u, t, o in zip(unit_ids, column, found, strict=True)
                    ]
                )
                for indicator, column, found in zip(indicators, texts, outcomes, strict=True)
            ),
        )
        return
    IndicatorResult.objects.bulk_create(
        (
            IndicatorResult(run_id=run_id, village_id=u, indicator=indicator, value=t, outcome=o)
            for indicator, column, found in zip(indicators, texts, outcomes, strict=True)
            for u, t, o in zip(unit_ids, column, found, strict=True)
        ),
        batch_size=BATCH,
    )


def _write_stars(run_id, unit_ids, per_unit, earned) -> None:
    if connection.vendor == "postgresql":
        lines = {
            key: [f"\t{pk}\t{o}\t{_escaped(r)}" for pk, o, r in rows]
            for key, rows in earned.items()
        }

        def chunks():
            for start in range(0, len(unit_ids), BATCH):
                yield "".join(
                    [
                        f"{run_id}\t{u}{line}\n"
                        for u, key in zip(
                            unit_ids[start : start + BATCH],
                            per_unit[start : start + BATCH],
                            strict=True,
                        )
                        for line in lines[key]
                    ]
                )

        _copy(StarResult, ("run", "village", "star", "outcome", "reason"), chunks())
        return
    StarResult.objects.bulk_create(
        (
            StarResult(run_id=run_id, village_id=u, star_id=pk, outcome=o, reason=r)
            for u, key in zip(unit_ids, per_unit, strict=True)
            for pk, o, r in earned[key]
        ),
        batch_size=BATCH,
    )
