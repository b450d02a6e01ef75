"""Roster pages: templates, imports (background jobs with progress), exports.

Each view: scoped fetch → one service or selector → render. Import and export logic lives in
``regions.rosters``; the job runs in the worker (``regions.tasks``).
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhenxing.accounts import services as account_services
from zhenxing.accounts.scoping import get_visible_or_404
from zhenxing.core import selectors as job_selectors
from zhenxing.core.models import Job
from zhenxing.regions import rosters
from zhenxing.regions.models import Region
from zhenxing.web.views import breadcrumbs, home_region_id

JOBS_SHOWN = 20


@login_required
def rosters_home(request: HttpRequest) -> HttpResponse:
    return redirect("region_rosters", region_id=home_region_id(request.scope))  # type: ignore[attr-defined]


@login_required
def region_rosters(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_visible_or_404(Region, request.scope, pk=region_id)  # type: ignore[attr-defined]
    return _rosters_page(request, region)


def _rosters_page(request: HttpRequest, region: Region, upload_error: str = "") -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    context = {
        "upload_error": upload_error,
        "selected_kind": request.POST.get("kind", rosters.ALL),
        "region": region,
        "ancestors": breadcrumbs(scope, region),
        "scope": scope,
        "may_import": rosters.may_import(scope),
        "kinds": rosters.KIND_CHOICES,
        "max_mb": rosters.MAX_UPLOAD_BYTES // 1024 // 1024,
        "jobs": job_selectors.jobs_under(region.path, kind=rosters.JOB_KIND)[:JOBS_SHOWN],
    }
    return render(request, "web/rosters/index.html", context)


@login_required
@require_POST
def roster_import(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    try:
        job = rosters.roster_import_start(
            region=region,
            kind=request.POST.get("kind", rosters.ALL),
            upload=request.FILES.get("file"),
            actor=request.user,
            scope=scope,
        )
    except (rosters.UploadRejected, PermissionDenied) as exc:
        # Shown on the page itself (not a flash message): nothing is left over for the next page.
        return _rosters_page(request, region, upload_error=str(getattr(exc, "message", exc)))
    return redirect("job", job_id=job.pk)


@login_required
def roster_export(request: HttpRequest, region_id: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    region = get_visible_or_404(Region, scope, pk=region_id)
    kind = request.GET.get("kind")
    if kind != rosters.ALL and kind not in rosters.SHEET_BY_KIND:
        return redirect("region_rosters", region_id=region.pk)  # the page lists the exports
    return _export_response(request, region, kind)


def _export_response(request: HttpRequest, region: Region, kind: str) -> HttpResponse:
    """The export as a download (the API twin does the same): masked unless the role sees it."""
    unmasked = request.scope.sees_personal_data  # type: ignore[attr-defined]
    if unmasked:
        account_services.personal_data_viewed(
            user=request.user,  # type: ignore[arg-type]
            what=f"export {kind} {region.name}",
        )
    content = rosters.export_bytes(region=region, kind=kind, unmasked=unmasked)
    return _download(content, rosters.export_filename(region, kind))


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=rosters.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    rosters.template_workbook(out)
    return _download(out.getvalue(), _("花名册导入模板") + ".xlsx")


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    job = get_visible_or_404(Job.objects.select_related("region", "created_by"), scope, pk=job_id)
    return _job_page(request, job)


def _job_page(request: HttpRequest, job: Job, error: str = "") -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    context = {
        "job": job,
        "region": job.region,
        "may_import": rosters.may_import(scope),
        "sees_personal_data": scope.sees_personal_data,
        "error": error,
    }
    template = "web/rosters/job.html#progress" if request.htmx else "web/rosters/job.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@login_required
def job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    """The uploaded file as it was: full ID and phone numbers, so only for roles that see them."""
    scope = request.scope  # type: ignore[attr-defined]
    job = get_visible_or_404(Job.objects.select_related("region"), scope, pk=job_id)
    if not scope.sees_personal_data:
        return _job_page(request, job, _("上传的文件含完整的身份证号和电话，您的角色不能下载"))
    try:
        handle = job.file.open("rb")
    except (ValueError, FileNotFoundError):
        return _job_page(request, job, _("该任务的文件已不存在"))
    account_services.personal_data_viewed(
        user=request.user,  # type: ignore[arg-type]
        what=f"job file {job.pk} {job.original_name}",
    )
    return FileResponse(handle, as_attachment=True, filename=job.original_name or "upload.xlsx")


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    job = get_visible_or_404(Job.objects.select_related("region"), scope, pk=job_id)
    try:
        new = rosters.roster_import_retry(job=job, actor=request.user, scope=scope)
    except (rosters.UploadRejected, PermissionDenied) as exc:
        return _job_page(request, job, str(getattr(exc, "message", exc)))
    return redirect("job", job_id=new.pk)
