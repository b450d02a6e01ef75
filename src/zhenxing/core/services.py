"""Writes of background jobs. Each is one short UPDATE, committed at once (the worker runs in
autocommit), so a page in another process sees the progress. Status changes are compare-and-set:
a job that another worker already took, or that was already finished, is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhenxing.core.models import FINISHED, Job, JobStatus

# How many errors a job keeps (and a page shows); ``error_count`` has the full number.
MAX_STORED_ERRORS = 200


@transaction.atomic
def job_create(
    *,
    kind: str,
    region: Any,
    created_by: Any,
    params: dict[str, Any] | None = None,
    file: File | None = None,
    stored_name: str = "",
    original_name: str = "",
    total: int = 0,
) -> Job:
    """A queued job. ``file`` is saved under MEDIA_ROOT; ``stored_name`` reuses a stored file."""
    job = Job(
        kind=kind,
        region=region,
        created_by=created_by,
        params=params or {},
        original_name=original_name[:200],
        total=total,
    )
    if file is not None:
        job.file.save(original_name or "upload.xlsx", file, save=False)
    elif stored_name:
        job.file.name = stored_name
    job.full_clean(exclude=["file", "created_by", "region"])
    job.save()
    return job


def job_start(*, job_id: int, total: int) -> bool:
    """Queued → validating. False if the job is not queued (taken already, or finished)."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.VALIDATING, total=total, done=0, heartbeat_at=now
        )
    )


def job_progress(*, job_id: int, done: int) -> None:
    Job.objects.filter(pk=job_id, status=JobStatus.VALIDATING).update(
        done=done, heartbeat_at=timezone.now()
    )


def job_writing(*, job_id: int, done: int) -> None:
    """Validating → writing, just before the one write transaction opens."""
    Job.objects.filter(pk=job_id, status=JobStatus.VALIDATING).update(
        status=JobStatus.WRITING, done=done, heartbeat_at=timezone.now()
    )


def job_finish(*, job_id: int, result: dict[str, Any]) -> None:
    """Mark done. Call it inside the write transaction, so data and "done" commit together."""
    now = timezone.now()
    Job.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(
        status=JobStatus.DONE, done=F("total"), result=result, heartbeat_at=now, finished_at=now
    )


def job_fail(*, job_id: int, errors: list[dict[str, Any]], error_count: int | None = None) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(
        status=JobStatus.FAILED,
        errors=errors[:MAX_STORED_ERRORS],
        error_count=len(errors) if error_count is None else error_count,
        heartbeat_at=now,
        finished_at=now,
    )
