"""Test data for the registers: a small region tree, people, valid ID numbers, and workbooks."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from zhenxing.regions.models import Level, Region

AREA = "110105"  # 北京市朝阳区: a code stdnum knows for every birth year used here


def id_number(serial: int, birth: dt.date = dt.date(1970, 1, 1), *, male: bool = True) -> str:
    """A valid GB 11643 number; ``serial`` (0–499) keeps numbers with one birth date apart."""
    order = (serial % 500) * 2 + (1 if male else 0)
    body = f"{AREA}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def nth_id(n: int) -> str:
    """The n-th of up to 10 million distinct valid ID numbers (birth dates 1940 onwards)."""
    day, serial = divmod(n, 500)
    return id_number(serial, dt.date(1940, 1, 1) + dt.timedelta(days=day), male=bool(n % 2))


@dataclass
class Tree:
    """county ─┬─ 甲镇 ─┬─ 一管区 ── 东村 ─┬─ 一组
    │        │                  └─ 二组
    │        └─ 西村
    └─ 乙镇 ──── 南村
    """

    county: Region
    township_a: Region
    district_a1: Region
    village_a1: Region
    group_a1: Region
    group_a2: Region
    village_a2: Region
    township_b: Region
    village_b1: Region


def make_tree(county_name: str = "测试县") -> Tree:
    add = Region.objects.add_child
    county = Region.objects.add_root({"name": county_name, "level": Level.COUNTY, "code": "419901"})
    township_a = add(county, {"name": "甲镇", "level": Level.TOWNSHIP})
    township_b = add(county, {"name": "乙镇", "level": Level.TOWNSHIP})
    district = add(township_a, {"name": "一管区", "level": Level.DISTRICT})
    village_a2 = add(township_a, {"name": "西村", "level": Level.VILLAGE})
    village_a1 = add(district, {"name": "东村", "level": Level.VILLAGE})
    group_a1 = add(village_a1, {"name": "一组", "level": Level.GROUP})
    group_a2 = add(village_a1, {"name": "二组", "level": Level.GROUP})
    village_b1 = add(township_b, {"name": "南村", "level": Level.VILLAGE})
    fresh = {r.pk: r for r in Region.objects.all()}
    return Tree(
        *(
            fresh[r.pk]
            for r in (
                county,
                township_a,
                district,
                village_a1,
                group_a1,
                group_a2,
                village_a2,
                township_b,
                village_b1,
            )
        )
    )


@dataclass(frozen=True)
class FakeScope:
    """Stands in for ``accounts.scoping.Scope`` (regions sits below accounts): a subtree and a role."""

    path: str = ""
    role: str = "county_admin"

    @property
    def is_root(self) -> bool:
        return not self.path

    def require(self, region: Region) -> None:
        if not region.path.startswith(self.path):
            raise PermissionDenied("out of scope")


def scope_of(region: Region, role: str = "county_admin") -> FakeScope:
    region.refresh_from_db(fields=["path"])
    return FakeScope(region.path, role)


def workbook_bytes(sheets: dict[str, Iterable[Sequence[Any]]], *, big: bool = False) -> bytes:
    """An .xlsx with the given sheets; the first row of each is its header."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": not big, "constant_memory": big, "strings_to_numbers": False}
    )
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()))
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
    book.close()
    return out.getvalue()


def upload(data: bytes, name: str = "rosters.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


HOUSEHOLD_HEADER = (
    "村（社区）",
    "村民小组",
    "户号",
    "户主姓名",
    "户主身份证号",
    "住址",
    "联系电话",
    "人口数",
    "标签",
)


def household_rows(n: int, villages: Sequence[str], *, start: int = 0) -> Iterable[tuple]:
    """``n`` good household rows spread over ``villages`` (names or paths)."""
    for i in range(start, start + n):
        yield (
            villages[i % len(villages)],
            "",
            f"H{i:07d}",
            f"户主{i}",
            nth_id(i),
            f"幸福路{i}号",
            f"138{i % 100_000_000:08d}",
            1 + i % 6,
            "低保、留守" if i % 10 == 0 else "",
        )


def _col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def fast_xlsx(sheets: dict[str, Iterable[Sequence[Any]]]) -> bytes:
    """A minimal .xlsx (inline strings and numbers only), several times faster than xlsxwriter
    for the 100,000-row test files. Dates must be given as text."""
    import zipfile

    out = io.BytesIO()
    names = list(sheets)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>",
        )
        for i, name in enumerate(names, start=1):
            parts = [
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                "<sheetData>"
            ]
            for r, row in enumerate(sheets[name], start=1):
                cells = []
                for c, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    ref = f"{_col(c)}{r}"
                    if isinstance(value, int | float):
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    else:
                        text = str(value).translate(_XML_ESCAPES)
                        cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
                parts.append(f'<row r="{r}">{"".join(cells)}</row>')
            parts.append("</sheetData></worksheet>")
            z.writestr(f"xl/worksheets/sheet{i}.xml", "".join(parts))
    return out.getvalue()
