"""/api/v1/grids: the API twins of the grid pages (figures, coverage, grids, a household's file,
pairing, the automatic assignment and visits). Out of scope answers 404 like not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from zhenxing.accounts.scoping import Scope, get_visible_or_404, visible
from zhenxing.api.orders import ERRORS, invalid, service_errors
from zhenxing.grids import selectors, services
from zhenxing.grids.models import VisitItem
from zhenxing.orders.models import Category, Order
from zhenxing.regions.models import Household, PartyMember, Region

router = Router(tags=["grids"])
UNPAIRED_SHOWN = 200


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


class PairingFiguresOut(Schema):
    households: int
    paired: int
    coverage: float | None
    members: int
    pairing_members: int
    idle_members: int
    mean_per_member: float | None
    max_per_member: int
    visits_month: int
    stale: int


class ChildPairingFiguresOut(PairingFiguresOut):
    region_id: int
    name: str


class RegionPairingFiguresOut(Schema):
    region_id: int
    stale_days: int
    total: PairingFiguresOut
    children: list[ChildPairingFiguresOut]


@router.get(
    "/regions/{int:region_id}/figures",
    response=RegionPairingFiguresOut,
    summary="联户覆盖与走访数据",
)
def figures(request: HttpRequest, region_id: int) -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    f = selectors.figures(region)
    children = []
    if f.by_child:
        for child in Region.objects.get_children(region).order_by("name"):
            fig = f.by_child.get(child.path)
            row = fig.as_dict() if fig else selectors.Figures().as_dict()
            children.append({"region_id": child.pk, "name": child.name, **row})
    return {
        "region_id": region.pk,
        "stale_days": f.stale_days,
        "total": f.total.as_dict(),
        "children": children,
    }


class MemberLoadOut(Schema):
    member_id: int
    name: str
    age: int
    capacity: int
    households: int


class HouseholdBriefOut(Schema):
    id: int
    number: str
    head_name: str
    special: bool


class CoverageOut(Schema):
    region_id: int
    households: int
    paired: int
    unpaired_count: int
    coverage: float | None
    unpaired: list[HouseholdBriefOut]
    overloaded: list[MemberLoadOut]
    idle: list[MemberLoadOut]


def _load(m: selectors.MemberLoad) -> dict[str, Any]:
    return {
        "member_id": m.member.pk,
        "name": m.member.person.name,
        "age": m.age,
        "capacity": m.capacity,
        "households": m.households,
    }


@router.get(
    "/regions/{int:region_id}/coverage",
    response=CoverageOut,
    summary="联户情况：未联户农户（重点户在前，至多 200 户）、超比例党员、未联户党员",
)
def coverage(request: HttpRequest, region_id: int) -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    c = selectors.village_coverage(region, limit=UNPAIRED_SHOWN)
    return {
        "region_id": region.pk,
        "households": c.households,
        "paired": c.paired,
        "unpaired_count": c.households - c.paired,
        "coverage": c.coverage,
        "unpaired": [
            {"id": h.pk, "number": h.number, "head_name": h.head_name, "special": h.is_special}
            for h in c.unpaired
        ],
        "overloaded": [_load(m) for m in c.overloaded],
        "idle": [_load(m) for m in c.idle],
    }


class GridOut(Schema):
    id: int
    name: str
    level: int
    parent_id: int | None
    head: str
    group_ids: list[int]
    household_ids: list[int]


@router.get(
    "/regions/{int:region_id}/grids",
    response=list[GridOut],
    summary="网格结构（该区域下全部村的网格）",
)
def grid_list(request: HttpRequest, region_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": g.pk,
            "name": g.name,
            "level": g.level,
            "parent_id": g.parent_id,
            "head": g.head.name,
            "group_ids": [c.group_id for c in g.covers.all() if c.group_id],
            "household_ids": [c.household_id for c in g.covers.all() if c.household_id],
        }
        for g in selectors.grids_under(get_visible_or_404(Region, _scope(request), pk=region_id))
    ]


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    member: str
    items: list[str]
    notes: str
    requests: list[str]
    order_ids: list[int]


class OrderBriefOut(Schema):
    id: int
    code: str
    status: str


class HouseholdFileOut(Schema):
    id: int
    village_id: int
    number: str
    head_name: str
    tags: list[str]
    residents: list[str]
    member_id: int | None
    member: str | None
    grid: str | None
    visits: list[VisitOut]
    orders: list[OrderBriefOut]


def _visit(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "visited_on": v.visited_on,
        "member": v.member.person.name if v.member else "",
        "items": [i.value for i in VisitItem if getattr(v, i.value)],
        "notes": v.notes,
        "requests": [r.text for r in v.requests.all()],
        "order_ids": [r.order_id for r in v.requests.all() if r.order_id],
    }


@router.get("/households/{int:household_id}", response=HouseholdFileOut, summary="一户一档")
def household_file(request: HttpRequest, household_id: int) -> dict[str, Any]:
    scope = _scope(request)
    h = get_visible_or_404(Household.objects.prefetch_related("tags"), scope, pk=household_id)
    pairing = selectors.current_pairing(h)
    grid = selectors.grid_of_household(h)
    orders = visible(Order.objects.filter(household=h), scope)[:50]
    return {
        "id": h.pk,
        "village_id": h.village_id,
        "number": h.number,
        "head_name": h.head_name,
        "tags": [t.name for t in h.tags.all()],
        "residents": [p.name for p in h.residents.order_by("birth_date")],
        "member_id": pairing.member_id if pairing else None,
        "member": pairing.member.person.name if pairing else None,
        "grid": grid.name if grid else None,
        "visits": [_visit(v) for v in selectors.visits_of(h)[:50]],
        "orders": [{"id": o.pk, "code": o.code, "status": o.status} for o in orders],
    }


class PairingIn(Schema):
    member_id: int | None = None
    note: str = ""


class PairingOut(Schema):
    household_id: int
    member_id: int | None


@router.post(
    "/households/{int:household_id}/pairing",
    response={200: PairingOut, **ERRORS},
    summary="调整或解除联户（member_id 为空即解除）",
)
def pairing(request: HttpRequest, household_id: int, data: PairingIn) -> dict[str, Any]:
    h = get_visible_or_404(Household, _scope(request), pk=household_id)
    with service_errors(member="member_id"):
        if data.member_id is None:
            services.pairing_end(household=h, actor=request.user)
            return {"household_id": h.pk, "member_id": None}
        member = (
            visible(PartyMember.objects.filter(pk=data.member_id), _scope(request))
            .select_related("person")
            .first()
        )
        if member is None:
            raise invalid("member_id", _("没有这名党员"))
        p = services.pairing_set(household=h, member=member, note=data.note, actor=request.user)
    return {"household_id": h.pk, "member_id": p.member_id}


class ProposalOut(Schema):
    key: str
    kept: int
    added: list[int]
    moved: list[int]
    unpaired: list[int]
    pairs: dict[int, int]


def _proposal(p: Any) -> dict[str, Any]:
    return {
        "key": services.proposal_key(p),
        "kept": len(p.kept),
        "added": sorted(p.added),
        "moved": sorted(p.moved),
        "unpaired": p.unpaired,
        "pairs": p.pairs,
    }


@router.get("/regions/{int:region_id}/assign", response=ProposalOut, summary="自动分配方案（预览）")
def assign_preview(request: HttpRequest, region_id: int) -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    return _proposal(services.proposal_for(region))


class AssignIn(Schema):
    key: str


@router.post(
    "/regions/{int:region_id}/assign",
    response={200: ProposalOut, **ERRORS},
    summary="保存预览过的自动分配方案",
)
def assign_apply(request: HttpRequest, region_id: int, data: AssignIn) -> dict[str, Any]:
    region = get_visible_or_404(Region, _scope(request), pk=region_id)
    with service_errors():
        return _proposal(services.pairings_apply(village=region, key=data.key, actor=request.user))


class VisitIn(Schema):
    household_id: int
    visited_on: dt.date | None = None
    items: list[str]
    notes: str = ""
    requests: list[str] = []
    category_id: int | None = None


@router.post("/visits", response={201: VisitOut, **ERRORS}, summary="登记走访（五个到户）")
def visit_create(request: HttpRequest, data: VisitIn) -> Status:
    h = get_visible_or_404(Household, _scope(request), pk=data.household_id)
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id, active=True).first()
        if category is None:
            raise invalid("category_id", _("没有这个诉求类别"))
    with service_errors(category="category_id"):
        v = services.visit_record(
            household=h,
            visited_on=data.visited_on or timezone.localdate(),
            items=data.items,
            notes=data.notes,
            requests=data.requests,
            category=category,
            actor=request.user,
        )
    return Status(201, _visit(v))
