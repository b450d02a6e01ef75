"""The one place that filters querysets by scope.

Every view, API route, export and report reads scoped models through ``visible`` or
``get_visible_or_404``. Out of scope looks exactly like not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from zhenxing.regions.models import Region

if TYPE_CHECKING:
    from zhenxing.accounts.models import User

M = TypeVar("M", bound=models.Model)

# Roles that may see full phone and ID-card numbers (others see them masked).
UNMASKED_ROLES = frozenset({"county_admin", "township_admin", "village_secretary"})


@dataclass(frozen=True)
class Scope:
    """The region subtree a user may see; ``path`` empty means the whole deployment."""

    region_id: int | None
    path: str
    level: str
    role: str

    @property
    def is_root(self) -> bool:
        return self.region_id is None

    @property
    def sees_personal_data(self) -> bool:
        return self.role in UNMASKED_ROLES or self.is_root

    def covers(self, region: Region) -> bool:
        return self.is_root or region.path.startswith(self.path)

    def require(self, region: Region) -> None:
        """For create services: refuse to attach a record to a region outside the scope."""
        if not self.covers(region):
            raise PermissionDenied(_("该区域不在您的管辖范围内"))


NO_SCOPE = Scope(region_id=-1, path="~none~", level="", role="")


def scope_for(user: User | Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    if user.scope_region_id is None:
        if user.is_superuser:
            return Scope(region_id=None, path="", level="", role=user.role)
        return NO_SCOPE
    region = user.scope_region
    return Scope(region_id=region.pk, path=region.path, level=region.level, role=user.role)


def region_scope(region: Region) -> Scope:
    """The scope of one region's subtree, for work the system does on a record already accepted
    there (a ledger row's consequences, say): no role, no personal data."""
    return Scope(region_id=region.pk, path=region.path, level=region.level, role="")


def scope_field_of(model: type[models.Model]) -> str:
    field = getattr(model, "scope_field", None)
    if not field:
        raise TypeError(f"{model.__name__} declares no scope_field")
    return str(field)


def visible(qs: models.QuerySet[M], scope: Scope) -> models.QuerySet[M]:
    """Narrow ``qs`` to the scope's subtree with one SQL statement (a subquery, never a list)."""
    if scope.is_root:
        return qs
    field = scope_field_of(qs.model)
    if field == "self":
        return qs.filter(path__startswith=scope.path)
    subtree = Region.objects.filter(path__startswith=scope.path).values("pk")
    return qs.filter(**{f"{field}__in": subtree})


def get_visible_or_404(model_or_qs: type[M] | models.QuerySet[M], scope: Scope, **lookup: Any) -> M:
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    try:
        return visible(qs, scope).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404(_("未找到")) from exc


def home_region(scope: Scope) -> Region:
    """Where a person starts: their scope node, or the top of the tree for a root scope."""
    if scope.is_root:
        top = Region.get_first_root_node()
        if top is None:
            raise Http404(_("尚无区域数据"))
        return top
    return get_visible_or_404(Region, scope, pk=scope.region_id)
