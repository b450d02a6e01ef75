"""Writes: pairing history, refusals with clear messages, grids, visits that become orders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from zhenxing.grids import selectors, services
from zhenxing.grids.models import Grid, GridCover, Pairing, Visit
from zhenxing.grids.services import GridInput
from zhenxing.grids.tests.conftest import make_village
from zhenxing.orders.models import Category, Order, Source

TODAY = dt.date(2026, 3, 5)


def messages_of(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def test_changing_a_pairing_ends_the_old_row_and_keeps_the_history(village, village_a1_user):
    home = village.households[5]
    a, b = village.members
    services.pairing_set(household=home, member=a, actor=village_a1_user, today=TODAY)
    later = TODAY + dt.timedelta(days=30)
    services.pairing_set(household=home, member=b, actor=village_a1_user, today=later)
    rows = list(Pairing.objects.filter(household=home).order_by("start_date"))
    assert [(r.member_id, r.start_date, r.end_date) for r in rows] == [
        (a.pk, TODAY, later),
        (b.pk, later, None),
    ]
    assert selectors.current_pairing(home).member == b


def test_the_database_allows_one_current_pairing_per_household(village):
    home = village.households[0]
    a, b = village.members
    Pairing.objects.create(village=village.region, household=home, member=a, start_date=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(village=village.region, household=home, member=b, start_date=TODAY)


def test_a_member_of_another_village_is_refused_by_name(tree, village, village_a1_user):
    other = make_village(tree.village_a2, households=2, members=1)
    with pytest.raises(ValidationError) as exc:
        services.pairing_set(
            household=village.households[0], member=other.members[0], actor=village_a1_user
        )
    assert "西村党员1" in messages_of(exc) and "不是本村党员" in messages_of(exc)
    assert not Pairing.objects.exists()


def test_a_grid_member_may_not_change_pairings(village, grid_member_a1):
    with pytest.raises(PermissionDenied):
        services.pairing_set(
            household=village.households[0], member=village.members[0], actor=grid_member_a1
        )


def _top(village, actor) -> Grid:
    return services.grid_save(
        village=village.region,
        data=GridInput(level=1, name="全村网格", head=village.secretary),
        actor=actor,
    )


def test_a_grid_head_who_is_not_a_cadre_of_the_village_is_refused(village, village_a1_user):
    top = _top(village, village_a1_user)
    villager = village.members[0].person
    with pytest.raises(ValidationError) as exc:
        services.grid_save(
            village=village.region,
            data=GridInput(level=2, name="一网格", head=villager, parent=top),
            actor=village_a1_user,
        )
    assert "网格长" in str(exc.value.message_dict["head"]) or villager.name in messages_of(exc)
    assert "两委" in messages_of(exc)
    assert Grid.objects.count() == 1


def test_a_household_in_two_grids_of_the_same_level_is_refused(village, village_a1_user):
    top = _top(village, village_a1_user)
    g1, g2 = village.groups
    services.grid_save(
        village=village.region,
        data=GridInput(level=2, name="一网格", head=village.committee, parent=top, groups=(g1,)),
        actor=village_a1_user,
    )
    in_g1 = next(h for h in village.households if h.group_id == g1.pk)
    with pytest.raises(ValidationError) as exc:
        services.grid_save(
            village=village.region,
            data=GridInput(
                level=2,
                name="二网格",
                head=village.committee,
                parent=top,
                groups=(g2,),
                households=(in_g1,),
            ),
            actor=village_a1_user,
        )
    assert f"户号 {in_g1.number}" in messages_of(exc) and "一网格" in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.grid_save(
            village=village.region,
            data=GridInput(
                level=2, name="三网格", head=village.committee, parent=top, groups=(g1,)
            ),
            actor=village_a1_user,
        )
    assert "一户不能同属两个同级网格" in messages_of(exc)
    assert Grid.objects.filter(level=2).count() == 1
    # The database refuses it too.
    first = Grid.objects.get(name="一网格")
    with pytest.raises(IntegrityError), transaction.atomic():
        GridCover.objects.create(village=village.region, grid=first, level=2, group=g1)


def test_the_lowest_grid_covering_a_household_is_its_grid(village, village_a1_user):
    top = _top(village, village_a1_user)
    g1, _g2 = village.groups
    second = services.grid_save(
        village=village.region,
        data=GridInput(level=2, name="一网格", head=village.committee, parent=top, groups=(g1,)),
        actor=village_a1_user,
    )
    home = next(h for h in village.households if h.group_id == g1.pk)
    third = services.grid_save(
        village=village.region,
        data=GridInput(
            level=3, name="一片区", head=village.committee, parent=second, households=(home,)
        ),
        actor=village_a1_user,
    )
    assert selectors.grid_of_household(home) == third
    assert selectors.grid_by_household(village.region)[home.pk] == third
    other = next(h for h in village.households if h.group_id == g1.pk and h != home)
    assert selectors.grid_of_household(other) == second


def test_a_visit_records_the_five_items_and_its_requests_become_orders(
    village, grid_member_a1, tree
):
    home = village.households[0]
    category = Category.objects.get(name="基础设施")
    visit = services.visit_record(
        household=home,
        visited_on=dt.date.today(),
        items=["contact", "policy"],
        notes="老人身体好",
        requests=["村口路灯坏了两盏", ""],
        category=category,
        actor=grid_member_a1,
    )
    assert visit.items == ["党员联系到户", "政策落实到户"]
    (request,) = visit.requests.all()
    order = Order.objects.get(pk=request.order_id)
    assert order.source == Source.VISIT and order.household == home
    assert order.description == "村口路灯坏了两盏" and order.requester_name == home.head_name


def test_a_visit_with_no_item_or_a_request_without_category_writes_nothing(village, grid_member_a1):
    home = village.households[0]
    with pytest.raises(ValidationError) as exc:
        services.visit_record(
            household=home,
            visited_on=dt.date.today(),
            items=[],
            notes="",
            requests=["需要农技指导一下"],
            actor=grid_member_a1,
        )
    assert set(exc.value.message_dict) == {"items", "category"}
    assert not Visit.objects.exists() and not Order.objects.exists()


def test_applying_the_reviewed_assignment_pairs_everyone_within_capacity(village, village_a1_user):
    services.settings_save(
        region=village.region,
        ratio=6,
        elder_age=70,
        elder_ratio=3,
        stale_days=30,
        actor=village_a1_user,
    )
    proposal = services.proposal_for(village.region)
    assert len(proposal.pairs) == 12 and not proposal.unpaired
    services.pairings_apply(
        village=village.region, key=services.proposal_key(proposal), actor=village_a1_user
    )
    cover = selectors.village_coverage(village.region)
    assert cover.paired == 12 and not cover.overloaded
    # Saving a stale proposal is refused.
    with pytest.raises(ValidationError):
        services.pairings_apply(village=village.region, key="stale", actor=village_a1_user)
