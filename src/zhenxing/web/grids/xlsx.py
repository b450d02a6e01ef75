"""网格结构 in and out as Excel (the village's grids and pairings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhenxing.grids import workbook
from zhenxing.web.grids import forms as f
from zhenxing.web.grids.views import _base, _may_manage, _village, refused, village_page


@login_required
@village_page
def export(request: HttpRequest, region_id: int) -> HttpResponse:
    village = _village(request, region_id)
    response = HttpResponse(
        workbook.export_workbook(village),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename=grids-{village.pk}.xlsx"
    return response


@login_required
@require_POST
@village_page
def import_(request: HttpRequest, region_id: int) -> HttpResponse:
    village = _village(request, region_id)
    if not _may_manage(request):
        return refused(request, "grids_structure", region_id=village.pk)
    form = f.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要导入的文件"))
        return redirect("grids_structure", region_id=village.pk)
    try:
        done = workbook.import_workbook(
            village=village, source=form.cleaned_data["file"], actor=request.user
        )
    except workbook.ImportRefused as exc:
        context = _base(request, village) | {"errors": exc.errors}
        return render(request, "grids/import_errors.html", context, status=400)
    messages.success(
        request,
        _("已导入 %(g)s 个网格、%(p)s 户联户关系") % {"g": done["grids"], "p": done["pairings"]},
    )
    return redirect("grids_structure", region_id=village.pk)
