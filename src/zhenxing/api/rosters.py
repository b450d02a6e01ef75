"""/api/v1/rosters and /api/v1/jobs: the JSON twins of the roster pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.core import selectors as job_selectors
from zhenxing.core.models import Job
from zhenxing.regions import rosters
from zhenxing.regions.models import Region

router = Router(tags=["rosters"])
jobs_router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    region_id: int
    status: str
    status_label: str
    total: int
    done: int
    percent: int
    error_count: int
    errors: list[dict[str, Any]]
    result: dict[str, Any]
    original_name: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_status(obj: Job) -> str:
        return obj.state  # "interrupted" when the worker stopped mid-way

    @staticmethod
    def resolve_status_label(obj: Job) -> str:
        return obj.state_label


class JobCreatedOut(Schema):
    id: int
    status: str
    total: int


@router.post(
    "/{region_id}/imports",
    response={202: JobCreatedOut},
    summary="上传花名册工作簿（.xlsx），在后台导入；返回任务编号",
    description="kind：all（按工作表名称）或 regions、households、residents、organizations、"
    "members、cadres。任何一行有错都不写入；用 GET /api/v1/jobs/{id} 查看进度和错误清单。",
)
def roster_import(
    request: HttpRequest,
    region_id: int,
    kind: Form[str] = rosters.ALL,
    file: File[UploadedFile | None] = None,
) -> Status[Job]:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    try:
        job = rosters.roster_import_start(
            region=region, kind=kind, upload=file, actor=request.user, scope=scope
        )
    except rosters.UploadRejected as exc:
        raise HttpError(400, exc.message) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(202, job)


@router.get("/{region_id}/imports", response=list[JobOut], summary="该区域的导入任务")
@paginate
def roster_import_list(request: HttpRequest, region_id: int) -> QuerySet[Job]:
    region = get_visible_or_404(Region, request.scope, pk=region_id)  # type: ignore[attr-defined]
    return job_selectors.jobs_under(region.path, kind=rosters.JOB_KIND)


@router.get(
    "/{region_id}/export",
    summary="导出花名册（.xlsx）",
    description="kind：all 或单个表。电话和身份证号按权限打码。",
    response={200: None},
)
def roster_export(request: HttpRequest, region_id: int, kind: str = rosters.ALL) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    if kind != rosters.ALL and kind not in rosters.SHEET_BY_KIND:
        raise HttpError(400, f"未知的表：{kind}")
    if scope.sees_personal_data:
        account_services.personal_data_viewed(
            user=request.user,  # type: ignore[arg-type]
            what=f"api export {kind} {region.name}",
        )
    content = rosters.export_bytes(region=region, kind=kind, unmasked=scope.sees_personal_data)
    response = HttpResponse(content, content_type=rosters.XLSX_CONTENT_TYPE)
    disposition = content_disposition_header(True, rosters.export_filename(region, kind))
    response["Content-Disposition"] = disposition
    return response


@jobs_router.get("/{job_id}", response=JobOut, summary="后台任务：状态、进度、错误清单、结果")
def job_detail(request: HttpRequest, job_id: int) -> Job:
    return get_visible_or_404(Job, request.scope, pk=job_id)  # type: ignore[attr-defined]
