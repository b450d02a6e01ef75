"""The year's star results as an official notice (通报) in Word: ``notice_docx`` returns the bytes
of a .docx laid out after GB/T 9704 (党政机关公文格式): A4, margins 37/35/28/26 mm, a red header
(版头) with the issuing office, the document number and a red rule, the title in a 小标宋-like
face, 仿宋 body at 三号 on a 28.95 pt grid, the county's distribution and three-star share, a
heading and a table per township (its villages, star level and the stars held), the signature and
the date in Chinese, and page numbers “— 1 —” in the footer.

The fonts are the ones Chinese offices use (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); the
font table names a common substitute for each (宋体/仿宋/黑体/楷体) and whether it is a serif face,
so Word on a machine without them and LibreOffice (which falls back to Noto Serif/Sans CJK) keep
the look.

The text is the Chinese of an official document and is not translated: the office issues it in
Chinese whatever language its user reads the pages in. The closing requirements (有关要求) are a
sober default the office edits in Word or WPS before printing.

Reads go through ``stars.selectors`` for a region the caller fetched through the scoping module.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from zhenxing.regions.models import Region
from zhenxing.stars.selectors.results import (
    THRESHOLD,
    Distribution,
    VillageResult,
    result_distribution,
    results_by_township,
)

RED = RGBColor(0xE0, 0x00, 0x00)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"
# name → (substitute Word knows on most Chinese machines, font family class for LibreOffice)
SUBSTITUTES = {
    TITLE_FONT: ("宋体", "roman"),
    BODY_FONT: ("仿宋", "roman"),
    HEADING_FONT: ("SimHei", "swiss"),
    SUBHEADING_FONT: ("楷体", "roman"),
    PAGE_FONT: ("SimSun", "roman"),
}
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(12)  # 小四
LINE = Pt(28.95)  # 22 lines to the page, as GB/T 9704 sets them
DIGITS = "零一二三四五六七八九"
LEVELS = {0: "未获星", 1: "一星级", 2: "二星级", 3: "三星级", 4: "四星级", 5: "五星级"}


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def level_name(stars: int) -> str:
    return LEVELS.get(stars, f"{stars}星级")


def issuer_for(county: Region) -> str:
    """The configured issuer (``ZHENXING_NOTICE_ISSUER``), else 中共清河县委组织部 for 清河县
    (likewise 市委, 区委)."""
    return settings.STARS_NOTICE_ISSUER or f"中共{county.name}委组织部"


@dataclass(frozen=True)
class NoticeInfo:
    issuer: str
    doc_number: str  # 县组通〔2026〕12号
    title: str
    issued_on: dt.date
    addressee: str = "各乡镇党委："


def notice_title(year: int) -> str:
    return f"关于{year}年度“五星支部”创建结果的通报"


def distribution_sentence(dist: Distribution, *, whole: str) -> str:
    """全县共有24个村（社区）党支部参评，其中五星级1个、四星级6个、……；三星级及以上20个，
    占83.3%。 Levels no village reached are left out."""
    parts = "、".join(f"{level_name(s)}{n}个" for s, n in dist.descending() if n)
    share = _percent(dist.three_or_more)
    at_least = f"三星级及以上{dist.at_least(THRESHOLD)}个"
    if not dist.unrated:
        return f"{whole}共有{dist.villages}个村（社区）党支部参评，其中{parts}；{at_least}，占{share}。"
    # Some branches have no published result yet: the share is of all of them (selectors.results).
    return (
        f"{whole}共有{dist.villages + dist.unrated}个村（社区）党支部，{dist.villages}个已公布创建"
        f"结果，其中{parts}；{dist.unrated}个尚未公布结果。{at_least}，占全部党支部的{share}。"
    )


def _percent(share: float | None) -> str:
    if share is None:
        return "—"
    return f"{share:g}%"


# --- the document -----------------------------------------------------------------------------


def notice_docx(
    *,
    region: Region,
    year: int,
    doc_number: str,
    issued_on: dt.date,
    issuer: str | None = None,
    standard_title: str = "",
) -> bytes:
    """The notice of ``year``'s published results under ``region`` (a county), as .docx bytes
    (six queries whatever the number of villages)."""
    info = NoticeInfo(
        issuer=issuer or issuer_for(region),
        doc_number=doc_number,
        title=notice_title(year),
        issued_on=issued_on,
    )
    overall = result_distribution(region, year)
    distribution = overall.total
    per_township = {child.pk: dist for child, dist in overall.children}
    townships = results_by_township(region, year)
    if not standard_title:
        standard_title = next(
            (r.application.standard.title for _t, rs in townships for r in rs), ""
        )
    document = Document()
    _page_setup(document)
    _styles(document)
    _fonts_table(document)
    _header(document, info)
    _title(document, info.title)
    _plain(document, info.addressee, indent=False)
    basis = f"根据《{standard_title}》，" if standard_title else ""
    _plain(
        document,
        f"{basis}经村级自评、乡镇初评、县级审定和公示，{year}年度“五星支部”创建结果已经确定。"
        "现将有关情况通报如下。",
    )
    _heading(document, "一、总体情况")
    _plain(document, distribution_sentence(distribution, whole="全县"))
    _heading(document, "二、各乡镇创建结果")
    for i, (township, results) in enumerate(townships, start=1):
        _subheading(document, f"（{chinese_number(i)}）{township.name}")
        dist = per_township.get(township.pk)
        if dist is None:  # a township above the region's children: count its results here
            dist = Distribution()
            for r in results:
                dist.add(r.held, 1)
        summary = _plain(document, distribution_sentence(dist, whole=township.name))
        summary.paragraph_format.keep_with_next = True  # with the table's first rows
        _results_table(document, results)
    _heading(document, "三、有关要求")
    _plain(
        document,
        "各乡镇党委要对照创建标准，指导获评星级的村党支部巩固提升、争创更高星级；对三星级以下的"
        "村党支部逐村分析差距，明确帮扶措施，推动晋位升级。县委组织部将对获评星级的村党支部实行"
        "动态管理，对不再符合标准的按程序摘星。",
    )
    _signature(document, info)
    buffer = io.BytesIO()
    _properties(document, info)
    document.save(buffer)
    return buffer.getvalue()


def _properties(document, info: NoticeInfo) -> None:
    """The document's own properties: its title, the issuer as author, created now; nothing of
    python-docx's template (its 2013 dates, its name, its comments)."""
    now = timezone.now().replace(microsecond=0)
    props = document.core_properties
    props.title = info.title
    props.subject = info.doc_number
    props.author = props.last_modified_by = info.issuer
    props.created = props.modified = now
    props.revision = 1
    props.language = "zh-CN"
    props.comments = props.keywords = props.category = props.content_status = ""
    props.identifier = props.version = ""
    # The template's extended properties claim "Microsoft Macintosh Word" and carry a thumbnail
    # of an empty page: say only what is true, and drop the thumbnail.
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML


APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>Zhenxing</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), PAGE_FONT, Pt(14))
    _page_field(footer)
    _font(footer.add_run(" —"), PAGE_FONT, Pt(14))


def _page_field(paragraph: Paragraph) -> None:
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        _font(run, PAGE_FONT, Pt(14))
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True


def _fonts_table(document) -> None:
    """Name a substitute and a family class for each font, in the font table."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, (alt, family) in SUBSTITUTES.items():
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        for tag, value in (("altName", alt), ("charset", "86"), ("family", family)):
            child = etree.SubElement(font, f"{{{w}}}{tag}")
            child.set(f"{{{w}}}val", value)
        pitch = etree.SubElement(font, f"{{{w}}}pitch")
        pitch.set(f"{{{w}}}val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_fonts(rpr, name: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font(
    run: Run, name: str, size: Pt, *, bold: bool = False, color: RGBColor | None = None
) -> Run:
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._r.get_or_add_rPr(), name)
    return run


def _paragraph(
    document, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line: Pt | None = LINE, indent: bool = False
) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if indent:
        fmt.first_line_indent = BODY_SIZE * 2
    return paragraph


def _header(document, info: NoticeInfo) -> None:
    top = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line=None)
    top.paragraph_format.space_before = Pt(20)
    _font(top.add_run(info.issuer), TITLE_FONT, Pt(36), color=RED)
    number = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_before = Pt(30)
    _font(number.add_run(info.doc_number), BODY_FONT, BODY_SIZE)
    rule = _paragraph(document, line=Pt(8))
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "E00000")):
        bottom.set(qn(f"w:{attr}"), value)
    borders.append(bottom)
    rule.paragraph_format.element.get_or_add_pPr().append(borders)
    _paragraph(document)  # one blank line under the rule


def _title(document, title: str) -> None:
    paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35))
    _font(paragraph.add_run(title), TITLE_FONT, Pt(22))
    _paragraph(document)


def _plain(document, text: str, *, indent: bool = True) -> Paragraph:
    paragraph = _paragraph(document, indent=indent)
    _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)
    return paragraph


def _heading(document, text: str) -> None:
    paragraph = _paragraph(document, indent=True)
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(text), HEADING_FONT, BODY_SIZE)


def _subheading(document, text: str) -> None:
    paragraph = _paragraph(document, indent=True)
    paragraph.paragraph_format.keep_with_next = True
    _font(paragraph.add_run(text), SUBHEADING_FONT, BODY_SIZE, bold=True)


COLUMNS = (("序号", 13), ("村（社区）", 30), ("星级", 18), ("所获星", 78), ("备注", 17))  # mm


def _results_table(document, results: list[VillageResult]) -> Table:
    """序号 · 村（社区） · 星级 · 所获星 · 备注 (公示中 while the notice period runs)."""
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # a fixed layout (w:tblLayout)
    for column, (_label, width) in zip(table.columns, COLUMNS, strict=True):
        column.width = Mm(width)  # the grid LibreOffice lays out by
    header = table.rows[0]
    _row_flags(header, header=True)
    for cell, (label, width) in zip(header.cells, COLUMNS, strict=True):
        cell.width = Mm(width)
        _cell_text(cell, label, font=HEADING_FONT)
    for i, result in enumerate(results, start=1):
        values = (
            str(i),
            result.village.name,
            level_name(result.held),
            result.star_names or "—",
            "" if result.is_final else "公示中",
        )
        row = table.add_row()
        _row_flags(row)
        for cell, value, (label, width) in zip(row.cells, values, COLUMNS, strict=True):
            cell.width = Mm(width)
            _cell_text(cell, value, left=label == "所获星")
    _paragraph(document, line=Pt(14))  # a little air under the table
    return table


def _row_flags(row, *, header: bool = False) -> None:
    """Rows do not break across pages; the header row repeats on each page."""
    props = row._tr.get_or_add_trPr()
    flags = [("w:cantSplit", "true")] + ([("w:tblHeader", "true")] if header else [])
    for tag, value in flags:
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), value)
        props.append(flag)


def _cell_text(cell, text: str, *, font: str = BODY_FONT, left: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(20)
    fmt.first_line_indent = Pt(0)
    _font(paragraph.add_run(text), font, TABLE_SIZE)


def _signature(document, info: NoticeInfo) -> None:
    """The date 右空四字 (GB/T 9704), the issuing office centred above it."""
    for _ in range(2):
        _paragraph(document)
    date = chinese_date(info.issued_on)
    date_width = _width(date)
    for text, indent in (
        (info.issuer, max(0.0, 4 + date_width / 2 - _width(info.issuer) / 2)),
        (date, 4.0),
    ):
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(BODY_SIZE.pt * indent)
        paragraph.paragraph_format.keep_with_next = True
        _font(paragraph.add_run(text), BODY_FONT, BODY_SIZE)


def _width(text: str) -> float:
    """Width in Chinese characters: ASCII digits and letters are half as wide."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)
