"""How indicator outcomes make star outcomes: one pure rule, used by the evaluation run (for every
village at once), by the approval of one application (with the reviewer's judgements) and by the
revocation (摘星) of held stars on a veto event (``taken_by_veto``): the three can never disagree
on what a failed veto takes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhenxing.stars.models import Indicator, Outcome, Star, VetoScope

FAILED = (Outcome.NOT_MET, Outcome.NO_DATA)


def veto_label(indicator: Indicator) -> str:
    """ "一票否决（整个支部当年不评星）" or "一票否决（否决本星）"; "" for an ordinary indicator."""
    if not indicator.veto:
        return ""
    return _("一票否决（%(scope)s）") % {"scope": VetoScope(indicator.veto).label}


def star_outcomes(
    stars: list[Star],
    by_star: dict[int, list[Indicator]],
    outcomes: dict[int, str],
) -> dict[int, tuple[str, str]]:
    """``{star id: (outcome, reason)}`` for one unit, given ``{indicator id: outcome}``.

    A star is met when all its indicators are met, pending when the computed ones are met and
    judged ones wait, else not met. A failed veto indicator takes what its standard says
    (``Indicator.veto``): every star of the year (``branch``), or its own star (``star``, like any
    failed indicator, but named as the veto). A star that requires another (or a capstone, which
    requires all the others) is met only with it."""
    branch_veto = next(
        (
            i
            for found in by_star.values()
            for i in found
            if i.veto == VetoScope.BRANCH and outcomes[i.pk] in FAILED
        ),
        None,
    )
    own: dict[int, tuple[str, str]] = {}
    for star in stars:
        indicators = by_star.get(star.pk, [])
        found = [outcomes[i.pk] for i in indicators]
        failed = [i for i in indicators if outcomes[i.pk] in FAILED]
        star_veto = next((i for i in failed if i.veto == VetoScope.STAR), None)
        if branch_veto is not None:
            own[star.pk] = (
                Outcome.NOT_MET,
                _("一票否决，整个支部当年不评星：%(name)s") % {"name": branch_veto.name},
            )
        elif star_veto is not None:
            own[star.pk] = (Outcome.NOT_MET, _("一票否决：%(name)s") % {"name": star_veto.name})
        elif failed:
            own[star.pk] = (
                Outcome.NOT_MET,
                _("未达标：%(names)s") % {"names": "、".join(i.name for i in failed)},
            )
        elif Outcome.PENDING in found:
            own[star.pk] = (Outcome.PENDING, _("计算指标达标，评审指标待评"))
        else:
            own[star.pk] = (Outcome.MET, "")
    result: dict[int, tuple[str, str]] = {}
    for star in stars:
        outcome, reason = own[star.pk]
        needed = (
            [s for s in stars if s.pk != star.pk]
            if star.capstone
            else [s for s in stars if s.pk == star.requires_id]
        )
        missing = [s.name for s in needed if own[s.pk][0] == Outcome.NOT_MET]
        if outcome != Outcome.NOT_MET and missing:
            outcome = Outcome.NOT_MET
            reason = _("须先获得：%(names)s") % {"names": "、".join(missing)}
        elif outcome == Outcome.MET and any(own[s.pk][0] == Outcome.PENDING for s in needed):
            outcome, reason = Outcome.PENDING, _("所需的星待评审")
        result[star.pk] = (outcome, reason)
    return result


def taken_by_veto(
    stars: list[Star], by_star: dict[int, list[Indicator]], veto: Indicator
) -> list[tuple[Star, str]]:
    """The stars a failed ``veto`` takes, with the reason for each, by the same rule as the
    evaluation: ``star_outcomes`` with every indicator met but the veto."""
    outcomes = {i.pk: Outcome.MET for found in by_star.values() for i in found}
    outcomes[veto.pk] = Outcome.NOT_MET
    result = star_outcomes(stars, by_star, outcomes)
    return [(s, result[s.pk][1]) for s in stars if result[s.pk][0] == Outcome.NOT_MET]
