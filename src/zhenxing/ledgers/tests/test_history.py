"""Corrections keep history (the issue's shared test): a red entry and a points entry are edited;
the original and the correction are both there, each with its author, and only the correction
counts now."""

from __future__ import annotations

import datetime as dt

import pytest

from zhenxing.ledgers.models.books import BookEntry, Colour
from zhenxing.ledgers.models.points import PointsEntry
from zhenxing.ledgers.selectors.common import history
from zhenxing.ledgers.services.base import AlreadyCorrected
from zhenxing.ledgers.services.books import book_entry_add, book_entry_correct
from zhenxing.ledgers.services.points import (
    ensure_points_defaults,
    points_entry_add,
    points_entry_correct,
)
from zhenxing.ledgers.tests.people import (
    member_in,
    scope,
)

pytestmark = pytest.mark.django_db


def test_editing_a_red_entry_and_a_points_entry_keeps_both_versions_with_their_authors(
    tree, clock, secretary, township_admin
):
    red = book_entry_add(
        scope=scope(secretary),
        village=tree.village_a1,
        colour=Colour.RED,
        occurred_on=dt.date(2026, 6, 1),
        person="张大妈",
        title="拾金不昧",
        description="在村口拾到钱包交还失主",
        actor=secretary,
    )
    fixed_red = book_entry_correct(
        entry=red, reason="当事人姓名写错", actor=township_admin, person="张秀兰"
    )

    member = member_in(tree.village_a1, "101")
    rule = next(r for r in ensure_points_defaults() if r.name == "志愿服务")
    points = points_entry_add(
        scope=scope(secretary),
        village=tree.village_a1,
        member=member,
        rule=rule,
        occurred_on=dt.date(2026, 6, 2),
        note="参加村里环境整治志愿服务",
        evidence="活动签到表",
        actor=secretary,
    )
    fixed_points = points_entry_correct(
        entry=points, reason="日期登记错误", actor=township_admin, occurred_on=dt.date(2026, 6, 3)
    )

    for model, original, correction in (
        (BookEntry, red, fixed_red),
        (PointsEntry, points, fixed_points),
    ):
        rows = {row.pk: row for row in model.objects.all()}
        assert set(rows) == {original.pk, correction.pk}  # nothing edited in place, nothing lost
        assert rows[original.pk].recorded_by == secretary
        assert rows[correction.pk].recorded_by == township_admin
        assert rows[correction.pk].supersedes_id == original.pk
        assert rows[correction.pk].reason
        assert [e.pk for e in history(rows[original.pk])] == [original.pk, correction.pk]
        assert list(model.objects.counting().values_list("pk", flat=True)) == [correction.pk]

    assert BookEntry.objects.get(pk=red.pk).person == "张大妈"
    assert BookEntry.objects.get(pk=fixed_red.pk).person == "张秀兰"
    assert PointsEntry.objects.get(pk=points.pk).occurred_on == dt.date(2026, 6, 2)
    assert PointsEntry.objects.get(pk=fixed_points.pk).occurred_on == dt.date(2026, 6, 3)


def test_an_entry_can_be_corrected_only_once_the_second_correction_is_told(
    tree, clock, secretary, township_admin
):
    red = book_entry_add(
        scope=scope(secretary),
        village=tree.village_a1,
        colour=Colour.BLUE,
        occurred_on=dt.date(2026, 6, 1),
        title="村两委会议",
        description="研究道路硬化项目",
        actor=secretary,
    )
    book_entry_correct(entry=red, reason="补充内容", actor=secretary, title="村两委扩大会议")
    with pytest.raises(AlreadyCorrected):
        book_entry_correct(entry=red, reason="再改一次", actor=township_admin, title="另一个标题")
    assert BookEntry.objects.count() == 2
