"""经验材料核数 pages: the list of checks with the form for a new one, a check (figures beside the
platform's, the cleaned text beside the original) and its Word page. Thin: the service checks and
saves, the selectors read through the scoping module, ``reports.export`` builds the Word file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from zhenxing.accounts.scoping import Scope
from zhenxing.reports import selectors, services
from zhenxing.reports.export import DOCX, check_docx, docx_filename
from zhenxing.web.reports.forms import CheckForm, RuleForm


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


@login_required
@require_http_methods(["GET", "POST"])
def check_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    may = services.may_check(request.user)
    regions = list(selectors.region_choices(scope))
    form = CheckForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("经验材料核数限县、乡镇管理员使用"))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check = services.check_create(
                    scope=scope,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    upload=upload,
                    filename=upload.name if upload else "",
                    region_id=form.cleaned_data["region"],
                    period=form.cleaned_data["period"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("report_check", check.pk)
    checks = selectors.checks_visible(scope)[:100]
    return render(
        request,
        "reports/checks.html",
        {
            "form": form,
            "checks": checks,
            "may_check": may,
            "may_edit_rules": services.may_edit_rules(request.user),
        },
    )


@login_required
@require_safe
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    check = selectors.check_get(_scope(request), check_id)
    context = {
        "check": check,
        "period_label": selectors.period_label(check.period),
        **selectors.summary(check),
    }
    return render(request, "reports/check.html", context)


@login_required
@require_safe
def check_word(request: HttpRequest, check_id: int) -> HttpResponse:
    check = selectors.check_get(_scope(request), check_id)
    response = HttpResponse(check_docx(check), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, docx_filename(check))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    """The county's figure rules: the list, and a form to add one or change the one asked for."""
    if not services.may_edit_rules(request.user):  # not for this role: as if it did not exist
        raise Http404(_("未找到"))
    services.rules_defaults_ensure()
    rules = list(selectors.figure_rules())
    asked = request.GET.get("edit") or request.POST.get("id") or ""
    rule = next((r for r in rules if str(r.pk) == asked), None)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.figure_rule_save(actor=request.user, data=form.cleaned_data, rule=rule)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("已保存规则“%(label)s”") % {"label": saved.label})
            return redirect("report_rules")
    return render(request, "reports/rules.html", {"rules": rules, "form": form, "editing": rule})
