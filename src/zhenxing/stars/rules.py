"""How indicator outcomes make star outcomes: one pure function, used by the evaluation run (for
every village at once) and by the approval of one application (with the reviewer's judgements)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhenxing.stars.models import Indicator, Outcome, Star

FAILED = (Outcome.NOT_MET, Outcome.NO_DATA)


def star_outcomes(
    stars: list[Star],
    by_star: dict[int, list[Indicator]],
    outcomes: dict[int, str],
) -> dict[int, tuple[str, str]]:
    """``{star id: (outcome, reason)}`` for one unit, given ``{indicator id: outcome}``.

    A star is met when all its indicators are met, pending when the computed ones are met and
    judged ones wait, else not met; a failed veto indicator anywhere fails every star; a star that
    requires another (or a capstone, which requires all the others) is met only with it."""
    vetoed = next(
        (i for found in by_star.values() for i in found if i.veto and outcomes[i.pk] in FAILED),
        None,
    )
    own: dict[int, tuple[str, str]] = {}
    for star in stars:
        found = [outcomes[i.pk] for i in by_star.get(star.pk, [])]
        failed = [i.name for i in by_star.get(star.pk, []) if outcomes[i.pk] in FAILED]
        if vetoed is not None:
            own[star.pk] = (Outcome.NOT_MET, _("一票否决：%(name)s") % {"name": vetoed.name})
        elif failed:
            own[star.pk] = (Outcome.NOT_MET, _("未达标：%(names)s") % {"names": "、".join(failed)})
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
