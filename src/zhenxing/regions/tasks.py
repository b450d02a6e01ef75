"""Background tasks of the registers (django-tasks; ``db_worker`` runs them, ``serve`` starts it)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from zhenxing.regions import rosters


@task()
def run_roster_import(job_id: int) -> dict[str, Any]:
    """Import the roster workbook kept with job ``job_id``: validate all, then write all or none."""
    try:
        return rosters.roster_import_run(job_id=job_id)
    except Exception:
        rosters.roster_import_crashed(job_id=job_id)
        raise
