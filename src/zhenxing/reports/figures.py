"""Every figure in a cleaned report: its number (Arabic, Chinese numerals such as 二十九, mixed such
as 1.2万 or 585万元, percentages, fractions such as 三分之二 or 1/4), its unit, what it counts (its
subject), the sentence and clause it stands in, and the sense of its wording — exact, a lower bound
(超过、以上、突破、余、多), an upper bound (不足、以下) or an approximation (近、约、左右).

Pure functions, no database. The subject is found in this order: a known noun right after the
unit (“576名党员”), a known noun in the clause before the number (“新建党群服务中心4个”), the
subject of the figure before it in the sentence with the same unit (“摸排纠纷30件，调解成功29件”),
a known noun earlier in the sentence (money: “集体经济……20万元”), else the words before the number.
The known nouns are ``SUBJECTS`` plus whatever words the county's figure mapping adds.

Not figures: dates and times (2023年、4月2日), ordinals (第一、一是), numbers inside quotation
marks and titles (“三个一批”、《……》), formulas such as 1+10, phone and registration numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}

# Units, longest first. Money units keep 万/亿 in the unit (585万元); other units take 万 as a
# multiplier (1.2万名 → 12000 名).
UNITS = [
    "万人次",
    "人次",
    "平方公里",
    "平方米",
    "立方米",
    "万元",
    "亿元",
    "元",
    "名",
    "人",
    "位",
    "户",
    "家",
    "个",
    "起",
    "件",
    "次",
    "场",
    "项",
    "条",
    "支",
    "座",
    "处",
    "株",
    "亩",
    "吨",
    "本",
    "张",
    "批",
    "所",
    "间",
    "届",
    "岁",
    "天",
    "公里",
    "米",
    "期",
    "堂",
    "节",
    "篇",
    "套",
    "辆",
    "台",
    "对",
    "片",
    "轮",
    "类",
    "种",
    "部",
    "份",
    "%",
    "倍",
]
MONEY = frozenset({"元", "万元", "亿元"})
PERSON = frozenset({"名", "人", "位", "人次", "万人次"})
HOUSEHOLD = frozenset({"户"})
# The subjects the extractor knows, by what they are: P people, H households, M money, R rates
# and shares, N anything counted.
SUBJECTS: dict[str, str] = {}
for _kind, _words in (
    (
        "P",
        "党员 党员干部 联户党员 联户党员干部 农村党员 先锋党员 群众 农民 村民 干部 村干部 镇干部 "
        "包村干部 管区书记 党支部书记 党组织书记 村党支部书记 书记 后备干部 村级后备干部 后备力量 "
        "群众来访 来访 上门走访 走访 人才 乡土人才 能人 网格员 网格长 一级网格长 二级网格长 三级网格长 学生 大学新生 志愿者 "
        "工作队员 班子成员 党委班子成员 领导班子 村两委干部 村“两委”干部 年轻干部 办理员 "
        "村级办理员 乡贤 人次 同志 年轻同志 老基层 小组长 党（村民）小组长 种养户 分散种养户",
    ),
    ("H", "群众 农户 户 脱贫户 监测户 家庭 庭院 示范庭院 文明户 种养户 分散种养户"),
    (
        "M",
        "集体经济收入 集体经济经营性收入 经营性收入 集体经济 集体收入 收入 人均年收入 资金 投资 "
        "总投资 产值 经费 运转经费 年均运转经费 捐款 旅游总收入 增收",
    ),
    (
        "R",
        "党员联户 联户 占比 比例 覆盖率 化解率 调处率 满意率 联户率 比重 土地 人口 粮食产量 工业产值 学历",
    ),
    (
        "N",
        "村 行政村 强村 村民组 社区 党支部 支部 党组织 基层党组织 非公企业党组织 五星支部 四星支部 "
        "三星支部 二星支部 一星支部 五星党支部 三星以上支部 三星及以上支部 党群服务中心 矛盾纠纷 纠纷 "
        "积案 上访 信访 案件 事故 问题 合作社 农民专业合作社 专业合作社 企业 项目 示范点 "
        "基层党建示范点 党委会 组织生活会 主题党日 三会一课 党课 理论中心组学习 理论宣讲 专班 "
        "工作专班 志愿服务队 党员志愿服务队 服务队 专业服务队 专家服务团 突击队 党员突击队 示范岗 "
        "党员示范岗 责任区 党员责任区 实事 民生实事 帮扶措施 旱厕 游园 树木 网格 文明实践站 "
        "联系卡 明白卡 大比武 植树 绿化 单位 平均年龄 群众来访 来访 上门走访 走访 口袋书 民情恳谈会 示范片 活动 志愿活动 警示教育片 培训 荣誉 党支部 "
        "经济产业党支部 服务事项 事项 审批权限 受理权限 清单 工作流程 流程 基地 线路 "
        "集体经济增收项目 三零村 垃圾 私搭乱建 荒坑荒院 征地任务 土地 播种面积 种植面积 中药材 "
        "油茶 双季稻示范片 再生稻示范片 临时党支部 商会 工程 农产品 农（副）产品 产量",
    ),
):
    for _word in _words.split():
        SUBJECTS[_word] = SUBJECTS.get(_word, "") + _kind

_AR = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千]+"
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
NUMBER = re.compile(
    rf"(?P<num>{_AR}|{_CN})(?P<approx>多|余|来)?(?P<mult>万|亿)?(?P<approx2>多|余)?"
    rf"\s?(?P<unit>{_UNIT})?"
)
FRACTION = re.compile(
    rf"(?P<den>{_CN}|\d+)分之(?P<numr>{_CN}|\d+(?:\.\d+)?)|(?P<a>\d+)/(?P<b>\d+)(?![\d/])"
)
FULL = re.compile(r"全覆盖")
ZERO = re.compile(r"零(上访|事故|案件|发案)")
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
CLAUSE_STOP = "，。；：！？\n,;:"
LOWER_BEFORE = ("不少于", "不低于", "至少", "超过", "突破", "多于", "高于", "逾", "超")
UPPER_BEFORE = ("不足", "不到", "低于", "少于", "未满")
ABOUT_BEFORE = ("将近", "接近", "大约", "约", "近")
AFTER_UNIT = {
    "及以上": "at_least",
    "以上": "at_least",
    "以下": "at_most",
    "以内": "at_most",
    "左右": "about",
    "上下": "about",
}
VERBS_BEFORE = (
    "占比达到",
    "占比达",
    "达到",
    "达",
    "共有",
    "共计",
    "共",
    "累计",
    "为",
    "有",
    "是",
    "升至",
    "增至",
    "增加到",
    "增加",
    "突破",
    "超过",
    "实现",
    "完成",
    "近",
)


UNIT_SUBJECT = {"户": "农户"}


@dataclass(frozen=True)
class Figure:
    text: str  # as written: 1200多名, 585万元, 三分之二
    value: Decimal  # in ``unit`` (万元 stays 万元; 1.2万名 is 12000 名)
    unit: str
    subject: str
    bound: str  # exact | at_least | at_most | about
    qualifier: str  # the word that sets the bound (超过, 余, 以上, 近…), or ""
    precision: Decimal  # one unit of the last digit written, in ``unit`` (1.2万名 → 1000)
    sentence: str
    clause: str
    start: int  # offset in the cleaned text

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["value"] = str(self.value)
        data["precision"] = str(self.precision)
        return data


def chinese_int(text: str) -> int | None:
    """二十九 → 29, 十三 → 13, 三百 → 300, 一千二百 → 1200, 五 → 5; None if not a number."""
    if not text:
        return None
    if all(ch in CN_DIGITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text)) if len(text) > 1 else CN_DIGITS[text]
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None:
                return None
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _number(text: str) -> tuple[Decimal, int] | None:
    if text[0].isdigit():
        plain = text.replace(",", "")
        return Decimal(plain), len(plain.split(".")[1]) if "." in plain else 0
    n = chinese_int(text)
    return (Decimal(n), 0) if n is not None else None


def _scaled(value: Decimal, factor: int) -> Decimal:
    """1.2 × 10000 → 12000 (no trailing decimals)."""
    scaled = value * factor
    return (
        scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled.normalize()
    )


def _inside_quotes(text: str) -> list[bool]:
    """Per character: inside “…”, 《…》 or 「…」 (slogans and titles are not claims)."""
    out, depth = [], 0
    for ch in text:
        if ch in "“《「":
            depth += 1
        elif ch in "”》」" and depth:
            depth -= 1
        out.append(depth > 0)
    return out


class Lexicon:
    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.kinds = dict(SUBJECTS)
        for word in extra:
            if word and word not in self.kinds:
                self.kinds[word] = "PHMRN"
        self.words = sorted(self.kinds, key=len, reverse=True)

    def fits(self, word: str, unit: str) -> bool:
        kinds = self.kinds[word]
        if not unit:  # 1.2万 with no unit: any known subject
            return True
        if unit in MONEY:
            return "M" in kinds
        if unit in PERSON:
            return "P" in kinds
        if unit in HOUSEHOLD:
            return "H" in kinds
        if unit == "%":
            return "R" in kinds or "N" in kinds or "P" in kinds or "M" in kinds
        return "N" in kinds or (unit == "个" and "P" in kinds)

    def tokens(self, text: str) -> list[tuple[int, str]]:
        """Known words in ``text``, longest first at each position, left to right (a word inside
        a longer one is not a token: 村 in 包村干部)."""
        out, at = [], 0
        while at < len(text):
            word = next((w for w in self.words if text.startswith(w, at)), "")
            if word:
                out.append((at, word))
                at += len(word)
            else:
                at += 1
        return out

    def first_after(self, text: str, unit: str, within: int = 8) -> str:
        for at, word in self.tokens(text[: within + 8]):
            if at > within:
                break
            if self.fits(word, unit):
                return word
        return ""

    def last_in(self, text: str, unit: str) -> str:
        fitting = [word for _at, word in self.tokens(text) if self.fits(word, unit)]
        return fitting[-1] if fitting else ""


def _plain(text: str) -> str:
    return re.sub(r"[“”‘’\"'《》「」\s]", "", text)


def _strip_verbs(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for verb in VERBS_BEFORE:
            if text.endswith(verb):
                text, changed = text[: -len(verb)], True
    return text


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in CLAUSE_STOP:
        left -= 1
    right = end
    while right < len(text) and text[right] not in CLAUSE_STOP:
        right += 1
    return left, right


def _skip(text: str, start: int, end: int, number: str, unit: str) -> bool:
    before = text[max(0, start - 1) : start]
    after = text[end : end + 2]
    if before in {"+", "-", "—", "/", "@", ".", ":", "："} or after[:1] in {
        "+",
        "/",
        ":",
        "-",
        "@",
    }:
        return True
    if number[0].isdigit():
        plain = number.replace(",", "")
        if unit == "" and (after[:1] in {"年", "月", "日", "号", "时"}):
            return True  # 2023年, 4月2日, 3月16日
        if len(plain) >= 8 and "." not in plain:
            return True  # phone and registration numbers
        if text[end : end + 1].isascii() and text[end : end + 1].isalpha():
            return True  # 5G, 126.com
    else:
        if before in {"第", "每", "这", "那", "哪", "初", "周", "星", "礼", "十", "之"}:
            return True
        if after[:1] in {"是", "、", "要", "心", "手", "方", "者", "大", "级", "星", "等"}:
            return True
        if len(number) == 1 and number in "一两" and unit not in {"万元", "亿元"}:
            return True  # 一次、一批、两个: an article, not a claim
        if not unit or number in {"十", "百", "千"}:
            return True  # 千亩 (a kind of field), 百企 — a size word, not a count
    return False


def extract(text: str, *, extra_subjects: Iterable[str] = ()) -> list[Figure]:
    """The figures of ``text`` (already cleaned), in the order they stand."""
    lexicon = Lexicon(extra_subjects)
    quoted = _inside_quotes(text)
    figures: list[Figure] = []
    for sentence_match in SENTENCE.finditer(text):
        sentence = sentence_match.group(0)
        base = sentence_match.start()
        found: list[tuple[int, int, Figure]] = []
        taken: list[tuple[int, int]] = []
        for start, end, figure in _special(sentence, base, lexicon):
            found.append((start, end, figure))
            taken.append((start, end))
        for match in NUMBER.finditer(sentence):
            start, end = match.span()
            if any(a <= start < b or a < end <= b for a, b in taken):
                continue
            if quoted[base + start]:
                continue
            number, unit = match.group("num"), match.group("unit") or ""
            if _skip(sentence, start, end, number, unit):
                continue
            parsed = _number(number)
            if parsed is None:
                continue
            value, decimals = parsed
            precision = Decimal(1).scaleb(-decimals)
            mult = match.group("mult") or ""
            if mult and unit not in MONEY:
                factor = 10_000 if mult == "万" else 100_000_000
                value, precision = _scaled(value, factor), _scaled(precision, factor)
            elif mult and unit == "元":
                unit = mult + "元"
            if not unit and not mult:
                continue  # a bare number (a count needs its unit; 1.2万 alone is one)
            figure = _figure(
                sentence,
                base,
                start,
                end,
                match.group(0).strip(),
                value,
                precision,
                unit,
                match.group("approx") or match.group("approx2") or "",
                lexicon,
                found,
            )
            found.append((start, end, figure))
        figures.extend(f for _s, _e, f in sorted(found, key=lambda item: item[0]))
    return figures


def _special(sentence: str, base: int, lexicon: Lexicon) -> list[tuple[int, int, Figure]]:
    """Fractions (三分之二, 1/4), 全覆盖 (100%) and 零上访-style zeros."""
    out = []
    for match in FRACTION.finditer(sentence):
        if match.group("den"):
            den, num = _number(match.group("den")), _number(match.group("numr"))
            if not den or not num or not den[0]:
                continue
            value = num[0] * 100 / den[0]
        else:
            a, b = Decimal(match.group("a")), Decimal(match.group("b"))
            if not b or b > 100 or a > b:
                continue
            value = a * 100 / b
        start, end = match.span()
        out.append(
            (
                start,
                end,
                _figure(
                    sentence,
                    base,
                    start,
                    end,
                    match.group(0),
                    value.quantize(Decimal("0.1")),
                    Decimal("0.1"),
                    "%",
                    "",
                    lexicon,
                    [],
                ),
            )
        )
    quoted = _inside_quotes(sentence)
    for match in FULL.finditer(sentence):
        start, end = match.span()
        if quoted[start]:
            continue
        out.append(
            (
                start,
                end,
                _figure(
                    sentence,
                    base,
                    start,
                    end,
                    "全覆盖",
                    Decimal(100),
                    Decimal(0),
                    "%",
                    "",
                    lexicon,
                    [],
                    subject_before_only=True,
                ),
            )
        )
    for match in ZERO.finditer(sentence):
        start, end = match.span()
        left, right = _clause_bounds(sentence, start, end)
        out.append(
            (
                start,
                end,
                Figure(
                    text=match.group(0),
                    value=Decimal(0),
                    unit="起",
                    subject=match.group(1),
                    bound="exact",
                    qualifier="",
                    precision=Decimal(0),
                    sentence=sentence.strip(),
                    clause=sentence[left:right].strip(),
                    start=base + start,
                ),
            )
        )
    return out


def _figure(
    sentence: str,
    base: int,
    start: int,
    end: int,
    written: str,
    value: Decimal,
    precision: Decimal,
    unit: str,
    approx: str,
    lexicon: Lexicon,
    found: list[tuple[int, int, Figure]],
    *,
    subject_before_only: bool = False,
) -> Figure:
    left, right = _clause_bounds(sentence, start, end)
    clause = sentence[left:right]
    bound, qualifier = "exact", ""
    if approx:
        bound, qualifier = "at_least", approx
    head = sentence[max(left, start - 3) : start]
    for words, sense in (
        (LOWER_BEFORE, "at_least"),
        (UPPER_BEFORE, "at_most"),
        (ABOUT_BEFORE, "about"),
    ):
        word = next((w for w in words if head.endswith(w)), "")
        if word and not qualifier:
            bound, qualifier = sense, word
            break
    tail = sentence[end : end + 3]
    for word, sense in AFTER_UNIT.items():
        if tail.startswith(word):
            bound, qualifier = sense, word
            break
    subject = ""
    if not subject_before_only:
        after = _plain(sentence[end : right + 1])
        for word in AFTER_UNIT:
            if after.startswith(word):
                after = after[len(word) :]
        if not after.startswith("、"):  # 1个、“四星”支部6个: the next item, not this subject
            subject = lexicon.first_after(after.lstrip("的"), unit)
    before = _strip_verbs(_plain(sentence[left:start]))
    before = re.sub(r"(超过|突破|逾|近|约|将近|接近|不足|不到|至少|不少于)$", "", before)
    earlier = [f for s, _e, f in found if s < start]
    cut = max([e for s, e, _f in found if e <= start and s >= left] or [left])
    if not subject:
        subject = lexicon.last_in(_strip_verbs(_plain(sentence[cut:start])), unit)
    if not subject and earlier and cut == start:  # 5批11人次: the same thing counted twice
        subject = earlier[-1].subject
    if not subject:
        same = [f for f in earlier if f.unit == unit and f.subject]
        if same:
            subject = same[-1].subject
    if not subject and unit in MONEY:
        subject = lexicon.last_in(_plain(sentence[:start]), unit)
    if not subject:
        subject = UNIT_SUBJECT.get(unit, "") or before[-8:]
    return Figure(
        text=written,
        value=value,
        unit=unit,
        subject=subject,
        bound=bound,
        qualifier=qualifier,
        precision=precision,
        sentence=sentence.strip(),
        clause=clause.strip(),
        start=base + start,
    )
