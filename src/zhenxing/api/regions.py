"""/api/v1/regions and the rosters under a region."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhenxing.accounts.scoping import get_visible_or_404, visible
from zhenxing.regions import selectors
from zhenxing.regions.models import Household, Level, PartyOrganization, Region

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
    """The region page's counts (``regions.selectors.region_counts``), by the same names."""

    households: int = Field(description="农户")
    residents: int = Field(description="居民")
    members: int = Field(description="党员（正式在册）")
    cadres: int = Field(description="在任干部（每人计一次）")
    villages: int = Field(description="村（社区）")
    groups: int = Field(description="村民小组")
    organizations: int = Field(description="党组织")


class PostAgesOut(Schema):
    post: str = Field(
        description="secretary（村党支部书记）、director（村委会主任）、committee（两委委员）"
    )
    label: str
    people: int = Field(description="在任人数")
    average_age: float | None = Field(description="平均年龄（岁）")


class CadreStructureOut(Schema):
    """The region page's 村“两委”班子结构 (``regions.selectors.cadre_structure``)."""

    people: int = Field(description="班子成员（人，每人计一次）")
    average_age: float | None = Field(description="平均年龄（岁）：两委班子")
    share_35_or_under: float | None = Field(description="35岁及以下占比 %")
    share_college: float | None = Field(description="大专及以上学历占比 %")
    share_young_and_college: float | None = Field(description="35岁及以下且大专及以上学历占比 %")
    one_shoulder: int = Field(description="书记主任“一肩挑”（村）")
    villages: int = Field(description="村（社区）数，一肩挑的分母")
    age_bands: list[tuple[str, int]] = Field(description="年龄分布：[年龄段, 人数]")
    education: list[tuple[str, int]] = Field(description="学历分布：[学历, 人数]")
    by_post: list[PostAgesOut] = Field(description="按职务：书记、主任、两委委员的人数和平均年龄")


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


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_id: int
    region_name: str
    members: int = Field(description="正式在册党员")

    @staticmethod
    def resolve_members(obj: PartyOrganization) -> int:
        return obj.active_members  # type: ignore[attr-defined]

    @staticmethod
    def resolve_kind_label(obj: PartyOrganization) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_region_name(obj: PartyOrganization) -> str:
        return obj.region.name


@router.get(
    "/{region_id}/organizations",
    response=list[OrganizationOut],
    summary="区域内（含下级）的党组织及其党员数",
)
@paginate
def organization_list(request: HttpRequest, region_id: int) -> QuerySet[PartyOrganization]:
    region = get_visible_or_404(Region, request.scope, pk=region_id)  # type: ignore[attr-defined]
    return selectors.organizations_under(region)
