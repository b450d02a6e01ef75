from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.http import HttpRequest

from zhenxing.orders import selectors as order_selectors
from zhenxing.orders.states import Actor
from zhenxing.stars import selectors as star_selectors
from zhenxing.web.navigation import NavItem, items_for

# The to-do lists that ask the person to act (已超期 overlaps them and is a watch list).
ACTIONABLE = ("dispatch", "take", "doing")


def todo_counts(request: HttpRequest) -> dict[str, int]:
    """The person's to-do counts (one aggregate query), at most once per request."""
    counts = getattr(request, "_todo_counts", None)
    if counts is None:
        counts = order_selectors.todo_counts(request.scope, Actor.of(request.user))  # type: ignore[attr-defined]
        request._todo_counts = counts  # type: ignore[attr-defined]
    return counts


class NavCounts:
    """The navigation's badges: counted only when a page shows them, once per request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def todo(self) -> int:
        counts = todo_counts(self.request)
        return sum(counts.get(name) or 0 for name in ACTIONABLE) + self.proposals

    @cached_property
    def proposals(self) -> int:
        """摘星建议 waiting for the person's decision (the county's)."""
        request = self.request
        return star_selectors.waiting_for(request.scope, getattr(request.user, "role", ""))  # type: ignore[attr-defined]

    @cached_property
    def notices(self) -> int:
        request = self.request
        return order_selectors.notices_of(request.scope, request.user.pk, unread=True).count()  # type: ignore[attr-defined]

    @property
    def total(self) -> int:
        return self.todo + self.notices


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    counts: NavCounts

    @property
    def label(self) -> str:
        return str(self.item.label)

    @property
    def url_name(self) -> str:
        return self.item.url_name

    @property
    def count(self) -> int:
        return int(getattr(self.counts, self.item.badge)) if self.item.badge else 0


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    counts = getattr(request, "_nav_counts", None)
    if counts is None:
        counts = request._nav_counts = NavCounts(request)  # type: ignore[attr-defined]
    items = items_for(user.role, is_superuser=user.is_superuser)
    return {"nav_items": [NavLink(item, counts) for item in items], "nav_counts": counts}
