"""Rosters in and out: Excel workbooks of regions, households, residents, Party organisations,
members and cadre posts.

One sheet per kind (区域, 农户, 居民, 党组织, 党员, 干部任职), a header row, one record a row. The
sheet definitions below are the documented file format: the downloadable template, the import and
the export all come from them, so a file exported here imports again.

An import runs in two phases, so that a file with any bad row writes nothing:

1. **validate** every row (cells, references, duplicates in the file and against the database)
   without touching the register tables; progress is committed every few thousand rows;
2. **write** everything in one transaction with ``bulk_create`` (regions through treebeard). On SQLite nothing else may write while it is
   open, so the job is marked "writing" before it starts and "done" inside it; a worker that
   dies mid-way leaves nothing written.

Measured with ``bench/import_households.py`` (100,000 households, each with its head as a
resident): about 6,600 rows/s for the whole import on SQLite (see the bench for PostgreSQL).

Places (村, 小组, 任职区域, …) are named within the import's target region: a name, or a path of
names such as ``一管区/东村`` when the name alone is ambiguous. Nothing outside the target region
can be referenced, and a file cannot tell whether a name exists outside it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any, Protocol

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from zhenxing.core import services as job_services
from zhenxing.core.models import Job
from zhenxing.regions.models import (
    CHILD_LEVELS,
    VILLAGE_LEVELS,
    CadrePost,
    Education,
    Household,
    HouseholdTag,
    Level,
    MemberKind,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganization,
    Post,
    Region,
    Resident,
    Sex,
)
from zhenxing.regions.validators import (
    mask_id_number,
    mask_phone,
    normalize_id_number,
    validate_id_number,
    validate_phone,
)

logger = logging.getLogger(__name__)

JOB_KIND = "roster_import"
MAX_UPLOAD_BYTES = 60 * 1024 * 1024
BATCH_SIZE = 2000
PROGRESS_EVERY = 5000  # rows between committed progress updates
LOOKUP_CHUNK = 900  # values per ``__in`` lookup (SQLite's historical variable limit is 999)
# Roles that may import (everyone may export; personal data is masked unless the role sees it).
IMPORT_ROLES = frozenset({"county_admin", "township_admin", "village_secretary"})
NOTES_SHEET = "说明"
ALL = "all"


class ScopeLike(Protocol):
    """What this module needs of ``accounts.scoping.Scope`` (regions sits below accounts)."""

    role: str

    @property
    def is_root(self) -> bool: ...

    def require(self, region: Region) -> None: ...


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell's value is wrong; the message says why, in words a cadre can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: numbers typed into text columns lose their ``.0``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if value is None:
        return ""
    return str(value).strip()


def parse_text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = cell_text(value)
        if len(text) > max_length:
            raise CellError(_("不能超过 %(n)s 个字") % {"n": max_length})
        return text

    return parse


# Parts of ID numbers that passed the full check: birth dates (digits 7–14), and birth places
# with their year (digits 1–6 and 7–10; a place code is valid for some years only). A number whose
# parts are both known, of the right length and with the right check digit, is valid without the
# place-table lookup; any other number gets the full ``validate_id_number`` and its message.
_GOOD_BIRTH_DATES: set[str] = set()
_GOOD_PLACES: set[str] = set()
_ID_CACHE_LIMIT = 500_000


def clear_id_cache() -> None:
    """Forget the checked parts of ID numbers (benchmarks start cold with it)."""
    _GOOD_BIRTH_DATES.clear()
    _GOOD_PLACES.clear()


def parse_id_number(value: Any) -> str:
    if not isinstance(value, str):
        raise CellError(_("身份证号应按文本格式填写（按数字填写会丢失末几位）"))
    number = value.strip().upper()
    if (
        len(number) == 18
        and number[6:14] in _GOOD_BIRTH_DATES
        and number[:10] in _GOOD_PLACES
        and number[:17].isdigit()
        and number[:17].isascii()
        and ric.calc_check_digit(number) == number[17]
    ):
        return number
    number = normalize_id_number(value)
    try:
        validate_id_number(number)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc
    if len(_GOOD_BIRTH_DATES) + len(_GOOD_PLACES) > _ID_CACHE_LIMIT:
        _GOOD_BIRTH_DATES.clear()
        _GOOD_PLACES.clear()
    _GOOD_BIRTH_DATES.add(number[6:14])
    _GOOD_PLACES.add(number[:10])
    return number


def parse_phone(value: Any) -> str:
    text = cell_text(value).replace(" ", "")
    try:
        validate_phone(text)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc
    return text


def parse_count(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999:
        raise CellError(_("应为 1 到 999 之间的整数"))
    return value


DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """Excel dates, and text such as ``2024-03-01``, ``2024/3/1`` or ``2024年3月1日``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    match = DATE_RE.match(cell_text(value))
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("日期不正确，应写成 2024-03-01、2024/3/1 或 2024年3月1日"))


TAG_SPLIT = re.compile(r"[、,，;；\s]+")


def parse_tags(value: Any) -> tuple[str, ...]:
    return tuple(name for name in TAG_SPLIT.split(cell_text(value)) if name)


def chinese_labels(choices: Any) -> dict[str, str]:
    """Value by Chinese label (the file format is Chinese whatever the interface language)."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices.choices}


def parse_choice(choices: Any, aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    by_label: dict[str, str] | None = None

    def parse(value: Any) -> str:
        nonlocal by_label
        if by_label is None:
            by_label = {**chinese_labels(choices), **(aliases or {})}
            by_label.update({v: v for v in choices.values})
        text = cell_text(value).replace("(", "（").replace(")", "）")
        if text in by_label:
            return by_label[text]
        labels = "、".join(k for k in chinese_labels(choices))
        raise CellError(_("应为以下之一：%(labels)s") % {"labels": labels})

    return parse


def choice_label(choices: Any, value: str) -> str:
    with translation.override("zh-hans"):
        return str(choices(value).label) if value else ""


# --------------------------------------------------------------------------------------------
# Sheet definitions: the documented file format
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header in the file: part of the format, so never translated
    parse: Callable[[Any], Any]
    required: bool = False
    example: str = ""
    help: Any = ""
    width: int = 12
    text: bool = False  # format the column as text in templates (IDs, phones, numbers)
    date: bool = False


@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str  # the sheet's name in the file
    label: Any
    columns: tuple[Column, ...]
    help: Any = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


PLACE_HELP = gettext_lazy(
    "导入目标区域内的区域名称，名称不唯一时写出上级，用“/”分隔，如“一管区/东村”；"
    "留空表示导入目标区域本身"
)

REGIONS = Sheet(
    "regions",
    "区域",
    gettext_lazy("区域"),
    (
        Column(
            "parent",
            "上级区域",
            parse_text(200),
            example="甲镇",
            help=gettext_lazy(
                "留空表示导入目标区域本身；可以是本表前面行新建的区域。与“上级区划代码”二选一"
            ),
            width=20,
        ),
        Column(
            "parent_code",
            "上级区划代码",
            parse_text(12),
            example="",
            help=gettext_lazy("用区划代码指明上级区域，可代替“上级区域”"),
            width=14,
            text=True,
        ),
        Column("name", "名称", parse_text(60), required=True, example="东村", width=16),
        Column(
            "level",
            "层级",
            parse_choice(
                Level, {"乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP, "街道": Level.TOWNSHIP}
            ),
            required=True,
            example="村",
            help=gettext_lazy("县、乡镇、管区、村、社区、村民小组；须符合上级的层级"),
        ),
        Column(
            "code",
            "区划代码",
            parse_text(12),
            example="410101001001",
            help=gettext_lazy("统计用区划代码，最多12位数字，可留空"),
            width=16,
            text=True,
        ),
    ),
    gettext_lazy("新建下级区域。上级须已存在，或在本表前面的行中。"),
)

HOUSEHOLDS = Sheet(
    "households",
    "农户",
    gettext_lazy("农户"),
    (
        Column(
            "village",
            "村（社区）",
            parse_text(200),
            example="东村",
            help=gettext_lazy(
                "必填（导入目标是村时可留空）：农户所在的村或社区，在导入目标区域内。"
                "名称不唯一时写出上级，如“一管区/东村”"
            ),
            width=16,
        ),
        Column(
            "group",
            "村民小组",
            parse_text(60),
            example="一组",
            help=gettext_lazy("该村下的村民小组名称，可留空"),
        ),
        Column(
            "number",
            "户号",
            parse_text(30),
            required=True,
            example="0001",
            help=gettext_lazy("在本村内唯一"),
            text=True,
        ),
        Column("head_name", "户主姓名", parse_text(40), required=True, example="张三"),
        Column(
            "head_id",
            "户主身份证号",
            parse_id_number,
            required=True,
            example="11010519491231002X",
            help=gettext_lazy("同时为户主建立居民记录（性别、出生日期取自身份证号）；不能已登记"),
            width=22,
            text=True,
        ),
        Column("address", "住址", parse_text(120), example="东村幸福路8号", width=24),
        Column(
            "phone",
            "联系电话",
            parse_phone,
            example="13800138000",
            help=gettext_lazy("11位手机号或带区号的固定电话"),
            width=15,
            text=True,
        ),
        Column(
            "size",
            "人口数",
            parse_count,
            example="4",
            help=gettext_lazy("户内人口，留空按1人"),
            width=8,
        ),
        Column(
            "tags",
            "标签",
            parse_tags,
            example="低保、留守",
            help=gettext_lazy("多个标签用顿号“、”分隔"),
            width=16,
        ),
    ),
    gettext_lazy("每行一户，同时登记户主。"),
)

RESIDENTS = Sheet(
    "residents",
    "居民",
    gettext_lazy("居民"),
    (
        Column(
            "region",
            "户籍所在地",
            parse_text(200),
            example="东村",
            help=PLACE_HELP,
            width=16,
        ),
        Column(
            "household",
            "户号",
            parse_text(30),
            example="0001",
            help=gettext_lazy("所属农户的户号（本文件“农户”表中或已登记），可留空"),
            text=True,
        ),
        Column("name", "姓名", parse_text(40), required=True, example="张小明"),
        Column(
            "id_number",
            "身份证号",
            parse_id_number,
            example="110105201003070017",
            help=gettext_lazy(
                "可留空；填写时不能已登记。与“农户”表户主身份证号相同的行补充该户主的信息"
            ),
            width=22,
            text=True,
        ),
        Column(
            "sex",
            "性别",
            parse_choice(Sex),
            example="男",
            help=gettext_lazy("男或女；填了身份证号可留空"),
            width=6,
        ),
        Column(
            "birth_date",
            "出生日期",
            parse_date,
            example="2010-03-07",
            help=gettext_lazy("填了身份证号可留空"),
            date=True,
        ),
        Column("phone", "手机号", parse_phone, example="13900139000", width=15, text=True),
        Column(
            "education",
            "学历",
            parse_choice(Education, {"高中": Education.SENIOR, "中专": Education.SENIOR}),
            example="初中",
            help=gettext_lazy("小学及以下、初中、高中/中专、大专、本科、研究生；留空按初中"),
        ),
    ),
    gettext_lazy("每行一人。"),
)

ORGANIZATIONS = Sheet(
    "organizations",
    "党组织",
    gettext_lazy("党组织"),
    (
        Column(
            "region",
            "所在区域",
            parse_text(200),
            example="东村",
            help=PLACE_HELP,
            width=16,
        ),
        Column(
            "name",
            "名称",
            parse_text(80),
            required=True,
            example="东村党支部",
            help=gettext_lazy("在所在区域内唯一"),
            width=22,
        ),
        Column(
            "kind",
            "类型",
            parse_choice(OrgKind),
            required=True,
            example="村党支部",
            help=gettext_lazy(
                "乡镇党委、村党支部、社区党支部、党总支、非公企业党组织、产业链党支部"
            ),
            width=14,
        ),
    ),
    gettext_lazy("每行一个党组织。“党员”表引用的党组织须已存在或在本表中。"),
)

# Members and cadre posts name an existing (or same-file) person by ID number, name optional.
PERSON_COLUMNS = (
    Column(
        "id_number",
        "身份证号",
        parse_id_number,
        required=True,
        example="11010519491231002X",
        help=gettext_lazy("须是导入目标区域内已登记的居民，或本文件“农户”“居民”表中的人"),
        width=22,
        text=True,
    ),
    Column(
        "name",
        "姓名",
        parse_text(40),
        example="张三",
        help=gettext_lazy("可留空；填写时须与身份证号对应的姓名一致"),
    ),
)

MEMBERS = Sheet(
    "members",
    "党员",
    gettext_lazy("党员"),
    (
        *PERSON_COLUMNS,
        Column(
            "organization",
            "所在党组织",
            parse_text(200),
            required=True,
            example="东村党支部",
            help=gettext_lazy("党组织名称；名称不唯一时在前面加所在区域，如“东村/东村党支部”"),
            width=22,
        ),
        Column(
            "kind",
            "党员类别",
            parse_choice(MemberKind),
            example="正式党员",
            help=gettext_lazy("正式党员或预备党员，留空按正式党员"),
        ),
        Column("joined_on", "入党日期", parse_date, required=True, example="1998-07-01", date=True),
        Column(
            "status",
            "状态",
            parse_choice(MemberStatus),
            example="在册",
            help=gettext_lazy("在册、已转出、已去世，留空按在册"),
            width=8,
        ),
    ),
    gettext_lazy("每行一名党员。"),
)

CADRES = Sheet(
    "cadres",
    "干部任职",
    gettext_lazy("干部任职"),
    (
        *PERSON_COLUMNS,
        Column(
            "region",
            "任职区域",
            parse_text(200),
            example="东村",
            help=PLACE_HELP,
            width=16,
        ),
        Column(
            "post",
            "职务",
            parse_choice(Post),
            required=True,
            example="村党支部书记",
            help=gettext_lazy(
                "村党支部书记、村委会主任、两委委员、村务监督委员会主任、村报账员、包村干部、"
                "管区书记、驻村工作队员、村史记录员"
            ),
            width=18,
        ),
        Column(
            "start_date", "任职日期", parse_date, required=True, example="2021-01-15", date=True
        ),
        Column(
            "end_date",
            "离任日期",
            parse_date,
            example="",
            help=gettext_lazy("仍在任的留空"),
            date=True,
        ),
    ),
    gettext_lazy("每行一条任职记录。"),
)

SHEETS: tuple[Sheet, ...] = (REGIONS, HOUSEHOLDS, RESIDENTS, ORGANIZATIONS, MEMBERS, CADRES)
SHEET_BY_KIND = {sheet.kind: sheet for sheet in SHEETS}
SHEET_BY_TITLE = {sheet.title: sheet for sheet in SHEETS}
KIND_CHOICES: tuple[tuple[str, Any], ...] = (
    (ALL, gettext_lazy("全部（按工作表名称）")),
    *((sheet.kind, sheet.label) for sheet in SHEETS),
)


def normalize_header(value: Any) -> str:
    text = re.sub(r"\s+", "", cell_text(value)).replace("(", "（").replace(")", "）")
    for suffix in ("*", "＊", "（必填）", "（选填）"):
        text = text.removesuffix(suffix)
    return text.removeprefix("*").removeprefix("＊")


# --------------------------------------------------------------------------------------------
# Reading a workbook
# --------------------------------------------------------------------------------------------


class UploadRejected(Exception):
    """The file as a whole cannot be imported (format, size, sheets or headers)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SheetData:
    sheet: Sheet
    name: str  # as in the file
    columns: list[tuple[int, Column]]  # (position in the row, column)
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells); blank rows left out


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_sheet(workbook: CalamineWorkbook, name: str, sheet: Sheet) -> SheetData:
    data = workbook.get_sheet_by_name(name)
    cells = data.to_python()  # from the first non-empty cell; ``start`` says where that is
    start_row, start_col = data.start or (0, 0)
    if not cells:
        return SheetData(sheet, name, [], [])
    header = cells[0]
    known = {column.header: column for column in sheet.columns}
    columns: list[tuple[int, Column]] = []
    seen: set[str] = set()
    unnamed: list[int] = []
    for index, value in enumerate(header):
        text = normalize_header(value)
        if not text:
            unnamed.append(index)
            continue
        column = known.get(text)
        if column is None:
            raise UploadRejected(
                _("工作表“%(sheet)s”中有无法识别的列“%(header)s”。可用的列：%(known)s")
                % {"sheet": name, "header": text, "known": "、".join(known)}
            )
        if text in seen:
            raise UploadRejected(
                _("工作表“%(sheet)s”中“%(header)s”列出现了两次") % {"sheet": name, "header": text}
            )
        seen.add(text)
        columns.append((index, column))
    missing = [c.header for c in sheet.columns if c.required and c.header not in seen]
    if missing:
        raise UploadRejected(
            _("工作表“%(sheet)s”缺少必填列：%(missing)s（第一行应为表头，请使用下载的模板）")
            % {"sheet": name, "missing": "、".join(missing)}
        )
    rows = []
    for offset, row in enumerate(cells[1:], start=start_row + 2):
        if all(is_blank(value) for value in row):
            continue
        rows.append((offset, row))
    for index in unnamed:
        if any(not is_blank(row[index]) for _, row in rows):
            raise UploadRejected(
                _("工作表“%(sheet)s”第 %(col)s 列有数据但没有表头")
                % {"sheet": name, "col": column_letter(start_col + index)}
            )
    return SheetData(sheet, name, columns, rows)


def open_workbook(source: str | IO[bytes]) -> CalamineWorkbook:
    try:
        if isinstance(source, str):
            return CalamineWorkbook.from_path(source)
        return CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise UploadRejected(
            _("无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载模板填写")
        ) from exc


def read_workbook(source: str | IO[bytes], kind: str) -> list[SheetData]:
    """The sheets to import for ``kind`` (one kind, or ``all``), in the order they must be done."""
    workbook = open_workbook(source)
    names = {name.strip(): name for name in workbook.sheet_names}
    if kind == ALL:
        chosen = [(sheet, names[sheet.title]) for sheet in SHEETS if sheet.title in names]
        if not chosen:
            raise UploadRejected(
                _("文件中没有可导入的工作表：工作表应命名为 %(names)s")
                % {"names": "、".join(sheet.title for sheet in SHEETS)}
            )
    else:
        sheet = SHEET_BY_KIND[kind]
        others = [n for n in workbook.sheet_names if n.strip() != NOTES_SHEET]
        if sheet.title in names:
            chosen = [(sheet, names[sheet.title])]
        elif len(others) == 1 and others[0].strip() in SHEET_BY_TITLE:
            raise UploadRejected(
                _("文件中的工作表是“%(found)s”，与所选的“%(title)s”不符；请重新选择要导入的表")
                % {"found": others[0].strip(), "title": sheet.title}
            )
        elif len(others) == 1:
            chosen = [(sheet, others[0])]
        else:
            raise UploadRejected(_("文件中没有名为“%(title)s”的工作表") % {"title": sheet.title})
    sheets = [_read_sheet(workbook, name, sheet) for sheet, name in chosen]
    if kind != ALL and not sheets[0].rows:
        raise UploadRejected(_("工作表“%(sheet)s”没有数据行") % {"sheet": sheets[0].name})
    sheets = [s for s in sheets if s.rows]
    if not sheets:
        raise UploadRejected(_("文件中没有数据行：请在表头下面逐行填写"))
    return sheets


def check_upload(file: Any, kind: str) -> list[SheetData]:
    """Refuse a bad upload with one message naming the problem; return its sheets if good."""
    if kind != ALL and kind not in SHEET_BY_KIND:
        raise UploadRejected(_("请选择要导入的表"))
    if file is None:
        raise UploadRejected(_("请选择要上传的文件"))
    size = getattr(file, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            _("文件太大（%(size).1f MB），上限为 %(limit)s MB；请分成几个文件导入")
            % {"size": size / 1024 / 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    if size == 0:
        raise UploadRejected(_("文件是空的"))
    name = getattr(file, "name", "") or ""
    suffix = PurePath(name).suffix.lower()
    file.seek(0)
    magic = file.read(4)
    file.seek(0)
    if suffix in {".xls", ".et", ".csv"} or magic != b"PK\x03\x04":
        raise UploadRejected(
            _("“%(name)s”不是 Excel .xlsx 文件；旧版 .xls 或 CSV 请在 Excel/WPS 中另存为 .xlsx")
            % {"name": PurePath(name).name or "?"}
        )
    try:
        return read_workbook(file, kind)
    finally:
        file.seek(0)


# --------------------------------------------------------------------------------------------
# Places: the target region's subtree, plus regions the file creates
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A region of the target subtree (``pk`` set) or one the file creates (``pk`` set on write)."""

    pk: int | None
    name: str
    level: str
    names: tuple[str, ...]  # names from the target region down to this one
    parent: Node | None = None
    code: str = ""
    row: int = 0  # the row that creates it

    @property
    def is_village(self) -> bool:
        return self.level in VILLAGE_LEVELS

    def village(self) -> Node | None:
        if self.level in VILLAGE_LEVELS:
            return self
        if self.level == Level.GROUP and self.parent is not None:
            return self.parent.village()
        return None


class Places:
    """Finds regions by name or by a path of names (``一管区/东村``) within the target region."""

    SPLIT = re.compile(r"\s*[/／]\s*")

    def __init__(self, target: Region) -> None:
        self.target = target
        self.root = Node(target.pk, target.name, target.level, (target.name,))
        self.by_suffix: dict[tuple[str, ...], list[Node]] = defaultdict(list)
        self.children: dict[tuple[int, str], Node] = {}
        self.by_pk: dict[int, Node] = {target.pk: self.root}
        self.by_code: dict[str, Node] = {}
        self._index(self.root)
        rows = (
            Region.objects.filter(path__startswith=target.path, depth__gt=target.depth)
            .order_by("path")
            .values_list("pk", "path", "name", "level", "code")
        )
        by_path = {target.path: self.root}
        for pk, path, name, level, code in rows.iterator(chunk_size=5000):
            parent = by_path.get(path[: -Region.steplen])
            if parent is None:  # a broken tree; never reachable through a file
                continue
            node = Node(pk, name, level, (*parent.names, name), parent, code)
            by_path[path] = node
            self.add(node)

    def _index(self, node: Node) -> None:
        for k in range(1, len(node.names) + 1):
            self.by_suffix[node.names[-k:]].append(node)
        if node.code:
            self.by_code.setdefault(node.code, node)

    def add(self, node: Node) -> None:
        self._index(node)
        if node.parent is not None:
            self.children.setdefault((id(node.parent), node.name), node)
        if node.pk is not None:
            self.by_pk[node.pk] = node

    def child(self, parent: Node, name: str) -> Node | None:
        return self.children.get((id(parent), name))

    def find(self, text: str, levels: Iterable[str] | None = None, what: str = "") -> Node:
        """The one region ``text`` names, or CellError saying it is missing or ambiguous."""
        parts = tuple(p for p in self.SPLIT.split(text.strip()) if p)
        found = self.by_suffix.get(parts, [])
        if levels is not None:
            allowed = set(levels)
            found = [n for n in found if n.level in allowed]
        if len(found) == 1:
            return found[0]
        what = what or _("区域")
        if not found:
            raise CellError(
                _("在“%(target)s”下找不到%(what)s“%(name)s”")
                % {"target": self.target.name, "what": what, "name": text}
            )
        example = "/".join(found[0].names[-2:]) if len(found[0].names) > 1 else found[0].name
        raise CellError(
            _("“%(name)s”有 %(n)s 个同名%(what)s，请写出上级区域，如“%(example)s”")
            % {"name": text, "n": len(found), "what": what, "example": example}
        )

    def label(self, node: Node, levels: Iterable[str] | None = None) -> str:
        """The shortest path of names (below the target) that ``find`` resolves to ``node``."""
        if node is self.root:
            return ""
        allowed = set(levels) if levels is not None else None
        relative = node.names[1:]
        for k in range(1, len(relative) + 1):
            found = self.by_suffix.get(relative[-k:], [])
            if allowed is not None:
                found = [n for n in found if n.level in allowed]
            if len(found) == 1:
                return "/".join(relative[-k:])
        return "/".join(relative)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        if self.row:
            text = _("工作表“%(sheet)s”第 %(row)s 行“%(column)s”列：%(message)s")
        else:
            text = _("工作表“%(sheet)s”：%(message)s")
        values = {"sheet": self.sheet, "row": self.row, "column": self.column}
        return {
            **values,
            "message": self.message,
            "text": text % {**values, "message": self.message},
        }


@dataclass(eq=False)
class NewHousehold:
    village: Node
    group: Node | None
    number: str
    head_name: str
    address: str
    phone: str
    size: int
    tag_ids: list[int]
    head: NewResident | None = None
    pk: int | None = None


@dataclass(eq=False)
class NewResident:
    region: Node
    household: NewHousehold | int | None
    name: str
    id_number: str | None
    sex: str
    birth_date: dt.date
    phone: str
    education: str
    source: tuple[str, int]  # (sheet, row) that introduced the person, for duplicate messages
    is_head: bool = False
    completed: bool = False  # a head whose 居民 row was merged in
    pk: int | None = None


@dataclass(eq=False)
class NewOrganization:
    region: Node
    name: str
    kind: str
    pk: int | None = None


@dataclass
class Plan:
    """Everything a valid file will write, and the errors of an invalid one."""

    target: Region
    regions: list[Node] = field(default_factory=list)  # new regions, parents first
    households: list[NewHousehold] = field(default_factory=list)
    residents: list[NewResident] = field(default_factory=list)
    organizations: list[NewOrganization] = field(default_factory=list)
    members: list[tuple[NewResident | int, NewOrganization | int, str, dt.date, str]] = field(
        default_factory=list
    )
    cadres: list[tuple[NewResident | int, Node, str, dt.date, dt.date | None]] = field(
        default_factory=list
    )
    rows: dict[str, int] = field(default_factory=dict)  # data rows per sheet kind
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def where(person: NewResident) -> str:
    sheet, row = person.source
    return _("工作表“%(sheet)s”第 %(row)s 行") % {"sheet": sheet, "row": row}


def sex_and_birth(id_number: str) -> tuple[str, dt.date]:
    """GB 11643: digits 7–14 are the birth date, digit 17 is odd for men."""
    birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return (Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE), birth


def _chunks(items: list[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Validator:
    """Checks a workbook against the target region and the database; writes nothing."""

    def __init__(
        self,
        target: Region,
        sheets: list[SheetData],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.target = target
        self.sheets = sheets
        self.progress = progress
        self.total = sum(len(s.rows) for s in sheets)
        self.units = 0  # two per row: parsing, then checking
        self.next_report = PROGRESS_EVERY
        self.plan = Plan(target=target)
        self.places = Places(target)
        self.tags = {t.name: t.pk for t in HouseholdTag.objects.all()}
        self.people: dict[str, NewResident] = {}  # ID number → person from this file
        self.household_keys: dict[tuple[int, str], tuple[NewHousehold, int]] = {}
        self.db_household_numbers: dict[int, dict[str, int]] = {}
        self.org_names: dict[str, list[NewOrganization | tuple[int, Node]]] | None = None
        self.org_keys: dict[tuple[int, str], int] = {}
        self.sheet_name = ""

    # -- bookkeeping ----------------------------------------------------------------------

    def error(self, row: int, column: Column | str, message: str) -> None:
        header = column.header if isinstance(column, Column) else column
        self.plan.errors.append(RowError(self.sheet_name, row, header, message))

    def tick(self) -> None:
        self.units += 1
        if self.progress is not None and self.units >= self.next_report * 2:
            self.next_report += PROGRESS_EVERY
            self.progress(self.units // 2)

    def parse(self, data: SheetData) -> list[tuple[int, dict[str, Any]]]:
        """Every row's cells parsed; rows with a bad cell are reported and left out."""
        out = []
        columns = data.columns
        present = {column.key for _, column in columns}
        absent = [c.key for c in data.sheet.columns if c.key not in present]
        for number, cells in data.rows:
            values: dict[str, Any] = dict.fromkeys(absent)
            good = True
            for index, column in columns:
                raw = cells[index]
                if raw is None or (raw.__class__ is str and not raw.strip()):
                    if column.required:
                        self.error(number, column, _("必填，不能为空"))
                        good = False
                    values[column.key] = None
                    continue
                try:
                    values[column.key] = column.parse(raw)
                except CellError as exc:
                    self.error(number, column, exc.message)
                    good = False
            if good:
                out.append((number, values))
            self.tick()
        return out

    def run(self) -> Plan:
        for data in self.sheets:
            self.sheet_name = data.name
            self.plan.rows[data.sheet.kind] = len(data.rows)
            rows = self.parse(data)
            getattr(self, f"check_{data.sheet.kind}")(data.sheet, rows)
            skipped = len(data.rows) - len(rows)
            self.units += skipped  # rows left out at parsing count as checked
        self.plan.errors.sort(key=lambda e: (self._sheet_order(e.sheet), e.row))
        if self.progress is not None:
            self.progress(self.units // 2)
        return self.plan

    def _sheet_order(self, name: str) -> int:
        return next((i for i, s in enumerate(self.sheets) if s.name == name), 0)

    # -- shared checks --------------------------------------------------------------------

    def registered_ids(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(numbers))):
            found.update(
                Resident.objects.filter(id_number__in=chunk).values_list("id_number", flat=True)
            )
        return found

    def claim_id(self, row: int, column: Column, person: NewResident, registered: set[str]) -> bool:
        number = person.id_number
        if not number:
            return True
        if number in registered:
            self.error(row, column, _("该身份证号已登记，不能重复导入"))
            return False
        earlier = self.people.get(number)
        if earlier is not None:
            self.error(
                row,
                column,
                _("身份证号在本文件中重复（与%(where)s相同）") % {"where": where(earlier)},
            )
            return False
        self.people[number] = person
        return True

    def people_by_id(self, numbers: list[str]) -> dict[str, NewResident | tuple[int, str]]:
        """Persons for ID numbers: this file's, else registered ones inside the target region."""
        out: dict[str, NewResident | tuple[int, str]] = {}
        wanted = sorted({n for n in numbers if n not in self.people})
        for chunk in _chunks(wanted):
            rows = Resident.objects.filter(
                id_number__in=chunk, region__path__startswith=self.target.path
            ).values_list("id_number", "pk", "name")
            for number, pk, name in rows:
                out[number] = (pk, name)
        for number in numbers:
            if number in self.people:
                out[number] = self.people[number]
        return out

    def person(
        self,
        row: int,
        sheet: Sheet,
        values: dict[str, Any],
        people: dict[str, NewResident | tuple[int, str]],
    ) -> NewResident | int | None:
        found = people.get(values["id_number"])
        if found is None:
            self.error(
                row,
                sheet.column("id_number"),
                _(
                    "“%(target)s”内没有登记该身份证号的居民，请先导入居民（或写在本文件的“居民”表中）"
                )
                % {"target": self.target.name},
            )
            return None
        name = found.name if isinstance(found, NewResident) else found[1]
        if values.get("name") and values["name"] != name:
            self.error(
                row,
                sheet.column("name"),
                _("姓名与该身份证号登记的姓名“%(name)s”不一致") % {"name": name},
            )
            return None
        return found if isinstance(found, NewResident) else found[0]

    def find_place(
        self, row: int, column: Column, text: str | None, levels: Any = None, what: str = ""
    ) -> Node | None:
        """The region ``text`` names (blank: the target region), or None with the error noted."""
        if not text:
            return self.places.root
        try:
            return self.places.find(text, levels, what)
        except CellError as exc:
            self.error(row, column, exc.message)
            return None

    # -- 区域 ------------------------------------------------------------------------------

    def check_regions(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        codes = dict(
            Region.objects.exclude(code="")
            .filter(code__in={v["code"] for _, v in rows if v["code"]})
            .values_list("code", "pk")
        )
        file_codes: dict[str, int] = {}
        for row, v in rows:
            self.tick()
            parent = self.places.root
            if v["parent_code"]:
                parent = self.places.by_code.get(v["parent_code"])
                if parent is None:
                    self.error(
                        row,
                        sheet.column("parent_code"),
                        _("在“%(target)s”下找不到区划代码为“%(code)s”的区域")
                        % {"target": self.target.name, "code": v["parent_code"]},
                    )
                    continue
            if v["parent"]:
                by_name = self.find_place(row, sheet.column("parent"), v["parent"])
                if by_name is None:
                    continue
                if v["parent_code"] and by_name is not parent:
                    self.error(row, sheet.column("parent"), _("与“上级区划代码”指的不是同一个区域"))
                    continue
                parent = by_name
            level = v["level"]
            allowed = CHILD_LEVELS.get(parent.level, ())
            if level not in allowed:
                self.error(
                    row,
                    sheet.column("level"),
                    _("“%(parent)s”（%(plevel)s）下不能设%(level)s；可设：%(allowed)s")
                    % {
                        "parent": parent.name,
                        "plevel": choice_label(Level, parent.level),
                        "level": choice_label(Level, level),
                        "allowed": "、".join(choice_label(Level, x) for x in allowed) or "—",
                    },
                )
                continue
            if self.places.child(parent, v["name"]) is not None:
                self.error(
                    row,
                    sheet.column("name"),
                    _("“%(parent)s”下已有名为“%(name)s”的区域")
                    % {"parent": parent.name, "name": v["name"]},
                )
                continue
            code = v["code"] or ""
            if code:
                if not code.isdigit():
                    self.error(row, sheet.column("code"), _("区划代码只能是数字"))
                    continue
                if code in codes:
                    self.error(row, sheet.column("code"), _("该区划代码已被其他区域使用"))
                    continue
                if code in file_codes:
                    self.error(
                        row,
                        sheet.column("code"),
                        _("区划代码在本文件中重复（与第 %(row)s 行相同）")
                        % {"row": file_codes[code]},
                    )
                    continue
                file_codes[code] = row
            node = Node(None, v["name"], level, (*parent.names, v["name"]), parent, code, row)
            self.places.add(node)
            self.plan.regions.append(node)

    # -- 农户 ------------------------------------------------------------------------------

    def village_numbers(self, village: Node) -> dict[str, int]:
        """Registered household numbers of a village (one query per village, on first use)."""
        if village.pk is None:
            return {}
        numbers = self.db_household_numbers.get(village.pk)
        if numbers is None:
            numbers = dict(
                Household.objects.filter(village_id=village.pk).values_list("number", "pk")
            )
            self.db_household_numbers[village.pk] = numbers
        return numbers

    def check_households(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        registered = self.registered_ids([v["head_id"] for _, v in rows])
        col_village, col_group = sheet.column("village"), sheet.column("group")
        col_number, col_id = sheet.column("number"), sheet.column("head_id")
        col_tags = sheet.column("tags")
        target_is_village = self.target.level in VILLAGE_LEVELS
        villages: dict[str, Node | CellError] = {}
        plan_households = self.plan.households
        plan_residents = self.plan.residents
        keys = self.household_keys
        tags = self.tags
        for row, v in rows:
            self.tick()
            text = v["village"]
            if text is None:
                if not target_is_village:
                    self.error(row, col_village, _("必填，不能为空"))
                    continue
                village: Node | CellError = self.places.root
            else:
                village = villages.get(text)  # type: ignore[assignment]
                if village is None:
                    try:
                        village = self.places.find(text, VILLAGE_LEVELS, _("村（社区）"))
                    except CellError as exc:
                        village = exc
                    villages[text] = village
            if isinstance(village, CellError):
                self.error(row, col_village, village.message)
                continue
            group = None
            if v["group"]:
                group = self.places.child(village, v["group"])
                if group is None or group.level != Level.GROUP:
                    self.error(
                        row,
                        col_group,
                        _("“%(village)s”下没有名为“%(group)s”的村民小组")
                        % {"village": village.name, "group": v["group"]},
                    )
                    continue
            number = v["number"]
            key = (id(village), number)
            if key in keys:
                self.error(
                    row,
                    col_number,
                    _("户号在本文件中重复：“%(village)s”第 %(row)s 行已有户号“%(number)s”")
                    % {"village": village.name, "row": keys[key][1], "number": number},
                )
                continue
            if number in self.village_numbers(village):
                self.error(
                    row,
                    col_number,
                    _("“%(village)s”已有户号为“%(number)s”的农户")
                    % {"village": village.name, "number": number},
                )
                continue
            tag_ids = []
            if v["tags"]:
                unknown = [name for name in v["tags"] if name not in tags]
                if unknown:
                    self.error(
                        row,
                        col_tags,
                        _("没有名为“%(name)s”的标签；可用：%(known)s")
                        % {"name": unknown[0], "known": "、".join(tags)},
                    )
                    continue
                tag_ids = [tags[name] for name in dict.fromkeys(v["tags"])]
            head_id = v["head_id"]
            sex, birth = sex_and_birth(head_id)
            household = NewHousehold(
                village,
                group,
                number,
                v["head_name"],
                v["address"] or "",
                v["phone"] or "",
                v["size"] or 1,
                tag_ids,
            )
            head = NewResident(
                village,
                household,
                v["head_name"],
                head_id,
                sex,
                birth,
                "",
                Education.JUNIOR,
                (self.sheet_name, row),
                is_head=True,
            )
            if not self.claim_id(row, col_id, head, registered):
                continue
            household.head = head
            keys[key] = (household, row)
            plan_households.append(household)
            plan_residents.append(head)

    # -- 居民 ------------------------------------------------------------------------------

    def find_household(self, row: int, sheet: Sheet, region: Node, number: str) -> Any:
        column = sheet.column("household")
        village = region.village()
        if village is None:
            self.error(row, column, _("填写户号时，户籍所在地应为村（社区）或村民小组"))
            return None
        pending = self.household_keys.get((id(village), number))
        if pending is not None:
            return pending[0]
        pk = self.village_numbers(village).get(number)
        if pk is None:
            self.error(
                row,
                column,
                _("“%(village)s”没有户号为“%(number)s”的农户")
                % {"village": village.name, "number": number},
            )
        return pk

    def check_residents(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        registered = self.registered_ids([v["id_number"] for _, v in rows if v["id_number"]])
        col_region, col_id = sheet.column("region"), sheet.column("id_number")
        places: dict[str, Node | CellError] = {}
        for row, v in rows:
            self.tick()
            region = places.get(v["region"]) if v["region"] else self.places.root
            if region is None:
                try:
                    region = self.places.find(v["region"])
                except CellError as exc:
                    region = exc
                places[v["region"]] = region
            if isinstance(region, CellError):
                self.error(row, col_region, region.message)
                continue
            household = None
            if v["household"]:
                household = self.find_household(row, sheet, region, v["household"])
                if household is None:
                    continue
            sex, birth = v["sex"], v["birth_date"]
            number = v["id_number"]
            if number:
                id_sex, id_birth = sex_and_birth(number)
                if sex and sex != id_sex:
                    self.error(row, sheet.column("sex"), _("性别与身份证号不符"))
                    continue
                if birth and birth != id_birth:
                    self.error(row, sheet.column("birth_date"), _("出生日期与身份证号不符"))
                    continue
                sex, birth = id_sex, id_birth
            if not sex:
                self.error(row, sheet.column("sex"), _("没有身份证号时性别必填"))
                continue
            if not birth:
                self.error(row, sheet.column("birth_date"), _("没有身份证号时出生日期必填"))
                continue
            if birth > timezone.localdate():
                self.error(row, sheet.column("birth_date"), _("出生日期不能晚于今天"))
                continue
            head = self.people.get(number) if number else None
            if head is not None and head.is_head and not head.completed:
                if household is not head.household:
                    self.error(
                        row,
                        sheet.column("household"),
                        _("此人是%(where)s的户主，户号应与该户一致") % {"where": where(head)},
                    )
                    continue
                if v["name"] != head.name:
                    self.error(
                        row,
                        sheet.column("name"),
                        _("姓名与%(where)s的户主姓名“%(name)s”不一致")
                        % {"where": where(head), "name": head.name},
                    )
                    continue
                head.region = region
                head.phone = v["phone"] or ""
                head.education = v["education"] or Education.JUNIOR
                head.completed = True
                continue
            person = NewResident(
                region,
                household,
                v["name"],
                number,
                sex,
                birth,
                v["phone"] or "",
                v["education"] or Education.JUNIOR,
                (self.sheet_name, row),
            )
            if not self.claim_id(row, col_id, person, registered):
                continue
            self.plan.residents.append(person)

    # -- 党组织 ----------------------------------------------------------------------------

    def check_organizations(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        org_names = self._load_organizations()
        file_keys: dict[tuple[int, str], int] = {}
        for row, v in rows:
            self.tick()
            region = self.find_place(row, sheet.column("region"), v["region"])
            if region is None:
                continue
            key = (id(region), v["name"])
            if region.pk is not None and (region.pk, v["name"]) in self.org_keys:
                self.error(
                    row,
                    sheet.column("name"),
                    _("“%(region)s”已有名为“%(name)s”的党组织")
                    % {"region": region.name, "name": v["name"]},
                )
                continue
            if key in file_keys:
                self.error(
                    row,
                    sheet.column("name"),
                    _("党组织在本文件中重复（与第 %(row)s 行相同）") % {"row": file_keys[key]},
                )
                continue
            file_keys[key] = row
            org = NewOrganization(region, v["name"], v["kind"])
            org_names.setdefault(v["name"], []).append(org)
            self.plan.organizations.append(org)

    def _load_organizations(self) -> dict[str, list[NewOrganization | tuple[int, Node]]]:
        if self.org_names is not None:
            return self.org_names
        self.org_names = {}
        rows = PartyOrganization.objects.filter(
            region__path__startswith=self.target.path
        ).values_list("pk", "name", "region_id")
        for pk, name, region_id in rows:
            node = self.places.by_pk.get(region_id)
            if node is None:
                continue
            self.org_names.setdefault(name, []).append((pk, node))
            self.org_keys[(region_id, name)] = pk
        return self.org_names

    def find_organization(self, text: str) -> NewOrganization | int:
        org_names = self._load_organizations()
        parts = [p for p in Places.SPLIT.split(text.strip()) if p]
        name, where = parts[-1], tuple(parts[:-1])
        found = org_names.get(name, [])
        if where:
            found = [
                o
                for o in found
                if (o.region if isinstance(o, NewOrganization) else o[1]).names[-len(where) :]
                == where
            ]
        if len(found) == 1:
            org = found[0]
            return org if isinstance(org, NewOrganization) else org[0]
        if not found:
            raise CellError(
                _("在“%(target)s”下找不到党组织“%(name)s”（可在本文件的“党组织”表中新建）")
                % {"target": self.target.name, "name": text}
            )
        raise CellError(
            _("有 %(n)s 个名为“%(name)s”的党组织，请在前面加所在区域，如“村名/%(name)s”")
            % {"n": len(found), "name": name}
        )

    # -- 党员 ------------------------------------------------------------------------------

    def check_members(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        people = self.people_by_id([v["id_number"] for _, v in rows])
        db_people = [p[0] for p in people.values() if isinstance(p, tuple)]
        members: set[int] = set()
        for chunk in _chunks(db_people):
            members.update(
                PartyMember.objects.filter(person_id__in=chunk).values_list("person_id", flat=True)
            )
        seen: dict[str, int] = {}
        today = timezone.localdate()
        col_id = sheet.column("id_number")
        for row, v in rows:
            self.tick()
            person = self.person(row, sheet, v, people)
            if person is None:
                continue
            if v["id_number"] in seen:
                self.error(
                    row,
                    col_id,
                    _("此人在本表中重复（与第 %(row)s 行相同）") % {"row": seen[v["id_number"]]},
                )
                continue
            if isinstance(person, int) and person in members:
                self.error(row, col_id, _("此人已登记为党员"))
                continue
            try:
                org = self.find_organization(v["organization"])
            except CellError as exc:
                self.error(row, sheet.column("organization"), exc.message)
                continue
            if v["joined_on"] > today:
                self.error(row, sheet.column("joined_on"), _("入党日期不能晚于今天"))
                continue
            seen[v["id_number"]] = row
            self.plan.members.append(
                (
                    person,
                    org,
                    v["kind"] or MemberKind.FULL,
                    v["joined_on"],
                    v["status"] or MemberStatus.ACTIVE,
                )
            )

    # -- 干部任职 --------------------------------------------------------------------------

    def check_cadres(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> None:
        people = self.people_by_id([v["id_number"] for _, v in rows])
        db_people = [p[0] for p in people.values() if isinstance(p, tuple)]
        existing: set[tuple[Any, ...]] = set()
        for chunk in _chunks(db_people):
            existing.update(
                CadrePost.objects.filter(person_id__in=chunk).values_list(
                    "person_id", "region_id", "post", "start_date"
                )
            )
        seen: dict[tuple[Any, ...], int] = {}
        for row, v in rows:
            self.tick()
            person = self.person(row, sheet, v, people)
            if person is None:
                continue
            region = self.find_place(row, sheet.column("region"), v["region"])
            if region is None:
                continue
            if v["end_date"] and v["end_date"] < v["start_date"]:
                self.error(row, sheet.column("end_date"), _("离任日期不能早于任职日期"))
                continue
            key = (v["id_number"], id(region), v["post"], v["start_date"])
            if key in seen:
                self.error(
                    row,
                    sheet.column("post"),
                    _("任职记录在本表中重复（与第 %(row)s 行相同）") % {"row": seen[key]},
                )
                continue
            if (
                isinstance(person, int)
                and (person, region.pk, v["post"], v["start_date"]) in existing
            ):
                self.error(row, sheet.column("post"), _("该任职记录已登记"))
                continue
            seen[key] = row
            self.plan.cadres.append((person, region, v["post"], v["start_date"], v["end_date"]))


def validate(
    *, region: Region, sheets: list[SheetData], progress: Callable[[int], None] | None = None
) -> Plan:
    return Validator(region, sheets, progress).run()


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _pk(ref: Any) -> int:
    return ref if isinstance(ref, int) else ref.pk


def write(plan: Plan) -> dict[str, int]:
    """Write a valid plan. Call inside a transaction: on any error nothing is kept."""
    if not plan.ok:
        raise ValueError("write() needs a plan without errors")
    created: dict[str, int] = {}
    if plan.regions:
        _write_regions(plan)
        created["regions"] = len(plan.regions)

    if plan.households:
        ids = insert_rows(
            Household,
            ("village_id", "group_id", "number", "head_name", "address", "phone", "size"),
            [
                (
                    h.village.pk,
                    h.group.pk if h.group else None,
                    h.number,
                    h.head_name,
                    h.address,
                    h.phone,
                    h.size,
                )
                for h in plan.households
            ],
        )
        links = []
        for h, pk in zip(plan.households, ids, strict=True):
            h.pk = pk
            links.extend((pk, tag) for tag in h.tag_ids)
        insert_rows(Household.tags.through, ("household_id", "householdtag_id"), links)
        created["households"] = len(ids)

    if plan.residents:
        ids = insert_rows(
            Resident,
            (
                "region_id",
                "household_id",
                "name",
                "sex",
                "birth_date",
                "id_number",
                "phone",
                "education",
            ),
            [
                (
                    r.region.pk,
                    _pk(r.household) if r.household is not None else None,
                    r.name,
                    r.sex,
                    r.birth_date,
                    r.id_number or None,
                    r.phone,
                    r.education,
                )
                for r in plan.residents
            ],
        )
        for r, pk in zip(plan.residents, ids, strict=True):
            r.pk = pk
        created["residents"] = len(ids)

    if plan.organizations:
        objs = [
            PartyOrganization(region_id=o.region.pk, name=o.name, kind=o.kind)
            for o in plan.organizations
        ]
        PartyOrganization.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        for o, obj in zip(plan.organizations, objs, strict=True):
            o.pk = obj.pk
        created["organizations"] = len(objs)

    if plan.members:
        PartyMember.objects.bulk_create(
            [
                PartyMember(
                    person_id=_pk(person),
                    organization_id=_pk(org),
                    kind=kind,
                    joined_on=joined_on,
                    status=status,
                )
                for person, org, kind, joined_on, status in plan.members
            ],
            batch_size=BATCH_SIZE,
        )
        created["members"] = len(plan.members)

    if plan.cadres:
        CadrePost.objects.bulk_create(
            [
                CadrePost(
                    person_id=_pk(person),
                    region_id=region.pk,
                    post=post,
                    start_date=start,
                    end_date=end,
                )
                for person, region, post, start, end in plan.cadres
            ],
            batch_size=BATCH_SIZE,
        )
        created["cadres"] = len(plan.cadres)
    return created


def insert_rows(model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """``bulk_create`` of already-validated plain rows, in batches; returns the new ids in order."""
    objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    return [obj.pk for obj in objs]


def _write_regions(plan: Plan) -> None:
    """New regions through treebeard (it keeps siblings sorted by name and the paths right).

    Shallower regions first, and siblings in name order, so each new child lands after its
    new siblings and no path is shifted twice. Later rows refer to regions by ``pk`` only.
    """
    parents: dict[int, Region] = {}
    for node in sorted(plan.regions, key=lambda n: (len(n.names), n.name)):
        parent = node.parent
        if parent is None or parent.pk is None:  # parents are written before their children
            raise ValueError(f"region row {node.row} has no written parent")
        parent_obj = parents.get(parent.pk)
        if parent_obj is None:
            parent_obj = parents[parent.pk] = Region.objects.get(pk=parent.pk)
        child = Region.objects.add_child(
            parent_obj, {"name": node.name, "level": node.level, "code": node.code}
        )
        node.pk = child.pk
        parents[child.pk] = child


# --------------------------------------------------------------------------------------------
# Jobs: start (in the request), run (in the worker)
# --------------------------------------------------------------------------------------------


def may_import(scope: ScopeLike) -> bool:
    return scope.is_root or scope.role in IMPORT_ROLES


def roster_import_start(
    *, region: Region, kind: str, upload: Any, actor: Any, scope: ScopeLike
) -> Job:
    """Check an upload, keep it with a new job, and queue the import. Raises UploadRejected."""
    scope.require(region)
    if not may_import(scope):
        raise PermissionDenied(_("您的角色不能导入花名册"))
    sheets = check_upload(upload, kind)
    name = PurePath(getattr(upload, "name", "") or "upload.xlsx").name
    job = job_services.job_create(
        kind=JOB_KIND,
        region=region,
        created_by=actor,
        params={"kind": kind, "sheets": [s.name for s in sheets]},
        file=upload,
        original_name=name,
        total=sum(len(s.rows) for s in sheets),
    )
    _enqueue(job)
    return job


def roster_import_retry(*, job: Job, actor: Any, scope: ScopeLike) -> Job:
    """Run a stopped (failed or interrupted) import again from its kept file, as a new job."""
    scope.require(job.region)
    if not may_import(scope):
        raise PermissionDenied(_("您的角色不能导入花名册"))
    if job.kind != JOB_KIND or not job.stopped or job.status == "done" or not job.file:
        raise UploadRejected(_("只有失败或已中断的导入可以重新运行"))
    new = job_services.job_create(
        kind=JOB_KIND,
        region=job.region,
        created_by=actor,
        params=job.params,
        stored_name=job.file.name,
        original_name=job.original_name,
        total=job.total,
    )
    _enqueue(new)
    return new


def _enqueue(job: Job) -> None:
    from zhenxing.regions.tasks import run_roster_import

    job_id = job.pk
    transaction.on_commit(lambda: run_roster_import.enqueue(job_id))


def roster_import_run(*, job_id: int) -> dict[str, Any]:
    """Validate, then write in one transaction. Runs in the worker, in autocommit mode."""
    job = Job.objects.select_related("region").get(pk=job_id)
    if not job_services.job_start(job_id=job_id, total=job.total):
        return {"skipped": True, "status": job.status}
    try:
        with job.file.open("rb") as handle:
            sheets = read_workbook(handle, job.params.get("kind", ALL))
    except UploadRejected as exc:
        job_services.job_fail(job_id=job_id, errors=[RowError("", 0, "", exc.message).as_dict()])
        return {"errors": 1}
    except FileNotFoundError:
        message = _("上传的文件已不存在，无法导入")
        job_services.job_fail(job_id=job_id, errors=[RowError("", 0, "", message).as_dict()])
        return {"errors": 1}
    total = sum(len(s.rows) for s in sheets)
    Job.objects.filter(pk=job_id).update(total=total)

    def progress(done: int) -> None:
        job_services.job_progress(job_id=job_id, done=done)

    plan = validate(region=job.region, sheets=sheets, progress=progress)
    if not plan.ok:
        errors = [e.as_dict() for e in plan.errors[: job_services.MAX_STORED_ERRORS]]
        job_services.job_fail(job_id=job_id, errors=errors, error_count=len(plan.errors))
        return {"errors": len(plan.errors)}
    job_services.job_writing(job_id=job_id, done=total)
    try:
        with transaction.atomic():
            created = write(plan)
            result = {
                "rows": {s.sheet.kind: len(s.rows) for s in sheets},
                "created": created,
                "sheets": [
                    {"kind": s.sheet.kind, "name": s.name, "rows": len(s.rows)} for s in sheets
                ],
            }
            job_services.job_finish(job_id=job_id, result=result)
    except IntegrityError:
        logger.exception("roster import job %s conflicted with data written meanwhile", job_id)
        message = _(
            "导入时与同时写入的数据冲突（如户号或身份证号刚被登记），未写入任何数据，请重新导入"
        )
        job_services.job_fail(job_id=job_id, errors=[RowError("", 0, "", message).as_dict()])
        return {"errors": 1}
    return result


def roster_import_crashed(*, job_id: int) -> None:
    message = _("导入过程中发生内部错误，未写入任何数据；请重试或联系管理员")
    job_services.job_fail(job_id=job_id, errors=[RowError("", 0, "", message).as_dict()])


# --------------------------------------------------------------------------------------------
# Writing workbooks: templates and exports
# --------------------------------------------------------------------------------------------


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.required = book.add_format(
            {"bold": True, "bg_color": "#FDECEA", "font_color": "#B3261E", "border": 1}
        )
        self.text = book.add_format({"num_format": "@"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 13})


def _sheet_header(book: xlsxwriter.Workbook, fmt: _Formats, sheet: Sheet) -> Any:
    ws = book.add_worksheet(sheet.title)
    for col, column in enumerate(sheet.columns):
        cell_format = fmt.text if column.text else fmt.date if column.date else None
        ws.set_column(col, col, column.width, cell_format)
        ws.write_string(0, col, column.header, fmt.required if column.required else fmt.header)
    ws.freeze_panes(1, 0)
    return ws


def _notes_sheet(book: xlsxwriter.Workbook, fmt: _Formats, *, masked: bool = False) -> None:
    with translation.override("zh-hans"):
        ws = book.add_worksheet(NOTES_SHEET)
        ws.set_column(0, 0, 14)
        ws.set_column(1, 1, 18)
        ws.set_column(2, 2, 8)
        ws.set_column(3, 3, 22)
        ws.set_column(4, 4, 70, fmt.wrap)
        row = 0
        ws.write(row, 0, str(gettext_lazy("花名册导入模板说明")), fmt.title)
        lines = [
            gettext_lazy(
                "每个工作表第一行是表头，从第二行起每行一条记录；工作表名称和表头不要改动。"
            ),
            gettext_lazy("红色表头为必填列。不需要的工作表可以删除，空行会被忽略。"),
            gettext_lazy(
                "地名在导入目标区域内查找：写名称即可，名称不唯一时写出上级，用“/”分隔，如“一管区/东村”。"
            ),
            gettext_lazy(
                "日期可写成 2024-03-01、2024/3/1 或 2024年3月1日，也可用 Excel 日期格式。"
            ),
            gettext_lazy(
                "文件中只要有一行有错，就不会写入任何数据；请按错误清单（工作表、行号、列名）改正后重新上传。"
            ),
            gettext_lazy(
                "工作表按以下顺序导入，后面的表可以引用前面表中新建的区域、农户、居民和党组织："
            ),
        ]
        if masked:
            lines.insert(
                0,
                gettext_lazy("注意：本文件中的电话和身份证号已按权限打码，不能直接重新导入。"),
            )
        for line in lines:
            row += 1
            ws.write_string(row, 0, str(line))
        row += 2
        for col, head in enumerate(
            [
                gettext_lazy("工作表"),
                gettext_lazy("列"),
                gettext_lazy("必填"),
                gettext_lazy("示例"),
                gettext_lazy("说明"),
            ]
        ):
            ws.write(row, col, str(head), fmt.header)
        for sheet in SHEETS:
            row += 1
            ws.write(row, 0, sheet.title, fmt.title)
            ws.write(row, 4, str(sheet.help), fmt.wrap)
            for column in sheet.columns:
                row += 1
                ws.write_string(row, 0, sheet.title)
                ws.write_string(row, 1, column.header)
                ws.write_string(row, 2, str(_("是")) if column.required else "")
                ws.write_string(row, 3, column.example)
                ws.write_string(row, 4, str(column.help), fmt.wrap)


def template_workbook(out: IO[bytes]) -> None:
    """The import template: a 说明 sheet, then one empty sheet per kind with its header row."""
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = _Formats(book)
    _notes_sheet(book, fmt)
    for sheet in SHEETS:
        _sheet_header(book, fmt, sheet)
    book.close()


EXPORT_KINDS = ("regions", "households", "residents", "organizations", "members", "cadres")


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_bytes(*, region: Region, kind: str, unmasked: bool) -> bytes:
    """``export_workbook`` as bytes: rows stream to a temporary file, the workbook is returned."""
    with tempfile.TemporaryFile() as out:
        export_workbook(region=region, kind=kind, unmasked=unmasked, out=out)
        out.seek(0)
        return out.read()


def export_filename(region: Region, kind: str) -> str:
    label = _("全部") if kind == ALL else str(SHEET_BY_KIND[kind].title)
    return f"{region.name}-{label}-{timezone.localdate():%Y%m%d}.xlsx"


def export_workbook(*, region: Region, kind: str, unmasked: bool, out: IO[bytes]) -> int:
    """Write the rosters under ``region`` (a region the caller fetched through scoping).

    ``kind`` is one sheet kind or ``all``. Phone and ID numbers are masked unless ``unmasked``.
    Rows stream to disk (xlsxwriter's constant-memory mode). Returns the number of data rows.
    """
    kinds = EXPORT_KINDS if kind == ALL else (kind,)
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    fmt = _Formats(book)
    places = Places(region)
    rows = 0
    with translation.override("zh-hans"):
        for k in kinds:
            sheet = SHEET_BY_KIND[k]
            ws = _sheet_header(book, fmt, sheet)
            dates = [i for i, c in enumerate(sheet.columns) if c.date]
            r = 0
            for r, values in enumerate(_EXPORTERS[k](region, places, unmasked), start=1):
                for i, value in enumerate(values):
                    if value is None or value == "":
                        continue
                    if i in dates:
                        ws.write_datetime(r, i, dt.datetime.combine(value, dt.time()), fmt.date)
                    elif isinstance(value, int):
                        ws.write_number(r, i, value)
                    else:
                        ws.write_string(r, i, value)
            rows += r
        _notes_sheet(book, fmt, masked=not unmasked)
    book.close()
    return rows


def _subtree_q(region: Region, field_name: str) -> Q:
    return Q(
        **{f"{field_name}__in": Region.objects.filter(path__startswith=region.path).values("pk")}
    )


def _export_regions(region: Region, places: Places, unmasked: bool) -> Iterator[tuple[Any, ...]]:
    for node in places.by_pk.values():  # path order: parents first
        if node.parent is None:  # the target region itself
            continue
        yield (
            places.label(node.parent),
            "",
            node.name,
            choice_label(Level, node.level),
            node.code,
        )


def _export_households(region: Region, places: Places, unmasked: bool) -> Iterator[tuple[Any, ...]]:
    households = Household.objects.filter(_subtree_q(region, "village"))
    heads = dict(
        Resident.objects.filter(household__in=households.values("pk"))
        .exclude(id_number=None)
        .filter(name=F("household__head_name"))
        .values_list("household_id", "id_number")
    )
    tags: dict[int, list[str]] = defaultdict(list)
    through = Household.tags.through.objects.filter(household__in=households.values("pk"))
    for household_id, name in through.order_by("householdtag_id").values_list(
        "household_id", "householdtag__name"
    ):
        tags[household_id].append(name)
    labels: dict[int, str] = {}
    rows = households.order_by("village__path", "number").values_list(
        "pk", "village_id", "group_id", "number", "head_name", "address", "phone", "size"
    )
    for pk, village_id, group_id, number, head_name, address, phone, size in rows.iterator(
        chunk_size=BATCH_SIZE
    ):
        label = labels.get(village_id)
        if label is None:
            label = labels[village_id] = places.label(places.by_pk[village_id], VILLAGE_LEVELS)
        head_id = heads.get(pk, "")
        yield (
            label,
            places.by_pk[group_id].name if group_id in places.by_pk else "",
            number,
            head_name,
            head_id if unmasked else mask_id_number(head_id),
            address,
            phone if unmasked else mask_phone(phone),
            size,
            "、".join(tags.get(pk, ())),
        )


def _export_residents(region: Region, places: Places, unmasked: bool) -> Iterator[tuple[Any, ...]]:
    rows = (
        Resident.objects.filter(_subtree_q(region, "region"))
        .order_by("region__path", "household__number", "pk")
        .values_list(
            "region_id",
            "household__number",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "education",
        )
    )
    labels: dict[int, str] = {}
    sexes = {value: choice_label(Sex, value) for value in Sex.values}
    educations = {value: choice_label(Education, value) for value in Education.values}
    for region_id, number, name, id_number, sex, birth, phone, education in rows.iterator(
        chunk_size=BATCH_SIZE
    ):
        label = labels.get(region_id)
        if label is None:
            label = labels[region_id] = places.label(places.by_pk[region_id])
        id_number = id_number or ""
        yield (
            label,
            number or "",
            name,
            id_number if unmasked else mask_id_number(id_number),
            sexes.get(sex, ""),
            birth,
            phone if unmasked else mask_phone(phone),
            educations.get(education, ""),
        )


def _export_organizations(
    region: Region, places: Places, unmasked: bool
) -> Iterator[tuple[Any, ...]]:
    rows = (
        PartyOrganization.objects.filter(_subtree_q(region, "region"))
        .order_by("region__path", "name")
        .values_list("region_id", "name", "kind")
    )
    for region_id, name, kind in rows:
        yield (
            places.label(places.by_pk[region_id]),
            name,
            choice_label(OrgKind, kind),
        )


def _org_labels(region: Region, places: Places) -> dict[int, str]:
    orgs = list(
        PartyOrganization.objects.filter(_subtree_q(region, "region")).values_list(
            "pk", "name", "region_id"
        )
    )
    count = Counter(name for _pk, name, _region in orgs)
    labels = {}
    for pk, name, region_id in orgs:
        if count[name] == 1:
            labels[pk] = name
        else:
            where = places.label(places.by_pk[region_id])
            labels[pk] = f"{where}/{name}" if where else name
    return labels


def _export_members(region: Region, places: Places, unmasked: bool) -> Iterator[tuple[Any, ...]]:
    orgs = _org_labels(region, places)
    rows = (
        PartyMember.objects.filter(_subtree_q(region, "organization__region"))
        .order_by("organization__region__path", "pk")
        .values_list(
            "person__id_number", "person__name", "organization_id", "kind", "joined_on", "status"
        )
    )
    for id_number, name, org_id, kind, joined_on, status in rows.iterator(chunk_size=BATCH_SIZE):
        id_number = id_number or ""
        yield (
            id_number if unmasked else mask_id_number(id_number),
            name,
            orgs.get(org_id, ""),
            choice_label(MemberKind, kind),
            joined_on,
            choice_label(MemberStatus, status),
        )


def _export_cadres(region: Region, places: Places, unmasked: bool) -> Iterator[tuple[Any, ...]]:
    rows = (
        CadrePost.objects.filter(_subtree_q(region, "region"))
        .order_by("region__path", "post", "start_date", "pk")
        .values_list(
            "person__id_number", "person__name", "region_id", "post", "start_date", "end_date"
        )
    )
    labels: dict[int, str] = {}
    for id_number, name, region_id, post, start, end in rows.iterator(chunk_size=BATCH_SIZE):
        label = labels.get(region_id)
        if label is None:
            label = labels[region_id] = places.label(places.by_pk[region_id])
        id_number = id_number or ""
        yield (
            id_number if unmasked else mask_id_number(id_number),
            name,
            label,
            choice_label(Post, post),
            start,
            end,
        )


_EXPORTERS: dict[str, Callable[[Region, Places, bool], Iterator[tuple[Any, ...]]]] = {
    "regions": _export_regions,
    "households": _export_households,
    "residents": _export_residents,
    "organizations": _export_organizations,
    "members": _export_members,
    "cadres": _export_cadres,
}
