"""Writes of the household ratings: rate a household, correct a rating; and the scheme settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhenxing.core.periods import Period
from zhenxing.ledgers.models.ratings import (
    Cadence,
    HouseholdRating,
    Rater,
    RatingItem,
    RatingScheme,
    Title,
)
from zhenxing.ledgers.services.base import supersede
from zhenxing.ledgers.services.common import past_date, require_village, require_writer, text
from zhenxing.regions.models import Household, Region

CADENCE_KIND = {Cadence.MONTH: "-", Cadence.QUARTER: "Q", Cadence.HALF: "H", Cadence.YEAR: ""}


def scheme_period(scheme: RatingScheme, key: str) -> Period:
    """The period ``key`` read for ``scheme``: a monthly scheme takes 2026-03, a quarterly 2026Q1…"""
    try:
        period = Period.parse(key)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None
    marker = CADENCE_KIND[Cadence(scheme.cadence)]
    body = period.key[4:]
    fits = (body.startswith(marker) and len(body) > 1) if marker else body == ""
    if not fits or "~" in period.key or "W" in period.key:
        raise ValidationError(
            {
                "period": _("“%(s)s”按%(c)s评比，期间“%(p)s”不符，请写作 %(e)s")
                % {
                    "s": scheme.name,
                    "c": scheme.get_cadence_display(),
                    "p": key,
                    "e": {"-": "2026-03", "Q": "2026Q1", "H": "2026H1", "": "2026"}[marker],
                }
            }
        )
    return period


def _scores(scheme: RatingScheme, scores: dict[Any, Any]) -> tuple[dict[str, int], int, int]:
    items = list(scheme.items.all())
    if not items:
        raise ValidationError({"scheme": _("评比方案“%(s)s”尚无评比项目") % {"s": scheme.name}})
    known = {str(item.pk) for item in items}
    unknown = {str(k) for k in scores} - known
    if unknown:
        raise ValidationError({"scores": _("分项不属于评比方案“%(s)s”") % {"s": scheme.name}})
    out: dict[str, int] = {}
    for item in items:
        raw = scores.get(str(item.pk), scores.get(item.pk))
        if raw is None or raw == "":
            raise ValidationError({"scores": _("请填写“%(i)s”的得分") % {"i": item.name}})
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(
                {"scores": _("“%(i)s”的得分须为整数") % {"i": item.name}}
            ) from None
        if not 0 <= value <= item.max_points:
            raise ValidationError(
                {
                    "scores": _("“%(i)s”的得分 %(v)s 超出评分范围 0–%(m)s 分")
                    % {"i": item.name, "v": value, "m": item.max_points}
                }
            )
        out[str(item.pk)] = value
    return out, sum(out.values()), sum(item.max_points for item in items)


def title_for(scheme: RatingScheme, score: int) -> Title | None:
    """The highest active title of ``scheme`` whose threshold ``score`` reaches."""
    return (
        Title.objects.filter(scheme=scheme, active=True, min_score__lte=score)
        .order_by("-min_score", "pk")
        .first()
    )


def _checked(
    *,
    household: Household,
    scheme: RatingScheme,
    period: str,
    rated_on: dt.date | None,
    scores: dict[Any, Any],
    note: str,
) -> dict[str, Any]:
    if not scheme.active:
        raise ValidationError({"scheme": _("评比方案“%(s)s”已停用") % {"s": scheme.name}})
    p = scheme_period(scheme, period)
    past_date(rated_on, "rated_on", _("评议日期"), village=household.village)
    if p.start > rated_on:  # type: ignore[operator]
        raise ValidationError({"rated_on": _("评议日期不能早于评比期间的开始")})
    values, score, max_score = _scores(scheme, scores)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("备注不能超过 200 个字")})
    return {
        "household": household,
        "scheme": scheme,
        "period": p.key,
        "period_start": p.start,
        "rated_on": rated_on,
        "scores": values,
        "score": score,
        "max_score": max_score,
        "title": title_for(scheme, score),
        "note": note,
    }


@transaction.atomic
def household_rating_add(
    *,
    scope: Any,
    household: Household,
    scheme: RatingScheme,
    period: str,
    rated_on: dt.date | None,
    scores: dict[Any, Any],
    note: str = "",
    actor: Any,
) -> HouseholdRating:
    require_writer(actor)
    village: Region = household.village
    require_village(scope, village, "household")
    fields = _checked(
        household=household,
        scheme=scheme,
        period=period,
        rated_on=rated_on,
        scores=scores,
        note=note,
    )
    taken = HouseholdRating.objects.counting().filter(
        household=household, scheme=scheme, period=fields["period"]
    )
    if taken.exists():
        raise ValidationError(
            {
                "household": _("%(h)s在%(p)s已有“%(s)s”评比记录，如需修改请更正原记录")
                % {"h": household, "p": Period.parse(fields["period"]).label, "s": scheme.name}
            }
        )
    rating = HouseholdRating(village=village, recorded_by=actor, **fields)
    rating.full_clean(exclude=["supersedes", "recorded_by"])
    rating.save()
    return rating


@transaction.atomic
def household_rating_correct(
    *, rating: HouseholdRating, reason: str, actor: Any, **changes: Any
) -> HouseholdRating:
    require_writer(actor)
    current = {
        "household": rating.household,
        "scheme": rating.scheme,
        "period": rating.period,
        "rated_on": rating.rated_on,
        "scores": rating.scores,
        "note": rating.note,
    }
    fields = _checked(**{**current, **changes})
    if fields["household"].village_id != rating.village_id:
        raise ValidationError({"household": _("更正不能把记录移到其他村")})
    return supersede(rating, actor=actor, reason=reason, **fields)


@transaction.atomic
def household_rating_void(*, rating: HouseholdRating, reason: str, actor: Any) -> HouseholdRating:
    require_writer(actor)
    return supersede(rating, actor=actor, reason=reason, voided=True)


# --- settings: schemes, items, titles (county) ---------------------------------------------


def county_only(actor: Any, message: str) -> None:
    if not (actor.is_superuser or actor.role == "county_admin"):
        raise PermissionDenied(message)


@transaction.atomic
def rating_scheme_save(
    *,
    actor: Any,
    name: str,
    cadence: str,
    rater: str,
    items: list[tuple[str, int]],
    titles: list[tuple[str, int]],
    active: bool = True,
    scheme: RatingScheme | None = None,
) -> RatingScheme:
    """Create or edit a scheme with its items and titles (existing ratings keep their scores)."""
    county_only(actor, _("只有县级管理员可以修改评比方案"))
    name = text(name, "name", _("方案名称"), high=30)
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": _("请选择评比周期")})
    if rater not in ("group", "village"):
        raise ValidationError({"rater": _("请选择评议主体")})
    if not items:
        raise ValidationError({"items": _("请至少填写一个评比项目")})
    for item_name, points in items:
        text(item_name, "items", _("评比项目"), high=30)
        if not 1 <= int(points) <= 100:
            raise ValidationError({"items": _("“%(i)s”的满分须在 1–100 之间") % {"i": item_name}})
    total = sum(int(p) for _n, p in items)
    for title_name, min_score in titles:
        text(title_name, "titles", _("称号"), high=20)
        if not 0 <= int(min_score) <= total:
            raise ValidationError(
                {
                    "titles": _("称号“%(t)s”的最低得分须在 0–%(m)s 之间")
                    % {"t": title_name, "m": total}
                }
            )
    clash = RatingScheme.objects.filter(name=name)
    if scheme is not None:
        clash = clash.exclude(pk=scheme.pk)
    if clash.exists():
        raise ValidationError({"name": _("已有同名评比方案")})
    if scheme is None:
        scheme = RatingScheme.objects.create(name=name, cadence=cadence, rater=rater, active=active)
    else:
        scheme.name, scheme.cadence, scheme.rater, scheme.active = name, cadence, rater, active
        used = HouseholdRating.objects.filter(scheme=scheme).exists()
        old_items = [(i.name, i.max_points) for i in scheme.items.all()]
        if used and old_items != [(n.strip(), int(p)) for n, p in items]:
            raise ValidationError(
                {"items": _("该方案已有评比记录，评比项目和分值不能再改；如需调整请新建方案")}
            )
        scheme.save(update_fields=["name", "cadence", "rater", "active"])
        scheme.titles.update(active=False)
        if not used:
            scheme.items.all().delete()
    if not scheme.items.exists():
        RatingItem.objects.bulk_create(
            RatingItem(scheme=scheme, name=n.strip(), max_points=int(p), sort=i)
            for i, (n, p) in enumerate(items)
        )
    for title_name, min_score in titles:
        Title.objects.update_or_create(
            scheme=scheme,
            name=title_name.strip(),
            defaults={"min_score": int(min_score), "active": True},
        )
    return scheme


# Seeded defaults (seed 001 cadence, titles named in seeds 000 and 004); all of it is data the
# county edits on the schemes page. ``ensure_rating_defaults`` adds what is missing, by name.
DEFAULT_SCHEMES: tuple[
    tuple[str, str, str, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]], ...
] = (
    (
        "户月评",
        Cadence.MONTH,
        Rater.GROUP,
        (("庭院整洁", 30), ("环境卫生", 30), ("家风文明", 20), ("遵纪守法", 20)),
        (("最美庭院", 90), ("文明户", 80)),
    ),
    (
        "组季评",
        Cadence.QUARTER,
        Rater.VILLAGE,
        (("院内美", 20), ("院外美", 20), ("居室美", 20), ("厨厕美", 20), ("家风美", 20)),
        (("五美示范庭院", 92),),
    ),
    (
        "党员户半年评",
        Cadence.HALF,
        Rater.VILLAGE,
        (("带头作用", 40), ("服务群众", 30), ("遵规守纪", 30)),
        (("党员先锋户", 90),),
    ),
)


def ensure_rating_defaults() -> list[RatingScheme]:
    out = []
    for sort, (name, cadence, rater, items, titles) in enumerate(DEFAULT_SCHEMES):
        scheme, created = RatingScheme.objects.get_or_create(
            name=name, defaults={"cadence": cadence, "rater": rater, "sort": sort}
        )
        if created:
            RatingItem.objects.bulk_create(
                RatingItem(scheme=scheme, name=n, max_points=p, sort=i)
                for i, (n, p) in enumerate(items)
            )
            Title.objects.bulk_create(Title(scheme=scheme, name=n, min_score=m) for n, m in titles)
        out.append(scheme)
    return out
