"""The automatic assignment as a pure function: no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhenxing.grids.assign import HouseholdIn, MemberIn, propose


def test_existing_pairings_are_kept_and_the_rest_fill_the_member_with_most_room():
    households = [HouseholdIn(1, current=10), HouseholdIn(2), HouseholdIn(3)]
    members = [MemberIn(10, capacity=2), MemberIn(11, capacity=2)]
    p = propose(households, members)
    assert p.kept == {1}
    assert p.pairs == {1: 10, 2: 11, 3: 10} or p.pairs == {1: 10, 2: 11, 3: 11}
    assert max(p.loads.values()) <= 2 and not p.unpaired


def test_special_households_are_paired_first_when_members_run_short():
    households = [HouseholdIn(1), HouseholdIn(2), HouseholdIn(3, special=True)]
    p = propose(households, [MemberIn(10, capacity=1)])
    assert p.pairs == {3: 10}
    assert p.unpaired == [1, 2]


def test_a_member_keeps_households_of_their_own_group_and_grid_first():
    households = [HouseholdIn(1, group=1, grid=7), HouseholdIn(2, group=2), HouseholdIn(3, group=1)]
    members = [MemberIn(10, capacity=5, group=1, grid=7), MemberIn(11, capacity=5, group=2)]
    p = propose(households, members)
    assert p.pairs == {1: 10, 2: 11, 3: 10}


def test_an_overloaded_member_keeps_special_households_and_releases_the_rest():
    households = [
        HouseholdIn(1, current=10),
        HouseholdIn(2, current=10, special=True),
        HouseholdIn(3, current=10),
    ]
    p = propose(households, [MemberIn(10, capacity=2), MemberIn(11, capacity=5)])
    assert p.kept == {1, 2}
    assert p.moved == {3} and p.pairs[3] == 11


def test_a_pairing_to_a_member_who_left_moves():
    p = propose([HouseholdIn(1, current=99)], [MemberIn(10, capacity=1)])
    assert p.moved == {1} and p.pairs == {1: 10}


@st.composite
def villages(draw):
    n_members = draw(st.integers(0, 8))
    members = [
        MemberIn(
            id=100 + i,
            capacity=draw(st.integers(0, 6)),
            group=draw(st.sampled_from([None, 1, 2, 3])),
            grid=draw(st.sampled_from([None, 7, 8])),
        )
        for i in range(n_members)
    ]
    ids = [m.id for m in members] + [None, 555]
    households = [
        HouseholdIn(
            id=i,
            group=draw(st.sampled_from([None, 1, 2, 3])),
            grid=draw(st.sampled_from([None, 7, 8])),
            special=draw(st.booleans()),
            current=draw(st.sampled_from(ids)),
        )
        for i in range(draw(st.integers(0, 40)))
    ]
    return households, members


@settings(max_examples=300, deadline=None)
@given(villages())
def test_no_member_above_capacity_and_no_one_unpaired_while_room_is_left(village):
    households, members = village
    p = propose(households, members)
    capacity = {m.id: m.capacity for m in members}
    for member_id, load in p.loads.items():
        assert load <= capacity[member_id]
    assert sum(p.loads.values()) == len(p.pairs)
    assert set(p.pairs) | set(p.unpaired) == {h.id for h in households}
    assert not set(p.pairs) & set(p.unpaired)
    if p.unpaired:  # only when every member is full
        assert all(p.loads[m.id] == m.capacity for m in members)
    assert len(p.unpaired) == max(0, len(households) - sum(capacity.values()))
    # Special households are left unpaired only when no ordinary one got a new member.
    if any(h.special for h in households if h.id in p.unpaired):
        newly = p.added | p.moved
        assert all(h.special for h in households if h.id in newly)
    # Kept pairings are the current ones.
    current = {h.id: h.current for h in households}
    assert all(p.pairs[h] == current[h] for h in p.kept)
