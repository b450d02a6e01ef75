"""Reads of the star engine, one module per part (see ``stars.services``)."""

from zhenxing.stars.selectors.evaluation import (
    Gap,
    Ranking,
    VillageStars,
    current_standard,
    gap_list,
    latest_run_covering,
    ranking,
    shown,
)

__all__ = [
    "Gap",
    "Ranking",
    "VillageStars",
    "current_standard",
    "gap_list",
    "latest_run_covering",
    "ranking",
    "shown",
]
