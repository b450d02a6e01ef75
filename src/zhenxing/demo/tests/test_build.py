"""The demo county: its sizes, its people, its accounts, and that building it is repeatable.

The county is built once for the module (committed, then deleted at the end); each test runs in
its own transaction on top of it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse
from stdnum.cn import ric

from zhenxing.accounts.models import Role, User
from zhenxing.demo import build
from zhenxing.regions import selectors
from zhenxing.regions.models import (
    CadrePost,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    Post,
    Region,
    Resident,
)
from zhenxing.regions.validators import PHONE_RE

FIRST_N = 500


def _first_residents() -> list[tuple]:
    return list(
        Resident.objects.order_by("pk").values_list("name", "id_number", "birth_date")[:FIRST_N]
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build.reset_demo()
        result = build.build_demo_county()
        first = _first_residents()
    yield result, first
    with django_db_blocker.unblock():
        build.reset_demo()


def _township(name: str) -> Region:
    return Region.objects.get(level=Level.TOWNSHIP, name=name)


def _count(level: Level, under: Region) -> int:
    return Region.objects.filter(level=level, path__startswith=under.path).count()


@pytest.mark.django_db
def test_the_build_reports_its_time_and_sizes(demo):
    result, _ = demo
    assert result.county.name == build.COUNTY
    assert 0 < result.seconds < 60
    assert result.counts["households"] == Household.objects.count()


@pytest.mark.django_db
def test_township_b_has_the_seed_totals(demo):
    township = _township(build.TOWNSHIP_B)
    counts = selectors.region_counts(township)
    assert counts.households == build.PLAN_B.households == 5355
    assert counts.members == build.PLAN_B.members == 576
    assert counts.villages == 23
    assert _count(Level.VILLAGE, township) == 18
    assert _count(Level.COMMUNITY, township) == 5


@pytest.mark.django_db
def test_township_c_has_the_seed_totals(demo):
    township = _township(build.TOWNSHIP_C)
    counts = selectors.region_counts(township)
    assert counts.villages == _count(Level.VILLAGE, township) == 7
    assert _count(Level.GROUP, township) == build.PLAN_C.groups == 63
    assert counts.households == build.PLAN_C.households == 4508


@pytest.mark.django_db
def test_township_a_has_24_villages_in_districts_all_one_shoulder(demo):
    township = _township(build.TOWNSHIP_A)
    counts = selectors.region_counts(township)
    assert counts.villages == _count(Level.VILLAGE, township) == 24
    assert 1150 <= counts.members <= 1250
    assert 3 <= _count(Level.DISTRICT, township) <= 4
    assert all(d.numchild for d in Region.objects.filter(level=Level.DISTRICT))
    per_village = [c for _, c in selectors.children_with_counts(township)]
    assert all(c.households >= 300 for c in per_village)  # districts: ~6 villages × ~400
    groups = (
        Region.objects.filter(level=Level.VILLAGE, path__startswith=township.path)
        .annotate(n=F("numchild"))
        .values_list("n", flat=True)
    )
    assert all(5 <= n <= 10 for n in groups)
    structure = selectors.cadre_structure(township)
    assert structure.one_shoulder == structure.villages == 24


@pytest.mark.django_db
@pytest.mark.parametrize("name", [build.TOWNSHIP_A, build.TOWNSHIP_B])
def test_cadre_structure_looks_like_the_seeds(demo, name):
    structure = selectors.cadre_structure(_township(name))
    assert 41 <= structure.average_age <= 45
    assert 30 <= structure.share_35_or_under <= 42
    assert 35 <= structure.share_college <= 45


@pytest.mark.django_db
def test_b_and_c_are_mostly_but_not_all_one_shoulder(demo):
    for plan in (build.PLAN_B, build.PLAN_C):
        structure = selectors.cadre_structure(_township(plan.name))
        assert structure.one_shoulder == plan.one_shoulder < structure.villages


@pytest.mark.django_db
def test_every_village_has_a_branch_and_a_full_team(demo):
    villages = Region.objects.filter(level__in=(Level.VILLAGE, Level.COMMUNITY))
    assert not villages.filter(organizations__isnull=True).exists()
    for post in (Post.SECRETARY, Post.DIRECTOR):
        per_village = CadrePost.objects.filter(post=post).values("region").annotate(n=Count("pk"))
        assert sorted({row["n"] for row in per_village}) == [1]
        assert per_village.count() == villages.count()
    committee = (
        CadrePost.objects.filter(post=Post.COMMITTEE).values("region").annotate(n=Count("pk"))
    )
    assert {row["n"] for row in committee} <= {3, 4, 5}
    secretaries = CadrePost.objects.filter(post=Post.SECRETARY).values("person")
    assert PartyMember.objects.filter(person__in=secretaries).count() == villages.count()
    assert CadrePost.objects.filter(post=Post.DISTRICT_SECRETARY).exists()
    assert CadrePost.objects.filter(post=Post.LIAISON).exists()
    assert CadrePost.objects.filter(post=Post.CHRONICLER).exists()


@pytest.mark.django_db
def test_every_id_number_is_valid_and_unique(demo):
    numbers = list(Resident.objects.values_list("id_number", flat=True))
    assert all(ric.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


@pytest.mark.django_db
def test_households_match_their_residents(demo):
    assert not Household.objects.annotate(n=Count("residents")).exclude(n=F("size")).exists()
    assert not Household.objects.filter(size__gt=6).exists()
    assert all(PHONE_RE.match(p) for p in Household.objects.values_list("phone", flat=True))
    residents = Resident.objects.count()
    assert 2.5 <= residents / Household.objects.count() <= 3.5
    first = Household.objects.order_by("pk").first()
    assert first.residents.order_by("pk").first().name == first.head_name
    tagged = Household.objects.filter(tags__isnull=False).distinct().count()
    assert 0.1 <= tagged / Household.objects.count() <= 0.5


@pytest.mark.django_db
def test_members_are_mostly_active_adults_of_their_branch(demo):
    members = PartyMember.objects.select_related("person", "organization")
    assert members.filter(status=MemberStatus.ACTIVE).count() / members.count() > 0.95
    assert not members.exclude(person__region=F("organization__region")).exists()
    assert not members.filter(joined_on__lte=F("person__birth_date")).exists()


@pytest.mark.django_db
def test_a_second_build_changes_nothing(demo):
    before = (Region.objects.count(), Resident.objects.count(), User.objects.count())
    assert build.build_demo_county() is None
    assert (Region.objects.count(), Resident.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_the_command_leaves_existing_data_alone(demo, capsys):
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "未创建演示县" in out
    assert build.PASSWORD in out
    assert all(username in out for username, _, _ in build.DEMO_ACCOUNTS)


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "role", "scope"), build.DEMO_ACCOUNTS)
def test_demo_accounts_can_log_in(demo, client, username, role, scope):
    response = client.post(reverse("login"), {"username": username, "password": build.PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.status_code == 200
    user = User.objects.get(username=username)
    assert str(user.get_role_display()) == role
    assert user.scope_region.name in scope


@pytest.mark.django_db
def test_the_village_accounts_are_real_people_of_that_village(demo):
    village = Region.objects.get(level=Level.VILLAGE, name=build.DEMO_VILLAGE)
    secretary = User.objects.get(username="village")
    assert secretary.role == Role.VILLAGE_SECRETARY and secretary.scope_region == village
    assert CadrePost.objects.filter(
        region=village, post=Post.SECRETARY, person__name=secretary.first_name
    ).exists()
    member = User.objects.get(username="member")
    assert PartyMember.objects.filter(
        organization__region=village, person__name=member.first_name
    ).exists()


@pytest.mark.django_db
def test_reset_and_rebuild_gives_the_same_people(demo):
    _, first = demo
    build.reset_demo()
    assert not Region.objects.exists() and not User.objects.filter(username="county").exists()
    assert build.build_demo_county() is not None
    assert _first_residents() == first
    assert len(first) == FIRST_N
