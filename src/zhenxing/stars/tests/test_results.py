"""The year's star results: the distribution by township and for the county (from the stars held
under published and final applications), the villages' results, and the Word notice (通报) read
back with python-docx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from zhenxing.regions.models import Region
from zhenxing.stars.models import AppState, Standard, StandardKind
from zhenxing.stars.notice import chinese_number, notice_docx
from zhenxing.stars.selectors import (
    result_distribution,
    result_years,
    results_by_township,
    village_results,
)
from zhenxing.stars.tests.results_factory import add_villages, make_standard, publish

pytestmark = pytest.mark.django_db


# --- distribution ------------------------------------------------------------------------------


def test_the_distribution_counts_held_stars_of_published_and_final_results(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 4)  # 4 stars, final
    publish(
        tree.village_a2, standard, 3, revoked=2, state=AppState.PUBLISHED
    )  # 5 awarded, 2 revoked
    publish(tree.village_b1, standard, 2, state=AppState.APPROVED)  # not yet published: unrated
    publish(tree.township_a, make_standard(kind=StandardKind.TOWNSHIP), 5)  # a township's own

    result = result_distribution(tree.county, 2026)

    assert result.total.counts == {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 0}
    assert result.total.villages == 2
    assert result.total.unrated == 1
    # Over all three villages: the one without a published result holds no star.
    assert result.total.three_or_more == 66.7
    children = {region.name: dist for region, dist in result.children}
    assert list(children) == ["乙镇", "甲镇"]  # by 区划代码 (none here), then by name
    assert children["甲镇"].counts[4] == 1 and children["甲镇"].counts[3] == 1
    assert children["甲镇"].unrated == 0
    assert children["乙镇"].villages == 0 and children["乙镇"].unrated == 1
    assert children["乙镇"].three_or_more is None


def test_a_zero_star_result_counts_as_rated_and_lowers_the_share(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 0)
    publish(tree.village_a2, standard, 3)
    publish(tree.village_b1, standard, 1, revoked=2)

    total = result_distribution(tree.county, 2026).total

    assert total.counts[0] == 1 and total.counts[1] == 1 and total.counts[3] == 1
    assert total.three_or_more == 33.3


def test_a_township_of_24_villages_like_the_seed_reports_83_percent_at_three_stars(tree):
    """Seed 000 (裴岗镇 in the source): 24 villages, one five-star, six four-star, and 83% at three
    stars or more."""
    standard = make_standard()
    township = Region.objects.get(pk=tree.township_b.pk)
    villages = [*add_villages(township, 23, "培"), tree.village_b1]
    for village, held in zip(villages, [5] + [4] * 6 + [3] * 13 + [2] * 4, strict=True):
        publish(village, standard, held)

    result = result_distribution(tree.county, 2026)
    township_b = dict((r.name, d) for r, d in result.children)["乙镇"]

    assert township_b.villages == 24
    assert township_b.counts[5] == 1 and township_b.counts[4] == 6
    assert township_b.at_least(3) == 20
    assert township_b.three_or_more == 83.3
    assert result.total.unrated == 2  # 甲镇's two villages have no result


def test_results_of_another_year_are_apart_and_the_years_are_listed(tree):
    publish(tree.village_a1, make_standard(2025), 2)
    publish(tree.village_a1, make_standard(2026), 4)
    publish(tree.village_b1, Standard.objects.get(year=2026), 1, state=AppState.DRAFT)

    assert result_distribution(tree.county, 2025).total.counts[2] == 1
    assert result_distribution(tree.county, 2026).total.counts[4] == 1
    assert result_years(tree.county) == [2026, 2025]
    assert result_years(Region.objects.get(pk=tree.township_b.pk)) == []


def test_a_township_reads_only_its_own_villages(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 5)
    publish(tree.village_b1, standard, 1)

    township_a = Region.objects.get(pk=tree.township_a.pk)
    result = result_distribution(township_a, 2026)

    assert result.total.villages == 1 and result.total.counts[5] == 1
    assert result.total.unrated == 1  # 西村
    assert [r.village.name for r in village_results(township_a, 2026)] == ["东村"]


@pytest.mark.parametrize("size", [2, 20])
def test_the_distribution_and_the_notice_take_as_many_queries_for_2_as_for_20_villages(tree, size):
    standard = make_standard()
    for township in (tree.township_a, tree.township_b):
        for i, village in enumerate(add_villages(township, size, township.name)):
            publish(village, standard, i % 6)
    county = Region.objects.get(pk=tree.county.pk)

    with CaptureQueriesContext(connection) as queries:
        result = result_distribution(county, 2026)
    assert len(queries) == 3
    assert result.total.villages == 2 * size

    with CaptureQueriesContext(connection) as queries:
        grouped = results_by_township(county, 2026)
    assert len(queries) == 3
    assert sum(len(rs) for _t, rs in grouped) == 2 * size

    with CaptureQueriesContext(connection) as queries:
        notice_docx(
            region=county, year=2026, doc_number="县组通〔2026〕1号", issued_on=dt.date(2026, 12, 1)
        )
    assert len(queries) == 6


def test_village_results_list_the_held_stars_most_stars_first(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 2, revoked=1)
    publish(tree.village_a2, standard, 4, state=AppState.PUBLISHED)

    rows = village_results(Region.objects.get(pk=tree.county.pk), 2026)

    assert [(r.village.name, r.held) for r in rows] == [("西村", 4), ("东村", 2)]
    assert rows[0].star_names == "产业兴旺星、生态宜居星、平安法治星、文明幸福星"
    assert rows[1].star_names == "平安法治星、文明幸福星"  # 生态宜居星 was revoked
    assert not rows[0].is_final and rows[1].is_final


# --- the notice --------------------------------------------------------------------------------


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_notice_lists_each_townships_villages_with_their_stars(tree):
    standard = make_standard()
    publish(tree.village_a1, standard, 5)
    publish(tree.village_a2, standard, 2, state=AppState.PUBLISHED)
    publish(tree.village_b1, standard, 3)

    data = notice_docx(
        region=Region.objects.get(pk=tree.county.pk),
        year=2026,
        doc_number="县组通〔2026〕12号",
        issued_on=dt.date(2026, 12, 1),
    )
    document = Document(io.BytesIO(data))
    texts = _texts(document)

    assert texts[0] == "中共测试县委组织部"
    assert "县组通〔2026〕12号" in texts
    assert "关于2026年度“五星支部”创建结果的通报" in texts
    assert "各乡镇党委：" in texts
    assert any(t.startswith("根据《2026年度村党支部“五星”创建标准》") for t in texts)
    assert (
        "全县共有3个村（社区）党支部参评，其中五星级1个、三星级1个、二星级1个；"
        "三星级及以上2个，占66.7%。"
    ) in texts
    assert "（一）乙镇" in texts and "（二）甲镇" in texts
    assert texts.index("（一）乙镇") < texts.index("（二）甲镇")
    assert texts[-2:] == ["中共测试县委组织部", "2026年12月1日"]

    township_b, township_a = document.tables
    assert _table_rows(township_a) == [
        ["序号", "村（社区）", "星级", "所获星", "备注"],
        ["1", "东村", "五星级", "支部过硬星、产业兴旺星、生态宜居星、平安法治星、文明幸福星", ""],
        ["2", "西村", "二星级", "平安法治星、文明幸福星", "公示中"],
    ]
    assert _table_rows(township_b)[1:] == [
        ["1", "南村", "三星级", "生态宜居星、平安法治星、文明幸福星", ""]
    ]

    section = document.sections[0]
    assert [round(m.mm) for m in (section.page_width, section.page_height)] == [210, 297]
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [28, 26]
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    red = document.paragraphs[0].runs[0].font.color.rgb
    assert red is not None and red[0] > 0xC0 and red[1] == red[2] == 0


def test_the_notice_command_writes_the_file(tree, tmp_path):
    publish(tree.village_b1, make_standard(), 4)
    out = tmp_path / "notice.docx"

    call_command("stars_notice", year=2026, number="7", out=str(out), date="2026-12-01")

    texts = _texts(Document(str(out)))
    assert "县组通〔2026〕7号" in texts and "（一）乙镇" in texts


def test_chinese_section_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 12, 20, 35)] == [
        "一",
        "九",
        "十",
        "十二",
        "二十",
        "三十五",
    ]


def test_the_notice_sentence_counts_branches_without_a_result_in_the_share():
    from zhenxing.stars.notice import distribution_sentence
    from zhenxing.stars.selectors.results import Distribution

    dist = Distribution(counts={0: 0, 1: 0, 2: 3, 3: 13, 4: 6, 5: 1}, unrated=1)
    assert distribution_sentence(dist, whole="全镇") == (
        "全镇共有24个村（社区）党支部，23个已公布创建结果，其中五星级1个、四星级6个、三星级13个、"
        "二星级3个；1个尚未公布结果。三星级及以上20个，占全部党支部的83.3%。"
    )
    dist.unrated = 0
    assert distribution_sentence(dist, whole="全镇").startswith("全镇共有23个村（社区）党支部参评")


def test_the_notice_counts_a_townships_branches_without_a_result(tree):
    publish(tree.village_a1, make_standard(), 4)  # 甲镇's other village has none yet
    data = notice_docx(
        region=Region.objects.get(pk=tree.county.pk),
        year=2026,
        doc_number="县组通〔2026〕12号",
        issued_on=dt.date(2026, 12, 1),
    )
    texts = _texts(Document(io.BytesIO(data)))
    township = next(t for t in texts if t.startswith("甲镇共有"))
    assert township == (
        "甲镇共有2个村（社区）党支部，1个已公布创建结果，其中四星级1个；1个尚未公布结果。"
        "三星级及以上1个，占全部党支部的50%。"
    )
