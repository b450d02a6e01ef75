"""Finding every figure: numbers in every spelling, units, subjects and the sense of the wording;
and, on each of the five seeds, a list of its figures written by hand from the seed (value, unit,
what it counts) found with at least 90% recall."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhenxing.reports.figures import chinese_int, extract
from zhenxing.reports.tests.seeds import seed_text
from zhenxing.reports.text import clean


def last(text: str):
    return extract(text)[-1]


@pytest.mark.parametrize(
    ("text", "n"), [("二十九", 29), ("十三", 13), ("三百", 300), ("一千二百", 1200), ("两", 2)]
)
def test_chinese_numerals_are_read(text, n):
    assert chinese_int(text) == n


@pytest.mark.parametrize(
    ("text", "value", "unit", "subject", "bound"),
    [
        ("全镇576名党员分包群众。", "576", "名", "党员", "exact"),
        ("30起矛盾纠纷化解二十九起。", "29", "起", "矛盾纠纷", "exact"),
        ("联系群众1.2万名。", "12000", "名", "群众", "exact"),
        ("全镇人口1.2万。", "12000", "", "人口", "exact"),
        ("2023年全镇村集体经济收入585万元。", "585", "万元", "集体经济收入", "exact"),
        ("群众满意率96.7%。", "96.7", "%", "满意率", "exact"),
        ("三分之二的村建成示范村。", "66.7", "%", "村", "exact"),
        ("新建村级党群服务中心4个。", "4", "个", "党群服务中心", "exact"),
        ("开展理论宣讲50余次。", "50", "次", "理论宣讲", "at_least"),
        ("全镇集体经济收入超过300万元。", "300", "万元", "集体经济收入", "at_least"),
        ("收入100万元以上的村。", "100", "万元", "收入", "at_least"),
        ("投资近10万元。", "10", "万元", "投资", "about"),
        ("党员不足50名。", "50", "名", "党员", "at_most"),
    ],
)
def test_a_figure_has_its_number_unit_subject_and_sense(text, value, unit, subject, bound):
    figure = last(text)
    assert (figure.value, figure.unit, figure.subject, figure.bound) == (
        Decimal(value).quantize(figure.value) if "." in value else Decimal(value),
        unit,
        subject,
        bound,
    ), figure


def test_a_figure_keeps_its_sentence_and_the_subject_of_the_one_before():
    received, resolved = extract("今年以来，摸排矛盾纠纷30件，调解成功29件。下一句。")
    assert resolved.subject == received.subject == "矛盾纠纷"
    assert resolved.sentence == "今年以来，摸排矛盾纠纷30件，调解成功29件。"
    assert resolved.clause == "调解成功29件"


def test_dates_ordinals_slogans_and_formulas_are_not_figures():
    text = (
        "2023年4月2日，一是开展“三个一批”工程，深入开展“1+10”活动，第二次会议，热线0371—65710329。"
    )
    assert extract(text) == []


# Written by hand from each seed (value, unit, a word of what it counts): the claims a reader
# would check, not the dates, ordinals or slogans.
LABELS = {
    "000": """6 家 单位|23 名 干部|13 名 干部|1950 亩 征地|8 项 流程|1 个 五星支部|6 个 四星支部|
        83 % 三星以上支部|24 个 村|4.6 岁 平均年龄|41.7 % 占比|18 项 清单|1200 名 党员|800 个 问题|
        200 万元 捐款|110 万元 筹资|489 名 大学新生|19 % 土地|10 % 人口|25 % 粮食产量|
        33.3 % 工业产值|90 % 村|13 个 村|20 万元 集体经济|2.6 万元 人均年收入|90 件 积案|0 起 上访|
        162 个 网格|820 座 旱厕|680 处 私搭乱建|320 处 荒坑荒院""",
    "001": """5 个 专班|30 次 培训|4 个 党群服务中心|14 个 党群服务中心|576 名 党员|5355 户 群众|
        100 % 联户|4 次 大比武|2 次 大比武|5 名 管区书记|18 名 包村干部|18 名 党支部书记|
        20 家 合作社|300 名 群众|100 万元 增收|30 万元 增收|200 名 群众|88 户 脱贫户|
        400 立方米 垃圾|260 株 树木|4000 平方米 绿化|4000 株 植树|62 名 同志|300 件 问题|
        18 个 行政村|5 个 社区""",
    "002": """9 名 班子成员|7 个 村|53 名 领导班子|22 次 党委会|10 次 理论中心组学习|50 次 理论宣讲|
        14 人 后备干部|7 人 后备力量|2 名 干部|2 名 干部|58.3 % 占比|3 名 班子成员|
        48 次 警示教育片|70 个 责任区|24 个 示范岗|8 支 突击队|8 个 服务队|150 次 志愿活动|
        63 个 村民组|4508 户 户|5 批 来访|11 人次 来访|30 件 纠纷|29 件 纠纷|6 个 项目|8 件 实事|
        8 件 纠纷|1690 条 帮扶措施|7 个 党组织|40 次 活动|7 个 村|585 万元 集体经济|50 万元 收入|
        4 个 强村|16 个 项目|2.54 亿元 投资|4 个 村""",
    "003": """1400 万元 资金|60 个 示范点|14 个 示范点|16.59 万元 运转经费|6239 万元 资金|
        53 项 服务事项|57 项 权限|26 项 服务事项|316 名 办理员|34.1 % 35岁以下|96.59 % 学历|
        41.4 岁 平均年龄|9.4 岁 平均年龄|45.1 岁 平均年龄|7.2 岁 平均年龄|364 名 年轻干部|
        279 人 学历|857 名 老基层|1093 名 村干部|32 个 党支部|500000 亩 种植面积|700000 吨 产量|
        50 亿元 产值|4 个 示范片|24 个 示范片|13 个 示范片|1 个 示范片|700000 亩 播种面积|
        300000 吨 产量|140000 亩 中药材|3.6 亿元 产值|62800 亩 油茶|80 亿元 旅游总收入|
        474 名 干部|17947 名 党员干部|135273 户 群众|311 名 党组织书记|1837 名 干部|
        4665 名 小组长|17947 名 党员干部|3 个 专家服务团|22 支 服务队|1468 支 志愿服务队|
        400000 人次 走访|1090 次 民情恳谈会|135000 张 联系卡|18000 本 口袋书|135000 张 明白卡|
        27913 亩 土地|192 个 项目|24201 名 种养户|5585 吨 农（副）产品|216 件 矛盾纠纷|
        1655 件 实事""",
    "004": """31 个 行政村|252 个 村民组|38 个 党组织|1260 名 党员|36000 名 群众|2 个 村|
        100 名 后备干部|1 个 党员|10 户 群众|10 个 村|3000 亩 基地|500 户 庭院|31 个 村|
        350 万元 投资|10 万元 投资""",
}


def labelled(number: str) -> list[tuple[Decimal, str, str]]:
    out = []
    for item in LABELS[number].split("|"):
        value, unit, subject = item.split()
        out.append((Decimal(value), unit, subject))
    return out


def recall(number: str) -> tuple[float, list[tuple[Decimal, str, str]]]:
    """Share of the labelled figures found with the same value and unit and a subject naming the
    labelled word (each found figure matches one label at most)."""
    figures = list(extract(clean(seed_text(number)).text))
    missed = []
    for value, unit, subject in labelled(number):
        match = next(
            (f for f in figures if f.value == value and f.unit == unit and subject in f.subject),
            None,
        )
        if match is None:
            missed.append((value, unit, subject))
        else:
            figures.remove(match)
    total = len(labelled(number))
    return (total - len(missed)) / total, missed


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_each_seed_s_labelled_figures_are_found_with_their_unit_and_subject(number):
    found, missed = recall(number)
    assert found >= 0.9, (found, missed)
