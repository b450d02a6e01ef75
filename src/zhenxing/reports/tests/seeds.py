"""The five seed articles, read where they live: ``../shared/seeds/`` beside the repository (never
copied into the project). With ``CI=true`` they must be there; elsewhere the tests that need them
skip and say why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SEEDS = (
    Path(os.environ.get("ZHENXING_SEEDS", ""))
    if os.environ.get("ZHENXING_SEEDS")
    else (Path(__file__).resolve().parents[4].parent / "shared" / "seeds")
)


def seed_text(number: str) -> str:
    """The text of seed ``number`` (“000” … “004”)."""
    found = sorted(SEEDS.glob(f"{number}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        message = f"seed {number} not found in {SEEDS} (the seeds live in ../shared/seeds/)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found[0].read_text(encoding="utf-8")
