"""The check form: paste the text or upload a .docx/.txt, optionally pick the region and the
period (else recognised from the text). Shape only; the service validates the content."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhenxing.reports.models import FigureRule


class CheckForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    region = forms.TypedChoiceField(label=_("区域"), coerce=int, required=False, empty_value=None)
    period = forms.CharField(
        label=_("期间"),
        max_length=24,
        required=False,
        help_text=_("如 2023、2023H1、2023-06；不填则按材料中出现最多的年份"),
    )
    text = forms.CharField(
        label=_("材料正文"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    file = forms.FileField(label=_("或上传文件（.docx / .txt）"), required=False)

    def __init__(self, *args, regions=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("按材料自动识别"))] + [
            (r.pk, r.name) for r in regions
        ]


class RuleForm(forms.ModelForm):
    class Meta:
        model = FigureRule
        fields = ("label", "metric", "subjects", "context", "excludes", "units", "sort", "active")
        help_texts = {
            "subjects": _("数字所指含其中一个词即适用，词间用空格或顿号分隔"),
            "context": _("可不填；填了则该数字所在分句须含其中一个词"),
            "excludes": _("分句含其中任一词则不适用"),
            "units": _("如：名 人；不填则不限单位"),
            "sort": _("数字小的规则先试"),
        }
