"""The Excel export every ledger shares, in the layout an office prints: a title row (merged across
the columns), an optional subtitle (the period, the region, when it was exported), the header row,
then the rows; column widths, dates as real dates, A4 landscape fitted to the page width, the title
and header repeated on every printed page, frozen panes and page numbers in the footer.

Usage::

    columns = [Column(_("发生日期"), 12, DATE), Column(_("事项"), 30), Column(_("分值"), 8, NUMBER)]
    content = export_bytes(Sheet(_("三色账"), columns, rows, title=..., subtitle=...))
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, DATE, NUMBER, DECIMAL, PERCENT, WRAP = "text", "date", "number", "decimal", "percent", "wrap"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    kind: str = TEXT  # TEXT, DATE, NUMBER (integers), DECIMAL (two places), PERCENT (0–100), WRAP


@dataclass
class Sheet:
    name: str  # the tab (at most 31 characters)
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: str = ""  # the printed title; the sheet name when empty
    subtitle: str = ""
    notes: Sequence[str] = field(default_factory=tuple)  # lines under the table


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "valign": "vcenter"}
        self.title = book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        )
        self.subtitle = book.add_format({"font_size": 10, "align": "left", "font_color": "#555555"})
        self.header = book.add_format(
            {**border, "bold": True, "bg_color": "#F2F2F2", "align": "center", "text_wrap": True}
        )
        self.by_kind = {
            TEXT: book.add_format(border),
            WRAP: book.add_format({**border, "text_wrap": True, "valign": "top"}),
            DATE: book.add_format({**border, "num_format": "yyyy-mm-dd", "align": "center"}),
            NUMBER: book.add_format({**border, "num_format": "0"}),
            DECIMAL: book.add_format({**border, "num_format": "0.00"}),
            PERCENT: book.add_format({**border, "num_format": '0.0"%"'}),
        }
        self.note = book.add_format({"font_size": 9, "font_color": "#555555"})


def _write(ws: Any, fmt: _Formats, row: int, col: int, value: Any, kind: str) -> None:
    cell = fmt.by_kind.get(kind, fmt.by_kind[TEXT])
    if value is None or value == "":
        ws.write_blank(row, col, None, cell)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, timezone.localtime(value).replace(tzinfo=None), cell)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), cell)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", cell)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value), cell)
    else:
        ws.write_string(row, col, str(value), cell)


def write_sheet(book: xlsxwriter.Workbook, fmt: _Formats, sheet: Sheet) -> int:
    """Write one sheet; returns the number of data rows."""
    ws = book.add_worksheet(str(sheet.name)[:31])
    columns = list(sheet.columns)
    last = max(len(columns) - 1, 0)
    for i, column in enumerate(columns):
        ws.set_column(i, i, column.width)
    ws.set_row(0, 30)
    if last:
        ws.merge_range(0, 0, 0, last, str(sheet.title or sheet.name), fmt.title)
    else:
        ws.write_string(0, 0, str(sheet.title or sheet.name), fmt.title)
    header_row = 1
    if sheet.subtitle:
        if last:
            ws.merge_range(1, 0, 1, last, str(sheet.subtitle), fmt.subtitle)
        else:
            ws.write_string(1, 0, str(sheet.subtitle), fmt.subtitle)
        header_row = 2
    for i, column in enumerate(columns):
        ws.write_string(header_row, i, str(column.header), fmt.header)
    n = 0
    for n, values in enumerate(sheet.rows, start=1):
        for i, column in enumerate(columns):
            _write(ws, fmt, header_row + n, i, values[i] if i < len(values) else None, column.kind)
    for k, line in enumerate(sheet.notes, start=2):
        ws.write_string(header_row + n + k - 1, 0, str(line), fmt.note)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    ws.repeat_rows(0, header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.center_horizontally()
    return n


def export_bytes(*sheets: Sheet) -> bytes:
    """A workbook of ``sheets``, as bytes (ledger exports are a few thousand rows at most)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    fmt = _Formats(book)
    for sheet in sheets:
        write_sheet(book, fmt, sheet)
    book.close()
    return out.getvalue()


def export_filename(*parts: str) -> str:
    """``东村-三色账-2026-20260305.xlsx``: the parts joined, then today's date."""
    name = "-".join(str(p) for p in parts if p)
    for bad in '/\\:*?"<>|':
        name = name.replace(bad, "_")
    return f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
