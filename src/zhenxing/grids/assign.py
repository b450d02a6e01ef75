"""Automatic pairing (自动分配联户): a pure function, no database.

Input: the village's households (group, grid, special or not, current member) and its members
(group, grid, capacity from the ratio setting and their age). Output: a proposal that

1. keeps every current pairing whose member is still listed and within capacity (a member over
   capacity keeps special households first, then the lowest household ids, and releases the rest);
2. pairs the remaining households, special households (低保、空巢、留守、监测户 …) first, each with
   the member who has the most room left among those in the same grid, else the same villager
   group, else anyone in the village;
3. never puts a member above capacity, and leaves a household unpaired only when no member of
   the village has room left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HouseholdIn:
    id: int
    group: int | None = None
    grid: int | None = None
    special: bool = False
    current: int | None = None  # the member it is paired with now


@dataclass(frozen=True)
class MemberIn:
    id: int
    capacity: int
    group: int | None = None
    grid: int | None = None


@dataclass
class Proposal:
    pairs: dict[int, int] = field(default_factory=dict)  # household → member
    kept: set[int] = field(default_factory=set)  # households whose pairing stays
    added: set[int] = field(default_factory=set)  # households unpaired now, paired by the proposal
    moved: set[int] = field(default_factory=set)  # households that change member
    unpaired: list[int] = field(default_factory=list)  # households left without a member
    loads: dict[int, int] = field(default_factory=dict)  # member → households

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.moved)


def _rank(h: HouseholdIn) -> tuple[int, int]:
    return (0 if h.special else 1, h.id)


def propose(households: Iterable[HouseholdIn], members: Sequence[MemberIn]) -> Proposal:
    by_id = {m.id: m for m in members}
    room = {m.id: max(0, m.capacity) for m in members}
    proposal = Proposal(loads={m.id: 0 for m in members})
    todo: list[HouseholdIn] = []
    # 1. Keep current pairings within capacity (special households keep theirs first).
    for h in sorted(households, key=_rank):
        if h.current is not None and h.current in by_id and room[h.current] > 0:
            room[h.current] -= 1
            proposal.pairs[h.id] = h.current
            proposal.kept.add(h.id)
        else:
            todo.append(h)
    # 2. Pair the rest: same grid, else same group, else anyone; most room left wins.
    by_grid: dict[int, list[MemberIn]] = {}
    by_group: dict[int, list[MemberIn]] = {}
    for m in members:
        if m.grid is not None:
            by_grid.setdefault(m.grid, []).append(m)
        if m.group is not None:
            by_group.setdefault(m.group, []).append(m)
    everyone = list(members)
    for h in todo:  # already special first, then by id
        choice = None
        for pool in (
            by_grid.get(h.grid, []) if h.grid is not None else [],
            by_group.get(h.group, []) if h.group is not None else [],
            everyone,
        ):
            best = max(pool, key=lambda m: (room[m.id], -m.id), default=None)
            if best is not None and room[best.id] > 0:
                choice = best.id
                break
        if choice is None:
            proposal.unpaired.append(h.id)
            continue
        room[choice] -= 1
        proposal.pairs[h.id] = choice
        (proposal.added if h.current is None else proposal.moved).add(h.id)
    for member_id in proposal.pairs.values():
        proposal.loads[member_id] += 1
    return proposal
