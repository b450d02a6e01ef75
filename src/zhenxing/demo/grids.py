"""The demo county's grids, pairings and visits, each village drawing from streams of its own
(``plan.stream("pairings", code)``, "visits"; the grid shapes from one per township).

- 裴岗镇 gets 162 grids, like seed 000's 162 grids across 24 villages: in each village the village
  grid (level 1, headed by the secretary), two level-2 grids headed by two-committee cadres (each
  covering half the villager groups) and three or four level-3 grids headed by village cadres.
- Every village's households are paired by the same pure function the 自动分配 page uses, at its
  township's 1+N ratio (1+10, or the least ratio that pairs every household, saved as the
  township's ``GridSettings``), then spoiled on purpose so the coverage pages have something
  true to show: in each village a few households lose their member (special households among
  them) and one member carries a few more than the ratio allows. Coverage (``pairing_coverage``)
  stays at 95 % or more in every village, as the plan wants.
- Visits (五个到户) of the last two months, a share of the paired households from
  ``plan.strength``, written with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from zhenxing.demo.plan import DemoPlan, stream
from zhenxing.grids.assign import HouseholdIn, MemberIn, propose
from zhenxing.grids.models import Grid, GridCover, GridSettings, Pairing, Visit, VisitItem
from zhenxing.grids.selectors import DEFAULTS, age_on
from zhenxing.regions.models import (
    TEAM_POSTS,
    VILLAGE_LEVELS,
    CadrePost,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    Post,
    Region,
)

GRIDS_A = 162
BATCH = 2000
GAPS = 3  # households per village left unpaired on purpose
OVERLOAD = 3  # households one member per village carries above the ratio
RATIOS = (10, 12, 15, 18, 20, 25, 30)  # the 1+N a township sets: the least that pairs everyone


def build_grids(
    *, county: Region, township_a: Region, today: dt.date, plan: DemoPlan
) -> dict[str, int]:
    villages = list(
        Region.objects.filter(path__startswith=county.path, level__in=VILLAGE_LEVELS).order_by(
            "path"
        )
    )
    grids = _grids(township_a, [v for v in villages if v.path.startswith(township_a.path)])
    pairings = _pairings(county, villages, today)
    visits = _visits(villages, today, plan)
    return {"grids": grids, "pairings": pairings, "visits": visits}


def _grids(township: Region, villages: list[Region]) -> int:
    posts: dict[int, list[CadrePost]] = defaultdict(list)
    for p in CadrePost.objects.filter(region__in=villages, end_date__isnull=True).order_by("pk"):
        posts[p.region_id].append(p)
    groups: dict[int, list[Region]] = defaultdict(list)
    by_path = {v.path: v.pk for v in villages}
    for g in Region.objects.filter(level=Level.GROUP, path__startswith=township.path).order_by(
        "path"
    ):
        village_id = by_path.get(g.path[: -Region.steplen])
        if village_id:
            groups[village_id].append(g)
    # 162 grids over 24 villages: 3 of levels 1–2 each, the rest level 3 (3 or 4 a village).
    third = GRIDS_A - 3 * len(villages)
    fours = third - 3 * len(villages)
    counts = [4] * fours + [3] * (len(villages) - fours)
    stream("grids", township.code).shuffle(counts)
    covers: list[GridCover] = []
    made = 0
    for village, n3 in zip(villages, counts, strict=True):
        vp = posts[village.pk]
        secretary = next(p.person_id for p in vp if p.post == Post.SECRETARY)
        team = [p.person_id for p in vp if p.post in TEAM_POSTS and p.person_id != secretary]
        anyone = list(dict.fromkeys(p.person_id for p in vp if p.person_id != secretary))
        top = Grid.objects.create(
            village=village, level=1, name=f"{village.name}网格", head_id=secretary
        )
        gs = groups[village.pk]
        halves = [gs[: (len(gs) + 1) // 2], gs[(len(gs) + 1) // 2 :]]
        splits = [(n3 + 1) // 2, n3 // 2]
        made += 1
        number = 0
        for i, (half, k) in enumerate(zip(halves, splits, strict=True)):
            second = Grid.objects.create(
                village=village,
                level=2,
                parent=top,
                name=f"第{'一二'[i]}网格",
                head_id=team[i % len(team)],
            )
            made += 1
            covers += [GridCover(village=village, grid=second, level=2, group=g) for g in half]
            k = min(k, len(half))
            for j in range(k):
                number += 1
                third_grid = Grid.objects.create(
                    village=village,
                    level=3,
                    parent=second,
                    name=f"第{number}片区",
                    head_id=anyone[(number - 1) % len(anyone)],
                )
                made += 1
                covers += [
                    GridCover(village=village, grid=third_grid, level=3, group=g)
                    for g in half[j::k]
                ]
    GridCover.objects.bulk_create(covers, batch_size=BATCH)
    return made


def _pairings(county: Region, villages: list[Region], today: dt.date) -> int:
    """Pair every village's households by the pure function of the 自动分配 page, at the 1+N
    ratio of its township (1+10, or the least of ``RATIOS`` whose capacity pairs every household
    of each of its villages, saved as the township's ``GridSettings``), then spoil it on purpose:
    a few households (``GAPS``, and a special one) lose their member, and one member carries
    ``OVERLOAD`` households above capacity. Coverage stays at 95 % or more in every village."""
    grid_of_group = dict(
        GridCover.objects.filter(group__isnull=False)
        .order_by("level")
        .values_list("group_id", "grid_id")
    )  # the deepest level wins (ordered by level)
    special = set(
        Household.tags.through.objects.filter(householdtag__special=True).values_list(
            "household_id", flat=True
        )
    )
    households: dict[int, list[HouseholdIn]] = defaultdict(list)
    for hid, vid, gid in Household.objects.order_by("pk").values_list(
        "pk", "village_id", "group_id"
    ):
        households[vid].append(
            HouseholdIn(id=hid, group=gid, grid=grid_of_group.get(gid), special=hid in special)
        )
    ages: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for mid, vid, birth, gid in (
        PartyMember.objects.filter(status=MemberStatus.ACTIVE, organization__region__in=villages)
        .order_by("pk")
        .values_list(
            "pk", "organization__region_id", "person__birth_date", "person__household__group_id"
        )
    ):
        ages[vid].append((mid, age_on(birth, today), gid))
    ratio = _ratios(county, villages, households, ages)
    rows: list[Pairing] = []
    history: list[Pairing] = []
    for village in villages:
        cfg = ratio[village.pk]
        members = [
            MemberIn(id=mid, capacity=cfg.capacity(age), group=gid, grid=grid_of_group.get(gid))
            for mid, age, gid in ages[village.pk]
        ]
        rng = stream("pairings", village.code)
        proposal = propose(households[village.pk], members)
        pairs = dict(proposal.pairs)
        hh = sorted(pairs)
        # Gaps: a few households lose their member, one of them special where there is one.
        specials = [h for h in hh if h in special]
        gone = set(rng.sample(hh, min(GAPS, len(hh))))
        if specials:
            gone.add(rng.choice(specials))
        for h in gone:
            pairs.pop(h)
        # One overload: the member with the most households takes others' until OVERLOAD above
        # their capacity.
        loads = defaultdict(list)
        for h, m in pairs.items():
            loads[m].append(h)
        capacity = {m.id: m.capacity for m in members}
        if len(loads) > 1:
            big = max(loads, key=lambda m: (len(loads[m]), -m))
            donors = [h for m, hs in loads.items() if m != big for h in hs]
            extra = max(0, capacity[big] + OVERLOAD - len(loads[big]))
            for h in rng.sample(donors, min(extra, len(donors))):
                pairs[h] = big
        village_rows = [
            Pairing(
                village=village,
                household_id=h,
                member_id=m,
                start_date=today - dt.timedelta(days=rng.randint(60, 900)),
            )
            for h, m in sorted(pairs.items())
        ]
        rows += village_rows
        # Some history: a tenth of the pairings replaced an earlier one.
        for p in rng.sample(village_rows, len(village_rows) // 10):
            others = [m.id for m in members if m.id != p.member_id]
            if others:
                begin = p.start_date - dt.timedelta(days=rng.randint(200, 700))
                history.append(
                    Pairing(
                        village=village,
                        household_id=p.household_id,
                        member_id=rng.choice(others),
                        start_date=begin,
                        end_date=p.start_date,
                    )
                )
    Pairing.objects.bulk_create(rows + history, batch_size=BATCH)
    return len(rows)


def _ratios(
    county: Region,
    villages: list[Region],
    households: dict[int, list[HouseholdIn]],
    ages: dict[int, list[tuple[int, int, int | None]]],
) -> dict[int, GridSettings]:
    """Each village's 联户 settings: 1+10 (the defaults), unless its township's members cannot
    pair every household at that ratio; then the township gets the least ratio of ``RATIOS``
    that does (its own ``GridSettings`` row)."""
    townships = list(Region.objects.filter(path__startswith=county.path, level=Level.TOWNSHIP))
    out: dict[int, GridSettings] = {}
    for township in townships:
        under = [v for v in villages if v.path.startswith(township.path)]

        def pairs_all(cfg: GridSettings, under: list[Region] = under) -> bool:
            return all(
                sum(cfg.capacity(age) for _mid, age, _gid in ages[v.pk]) >= len(households[v.pk])
                for v in under
            )

        cfg = DEFAULTS
        for ratio in RATIOS:
            cfg = GridSettings(region=township, ratio=ratio)
            if pairs_all(cfg):
                break
        if cfg.ratio != DEFAULTS.ratio:
            cfg.save()
        out |= dict.fromkeys((v.pk for v in under), cfg)
    return out


def _visits(villages: list[Region], today: dt.date, plan: DemoPlan) -> int:
    """Visits (五个到户) of the last two months: a share of each village's paired households
    from its liveliness (``plan.strength``: about 55 %–85 %), dealt from its own stream."""
    items = [i.value for i in VisitItem]
    paired: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for village_id, household_id, member_id in (
        Pairing.objects.filter(end_date__isnull=True)
        .order_by("pk")
        .values_list("village_id", "household_id", "member_id")
    ):
        paired[village_id].append((household_id, member_id))
    rows = []
    for village in villages:
        rng = stream("visits", village.code)
        pairs = paired[village.pk]
        share = 0.4 + 0.45 * plan.strength(village.code, today.year)
        for household_id, member_id in rng.sample(pairs, round(len(pairs) * share)):
            served = rng.sample(items, rng.choice((1, 1, 2, 2, 3)))
            rows.append(
                Visit(
                    village_id=village.pk,
                    household_id=household_id,
                    member_id=member_id,
                    visited_on=today - dt.timedelta(days=rng.randint(0, 60)),
                    notes="",
                    **dict.fromkeys(served, True),
                )
            )
    Visit.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
