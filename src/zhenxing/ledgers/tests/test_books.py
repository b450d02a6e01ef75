"""三色账: recording, bad input, 黄账, the public board, metrics against direct SQL, pages, export
and the API twin."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhenxing.accounts.models import Role
from zhenxing.conftest import add_household
from zhenxing.core.periods import Period
from zhenxing.ledgers.models.books import BookEntry, Colour, LedgerPhoto
from zhenxing.ledgers.selectors import books as selectors
from zhenxing.ledgers.services.books import (
    book_entry_add,
    book_entry_correct,
    book_entry_mark_corrected,
    book_entry_void,
)
from zhenxing.ledgers.tests.people import (
    TODAY,
    current,
    jpeg,
    many_villages,
    scope,
    sql,
    table,
    user,
)
from zhenxing.regions.models import Region

pytestmark = pytest.mark.django_db


def add(actor, village, colour=Colour.RED, day=dt.date(2026, 6, 1), **kw):
    kw.setdefault("person", "张秀兰" if colour != Colour.BLUE else "")
    return book_entry_add(
        scope=scope(actor),
        village=village,
        colour=colour,
        occurred_on=day,
        title=kw.pop("title", "拾金不昧"),
        description=kw.pop("description", "在村口拾到钱包交还失主"),
        actor=actor,
        **kw,
    )


# --- services ---------------------------------------------------------------------------------


def test_an_entry_goes_on_the_board_after_the_publish_delay(tree, clock, secretary, settings):
    settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS = 3
    entry = add(secretary, tree.village_a1)
    assert entry.publish_on == TODAY + dt.timedelta(days=3)
    assert list(selectors.board_entries(tree.village_a1)) == []
    clock.shift(dt.timedelta(days=3))
    assert list(selectors.board_entries(tree.village_a1)) == [entry]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"day": dt.date(2026, 6, 16)}, "occurred_on", "不能晚于今天"),
        ({"colour": Colour.BLACK, "person": ""}, "household", "须写明农户或当事人"),
        ({"colour": "green"}, "colour", "请选择红账"),
        ({"title": ""}, "title", "请填写事项"),
        ({"description": "短"}, "description", "经过"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    tree, clock, secretary, changes, field, words
):
    kw = dict(changes)
    with pytest.raises(ValidationError) as refused:
        add(
            secretary,
            tree.village_a1,
            colour=kw.pop("colour", Colour.RED),
            day=kw.pop("day", dt.date(2026, 6, 1)),
            **kw,
        )
    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert not BookEntry.objects.exists()


def test_a_household_of_another_village_or_a_village_out_of_scope_is_refused(
    tree, clock, secretary
):
    elsewhere = add_household(tree.village_a2, "A2-1")
    with pytest.raises(ValidationError, match="不属于东村"):
        add(secretary, tree.village_a1, household=elsewhere)
    with pytest.raises(PermissionDenied):
        add(secretary, tree.village_b1)
    viewer = user("viewer_a1", Role.VIEWER, tree.village_a1)
    with pytest.raises(PermissionDenied, match="只能查看"):
        add(viewer, tree.village_a1)
    assert not BookEntry.objects.exists()


def test_a_black_entry_marked_corrected_leaves_the_board_and_the_history_says_who(
    tree, clock, secretary, township_admin, settings
):
    settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS = 0
    black = add(secretary, tree.village_a1, Colour.BLACK, title="乱堆乱放")
    assert list(selectors.board_entries(tree.village_a1)) == [black]
    with pytest.raises(ValidationError, match="不能晚于今天"):
        book_entry_mark_corrected(
            entry=black, corrected_on=TODAY + dt.timedelta(days=1), reason="已清理", actor=secretary
        )
    yellow = book_entry_mark_corrected(
        entry=black, corrected_on=TODAY, reason="已清理干净，经小组核实", actor=township_admin
    )
    assert yellow.is_yellow and yellow.supersedes_id == black.pk
    assert list(selectors.board_entries(tree.village_a1)) == []
    assert BookEntry.objects.get(pk=black.pk).corrected_on is None  # the original is untouched
    red = add(secretary, tree.village_a1)
    with pytest.raises(ValidationError, match="只有黑账"):
        book_entry_mark_corrected(entry=red, corrected_on=TODAY, reason="x", actor=secretary)
    book_entry_void(entry=red, reason="重复登记", actor=secretary)
    assert list(selectors.board_entries(tree.village_a1)) == []


def test_a_correction_needs_a_reason(tree, clock, secretary):
    entry = add(secretary, tree.village_a1)
    with pytest.raises(ValidationError, match="请填写更正原因"):
        book_entry_correct(entry=entry, reason=" ", actor=secretary, title="新标题")
    assert BookEntry.objects.count() == 1


def test_photos_are_re_encoded_and_kept_by_a_correction(tree, clock, secretary):
    entry = add(secretary, tree.village_a1, photos=[jpeg()])
    assert entry.photos.count() == 1
    new = book_entry_correct(
        entry=entry, reason="补充说明", actor=secretary, title="拾金不昧（补）"
    )
    assert list(new.photos.all()) == list(entry.photos.all())
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="不是可识别的图片"):
        add(secretary, tree.village_a1, photos=[SimpleUploadedFile("x.jpg", b"not an image")])
    assert LedgerPhoto.objects.count() == 1


# --- metrics ----------------------------------------------------------------------------------


def _direct(colour: str, period: Period, open_only: bool = False) -> dict:
    t = table(BookEntry)
    if open_only:
        where = "b.occurred_on <= %s AND (b.corrected_on IS NULL OR b.corrected_on > %s)"
        params = [period.end, period.end]
    else:
        where = "b.occurred_on BETWEEN %s AND %s"
        params = [period.start, period.end]
    return sql(
        f"SELECT b.village_id, COUNT(*) FROM {t} b WHERE b.colour = %s AND {where} "  # noqa: S608
        f"AND {current('b', BookEntry)} GROUP BY b.village_id",
        [colour, *params, False],
    )


def _fill(villages, actor, township_admin):
    for i, v in enumerate(villages):
        for k in range(i % 3 + 1):
            add(actor, v, Colour.RED, day=dt.date(2026, 1 + k, 2))
        b = add(actor, v, Colour.BLACK, day=dt.date(2025, 12, 20 + i % 5))
        if i % 2:
            book_entry_mark_corrected(
                entry=b, corrected_on=dt.date(2026, 3, 1), reason="已改正", actor=actor
            )
        if i % 4 == 0:
            book_entry_void(entry=add(actor, v, Colour.RED), reason="重复", actor=township_admin)
        add(actor, v, Colour.BLUE, day=dt.date(2026, 5, 1), person="")


@pytest.mark.parametrize("n", [2, 200])
def test_book_metrics_equal_a_direct_sql_count_in_one_query(
    tree, clock, township_admin, django_assert_num_queries, n
):
    villages = many_villages(tree.township_a, n)
    _fill(villages[: min(n, 12)], township_admin, township_admin)
    qs = Region.objects.filter(pk__in=[v.pk for v in villages])
    for period in (Period.parse("2026"), Period.parse("2026Q1"), Period.parse("2025-12")):
        with django_assert_num_queries(1):
            red = selectors.red_entries(qs, period)
        assert red == _direct(Colour.RED, period)
        with django_assert_num_queries(1):
            black_open = selectors.black_entries_open(qs, period)
        assert black_open == _direct(Colour.BLACK, period, open_only=True)
        assert selectors.blue_entries(qs, period) == _direct(Colour.BLUE, period)
    assert sum(selectors.red_entries(qs, Period.parse("2026")).values()) > 0
    assert sum(selectors.black_entries_open(qs, Period.parse("2026")).values()) > 0


# --- pages ------------------------------------------------------------------------------------


def test_the_chronicler_adds_and_corrects_an_entry_from_the_pages(client, tree, clock, secretary):
    client.force_login(secretary)
    household = add_household(tree.village_a1, "A1-7")
    response = client.post(
        "/ledgers/books/",
        {
            "village": tree.village_a1.pk,
            "colour": "red",
            "occurred_on": "2026-06-10",
            "household": "A1-7",
            "title": "助人为乐",
            "description": "帮助独居老人抢收小麦",
            "photos": [jpeg()],
        },
    )
    entry = BookEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledgers/books/{entry.pk}/"
    assert entry.household == household and entry.photos.count() == 1
    page = client.get(f"/ledgers/books/{entry.pk}/").content.decode()
    assert "助人为乐" in page and "原始记录" in page and "李书记" in page
    response = client.post(
        f"/ledgers/books/{entry.pk}/",
        {
            "action": "correct",
            "colour": "red",
            "occurred_on": "2026-06-09",
            "household": "A1-7",
            "title": "助人为乐",
            "description": "帮助独居老人抢收小麦三亩",
            "reason": "亩数补充",
        },
    )
    new = BookEntry.objects.get(supersedes=entry)
    assert response["Location"] == f"/ledgers/books/{new.pk}/"
    page = client.get(f"/ledgers/books/{new.pk}/").content.decode()
    assert "亩数补充" in page and "更正" in page and "三亩" in page
    listing = client.get("/ledgers/books/?period=2026").content.decode()
    assert "已更正" in listing and f"/ledgers/books/{entry.pk}/" not in listing


def test_the_add_form_refuses_a_future_date_and_an_unknown_household(
    client, tree, clock, secretary
):
    client.force_login(secretary)
    response = client.post(
        "/ledgers/books/",
        {
            "village": tree.village_a1.pk,
            "colour": "black",
            "occurred_on": "2026-07-01",
            "household": "",
            "title": "乱堆乱放",
            "description": "柴草堆在路边未清理",
        },
    )
    assert "不能晚于今天" in response.content.decode()
    response = client.post(
        "/ledgers/books/",
        {
            "village": tree.village_a1.pk,
            "colour": "black",
            "occurred_on": "2026-06-01",
            "household": "999",
            "title": "乱堆乱放",
            "description": "柴草堆在路边未清理",
        },
    )
    assert "东村没有户号为“999”的农户" in response.content.decode()
    assert not BookEntry.objects.exists()


def test_pages_of_another_township_answer_404(client, tree, clock, secretary, outsider):
    entry = add(secretary, tree.village_a1, photos=[jpeg()])
    client.force_login(outsider)
    assert client.get(f"/ledgers/books/{entry.pk}/").status_code == 404
    assert client.get(f"/ledgers/photos/{entry.photos.get().pk}/").status_code == 404
    assert "东村" not in client.get("/ledgers/books/").content.decode()


def test_the_export_opens_with_a_title_a_header_and_real_dates(client, tree, clock, secretary):
    add(secretary, tree.village_a1, day=dt.date(2026, 3, 5), title="孝老爱亲")
    client.force_login(secretary)
    response = client.get(f"/ledgers/books/export/?period=2026&village={tree.village_a1.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = book.active
    assert ws["A1"].value == "东村三色治理台账"
    assert ws["A3"].value == "序号" and ws["D3"].value == "发生日期"
    assert ws["D4"].value == dt.datetime(2026, 3, 5) and ws["F4"].value == "孝老爱亲"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.freeze_panes == "A4"


def test_the_public_board_needs_no_login_and_masks_black_names(
    client, tree, clock, secretary, township_admin, settings
):
    settings.LEDGERS_BOOK_PUBLISH_DELAY_DAYS = 0
    add(secretary, tree.village_a1, Colour.RED, person="张秀兰", title="孝老爱亲")
    add(
        secretary, tree.village_a1, Colour.BLACK, person="王大军", title="私搭乱建", photos=[jpeg()]
    )
    add(township_admin, tree.village_a2, Colour.RED, person="别村人", title="别村的事")
    page = client.get(f"/s/{tree.village_a1.pk}/board/").content.decode()
    assert "张秀兰" in page and "孝老爱亲" in page
    assert "私搭乱建" in page and "王某某" in page and "王大军" not in page
    assert "别村的事" not in page
    photo = LedgerPhoto.objects.get()
    assert client.get(f"/s/{tree.village_a1.pk}/board/photos/{photo.pk}/").status_code == 200
    assert client.get(f"/s/{tree.village_a2.pk}/board/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/s/{tree.township_a.pk}/board/").status_code == 404


# --- API --------------------------------------------------------------------------------------


def test_the_api_twin_adds_corrects_and_keeps_history(client, tree, clock, secretary, outsider):
    client.force_login(secretary)
    response = client.post(
        "/api/v1/ledgers/books",
        json.dumps(
            {
                "village_id": tree.village_a1.pk,
                "colour": "blue",
                "occurred_on": "2026-06-01",
                "title": "道路硬化",
                "description": "村内主干道硬化工程开工",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    entry_id = response.json()["id"]
    response = client.post(
        f"/api/v1/ledgers/books/{entry_id}/correct",
        json.dumps({"reason": "日期有误", "occurred_on": "2026-06-02"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["occurred_on"] == "2026-06-02"
    assert [h["id"] for h in body["history"]] == [entry_id, body["id"]]
    response = client.post(
        f"/api/v1/ledgers/books/{entry_id}/correct",
        json.dumps({"reason": "再改", "title": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 409
    response = client.post(
        "/api/v1/ledgers/books",
        json.dumps(
            {
                "village_id": tree.village_a1.pk,
                "colour": "red",
                "occurred_on": "2027-01-01",
                "title": "拾金不昧",
                "description": "在村口拾到钱包交还失主",
                "person": "张三",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "occurred_on"
    client.force_login(outsider)
    for url in (
        f"/api/v1/ledgers/books/{entry_id}",
        f"/api/v1/ledgers/books/{entry_id}/correct",
        f"/api/v1/ledgers/books/{entry_id}/mark-corrected",
        f"/api/v1/ledgers/books/{entry_id}/void",
    ):
        method = client.get if url.endswith(str(entry_id)) else client.post
        kw = (
            {}
            if method == client.get
            else {
                "data": json.dumps({"reason": "x", "corrected_on": "2026-06-01"}),
                "content_type": "application/json",
            }
        )
        assert method(url, **kw).status_code == 404, url
    metrics = client.get("/api/v1/ledgers/books/metrics?period=2026").json()
    assert all(row["village_id"] == tree.village_b1.pk for row in metrics)
