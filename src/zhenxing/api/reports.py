"""/api/v1/reports/checks: 经验材料核数, the API twin of the pages. POST the text (or a .docx/.txt
file) as a multipart form with the region and the period (both optional: recognised from the text)
and get the saved check back; GET the list or one check (the same content as the page), or its
Word page. Checks are scoped like everything else: out of scope answers 404 like not found."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zhenxing.accounts.scoping import Scope
from zhenxing.api.orders import ERRORS, service_errors
from zhenxing.reports import selectors, services
from zhenxing.reports.checks import tally
from zhenxing.reports.export import DOCX, check_docx, docx_filename
from zhenxing.reports.models import ReportCheck

router = Router(tags=["reports"])


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


class ClaimOut(Schema):
    text: str = Field(description="原文写法，如 1200多名、585万元、三分之二")
    value: str = Field(description="数值（万元仍以万元计，1.2万名记为 12000 名）")
    unit: str
    subject: str = Field(description="所指：党员、农户、村、矛盾纠纷……")
    bound: str = Field(description="exact 确数、at_least 下限、at_most 上限、about 约数")
    qualifier: str = Field(description="决定范围的词：超过、以上、余、近……")
    sentence: str
    rule: str = Field(description="对照规则名称；未核时为空")
    metric: str
    metric_label: str = Field(description="平台指标")
    recorded: str | None = Field(description="平台记录（与材料同单位）；无数据时为空")
    basis: str = Field(description="现状（核数当日）或 期间")
    verdict: str = Field(description="一致、有出入、平台无数据、未核")
    difference: str | None = Field(description="平台记录减材料所述（有出入时）")


class CheckListOut(Schema):
    id: int
    title: str
    region_id: int
    region: str = Field(alias="region.name")
    period: str = Field(description="期间，如 2023、2023H1")
    author: str = Field(alias="author.username", description="核数人")
    created_at: dt.datetime = Field(description="核数时间")


class CheckOut(CheckListOut):
    source: str = Field(description="text（粘贴）、docx 或 txt")
    filename: str
    annotations_removed: int = Field(description="删除的拼音注音处数")
    converted: int = Field(description="繁转简的字数")
    tally: dict[str, int] = Field(description="各判定的数字个数")
    original: str
    cleaned: str
    claims: list[ClaimOut]

    @staticmethod
    def resolve_tally(obj: ReportCheck) -> dict[str, int]:
        return tally(obj.claims)


@router.post(
    "/checks",
    response={201: CheckOut, **ERRORS},
    summary="经验材料核数：提交正文或 .docx/.txt 文件，保存并返回核数结果",
    description="multipart/form-data：text（正文）或 file（.docx、UTF-8/GB18030 .txt），"
    "region_id、period（如 2023、2023H1）、title 可不填，按材料自动识别。",
)
def check_create(
    request: HttpRequest,
    text: Form[str] = "",
    region_id: Form[int | None] = None,
    period: Form[str] = "",
    title: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Status[ReportCheck]:
    with service_errors(region="region_id"):
        check = services.check_create(
            scope=_scope(request),
            actor=request.user,
            text=text,
            upload=file,
            filename=file.name if file else "",
            region_id=region_id,
            period=period,
            title=title,
        )
    return Status(201, check)


@router.get("/checks", response=list[CheckListOut], summary="核数记录（本辖区）")
@paginate
def check_list(request: HttpRequest) -> QuerySet[ReportCheck]:
    return selectors.checks_visible(_scope(request))


@router.get("/checks/{int:check_id}", response={200: CheckOut, **ERRORS}, summary="一次核数的结果")
def check_detail(request: HttpRequest, check_id: int) -> ReportCheck:
    return selectors.check_get(_scope(request), check_id)


@router.get("/checks/{int:check_id}/word", response={200: None, **ERRORS}, summary="核数单（Word）")
def check_word(request: HttpRequest, check_id: int) -> HttpResponse:
    check = selectors.check_get(_scope(request), check_id)
    response = HttpResponse(check_docx(check), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, docx_filename(check))
    return response
