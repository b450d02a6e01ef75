"""Every read of grids, pairing and visits. Figures are aggregate queries grouped by region path
prefixes: a county and a township cost the same few queries whatever their size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.grids.assign import HouseholdIn, MemberIn
from zhenxing.grids.models import Grid, GridCover, GridSettings, Pairing, Visit
from zhenxing.regions.models import (
    TEAM_POSTS,
    VILLAGE_LEVELS,
    CadrePost,
    Household,
    MemberStatus,
    PartyMember,
    Post,
    Region,
)

DEFAULTS = GridSettings()  # the model's defaults: 1+10, members aged 70+ carry 5, 30 days


def _ancestor_paths(region: Region) -> list[str]:
    return [region.path[:i] for i in range(Region.steplen, len(region.path) + 1, Region.steplen)]


def settings_for(region: Region) -> GridSettings:
    """The region's own settings, else its nearest ancestor's, else the defaults (one query)."""
    rows = list(GridSettings.objects.filter(region__path__in=_ancestor_paths(region)))
    if not rows:
        return GridSettings(region=region)
    return max(rows, key=lambda s: len(s.region.path))


def settings_own(region: Region) -> GridSettings | None:
    return GridSettings.objects.filter(region=region).first()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- the registers of one village ----------------------------------------------------------


def village_members(village: Region) -> QuerySet[PartyMember]:
    """The active Party members of the village's own branches: those who may be paired."""
    return (
        PartyMember.objects.filter(organization__region=village, status=MemberStatus.ACTIVE)
        .select_related("person", "person__household")
        .order_by("person__name", "pk")
    )


def current_posts(village: Region, today: dt.date | None = None) -> QuerySet[CadrePost]:
    today = today or timezone.localdate()
    return CadrePost.objects.filter(region=village, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def head_choices(village: Region, level: int) -> QuerySet[CadrePost]:
    """Who may head a grid of ``level``: the secretary (1), a two-committee cadre (2), any cadre
    currently posted in the village (3)."""
    posts = current_posts(village)
    if level == 1:
        posts = posts.filter(post=Post.SECRETARY)
    elif level == 2:
        posts = posts.filter(post__in=TEAM_POSTS)
    return posts.select_related("person").order_by("person__name")


def grids_of(village: Region) -> QuerySet[Grid]:
    return (
        Grid.objects.filter(village=village)
        .select_related("head", "parent")
        .prefetch_related(
            Prefetch(
                "covers",
                queryset=GridCover.objects.select_related("group", "household").order_by("pk"),
            )
        )
        .order_by("level", "name")
    )


def grids_under(region: Region) -> QuerySet[Grid]:
    if region.level in VILLAGE_LEVELS:
        return grids_of(region)
    return (
        Grid.objects.filter(village__path__startswith=region.path)
        .select_related("head", "parent")
        .prefetch_related("covers")
        .order_by("village_id", "level", "name")
    )


def grid_by_household(village: Region) -> dict[int, Grid]:
    """Each household's lowest-level grid: a grid naming it, else the grid covering its group."""
    covers = GridCover.objects.filter(village=village).select_related("grid", "grid__head")
    by_group: dict[int, Grid] = {}
    by_household: dict[int, Grid] = {}
    for c in covers:
        target = by_household if c.household_id else by_group
        key = c.household_id or c.group_id
        if key not in target or target[key].level < c.level:
            target[key] = c.grid
    out: dict[int, Grid] = {}
    for hid, gid in Household.objects.filter(village=village).values_list("pk", "group_id"):
        a, b = by_household.get(hid), by_group.get(gid) if gid else None
        grid = a if a and (b is None or a.level >= b.level) else b
        if grid is not None:
            out[hid] = grid
    return out


def grid_of_household(household: Household) -> Grid | None:
    covers = (
        GridCover.objects.filter(Q(household=household) | Q(group_id=household.group_id))
        .filter(village_id=household.village_id)
        .select_related("grid", "grid__head")
        .order_by("-level", "household_id")
    )
    best = None
    for c in covers:
        if best is None or c.level > best.level or (c.level == best.level and c.household_id):
            best = c
    return best.grid if best else None


def current_pairings(village: Region) -> QuerySet[Pairing]:
    return Pairing.objects.filter(village=village, end_date__isnull=True)


def current_pairing(household: Household) -> Pairing | None:
    return (
        Pairing.objects.filter(household=household, end_date__isnull=True)
        .select_related("member__person")
        .first()
    )


def pairing_history(household: Household) -> QuerySet[Pairing]:
    return household.pairings.select_related("member__person", "created_by").order_by(
        "-start_date", "-pk"
    )


def member_of_user(user) -> PartyMember | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return PartyMember.objects.filter(person_id=person_id, status=MemberStatus.ACTIVE).first()


# --- coverage of one village ----------------------------------------------------------------


@dataclass
class MemberLoad:
    member: PartyMember
    age: int
    capacity: int
    households: int

    @property
    def over(self) -> int:
        return max(0, self.households - self.capacity)


@dataclass
class VillageCoverage:
    village: Region
    settings: GridSettings
    households: int
    paired: int
    unpaired: list[Household]
    loads: list[MemberLoad]
    stale: int = 0

    @property
    def coverage(self) -> float | None:
        return round(100 * self.paired / self.households, 1) if self.households else None

    @property
    def overloaded(self) -> list[MemberLoad]:
        return sorted((m for m in self.loads if m.over), key=lambda m: -m.over)

    @property
    def idle(self) -> list[MemberLoad]:
        return [m for m in self.loads if not m.households]

    @property
    def capacity(self) -> int:
        return sum(m.capacity for m in self.loads)


def special_first(qs: QuerySet[Household]) -> QuerySet[Household]:
    special = Household.tags.through.objects.filter(
        household_id=OuterRef("pk"), householdtag__special=True
    )
    return qs.annotate(is_special=Exists(special)).order_by("-is_special", "number")


def settings_by_village(region: Region) -> dict[int, GridSettings]:
    """The effective settings of every village under ``region`` (two queries): each village's
    own row, else its nearest ancestor's, else the defaults."""
    rows = {
        g.region.path: g
        for g in GridSettings.objects.filter(
            Q(region__path__in=_ancestor_paths(region)) | Q(region__path__startswith=region.path)
        ).select_related("region")
    }
    out = {}
    for v in Region.objects.filter(path__startswith=region.path, level__in=VILLAGE_LEVELS):
        found = None
        for i in range(len(v.path), 0, -Region.steplen):
            found = rows.get(v.path[:i])
            if found:
                break
        out[v.pk] = found or GridSettings(region=v)
    return out


def village_coverage(
    village: Region, *, today: dt.date | None = None, limit: int | None = None
) -> VillageCoverage:
    """Coverage of a village (or of every village under a region): unpaired households (special
    ones first, at most ``limit``), each member's load against their capacity (overloaded, and
    members with none). A fixed number of queries whatever the size."""
    today = today or timezone.localdate()
    cfg = settings_for(village)
    per_village = settings_by_village(village) if village.level not in VILLAGE_LEVELS else {}
    paired_now = Pairing.objects.filter(household=OuterRef("pk"), end_date__isnull=True)
    households = Household.objects.filter(village__path__startswith=village.path)
    total = households.count()
    unpaired_qs = households.filter(~Exists(paired_now))
    n_unpaired = unpaired_qs.count()
    unpaired_qs = special_first(unpaired_qs).select_related("group").prefetch_related("tags")
    unpaired = list(unpaired_qs[:limit] if limit is not None else unpaired_qs)
    counts = dict(
        Pairing.objects.filter(end_date__isnull=True, village__path__startswith=village.path)
        .values("member_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("member_id", "n")
    )
    members = (
        PartyMember.objects.filter(
            status=MemberStatus.ACTIVE,
            organization__region__path__startswith=village.path,
            organization__region__level__in=VILLAGE_LEVELS,
        )
        .select_related("person", "organization")
        .order_by("person__name", "pk")
    )
    loads = []
    for m in members:
        age = age_on(m.person.birth_date, today)
        own = per_village.get(m.organization.region_id, cfg)
        loads.append(MemberLoad(m, age, own.capacity(age), counts.get(m.pk, 0)))
    cutoff = today - dt.timedelta(days=cfg.stale_days)
    seen = Visit.objects.filter(household=OuterRef("pk"), visited_on__gt=cutoff)
    stale = households.filter(~Exists(seen)).count()
    return VillageCoverage(
        village=village,
        settings=cfg,
        households=total,
        paired=total - n_unpaired,
        unpaired=unpaired,
        loads=loads,
        stale=stale,
    )


def villages_under(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path, level__in=VILLAGE_LEVELS).order_by(
        "path"
    )


def assignment_input(
    village: Region, *, today: dt.date | None = None
) -> tuple[list[HouseholdIn], list[MemberIn]]:
    """The pure assignment function's input for a village (a handful of queries)."""
    today = today or timezone.localdate()
    cfg = settings_for(village)
    grids = grid_by_household(village)
    special_ids = set(
        Household.tags.through.objects.filter(
            household__village=village, householdtag__special=True
        ).values_list("household_id", flat=True)
    )
    current = dict(current_pairings(village).values_list("household_id", "member_id"))
    households = [
        HouseholdIn(
            id=hid,
            group=gid,
            grid=grids[hid].pk if hid in grids else None,
            special=hid in special_ids,
            current=current.get(hid),
        )
        for hid, gid in Household.objects.filter(village=village)
        .order_by("pk")
        .values_list("pk", "group_id")
    ]
    members = []
    for m in village_members(village):
        hh = m.person.household_id
        members.append(
            MemberIn(
                id=m.pk,
                capacity=cfg.capacity(age_on(m.person.birth_date, today)),
                group=m.person.household.group_id if m.person.household else None,
                grid=grids[hh].pk if hh in grids else None,
            )
        )
    return households, members


# --- figures over many villages -------------------------------------------------------------


@dataclass
class Figures:
    households: int = 0
    paired: int = 0
    members: int = 0  # active members of the village branches
    pairing_members: int = 0  # members with at least one household
    max_per_member: int = 0
    visits_month: int = 0
    visited_recently: int = 0  # households visited within the stale window

    @property
    def coverage(self) -> float | None:
        return round(100 * self.paired / self.households, 1) if self.households else None

    @property
    def mean_per_member(self) -> float | None:
        return round(self.paired / self.pairing_members, 1) if self.pairing_members else None

    @property
    def idle_members(self) -> int:
        return max(0, self.members - self.pairing_members)

    @property
    def stale(self) -> int:
        return self.households - self.visited_recently

    def as_dict(self) -> dict:
        return {
            "households": self.households,
            "paired": self.paired,
            "coverage": self.coverage,
            "members": self.members,
            "pairing_members": self.pairing_members,
            "idle_members": self.idle_members,
            "mean_per_member": self.mean_per_member,
            "max_per_member": self.max_per_member,
            "visits_month": self.visits_month,
            "stale": self.stale,
        }


@dataclass
class RegionFigures:
    region: Region
    stale_days: int
    month_start: dt.date
    total: Figures
    by_child: dict[str, Figures] = field(default_factory=dict)


def figures(region: Region, *, today: dt.date | None = None) -> RegionFigures:
    """联户 figures of ``region`` and of each child region, in six queries whatever the size:
    settings, the villages under the region (id → child), then households, current pairings
    per member, members and visits, each grouped by village id (an integer, no join) and
    folded into the child regions here."""
    today = today or timezone.localdate()
    stale_days = settings_for(region).stale_days
    month_start = today.replace(day=1)
    cutoff = today - dt.timedelta(days=stale_days)
    cut = len(region.path) + (0 if region.level in VILLAGE_LEVELS else Region.steplen)
    subtree = Region.objects.filter(path__startswith=region.path, level__in=VILLAGE_LEVELS)
    child_of = {pk: path[:cut] for pk, path in subtree.values_list("pk", "path")}
    villages = subtree.values("pk")
    out: dict[str, Figures] = {}

    def fig(village_id: int) -> Figures:
        return out.setdefault(child_of[village_id], Figures())

    for vid, n in (
        Household.objects.filter(village__in=villages)
        .values("village_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village_id", "n")
    ):
        fig(vid).households += n
    for vid, n in (
        Pairing.objects.filter(end_date__isnull=True, village__in=villages)
        .values("village_id", "member_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("village_id", "n")
    ):
        f = fig(vid)
        f.paired += n
        f.pairing_members += 1
        f.max_per_member = max(f.max_per_member, n)
    for vid, n in (
        PartyMember.objects.filter(status=MemberStatus.ACTIVE, organization__region__in=villages)
        .values("organization__region_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization__region_id", "n")
    ):
        fig(vid).members += n
    for vid, month, recent in (
        Visit.objects.filter(village__in=villages, visited_on__gt=min(cutoff, month_start))
        .values("village_id")
        .annotate(
            month=Count("pk", filter=Q(visited_on__gte=month_start, visited_on__lte=today)),
            recent=Count("household", filter=Q(visited_on__gt=cutoff), distinct=True),
        )
        .order_by()
        .values_list("village_id", "month", "recent")
    ):
        f = fig(vid)
        f.visits_month += month
        f.visited_recently += recent
    total = Figures()
    for f in out.values():
        total.households += f.households
        total.paired += f.paired
        total.members += f.members
        total.pairing_members += f.pairing_members
        total.max_per_member = max(total.max_per_member, f.max_per_member)
        total.visits_month += f.visits_month
        total.visited_recently += f.visited_recently
    by_child = {} if region.level in VILLAGE_LEVELS else out
    return RegionFigures(region, stale_days, month_start, total, by_child)


# --- a household's file (一户一档) and the visit form ---------------------------------------


def households_visible(scope: Scope) -> QuerySet[Household]:
    return visible(Household.objects.all(), scope)


def visit_households(scope: Scope, member: PartyMember | None) -> QuerySet[Household]:
    """The visit form's choices: the member's own paired households first (``mine``), then the
    rest of what the person can see, by household number."""
    qs = households_visible(scope)
    if member is None:
        return qs.annotate(mine=Value(False)).order_by("village_id", "number")
    own = Pairing.objects.filter(household=OuterRef("pk"), member=member, end_date__isnull=True)
    return qs.annotate(mine=Exists(own)).order_by("-mine", "village_id", "number")


def visits_of(household: Household) -> QuerySet[Visit]:
    return household.visits.select_related("member__person").prefetch_related("requests__order")


def visits_visible(scope: Scope) -> QuerySet[Visit]:
    return visible(Visit.objects.all(), scope)


def pairing_coverage(villages: QuerySet[Region], period: object = None) -> dict[int, float | None]:
    """Metric (for the star engine): per village, the share of households paired with a member
    now (percent, one decimal; None for a village without households). One GROUP BY however many
    villages; ``period`` is accepted for the metric signature and not used (pairing is a state)."""
    paired_now = Pairing.objects.filter(household=OuterRef("pk"), end_date__isnull=True)
    rows = (
        Household.objects.filter(village__in=villages.order_by().values("pk"))
        .values("village_id")
        .annotate(total=Count("pk"), paired=Count("pk", filter=Exists(paired_now)))
        .order_by()
    )
    return {
        row["village_id"]: round(100 * row["paired"] / row["total"], 1) if row["total"] else None
        for row in rows
    }
