"""Collective income: record a village's income from one source in one year, correct it, and seed
the default sources and tiers (seeds 000 and 002; domain.md §10 item 10 on 清五跃十)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from zhenxing.accounts.scoping import Scope, visible
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource, IncomeTier
from zhenxing.ledgers.services import common
from zhenxing.ledgers.services._village import correct, corrected, record
from zhenxing.ledgers.services.common import require_writer
from zhenxing.regions.models import VILLAGE_LEVELS, Region

DEFAULT_SOURCES = ("资产租赁", "土地流转", "入股分红", "经营服务", "光伏收益", "项目收益", "其他")
# (name, floor in 万元): under 5万, 5–10万, ≥10万 (清五跃十), ≥20万, ≥50万 (强村).
DEFAULT_TIERS: tuple[tuple[str, str], ...] = (
    ("5万元以下", "0"),
    ("5万至10万元", "5"),
    ("10万元以上（清五跃十）", "10"),
    ("20万元以上", "20"),
    ("50万元以上（强村）", "50"),
)
MAX_AMOUNT = Decimal("999999999999.99")


def income_defaults_ensure() -> None:
    for sort, name in enumerate(DEFAULT_SOURCES, start=1):
        IncomeSource.objects.get_or_create(name=name, defaults={"sort": sort})
    if not IncomeTier.objects.exists():
        IncomeTier.objects.bulk_create(
            IncomeTier(name=name, min_wan=Decimal(floor)) for name, floor in DEFAULT_TIERS
        )


def _checked(*, year: Any, source: IncomeSource | None, amount: Any, note: str) -> dict[str, Any]:
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("请填写年度，如 %(y)s") % {"y": this_year - 1}}) from None
    if year > this_year:
        raise ValidationError({"year": _("年度不能晚于今年（%(y)s 年）") % {"y": this_year}})
    if year < 2000:
        raise ValidationError({"year": _("年度不能早于 2000 年")})
    if source is None:
        raise ValidationError({"source": _("请选择收入来源")})
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("请填写金额（元），如 125000")}) from None
    if amount < 0:
        raise ValidationError({"amount": _("收入金额不能为负数；冲减请更正原记录")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("金额过大，请核对（单位为元）")})
    note = common.text(note, "note", _("说明"), low=0, high=200)
    return {"year": year, "source": source, "amount": amount, "note": note}


def income_record(
    *,
    scope: Scope,
    village: Region | None,
    year: Any,
    source: IncomeSource | None,
    amount: Any,
    actor: Any,
    note: str = "",
) -> IncomeEntry:
    def check(village: Region) -> dict[str, Any]:
        return _checked(year=year, source=source, amount=amount, note=note)

    return record(IncomeEntry, check, scope=scope, village=village, actor=actor)


def income_correct(
    *,
    scope: Scope,
    entry: IncomeEntry,
    actor: Any,
    reason: str,
    voided: bool = False,
    **changes: Any,
) -> IncomeEntry:
    def check(changes: dict[str, Any]) -> dict[str, Any]:
        return _checked(**corrected(entry, changes, ("year", "source", "amount", "note")))

    return correct(
        entry, check, scope=scope, actor=actor, reason=reason, voided=voided, changes=changes
    )


# --- import from Excel ------------------------------------------------------------------------

IMPORT_SHEET = "集体经济收入"
IMPORT_COLUMNS = ("村（社区）", "年度", "收入来源", "金额（元）", "说明")


@dataclass(frozen=True)
class IncomeRow:
    line: int  # the row number Excel shows
    village: str
    year: Any
    source: str
    amount: Any
    note: str = ""


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def income_rows_read(upload: IO[bytes]) -> list[IncomeRow]:
    """The rows of an income workbook (the first sheet, or the one named ``集体经济收入``): the
    header row is the one starting with 村（社区）; rows below it up to the end, blanks skipped."""
    try:
        book = CalamineWorkbook.from_filelike(upload)
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise ValidationError(
            _("无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载模板填写")
        ) from exc
    name = IMPORT_SHEET if IMPORT_SHEET in book.sheet_names else book.sheet_names[0]
    sheet = book.get_sheet_by_name(name)
    cells = sheet.to_python()
    first = (sheet.start or (0, 0))[0] + 1
    header_at = next(
        (i for i, row in enumerate(cells) if row and _cell(row[0]) == IMPORT_COLUMNS[0]), None
    )
    if header_at is None:
        raise ValidationError(
            _("工作表“%(s)s”中找不到表头（第一列应为“村（社区）”），请使用下载的模板") % {"s": name}
        )
    header = [_cell(v) for v in cells[header_at]]
    missing = [c for c in IMPORT_COLUMNS[:4] if c not in header]
    if missing:
        raise ValidationError(
            _("工作表“%(s)s”缺少列：%(m)s") % {"s": name, "m": "、".join(missing)}
        )
    at = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    rows = []
    for offset, row in enumerate(cells[header_at + 1 :], start=first + header_at + 1):
        values = {c: (row[i] if i < len(row) else None) for c, i in at.items()}
        if all(_cell(v) == "" for v in values.values()):
            continue
        rows.append(
            IncomeRow(
                line=offset,
                village=_cell(values["村（社区）"]),
                year=values["年度"],
                source=_cell(values["收入来源"]),
                amount=values["金额（元）"],
                note=_cell(values.get("说明")),
            )
        )
    return rows


def income_import(*, scope: Scope, rows: list[IncomeRow], actor: Any) -> int:
    """Write every row, or none: each bad row is named (第 N 行：what is wrong) in one
    ValidationError. A village is found by its name (or 区划代码) among those in scope."""
    require_writer(actor)
    if not rows:
        raise ValidationError(_("文件中没有数据行"))
    villages: dict[str, list[Region]] = {}
    for v in visible(Region.objects.filter(level__in=VILLAGE_LEVELS), scope):
        villages.setdefault(v.name, []).append(v)
        if v.code:
            villages.setdefault(v.code, []).append(v)
    sources = {s.name: s for s in IncomeSource.objects.filter(active=True)}
    errors: list[str] = []
    entries: list[IncomeEntry] = []
    for row in rows:
        where = _("第 %(n)s 行") % {"n": row.line}
        found = villages.get(row.village, [])
        if len(found) != 1:
            message = (
                _("“%(v)s”不是您范围内的村（社区）")
                if not found
                else _("有多个“%(v)s”，请填写区划代码")
            ) % {"v": row.village or "—"}
            errors.append(f"{where}，{IMPORT_COLUMNS[0]}：{message}")
            continue
        if row.source not in sources:
            errors.append(
                f"{where}，{IMPORT_COLUMNS[2]}："
                + _("“%(s)s”不在收入来源中（可填：%(all)s）")
                % {"s": row.source or "—", "all": "、".join(sources)}
            )
            continue
        try:
            values = _checked(
                year=row.year, source=sources[row.source], amount=row.amount, note=row.note
            )
        except ValidationError as exc:
            labels = {"year": "年度", "source": "收入来源", "amount": "金额（元）", "note": "说明"}
            for field, messages in exc.message_dict.items():
                errors.extend(f"{where}，{labels.get(field, field)}：{m}" for m in messages)
            continue
        entries.append(IncomeEntry(village=found[0], recorded_by=actor, **values))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        IncomeEntry.objects.bulk_create(entries)
    return len(entries)
