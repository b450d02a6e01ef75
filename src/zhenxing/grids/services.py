"""Every write of grids, pairing and visits: keyword-only, one transaction, checked first.

Bad input raises ``ValidationError`` with a Chinese message naming the field and writes nothing.
The caller passes objects it fetched through ``accounts.scoping``; the services check that what
is attached to them (a member, a grid head, a group) belongs to the same village.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhenxing.accounts.models import User
from zhenxing.grids import selectors
from zhenxing.grids.assign import Proposal, propose
from zhenxing.grids.models import (
    Grid,
    GridCover,
    GridLevel,
    GridSettings,
    Pairing,
    Visit,
    VisitItem,
    VisitRequest,
)
from zhenxing.orders.models import Category, Source
from zhenxing.orders.services import order_submit
from zhenxing.orders.states import Actor
from zhenxing.regions.models import (
    VILLAGE_LEVELS,
    Household,
    Level,
    MemberStatus,
    PartyMember,
    Region,
    Resident,
)

# Who may change grids and pairings, and who may log a visit (roles are data, read by the pages).
MANAGERS = frozenset({"county_admin", "township_admin", "district_leader", "village_secretary"})
VISITORS = MANAGERS | {"grid_member"}
HEAD_RULE = {  # lazy: read when a message is made
    1: gettext_lazy("一级网格的网格长须为本村现任党支部书记"),
    2: gettext_lazy("二级网格的网格长须为本村现任“两委”干部"),
    3: gettext_lazy("三级网格的网格长须为本村现任干部"),
}


def _require(actor: User, roles: frozenset[str], message: str) -> None:
    if not (actor.is_superuser or actor.role in roles):
        raise PermissionDenied(message)


def _village(region: Region) -> None:
    if region.level not in VILLAGE_LEVELS:
        raise ValidationError({"village": _("请选择村或社区")})


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def settings_save(
    *, region: Region, ratio: int, elder_age: int, elder_ratio: int, stale_days: int, actor: User
) -> GridSettings:
    _require(actor, MANAGERS, _("您的角色不能修改联户设置"))
    row = selectors.settings_own(region) or GridSettings(region=region)
    row.ratio, row.elder_age, row.elder_ratio, row.stale_days = (
        ratio,
        elder_age,
        elder_ratio,
        stale_days,
    )
    errors = {}
    if not 1 <= ratio <= 50:
        errors["ratio"] = [_("每名党员联系户数须在 1 到 50 之间")]
    if not 0 <= elder_ratio <= ratio:
        errors["elder_ratio"] = [_("年长党员联系户数须在 0 到每名党员联系户数之间")]
    if not 50 <= elder_age <= 120:
        errors["elder_age"] = [_("年长党员年龄须在 50 到 120 之间")]
    if not 1 <= stale_days <= 366:
        errors["stale_days"] = [_("未走访提醒天数须在 1 到 366 之间")]
    if errors:
        raise ValidationError(errors)
    row.save()
    return row


# --- grids -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridInput:
    """One grid as a page form or an import row gives it."""

    level: int
    name: str
    head: Resident | None
    parent: Grid | None = None
    groups: tuple[Region, ...] = ()
    households: tuple[Household, ...] = ()


def grid_errors(village: Region, data: GridInput, *, grid: Grid | None = None) -> dict[str, str]:
    """What is wrong with ``data`` for ``village`` (field → message); empty when it is fine."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 40:
        errors["name"] = _("请填写网格名称（40 字以内）")
    elif (
        Grid.objects.filter(village=village, name=name)
        .exclude(pk=getattr(grid, "pk", None))
        .exists()
    ):
        errors["name"] = _("本村已有名为“%(name)s”的网格") % {"name": name}
    if data.level not in GridLevel.values:
        errors["level"] = _("层级须为 1、2 或 3")
        return errors
    if data.head is None:
        errors["head"] = _("请选择网格长")
    elif not selectors.head_choices(village, data.level).filter(person=data.head).exists():
        errors["head"] = _("“%(name)s”不是本村符合条件的干部：%(rule)s") % {
            "name": data.head.name,
            "rule": HEAD_RULE[data.level],
        }
    if data.level == 1:
        if data.parent is not None:
            errors["parent"] = _("一级网格没有上级网格")
        elif (
            Grid.objects.filter(village=village, level=1).exclude(pk=getattr(grid, "pk", None))
        ).exists():
            errors["level"] = _("本村已有一级网格")
    elif data.parent is None or data.parent.village_id != village.pk:
        errors["parent"] = _("请选择本村的上级网格")
    elif data.parent.level != data.level - 1:
        errors["parent"] = _("上级网格须为第 %(n)s 级网格") % {"n": data.level - 1}
    if data.level > 1:
        errors.update(_cover_errors(village, data, grid))
    elif data.groups or data.households:
        errors["groups"] = _("一级网格即全村，不单独划分村民小组或农户")
    return errors


def _cover_errors(village: Region, data: GridInput, grid: Grid | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    others = GridCover.objects.filter(village=village, level=data.level).exclude(
        grid_id=getattr(grid, "pk", None)
    )
    bad = [
        g.name for g in data.groups if g.level != Level.GROUP or not g.path.startswith(village.path)
    ]
    if bad:
        errors["groups"] = _("以下村民小组不属于本村：%(names)s") % {"names": "、".join(bad)}
    taken = {
        c.group_id: c.grid.name
        for c in others.filter(group__in=[g.pk for g in data.groups]).select_related("grid")
    }
    if taken and "groups" not in errors:
        errors["groups"] = _("%(what)s已在同级网格“%(grid)s”中，一户不能同属两个同级网格") % {
            "what": "、".join(g.name for g in data.groups if g.pk in taken),
            "grid": next(iter(taken.values())),
        }
    bad = [h.number for h in data.households if h.village_id != village.pk]
    if bad:
        errors["households"] = _("以下农户不属于本村：户号 %(n)s") % {"n": "、".join(bad)}
        return errors
    ids = [h.pk for h in data.households]
    named = {
        c.household_id: c.grid.name for c in others.filter(household__in=ids).select_related("grid")
    }
    groups_elsewhere = {
        c.group_id: c.grid.name for c in others.filter(group__isnull=False).select_related("grid")
    }
    own_groups = {g.pk for g in data.groups}
    clash = []
    for h in data.households:
        if h.group_id in own_groups:
            continue  # its group is covered by this grid already
        where = named.get(h.pk) or groups_elsewhere.get(h.group_id)
        if where:
            clash.append((h.number, where))
    # A group taken here while one of its households is named by another grid of this level.
    clash += [
        (c.household.number, c.grid.name)
        for c in others.filter(household__group__in=own_groups).select_related("grid", "household")
    ]
    if clash:
        number, where = clash[0]
        errors["households"] = _(
            "户号 %(n)s 已在同级网格“%(grid)s”中，一户不能同属两个同级网格"
        ) % {
            "n": number,
            "grid": where,
        }
    return errors


def _write_covers(grid: Grid, data: GridInput) -> None:
    GridCover.objects.filter(grid=grid).delete()
    GridCover.objects.bulk_create(
        [
            GridCover(village_id=grid.village_id, grid=grid, level=grid.level, group=g)
            for g in data.groups
        ]
        + [
            GridCover(village_id=grid.village_id, grid=grid, level=grid.level, household=h)
            for h in data.households
        ]
    )


@transaction.atomic
def grid_save(*, village: Region, data: GridInput, actor: User, grid: Grid | None = None) -> Grid:
    """Create a grid, or change ``grid``: its name, head, parent and what it covers."""
    _require(actor, MANAGERS, _("您的角色不能修改网格"))
    _village(village)
    if grid is not None and grid.village_id != village.pk:
        raise ValidationError({"village": _("网格不属于该村")})
    if grid is not None and grid.level != data.level and grid.children.exists():
        raise ValidationError({"level": _("该网格下还有下级网格，不能改变层级")})
    errors = grid_errors(village, data, grid=grid)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    grid = grid or Grid(village=village)
    grid.level, grid.name, grid.head, grid.parent = (
        data.level,
        data.name.strip(),
        data.head,
        data.parent,
    )
    grid.save()
    _write_covers(grid, data)
    return grid


@transaction.atomic
def grid_delete(*, grid: Grid, actor: User) -> None:
    _require(actor, MANAGERS, _("您的角色不能修改网格"))
    if grid.children.exists():
        raise ValidationError(
            {"grid": _("请先删除或移走“%(name)s”的下级网格") % {"name": grid.name}}
        )
    grid.delete()


# --- pairing ---------------------------------------------------------------------------------


def _member_errors(household: Household, member: PartyMember) -> str | None:
    org_region = member.organization.region_id
    if org_region != household.village_id:
        return _("党员“%(name)s”不是本村党员，不能联系本村农户") % {"name": member.person.name}
    if member.status != MemberStatus.ACTIVE:
        return _("党员“%(name)s”已不在册") % {"name": member.person.name}
    return None


@transaction.atomic
def pairing_set(
    *,
    household: Household,
    member: PartyMember,
    actor: User,
    today: dt.date | None = None,
    note: str = "",
) -> Pairing:
    """Pair ``household`` with ``member``: the current pairing (if another) ends today and a new
    one starts, so the history keeps every span."""
    _require(actor, MANAGERS, _("您的角色不能调整联户"))
    today = today or timezone.localdate()
    problem = _member_errors(household, member)
    if problem:
        raise ValidationError({"member": [problem]})
    current = (
        Pairing.objects.select_for_update()
        .filter(household=household, end_date__isnull=True)
        .first()
    )
    if current is not None:
        if current.member_id == member.pk:
            return current
        current.end_date, current.ended_by = max(today, current.start_date), actor
        current.save(update_fields=["end_date", "ended_by"])
    try:
        with transaction.atomic():
            return Pairing.objects.create(
                village_id=household.village_id,
                household=household,
                member=member,
                start_date=today,
                created_by=actor,
                note=note[:100],
            )
    except IntegrityError as exc:  # paired by someone else a moment ago (one current pairing)
        raise ValidationError({"member": [_("该户的联户党员刚被他人调整，请刷新后再试")]}) from exc


@transaction.atomic
def pairing_end(*, household: Household, actor: User, today: dt.date | None = None) -> int:
    _require(actor, MANAGERS, _("您的角色不能调整联户"))
    today = today or timezone.localdate()
    n = 0
    for p in Pairing.objects.select_for_update().filter(household=household, end_date__isnull=True):
        p.end_date, p.ended_by = max(today, p.start_date), actor
        p.save(update_fields=["end_date", "ended_by"])
        n += 1
    return n


def proposal_for(region: Region, *, today: dt.date | None = None) -> Proposal:
    """The automatic assignment of a village, or of every village under a region (each village
    on its own: a member only ever serves households of their own village)."""
    villages = [region] if region.level in VILLAGE_LEVELS else selectors.villages_under(region)
    merged = Proposal()
    for village in villages:
        households, members = selectors.assignment_input(village, today=today)
        p = propose(households, members)
        merged.pairs.update(p.pairs)
        merged.kept |= p.kept
        merged.added |= p.added
        merged.moved |= p.moved
        merged.unpaired += p.unpaired
        merged.loads.update(p.loads)
    return merged


def proposal_key(proposal: Proposal) -> str:
    """A fingerprint of what the reviewer saw; saving refuses if the proposal changed since."""
    text = ";".join(f"{h}:{m}" for h, m in sorted(proposal.pairs.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def pairings_apply(
    *, village: Region, key: str, actor: User, today: dt.date | None = None
) -> Proposal:
    """Save the automatic assignment the reviewer saw (``key``) for a village or every village
    under a region: end the pairings that move, start the new ones, in one transaction."""
    _require(actor, MANAGERS, _("您的角色不能调整联户"))
    today = today or timezone.localdate()
    proposal = proposal_for(village, today=today)
    if proposal_key(proposal) != key:
        raise ValidationError({"key": [_("联户情况已变化，请重新查看分配方案后再保存")]})
    changing = sorted(proposal.moved | proposal.added)
    current = Pairing.objects.select_for_update().filter(
        end_date__isnull=True, household_id__in=sorted(proposal.moved)
    )
    for p in current:
        p.end_date, p.ended_by = max(today, p.start_date), actor
        p.save(update_fields=["end_date", "ended_by"])
    village_of = dict(Household.objects.filter(pk__in=changing).values_list("pk", "village_id"))
    Pairing.objects.bulk_create(
        [
            Pairing(
                village_id=village_of[h],
                household_id=h,
                member_id=proposal.pairs[h],
                start_date=today,
                created_by=actor,
                note=_("自动分配"),
            )
            for h in changing
        ],
        batch_size=2000,
    )
    return proposal


# --- visits ----------------------------------------------------------------------------------


MAX_REQUESTS = 5


@transaction.atomic
def visit_record(
    *,
    household: Household,
    visited_on: dt.date,
    items: Iterable[str],
    notes: str,
    requests: Sequence[str],
    actor: User,
    category: Category | None = None,
    today: dt.date | None = None,
) -> Visit:
    """五个到户: record a visit; each request becomes a service order (source 入户走访)."""
    _require(actor, VISITORS, _("您的角色不能登记走访"))
    today = today or timezone.localdate()
    items = set(items)
    requests = [r.strip() for r in requests if r and r.strip()]
    errors: dict[str, list[str]] = {}
    if not items or not items <= set(VisitItem.values):
        errors["items"] = [_("请至少选择一项“五个到户”内容")]
    if visited_on > today:
        errors["visited_on"] = [_("走访日期不能晚于今天")]
    elif visited_on < today - dt.timedelta(days=366):
        errors["visited_on"] = [_("走访日期不能早于一年前")]
    if len(notes) > 1000:
        errors["notes"] = [_("走访情况不能超过 1000 字")]
    if len(requests) > MAX_REQUESTS:
        errors["requests"] = [_("一次最多登记 %(n)s 条诉求") % {"n": MAX_REQUESTS}]
    elif any(len(r) < 5 or len(r) > 500 for r in requests):
        errors["requests"] = [_("每条诉求须为 5 到 500 字")]
    if requests and category is None:
        errors["category"] = [_("有诉求时请选择诉求类别")]
    if errors:
        raise ValidationError(errors)
    member = selectors.member_of_user(actor)
    if member is None:
        paired = selectors.current_pairing(household)
        member = paired.member if paired else None
    visit = Visit(
        village_id=household.village_id,
        household=household,
        member=member,
        visited_on=visited_on,
        notes=notes.strip(),
        recorded_by=actor,
        **{item: True for item in items},
    )
    visit.full_clean(exclude=["village", "household", "member", "recorded_by"])
    visit.save()
    for text in requests:
        order = None
        if category is not None:
            try:
                order = order_submit(
                    village=household.village,
                    household=household,
                    category=category,
                    description=text,
                    name=household.head_name,
                    phone=household.phone,
                    actor=Actor.of(actor),
                    source=Source.VISIT,
                )
            except ValidationError as exc:
                messages = [m for ms in exc.message_dict.values() for m in ms]
                raise ValidationError({"requests": messages}) from exc
        VisitRequest.objects.create(visit=visit, text=text, order=order)
    return visit
