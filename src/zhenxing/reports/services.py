"""Writes of 经验材料核数: reading a pasted text or an uploaded .docx/.txt, recognising the region
and the period when they are not given, and saving a check (``check_create``). Bad input is
refused with a Chinese message naming the field, and nothing is saved."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenxing.accounts.scoping import Scope, home_region, visible
from zhenxing.core.periods import Period
from zhenxing.regions.models import Level, Region
from zhenxing.reports.checks import Rule, check, words
from zhenxing.reports.figures import UNITS, extract
from zhenxing.reports.models import FigureRule, ReportCheck
from zhenxing.reports.recorded import Platform
from zhenxing.reports.text import CONTROL, clean

CHECKERS = frozenset({"county_admin", "township_admin"})
MAX_BYTES = 2 * 1024 * 1024  # settings.REPORT_UPLOAD_MAX_BYTES overrides
MAX_CHARS = 100_000
RULES_FILE = Path(__file__).with_name("figure_rules.yaml")
# Levels a report names itself by; a village's own report is checked against the village the
# person stands for (their scope), as short village names match too much text.
NAMED_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.DISTRICT)
CHECK_LEVELS = (*NAMED_LEVELS, Level.VILLAGE, Level.COMMUNITY)
YEAR = re.compile(r"(20\d{2})年")
DOCX = ".docx"
TXT = ".txt"


def may_check(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in CHECKERS)


def max_bytes() -> int:
    return int(getattr(settings, "REPORT_UPLOAD_MAX_BYTES", MAX_BYTES))


def rules_defaults() -> list[dict[str, Any]]:
    return list(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))


def rules_defaults_ensure(model: Any = FigureRule) -> None:
    """The default figure rules (``figure_rules.yaml``), when the table is empty (``model``: the
    historical model in the data migration)."""
    if model.objects.exists():
        return
    model.objects.bulk_create(
        model(sort=10 * (i + 1), **{k: str(v) for k, v in row.items()})
        for i, row in enumerate(rules_defaults())
    )


def active_rules() -> list[Rule]:
    return [Rule.of(r) for r in FigureRule.objects.filter(active=True).order_by("sort", "pk")]


def rule_words(rules: list[Rule]) -> set[str]:
    """The rules' subject words, which the extractor knows as subjects too."""
    return {w for r in rules for w in r.subjects}


# --- reading the input --------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    text: str
    kind: str  # text | docx | txt
    filename: str = ""


def _docx_text(data: bytes) -> str:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError({"file": _("文件：不是有效的 Word（.docx）文件")}) from exc
    lines = [p.text for p in document.paragraphs]
    lines.extend(
        "，".join(cell.text.strip() for cell in row.cells)
        for table in document.tables
        for row in table.rows
    )
    return "\n".join(lines)


def _plain_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not CONTROL.search(text):
            return text
    raise ValidationError(
        {"file": _("文件：无法识别的文本编码，请另存为 UTF-8 或 GB18030 的 .txt")}
    )


def read_source(*, text: str = "", upload: IO[bytes] | None = None, filename: str = "") -> Source:
    """The report's text from an upload (.docx or UTF-8/GB18030 .txt, up to the size limit) or
    else the pasted text; a ValidationError on ``file`` or ``text`` otherwise."""
    if upload is not None and filename:
        suffix = Path(filename).suffix.lower()
        if suffix not in (DOCX, TXT):
            raise ValidationError({"file": _("文件：只接受 .docx 或 .txt 文件")})
        limit = max_bytes()
        data = upload.read(limit + 1)
        if len(data) > limit:
            size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit} 字节"
            raise ValidationError({"file": _("文件：不能超过 %(size)s") % {"size": size}})
        body = _docx_text(data) if suffix == DOCX else _plain_text(data)
        source = Source(body, suffix[1:], Path(filename).name[:200])
    else:
        source = Source(text or "", "text")
    if not source.text.strip():
        field = "file" if source.kind != "text" else "text"
        raise ValidationError({field: _("正文：请粘贴材料正文，或上传 .docx / .txt 文件")})
    if len(source.text) > MAX_CHARS:
        raise ValidationError(
            {"text": _("正文：不能超过 %(n)s 个字，请分篇核对") % {"n": f"{MAX_CHARS:,}"}}
        )
    return source


# --- region and period --------------------------------------------------------------------------


def recognise_region(scope: Scope, text: str) -> Region:
    """The region the report names most often among the county, townships and districts in the
    person's scope; their own region when it names none."""
    names = visible(Region.objects.filter(level__in=NAMED_LEVELS), scope).values_list(
        "pk", "name", "depth"
    )
    best: tuple[int, int, int] | None = None
    for pk, name, depth in names:
        n = text.count(name) if len(name) >= 2 else 0
        if n and (best is None or (n, depth) > best[:2]):
            best = (n, depth, pk)
    if best is None:
        return home_region(scope)
    return Region.objects.get(pk=best[2])


def recognise_period(text: str, today: Any) -> Period:
    """The year the report names most often (the latest on a tie), not after this year; else this
    year."""
    years = Counter(int(y) for y in YEAR.findall(text) if int(y) <= today.year)
    if not years:
        return Period.year(today.year)
    year = max(years, key=lambda y: (years[y], y))
    return Period.year(year)


def _period(key: str, text: str) -> Period:
    today = timezone.localdate()
    if not key.strip():
        return recognise_period(text, today)
    try:
        period = Period.parse(key)
    except ValueError as exc:
        raise ValidationError({"period": _("期间：%(e)s") % {"e": exc}}) from exc
    if period.start > today:
        raise ValidationError(
            {"period": _("期间：%(p)s尚未开始，不能核对未来的数据") % {"p": period.label}}
        )
    return period


def _region(scope: Scope, region_id: int | None, text: str) -> Region:
    if region_id is None:
        return recognise_region(scope, text)
    region = (
        visible(Region.objects.filter(level__in=CHECK_LEVELS), scope).filter(pk=region_id).first()
    )
    if region is None:
        raise ValidationError({"region": _("区域：不存在或不在您的管辖范围内")})
    return region


def _title(title: str, text: str, region: Region, period: Period) -> str:
    """The title given; else the report's first line when it reads as a title (short, no full
    stop); else “上庄镇经验材料（2023年）”."""
    title = CONTROL.sub("", title or "").strip()
    if not title:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if len(first) <= 40 and "。" not in first:
            title = first
        else:
            title = _("%(region)s经验材料（%(period)s）") % {
                "region": region.name,
                "period": period.label,
            }
    if len(title) > 120:
        raise ValidationError({"title": _("标题：不能超过 120 个字")})
    return title


# --- the check ----------------------------------------------------------------------------------


@transaction.atomic
def check_create(
    *,
    scope: Scope,
    actor: Any,
    text: str = "",
    upload: IO[bytes] | None = None,
    filename: str = "",
    region_id: int | None = None,
    period: str = "",
    title: str = "",
) -> ReportCheck:
    """Clean the report, find its figures, set each beside the platform's and save the check."""
    if not may_check(actor):
        raise PermissionDenied(_("经验材料核数限县、乡镇管理员使用"))
    source = read_source(text=text, upload=upload, filename=filename)
    cleaned = clean(source.text)
    region = _region(scope, region_id, cleaned.text)
    the_period = _period(period, cleaned.text)
    the_title = _title(title, cleaned.text, region, the_period)
    rules_defaults_ensure()
    rules = active_rules()
    figures = extract(cleaned.text, extra_subjects=rule_words(rules))
    platform = Platform(region=region, period=the_period, scope=scope)
    claims = check(figures, rules, platform)
    result = ReportCheck(
        region=region,
        period=the_period.key,
        title=the_title,
        author=actor,
        created_at=timezone.now(),
        source=source.kind,
        filename=source.filename,
        original=CONTROL.sub("", source.text),  # PostgreSQL holds no NUL; Word no control
        cleaned=cleaned.text,
        annotations_removed=cleaned.annotations_removed,
        converted=cleaned.converted,
        claims=claims,
    )
    result.full_clean(exclude=["claims"])
    result.save()
    return result


# --- the county's figure rules ------------------------------------------------------------------

RULE_EDITORS = frozenset({"county_admin"})
RULE_FIELDS = ("label", "metric", "subjects", "context", "excludes", "units", "sort", "active")


def may_edit_rules(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in RULE_EDITORS)


@transaction.atomic
def figure_rule_save(
    *, actor: Any, data: dict[str, Any], rule: FigureRule | None = None
) -> FigureRule:
    """Add a figure rule or change one (county admins): the words are checked, the metric must be
    one the platform reads, a unit must be one the extractor knows."""
    if not may_edit_rules(actor):
        raise PermissionDenied(_("核数对照规则由县级管理员维护"))
    rule = rule or FigureRule()
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    unknown = [u for u in words(rule.units) if u not in UNITS]
    if unknown:
        raise ValidationError({"units": _("单位：不认识“%(u)s”") % {"u": "、".join(unknown)}})
    if not words(rule.subjects):
        raise ValidationError({"subjects": _("主语词：请至少填写一个词")})
    rule.full_clean()
    rule.save()
    return rule
