"""The standards pages (创星标准): every loaded standard and version, one standard shown whole with
its file, and — for county admins — loading a new version, by editing the current file in the page
or uploading one. A file with any problem loads nothing; each problem names its line, and the text
stays in the form to be corrected."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from zhenxing.stars import selectors, services
from zhenxing.stars.metrics import METRICS
from zhenxing.stars.models import StandardKind

MAX_FILE_BYTES = 200 * 1024


class StandardForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("标准文件内容（YAML）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(
        label=gettext_lazy("或上传标准文件"),
        required=False,
        help_text=gettext_lazy("YAML 文件，UTF-8 编码，不超过 200 KB；上传的文件优先于上面的内容"),
    )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise ValidationError({"file": _("标准文件不能超过 200 KB")})
            try:
                data["source"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    {"file": _("标准文件须为 UTF-8 编码的文本（YAML）")}
                ) from None
        if not (data.get("source") or "").strip():
            raise ValidationError({"source": _("请填写或上传标准文件")})
        return data


@login_required
@require_safe
def standard_list(request: HttpRequest) -> HttpResponse:
    in_use = {kind: selectors.current_standard(kind) for kind in StandardKind.values}
    return render(
        request,
        "stars/standards/list.html",
        {
            "standards": selectors.standards(),
            "in_use": {s.pk for s in in_use.values() if s is not None},
            "may_load": selectors.may_load(request.user),
        },
    )


@login_required
@require_safe
def standard_detail(request: HttpRequest, standard_id: int) -> HttpResponse:
    standard = selectors.standard_with_indicators(standard_id)
    if standard is None:
        raise Http404
    stars = [
        (
            star,
            [
                (i, "" if i.judged else METRICS[i.metric].label, selectors.requirement(i))
                for i in star.indicators.all()
            ],
        )
        for star in standard.stars.all()
    ]
    return render(
        request,
        "stars/standards/detail.html",
        {
            "standard": standard,
            "stars": stars,
            "lines": enumerate(standard.source.splitlines(), start=1),
            "approval": sorted((int(n), level) for n, level in standard.approval.items()),
            "may_load": selectors.may_load(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def standard_new(request: HttpRequest) -> HttpResponse:
    """A new standard or version: the form starts from ``?from=<id>``'s file (to edit a threshold
    and raise the version), or is empty for a file of one's own."""
    if not selectors.may_load(request.user):
        messages.error(request, _("创星标准由县委组织部维护"))
        return redirect("star_standards")
    errors: list[str] = []
    if request.method == "POST":
        form = StandardForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                standard = services.standard_load(
                    text=form.cleaned_data["source"], actor=request.user
                )
            except ValidationError as error:
                errors = error.message_dict.get("source", error.messages)
                form = StandardForm(initial={"source": form.cleaned_data["source"]})
            else:
                messages.success(
                    request,
                    _("已导入“%(standard)s”：新的测评将按它计算。") % {"standard": standard},
                )
                return redirect("star_standard", standard_id=standard.pk)
    else:
        start = request.GET.get("from", "")
        base = selectors.standard_with_indicators(int(start)) if start.isdigit() else None
        form = StandardForm(initial={"source": base.source if base else ""})
    return render(request, "stars/standards/form.html", {"form": form, "errors": errors})
