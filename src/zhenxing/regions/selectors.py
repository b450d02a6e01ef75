"""Reads of the registers, for a region the caller has already fetched through the scoping module
(``accounts.scoping.get_visible_or_404``): everything below a visible region is visible too.

Counts and structure figures are aggregate queries over a whole subtree: the number of queries does
not grow with the number of villages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone

from zhenxing.core.reference import reference
from zhenxing.regions.models import (
    COLLEGE_OR_ABOVE,
    TEAM_POSTS,
    VILLAGE_LEVELS,
    CadrePost,
    Education,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
)


@reference
def public_village(village_id: int) -> tuple[Region, str] | None:
    """A village or community with its place as the villager reads it ("甲镇 东村"), for the
    public pages, which have no scope (any village answers; ``None`` for any other id).

    Read on every villager's request, so memoised (``core.reference``): saving or deleting a
    region forgets it."""
    village = Region.objects.filter(pk=village_id, level__in=VILLAGE_LEVELS).first()
    if village is None:
        return None
    township = Region.objects.get_ancestors(village).filter(level=Level.TOWNSHIP).first()
    return village, f"{township.name} {village.name}" if township else village.name


# Age bands for the cadre-structure chart: (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("35岁及以下", 0, 35),
    ("36–45岁", 36, 45),
    ("46–55岁", 46, 55),
    ("56–60岁", 56, 60),
    ("60岁以上", 61, 200),
)


def with_parent_ids(qs: QuerySet[Region]) -> QuerySet[Region]:
    """Annotate ``parent_id`` (the tree keeps paths, not parent keys) in the same query."""
    parent = Region.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Region.steplen)
    ).values("pk")[:1]
    return qs.annotate(parent_id=Subquery(parent))


def households_under(region: Region) -> QuerySet[Household]:
    return (
        Household.objects.filter(village__in=_subtree(region.path).values("pk"))
        .prefetch_related("tags")
        .order_by("village_id", "number")
    )


def region_children(region: Region) -> QuerySet[Region]:
    return Region.objects.get_children(region).order_by("name")


@dataclass
class Counts:
    households: int = 0
    residents: int = 0
    members: int = 0
    cadres: int = 0
    villages: int = 0
    groups: int = 0
    organizations: int = 0


def _subtree(path: str) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=path)


def counts_by_prefix(path: str, prefix_len: int) -> dict[str, Counts]:
    """Counts under ``path`` grouped by the first ``prefix_len`` characters of the village path.

    With ``prefix_len`` equal to a child's path length, this gives every child's counts at once:
    a query per figure, whatever the number of children.
    """
    out: dict[str, Counts] = {}

    def add(rows: QuerySet, attr: str) -> None:
        for row in rows.order_by():  # no default ordering may enter the GROUP BY
            setattr(out.setdefault(row["p"], Counts()), attr, row["n"])

    subtree = _subtree(path)
    add(
        Household.objects.filter(village__in=subtree.values("pk"))
        .annotate(p=Substr("village__path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "households",
    )
    add(
        Resident.objects.filter(region__in=subtree.values("pk"))
        .annotate(p=Substr("region__path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "residents",
    )
    add(
        PartyMember.objects.filter(
            organization__region__in=subtree.values("pk"), status=MemberStatus.ACTIVE
        )
        .annotate(p=Substr("organization__region__path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "members",
    )
    add(
        _active_posts(timezone.localdate())
        .filter(region__in=subtree.values("pk"))
        .annotate(p=Substr("region__path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("person", distinct=True)),
        "cadres",
    )
    add(
        subtree.filter(level__in=(Level.VILLAGE, Level.COMMUNITY))
        .annotate(p=Substr("path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "villages",
    )
    add(
        subtree.filter(level=Level.GROUP)
        .annotate(p=Substr("path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "groups",
    )
    add(
        PartyOrganization.objects.filter(region__in=subtree.values("pk"))
        .annotate(p=Substr("region__path", 1, prefix_len))
        .values("p")
        .annotate(n=Count("pk")),
        "organizations",
    )
    return out


def organizations_under(region: Region) -> QuerySet[PartyOrganization]:
    """The Party organisations whose region is ``region`` or under it, by the tree's order."""
    return (
        PartyOrganization.objects.filter(region__in=_subtree(region.path).values("pk"))
        .select_related("region")
        .annotate(active_members=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
        .order_by("region__path", "name")
    )


def region_counts(region: Region) -> Counts:
    return counts_by_prefix(region.path, len(region.path)).get(region.path, Counts())


def children_with_counts(region: Region) -> list[tuple[Region, Counts]]:
    children = list(region_children(region))
    if not children:
        return []
    if region.is_village:
        by_group = counts_by_group(region)
        return [(child, by_group.get(child.pk, Counts())) for child in children]
    by_prefix = counts_by_prefix(region.path, len(children[0].path))
    return [(child, by_prefix.get(child.path, Counts())) for child in children]


def counts_by_group(village: Region) -> dict[int, Counts]:
    """Households, residents and members of a village per villager group: three queries."""
    out: dict[int, Counts] = {}
    queries = {
        "households": Household.objects.filter(village=village).values(g=F("group_id")),
        "residents": Resident.objects.filter(region=village).values(g=F("household__group_id")),
        "members": PartyMember.objects.filter(
            person__region=village, status=MemberStatus.ACTIVE
        ).values(g=F("person__household__group_id")),
    }
    for attr, rows in queries.items():
        for row in rows.annotate(n=Count("pk")).order_by():
            if row["g"] is not None:
                setattr(out.setdefault(row["g"], Counts()), attr, row["n"])
    return out


def _active_posts(today: dt.date) -> QuerySet[CadrePost]:
    return CadrePost.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class CadreStructure:
    """The figures seeds 000 and 003 report for village two-committee teams."""

    people: int = 0
    average_age: float | None = None
    share_35_or_under: float | None = None
    share_college: float | None = None
    share_young_and_college: float | None = None
    one_shoulder: int = 0
    villages: int = 0
    age_bands: list[tuple[str, int]] = field(default_factory=list)
    education: list[tuple[str, int]] = field(default_factory=list)
    # Per post (书记, 主任, 两委委员): people holding it and their mean age; a person holding two
    # posts counts in both rows (the team figures above count each person once).
    by_post: list[PostAges] = field(default_factory=list)


@dataclass
class PostAges:
    post: str
    label: str
    people: int
    average_age: float | None


def cadre_structure(region: Region, *, today: dt.date | None = None) -> CadreStructure:
    """Structure of the village two-committee teams (书记, 主任, 两委委员) under ``region``.

    Each person counts once however many team posts they hold (``by_post`` counts them per
    post). Ages are completed years on ``today``. Four queries whatever the size of the subtree.
    """
    today = today or timezone.localdate()
    team = _active_posts(today).filter(
        region__in=_subtree(region.path).values("pk"), post__in=TEAM_POSTS
    )
    rows = (
        team.values("person__birth_date", "person__education")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    ages: Counter[int] = Counter()
    educations: Counter[str] = Counter()
    young_college = 0
    for row in rows:
        age = age_on(row["person__birth_date"], today)
        ages[age] += row["n"]
        educations[row["person__education"]] += row["n"]
        if age <= 35 and row["person__education"] in COLLEGE_OR_ABOVE:
            young_college += row["n"]
    people = sum(ages.values())
    directors = CadrePost.objects.filter(
        post=Post.DIRECTOR,
        region=OuterRef("region"),
        person=OuterRef("person"),
        start_date__lte=today,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    one_shoulder = (
        team.filter(post=Post.SECRETARY)
        .filter(Exists(directors))
        .aggregate(n=Count("region", distinct=True))["n"]
    )
    villages = _subtree(region.path).filter(level__in=(Level.VILLAGE, Level.COMMUNITY)).count()
    result = CadreStructure(people=people, one_shoulder=one_shoulder, villages=villages)
    post_ages: dict[str, Counter[int]] = {post: Counter() for post in TEAM_POSTS}
    for row in (
        team.values("post", "person__birth_date")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    ):
        post_ages[row["post"]][age_on(row["person__birth_date"], today)] += row["n"]
    for post in TEAM_POSTS:
        counted = post_ages[post]
        n = sum(counted.values())
        mean = round(sum(a * k for a, k in counted.items()) / n, 1) if n else None
        result.by_post.append(PostAges(str(post), str(Post(post).label), n, mean))
    result.age_bands = [
        (label, sum(n for age, n in ages.items() if low <= age <= high))
        for label, low, high in AGE_BANDS
    ]
    result.education = [
        (str(choice.label), educations.get(choice.value, 0)) for choice in Education
    ]
    if people:
        result.average_age = round(sum(age * n for age, n in ages.items()) / people, 1)
        young = sum(n for age, n in ages.items() if age <= 35)
        college = sum(educations.get(e, 0) for e in COLLEGE_OR_ABOVE)
        result.share_35_or_under = round(100 * young / people, 1)
        result.share_college = round(100 * college / people, 1)
        result.share_young_and_college = round(100 * young_college / people, 1)
    return result


def residents_under(region: Region) -> QuerySet[Resident]:
    return (
        Resident.objects.filter(region__in=_subtree(region.path).values("pk"))
        .select_related("region", "household")
        .order_by("region__path", "pk")
    )


def members_under(region: Region) -> QuerySet[PartyMember]:
    return (
        PartyMember.objects.filter(organization__region__in=_subtree(region.path).values("pk"))
        .select_related("person", "organization")
        .order_by("organization__region__path", "pk")
    )


def cadres_under(region: Region) -> QuerySet[CadrePost]:
    return (
        _active_posts(timezone.localdate())
        .filter(region__in=_subtree(region.path).values("pk"))
        .select_related("person", "region")
        .order_by("region__path", "post", "pk")
    )


ROSTERS = {
    "households": lambda region: households_under(region).select_related("village", "group"),
    "residents": residents_under,
    "members": members_under,
    "cadres": cadres_under,
}
