"""/api/v1/regions and the rosters under a region."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.regions import selectors
from zhenxing.regions.models import Household, Level, Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: int
    name: str
    level: str
    parent_id: int | None
    path: str


class RegionFilter(Schema):
    level: Level | None = None
    parent: int | None = Field(None, description="只列出该区域的直接下级")


class CountsOut(Schema):
    households: int
    residents: int
    members: int
    cadres: int
    villages: int


class CadreStructureOut(Schema):
    people: int
    average_age: float | None
    share_35_or_under: float | None
    share_college: float | None
    share_young_and_college: float | None
    one_shoulder: int
    villages: int
    age_bands: list[tuple[str, int]]
    education: list[tuple[str, int]]


class RegionDetailOut(RegionOut):
    counts: CountsOut
    cadre_structure: CadreStructureOut


def _region_out(region: Region, parent_id: int | None) -> dict:
    return {
        "id": region.pk,
        "name": region.name,
        "level": region.level,
        "parent_id": parent_id,
        "path": region.path,
    }


@router.get("", response=list[RegionOut], summary="可见区域列表")
@paginate
def region_list(request: HttpRequest, filters: Query[RegionFilter]) -> QuerySet[Region]:
    qs = visible(Region.objects.all(), request.scope).order_by("path")  # type: ignore[attr-defined]
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent is not None:
        parent = get_visible_or_404(Region, request.scope, pk=filters.parent)  # type: ignore[attr-defined]
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    return selectors.with_parent_ids(qs)


@router.get("/{region_id}", response=RegionDetailOut, summary="区域详情：数量与干部结构")
def region_detail(request: HttpRequest, region_id: int) -> dict:
    region = get_visible_or_404(Region, request.scope, pk=region_id)  # type: ignore[attr-defined]
    parent = Region.objects.get_parent(region)
    out = _region_out(region, parent.pk if parent else None)
    out["counts"] = selectors.region_counts(region)
    out["cadre_structure"] = selectors.cadre_structure(region)
    return out


class HouseholdOut(Schema):
    id: int
    village_id: int
    group_id: int | None
    number: str
    head_name: str
    address: str
    phone: str
    size: int
    tags: list[str]

    @staticmethod
    def resolve_phone(obj: Household, context: dict) -> str:
        return obj.phone if context["request"].scope.sees_personal_data else obj.phone_masked

    @staticmethod
    def resolve_tags(obj: Household) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


@router.get("/{region_id}/households", response=list[HouseholdOut], summary="区域内农户")
@paginate
def household_list(request: HttpRequest, region_id: int) -> QuerySet[Household]:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    return selectors.households_under(region)
