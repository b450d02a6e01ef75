"""Standards as data: a star standard is a YAML file, checked line by line before it is used.

A file names the standard (code, version, year, kind), the level that approves each star count,
the public-notice period, and its stars, each with indicators. An indicator is *computed* (a
metric of ``stars.metrics``, a comparison and a threshold) or *judged* (a requirement a reviewer
decides on evidence); either may be a veto (一票否决), which names what it takes: ``veto: star``
(its star, and the stars that need it) or ``veto: branch`` (the whole branch, for the year). A star may require another star first
(``requires``) or be a capstone (awarded only with every other star): domain.md §2.3 says neither
rule is confirmed, so both are options of the file.

``parse_standard`` returns a ``StandardSpec`` or raises ``StandardError`` with every problem found,
each naming its line ("第 12 行：…"): nothing is loaded from a file with any problem.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from zhenxing.stars.metrics import FLAG, METRICS, PERCENT, TOWNSHIP, VILLAGE

SHIPPED = Path(__file__).resolve().parent / "standards"
KINDS = ("village", "community", "township")
APPROVERS = ("township", "county", "city", "province")
OPS = (">=", ">", "<=", "<", "==")


class StandardError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    line: int
    metric: str = ""
    op: str = ""
    threshold: Decimal | bool | None = None
    judged: bool = False
    veto: str = ""  # "", "star" or "branch" (VetoScope)
    evidence: str = ""


@dataclass(frozen=True)
class StarSpec:
    code: str
    name: str
    line: int
    requires: str = ""
    capstone: bool = False
    indicators: tuple[IndicatorSpec, ...] = ()


@dataclass(frozen=True)
class StandardSpec:
    code: str
    version: str
    year: int
    kind: str
    title: str
    unconfirmed: bool
    notice_days: int
    approval: dict[int, str]
    stars: tuple[StarSpec, ...]
    digest: str = ""
    source: str = field(default="", repr=False)


# --- reading YAML with line numbers -------------------------------------------------------------


class _Reader:
    """Walks the composed YAML nodes (which keep their line) and collects every error."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.errors.append(_("第 %(line)s 行：%(message)s") % {"line": line, "message": message})

    def mapping(
        self, node: yaml.Node, what: str, *, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, _("%(what)s应是“键: 值”的列表") % {"what": what})
            return None
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in required + optional:
                self.error(
                    key_node, _("%(what)s中有不认识的项“%(key)s”") % {"what": what, "key": key}
                )
            elif key in out:
                self.error(key_node, _("“%(key)s”重复出现") % {"key": key})
            else:
                out[key] = value_node
        for key in required:
            if key not in out:
                self.error(node, _("%(what)s缺少“%(key)s”") % {"what": what, "key": key})
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(node, _("%(what)s 应是不为空的列表（每项以“- ”开头）") % {"what": what})
            return []
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, _("%(what)s 应是单个值") % {"what": what})
            return None
        return yaml.safe_load(yaml.serialize(node))

    def text(self, node: yaml.Node | None, what: str, *, default: str | None = None) -> str:
        if node is None:
            return default or ""
        value = self.scalar(node, what)
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            self.error(node, _("%(what)s 应是文字") % {"what": what})
            return ""
        return str(value).strip()

    def flag(self, node: yaml.Node | None, what: str) -> bool:
        if node is None:
            return False
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            self.error(node, _("%(what)s 应是 true 或 false") % {"what": what})
            return False
        return value

    def integer(self, node: yaml.Node | None, what: str, *, low: int, high: int) -> int:
        value = self.scalar(node, what) if node is not None else None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.error(
                node,
                _("%(what)s 应是 %(low)s 到 %(high)s 的整数")
                % {"what": what, "low": low, "high": high},
            )
            return low
        return value


# --- the standard -------------------------------------------------------------------------------


def parse_standard(text: str) -> StandardSpec:
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise StandardError(
            [
                _("第 %(line)s 行：不是有效的 YAML（%(problem)s）")
                % {"line": line, "problem": getattr(error, "problem", error)}
            ]
        ) from error
    if root is None:
        raise StandardError([_("第 1 行：文件是空的")])
    top = reader.mapping(root, _("标准文件"), required=("standard", "stars"), optional=())
    if top is None or reader.errors:
        raise StandardError(reader.errors)
    head = (
        reader.mapping(
            top["standard"],
            _("标准信息（standard）"),
            required=("code", "version", "year", "kind", "title", "approval"),
            optional=("unconfirmed", "notice_days"),
        )
        or {}
    )
    kind = reader.text(head.get("kind"), "kind")
    if head.get("kind") is not None and kind and kind not in KINDS:
        reader.error(head["kind"], _("kind 应是 %(kinds)s 之一") % {"kinds": "、".join(KINDS)})
    approval = _approval(reader, head.get("approval"))
    unit = TOWNSHIP if kind == "township" else VILLAGE
    stars = [_star(reader, node, unit) for node in reader.sequence(top["stars"], "stars")]
    _check_stars(reader, stars)
    if reader.errors:
        raise StandardError(reader.errors)
    return StandardSpec(
        code=reader.text(head.get("code"), "code"),
        version=reader.text(head.get("version"), "version"),
        year=reader.integer(head.get("year"), "year", low=2000, high=2100),
        kind=kind,
        title=reader.text(head.get("title"), "title"),
        unconfirmed=reader.flag(head.get("unconfirmed"), "unconfirmed"),
        notice_days=reader.integer(head.get("notice_days"), "notice_days", low=1, high=60)
        if head.get("notice_days") is not None
        else 7,
        approval=approval,
        stars=tuple(s for s in stars if s is not None),
        digest=hashlib.sha256(text.encode()).hexdigest(),
        source=text,
    )


def _approval(reader: _Reader, node: yaml.Node | None) -> dict[int, str]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        reader.error(node, _("approval 应列出每个星级由哪一级审定，例如 3: county"))
        return {}
    out: dict[int, str] = {}
    for key_node, value_node in node.value:
        count = reader.scalar(key_node, _("星数"))
        approver = reader.scalar(value_node, _("审定层级"))
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 5:
            reader.error(key_node, _("approval 的星数应是 1 到 5"))
        elif approver not in APPROVERS:
            reader.error(
                value_node, _("审定层级应是 %(levels)s 之一") % {"levels": "、".join(APPROVERS)}
            )
        else:
            out[count] = approver
    missing = [n for n in range(1, 6) if n not in out]
    if missing and not reader.errors:
        reader.error(
            node,
            _("approval 缺少 %(counts)s 星的审定层级") % {"counts": "、".join(map(str, missing))},
        )
    return out


def _star(reader: _Reader, node: yaml.Node, unit: str) -> StarSpec | None:
    fields_ = reader.mapping(
        node, _("星"), required=("code", "name", "indicators"), optional=("requires", "capstone")
    )
    if fields_ is None:
        return None
    indicators = (
        [
            _indicator(reader, item, unit)
            for item in reader.sequence(fields_.get("indicators"), "indicators")
        ]
        if "indicators" in fields_
        else []
    )
    return StarSpec(
        code=reader.text(fields_.get("code"), "code"),
        name=reader.text(fields_.get("name"), "name"),
        line=node.start_mark.line + 1,
        requires=reader.text(fields_.get("requires"), "requires") if "requires" in fields_ else "",
        capstone=reader.flag(fields_.get("capstone"), "capstone"),
        indicators=tuple(i for i in indicators if i is not None),
    )


VETO_VALUES = ("star", "branch")


def _veto(reader: _Reader, node: yaml.Node | None) -> str:
    """``veto: star`` (the star fails) or ``veto: branch`` (the whole branch is not rated that
    year): a standard says which, for each veto; ``true`` is refused rather than guessed."""
    if node is None:
        return ""
    value = reader.scalar(node, "veto")
    if value is False:
        return ""
    if value not in VETO_VALUES:
        reader.error(
            node,
            _(
                "veto 应写明一票否决的范围：star（否决本星，及须先获得它的星）"
                "或 branch（整个支部当年不评星）"
            ),
        )
        return ""
    return str(value)


def _indicator(reader: _Reader, node: yaml.Node, unit: str) -> IndicatorSpec | None:
    f = reader.mapping(
        node,
        _("指标"),
        required=("code", "name"),
        optional=("metric", "op", "threshold", "judged", "veto", "evidence"),
    )
    if f is None:
        return None
    judged = reader.flag(f.get("judged"), "judged")
    spec = {
        "code": reader.text(f.get("code"), "code"),
        "name": reader.text(f.get("name"), "name"),
        "line": node.start_mark.line + 1,
        "judged": judged,
        "veto": _veto(reader, f.get("veto")),
        "evidence": reader.text(f.get("evidence"), "evidence") if "evidence" in f else "",
    }
    if judged:
        for key in ("metric", "op", "threshold"):
            if key in f:
                reader.error(f[key], _("评审指标（judged: true）不需要“%(key)s”") % {"key": key})
        return IndicatorSpec(**spec)
    for key in ("metric", "op", "threshold"):
        if key not in f:
            reader.error(
                node, _("计算指标缺少“%(key)s”（或写 judged: true 作为评审指标）") % {"key": key}
            )
    if reader.errors and not all(k in f for k in ("metric", "op", "threshold")):
        return None
    name = reader.text(f["metric"], "metric")
    metric = METRICS.get(name)
    if metric is None:
        reader.error(f["metric"], _("没有名为“%(name)s”的指标数据") % {"name": name})
        return None
    if metric.unit != unit:
        reader.error(
            f["metric"],
            (
                _("“%(name)s”是乡镇指标，不能用于村（社区）标准")
                if metric.unit == TOWNSHIP
                else _("“%(name)s”是村（社区）指标，不能用于乡镇标准（kind: township）")
            )
            % {"name": name},
        )
        return None
    op = reader.scalar(f["op"], "op")
    threshold = reader.scalar(f["threshold"], "threshold")
    if metric.kind == FLAG:
        if op != "==" or not isinstance(threshold, bool):
            reader.error(
                f["threshold"],
                _('“%(name)s”是是/否指标：应写 op: "==" 和 threshold: true 或 false')
                % {"name": name},
            )
            return None
        return IndicatorSpec(**spec, metric=name, op=op, threshold=threshold)
    if op not in OPS:
        reader.error(f["op"], _("op 应是 %(ops)s 之一") % {"ops": " ".join(OPS)})
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        reader.error(f["threshold"], _("“%(name)s”的门槛应是数字") % {"name": name})
        return None
    if metric.kind == PERCENT and not 0 <= threshold <= 100:
        reader.error(
            f["threshold"], _("“%(name)s”是百分比，门槛应在 0 到 100 之间") % {"name": name}
        )
        return None
    return IndicatorSpec(**spec, metric=name, op=op, threshold=Decimal(str(threshold)))


def _check_stars(reader: _Reader, stars: list[StarSpec | None]) -> None:
    by_code: dict[str, StarSpec] = {}
    codes: set[str] = set()
    for star in stars:
        if star is None:
            continue
        if star.code in by_code:
            reader.errors.append(
                _("第 %(line)s 行：星的代码“%(code)s”重复") % {"line": star.line, "code": star.code}
            )
        by_code[star.code] = star
        for indicator in star.indicators:
            if indicator.code in codes:
                reader.errors.append(
                    _("第 %(line)s 行：指标代码“%(code)s”重复")
                    % {"line": indicator.line, "code": indicator.code}
                )
            codes.add(indicator.code)
    capstones = [s for s in by_code.values() if s.capstone]
    if len(capstones) > 1:
        reader.errors.append(
            _("第 %(line)s 行：只能有一颗星是 capstone") % {"line": capstones[1].line}
        )
    for star in by_code.values():
        if not star.requires:
            continue
        if star.requires == star.code:
            reader.errors.append(
                _("第 %(line)s 行：“%(name)s”不能要求自己") % {"line": star.line, "name": star.name}
            )
        elif star.requires not in by_code:
            reader.errors.append(
                _("第 %(line)s 行：requires 指向不存在的星“%(code)s”")
                % {"line": star.line, "code": star.requires}
            )
        else:
            seen, current = {star.code}, by_code[star.requires]
            while current.requires and current.requires in by_code:
                if current.requires in seen:
                    reader.errors.append(
                        _("第 %(line)s 行：“%(name)s”的 requires 形成循环")
                        % {"line": star.line, "name": star.name}
                    )
                    break
                seen.add(current.code)
                current = by_code[current.requires]


def load_shipped(name: str) -> StandardSpec:
    return parse_standard((SHIPPED / name).read_text(encoding="utf-8"))


def carried_to(text: str, year: int) -> str:
    """The standard file ``text`` carried to ``year`` as a new version: the same stars, indicators
    and thresholds, its ``year`` set to ``year`` and its ``version`` to ``"<year>.1"`` (or
    ``"<year>-<old version>"`` when the old version does not start with the old year). Only those
    two values change, in place: comments and layout stay. ``text`` must be a valid standard."""
    spec = parse_standard(text)
    if spec.year == year:
        return text
    prefix = f"{spec.year}."
    version = (
        f"{year}.{spec.version.removeprefix(prefix)}"
        if spec.version.startswith(prefix)
        else f"{year}-{spec.version}"
    )
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    head = next(value for key, value in root.value if key.value == "standard")
    nodes = {key.value: value for key, value in head.value if key.value in ("year", "version")}
    lines = text.splitlines(keepends=True)
    # Later lines first, so each replacement leaves the other node's marks valid.
    for key, value in sorted(nodes.items(), key=lambda kv: -kv[1].start_mark.line):
        start, end = value.start_mark, value.end_mark
        line = lines[start.line]
        new = f'"{version}"' if key == "version" else str(year)
        lines[start.line] = line[: start.column] + new + line[end.column :]
    return "".join(lines)
