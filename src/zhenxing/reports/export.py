"""A check as a Word page for the file (核数单), in the official layout of the star results notice
(``stars.notice``: GB/T 9704 page, red header with the issuing office, 小标宋 title, 仿宋 body on
the 28.95 pt grid, 黑体 headings, a bordered table, signature and date, “— 1 —” page numbers): the
same layout helpers build it, so the two documents stay alike.

Its content is the check's: region, period, author and time, the tally of verdicts, each checked
figure beside the platform's with the verdict and the difference, and the figures left 未核."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt

from zhenxing.regions.models import Level, Region
from zhenxing.reports.checks import tally
from zhenxing.reports.models import ReportCheck
from zhenxing.reports.selectors import period_label
from zhenxing.stars import notice as official

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COLUMNS = (
    ("序号", 11),
    ("材料所述", 50),
    ("平台指标", 34),
    ("平台记录", 24),
    ("判定", 20),
    ("差异", 18),
)


def docx_filename(check: ReportCheck) -> str:
    return f"经验材料核数单（{check.region.name}·{period_label(check.period)}）.docx"


def _issuer(region: Region) -> str:
    if region.level == Level.COUNTY:
        county: Region | None = region
    else:
        county = Region.objects.get_ancestors(region).filter(level=Level.COUNTY).first()
    return official.issuer_for(county) if county else f"中共{region.name}委员会"


def _value(value: Any, unit: str) -> str:
    return "—" if value in (None, "") else f"{value}{unit}"


def _claimed(claim: dict[str, Any]) -> str:
    return f"“{claim['text']}”（{claim['subject']}）"


def check_docx(check: ReportCheck) -> bytes:
    """The check as .docx bytes."""
    when = timezone.localtime(check.created_at)
    info = official.NoticeInfo(
        issuer=_issuer(check.region),
        doc_number=f"核数〔{when.year}〕{check.pk}号",
        title=f"关于《{check.title}》的数据核对情况",
        issued_on=when.date(),
        addressee="",
    )
    counts = tally(check.claims)
    checked = [c for c in check.claims if c["verdict"] != "未核"]
    unchecked = [c for c in check.claims if c["verdict"] == "未核"]
    document = Document()
    official._page_setup(document)
    official._styles(document)
    official._fonts_table(document)
    official._header(document, info)
    official._title(document, info.title)
    official._heading(document, "一、基本情况")
    author = check.author.get_full_name() or check.author.get_username()
    official._plain(
        document,
        f"核对对象：{check.region.name}；期间：{period_label(check.period)}；核数人：{author}；"
        f"核数时间：{official.chinese_date(when.date())} {when:%H:%M}。",
    )
    cleaning = (
        f"材料经繁简转换（{check.converted}字）、删除拼音注音{check.annotations_removed}处、"
        "统一标点后核对。"
        if check.converted or check.annotations_removed
        else "材料统一标点后核对。"
    )
    official._plain(
        document,
        f"{cleaning}共识别数字{len(check.claims)}处，其中与平台记录一致{counts['一致']}处、"
        f"有出入{counts['有出入']}处、平台无数据{counts['平台无数据']}处、未核{counts['未核']}处。",
    )
    official._heading(document, "二、逐项核对")
    if checked:
        _table(document, checked)
    else:
        official._plain(document, "材料中没有可与平台记录对照的数字。")
    official._heading(document, "三、未核数字")
    official._plain(
        document, "、".join(_claimed(c) for c in unchecked) + "。" if unchecked else "无。"
    )
    official._plain(
        document,
        "说明：“现状”指核数当日平台记录，“期间”指所选期间内的记录；“一致”按材料措辞允许的范围判断"
        "（如“余”“以上”为下限，“近”“约”为约数）。",
    )
    official._signature(document, info)
    buffer = io.BytesIO()
    official._properties(document, info)
    document.save(buffer)
    return buffer.getvalue()


def _table(document: Any, claims: list[dict[str, Any]]) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (_label, width) in zip(table.columns, COLUMNS, strict=True):
        column.width = Mm(width)
    header = table.rows[0]
    official._row_flags(header, header=True)
    for cell, (label, width) in zip(header.cells, COLUMNS, strict=True):
        cell.width = Mm(width)
        official._cell_text(cell, label, font=official.HEADING_FONT)
    for i, claim in enumerate(claims, start=1):
        basis = f"（{claim['basis']}）" if claim.get("basis") else ""
        values = (
            str(i),
            _claimed(claim),
            f"{claim['metric_label']}{basis}",
            _value(claim["recorded"], claim["unit"]),
            claim["verdict"],
            _value(claim["difference"], claim["unit"]) if claim["verdict"] == "有出入" else "",
        )
        row = table.add_row()
        official._row_flags(row)
        for cell, value, (label, width) in zip(row.cells, values, COLUMNS, strict=True):
            cell.width = Mm(width)
            official._cell_text(cell, value, left=label in {"材料所述", "平台指标"})
    official._paragraph(document, line=Pt(14))
