"""The 联户 figures card: used by the 网格联户 page and by the region page (区域概览)."""

from __future__ import annotations

from typing import Any

from zhenxing.grids import selectors
from zhenxing.regions.models import VILLAGE_LEVELS, Region


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def figures_context(region: Region) -> dict[str, Any]:
    """Six aggregate queries whatever the region's size, plus its children (one query)."""
    figures = selectors.figures(region)
    context: dict[str, Any] = {"figures": figures, "coverage_pct": pct(figures.total.coverage)}
    if region.level in VILLAGE_LEVELS:
        return context
    children = list(Region.objects.get_children(region).order_by("name"))
    rows = [(c, figures.by_child.get(c.path)) for c in children]
    context["children"] = [(c, fig, pct(fig.coverage) if fig else "—") for c, fig in rows]
    context["chart_children"] = {
        "names": [c.name for c, _fig in rows],
        "coverage": [fig.coverage if fig else None for _c, fig in rows],
        "mean": [fig.mean_per_member if fig else None for _c, fig in rows],
    }
    context["chart_height"] = 80 + 30 * len(children)
    return context
