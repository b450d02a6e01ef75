"""The grid structure of a village as an Excel workbook: 网格 (grids, heads, covered groups and
households) and 联户 (each household's member). Read with python-calamine, written with
xlsxwriter. An import replaces the village's grids and applies the pairings in one transaction:
any bad row writes nothing, and each error names its sheet, row and column."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import IO, Any

import xlsxwriter
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from zhenxing.accounts.models import User
from zhenxing.grids import selectors, services
from zhenxing.grids.models import Grid, GridCover, GridLevel
from zhenxing.regions.models import Household, Level, Region

GRID_SHEET = "网格"
PAIR_SHEET = "联户"
GRID_COLUMNS = ("网格名称", "层级", "上级网格", "网格长", "覆盖村民小组", "另含农户户号")
PAIR_COLUMNS = ("户号", "户主", "联户党员")
SEP = "、"


class ImportRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def export_workbook(village: Region) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#F2DCDB"})
    sheet = book.add_worksheet(GRID_SHEET)
    sheet.write_row(0, 0, GRID_COLUMNS, bold)
    sheet.set_column(0, 5, 16)
    for r, grid in enumerate(selectors.grids_of(village), start=1):
        covers = list(grid.covers.all())
        sheet.write_row(
            r,
            0,
            [
                grid.name,
                grid.level,
                grid.parent.name if grid.parent else "",
                grid.head.name,
                SEP.join(c.group.name for c in covers if c.group_id),
                SEP.join(c.household.number for c in covers if c.household_id),
            ],
        )
    sheet = book.add_worksheet(PAIR_SHEET)
    sheet.write_row(0, 0, PAIR_COLUMNS, bold)
    sheet.set_column(0, 2, 14)
    current = dict(
        selectors.current_pairings(village).values_list("household_id", "member__person__name")
    )
    for r, h in enumerate(Household.objects.filter(village=village).order_by("number"), start=1):
        sheet.write_row(r, 0, [h.number, h.head_name, current.get(h.pk, "")])
    book.close()
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _rows(book: CalamineWorkbook, name: str, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    if name not in book.sheet_names:
        raise ImportRefused([_("缺少工作表“%(s)s”") % {"s": name}])
    cells = book.get_sheet_by_name(name).to_python()
    if not cells:
        return []
    header = [_text(c) for c in cells[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportRefused([_("工作表“%(s)s”缺少列：%(c)s") % {"s": name, "c": SEP.join(missing)}])
    out = []
    for n, row in enumerate(cells[1:], start=2):
        data = {h: _text(row[i]) if i < len(row) else "" for i, h in enumerate(header) if h}
        if any(data.get(c) for c in columns):
            out.append((n, data))
    return out


def _split(text: str) -> list[str]:
    return [p for p in text.replace(",", SEP).replace("，", SEP).replace(" ", SEP).split(SEP) if p]


@transaction.atomic
def import_workbook(*, village: Region, source: IO[bytes], actor: User) -> dict[str, int]:
    """Replace the village's grids and apply the pairings; all or nothing."""
    try:
        book = CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise ImportRefused([_("无法读取该文件：请上传 Excel 工作簿（.xlsx）")]) from exc
    grid_rows = _rows(book, GRID_SHEET, GRID_COLUMNS)
    pair_rows = _rows(book, PAIR_SHEET, PAIR_COLUMNS)
    errors: list[str] = []

    def err(sheet: str, row: int, column: str, message: str) -> None:
        errors.append(
            _("工作表“%(s)s”第 %(r)s 行“%(c)s”：%(m)s")
            % {"s": sheet, "r": row, "c": column, "m": message}
        )

    for level in (3, 2, 1):
        Grid.objects.filter(village=village, level=level).delete()
    heads: dict[str, list] = defaultdict(list)
    for post in selectors.current_posts(village).select_related("person"):
        if post.person not in heads[post.person.name]:
            heads[post.person.name].append(post.person)
    groups = {
        g.name: g for g in Region.objects.filter(level=Level.GROUP, path__startswith=village.path)
    }
    households = {h.number: h for h in Household.objects.filter(village=village)}
    made: dict[str, Grid] = {}
    field_column = {
        "name": "网格名称",
        "level": "层级",
        "parent": "上级网格",
        "head": "网格长",
        "groups": "覆盖村民小组",
        "households": "另含农户户号",
    }
    for n, row in sorted(grid_rows, key=lambda r: r[1].get("层级", "")):
        level_text = row.get("层级", "")
        if level_text not in {"1", "2", "3"}:
            err(GRID_SHEET, n, "层级", _("须为 1、2 或 3"))
            continue
        level = int(level_text)
        people = heads.get(row.get("网格长", ""), [])
        if len(people) > 1:
            err(GRID_SHEET, n, "网格长", _("本村有重名的干部，请在页面上选择"))
            continue
        parent = made.get(row.get("上级网格", "")) if row.get("上级网格") else None
        if row.get("上级网格") and parent is None:
            err(
                GRID_SHEET,
                n,
                "上级网格",
                _("没有名为“%(g)s”的网格（上级网格须先列出）") % {"g": row["上级网格"]},
            )
            continue
        unknown = [g for g in _split(row.get("覆盖村民小组", "")) if g not in groups]
        if unknown:
            err(
                GRID_SHEET,
                n,
                "覆盖村民小组",
                _("本村没有村民小组 %(g)s") % {"g": SEP.join(unknown)},
            )
            continue
        numbers = _split(row.get("另含农户户号", ""))
        missing = [x for x in numbers if x not in households]
        if missing:
            err(GRID_SHEET, n, "另含农户户号", _("本村没有户号 %(n)s") % {"n": SEP.join(missing)})
            continue
        data = services.GridInput(
            level=level,
            name=row.get("网格名称", ""),
            head=people[0] if people else None,
            parent=parent,
            groups=tuple(groups[g] for g in _split(row.get("覆盖村民小组", ""))),
            households=tuple(households[x] for x in numbers),
        )
        if data.head is None and row.get("网格长"):
            err(GRID_SHEET, n, "网格长", _("“%(n)s”不是本村现任干部") % {"n": row["网格长"]})
            continue
        problems = services.grid_errors(village, data)
        for field, message in problems.items():
            err(GRID_SHEET, n, field_column.get(field, field), message)
        if problems:
            continue
        grid = Grid.objects.create(
            village=village, level=level, name=data.name.strip(), head=data.head, parent=parent
        )
        GridCover.objects.bulk_create(
            [GridCover(village=village, grid=grid, level=level, group=g) for g in data.groups]
            + [
                GridCover(village=village, grid=grid, level=level, household=h)
                for h in data.households
            ]
        )
        made[grid.name] = grid
    members: dict[str, list] = defaultdict(list)
    for m in selectors.village_members(village):
        members[m.person.name].append(m)
    paired = 0
    for n, row in pair_rows:
        household = households.get(row.get("户号", ""))
        if household is None:
            err(PAIR_SHEET, n, "户号", _("本村没有户号 %(n)s") % {"n": row.get("户号", "")})
            continue
        name = row.get("联户党员", "")
        if not name:
            services.pairing_end(household=household, actor=actor)
            continue
        found = members.get(name, [])
        if len(found) != 1:
            err(
                PAIR_SHEET,
                n,
                "联户党员",
                _("“%(n)s”不是本村在册党员，不能联系本村农户") % {"n": name}
                if not found
                else _("本村有重名的党员“%(n)s”，请在页面上调整") % {"n": name},
            )
            continue
        services.pairing_set(household=household, member=found[0], actor=actor, note=_("表格导入"))
        paired += 1
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    return {"grids": len(made), "pairings": paired, "levels": len(GridLevel)}
