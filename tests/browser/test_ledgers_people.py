"""Ledgers 1–3 in a real browser, on the demo county: the village secretary adds an entry to each
ledger, corrects it, sees both versions in the history, and downloads the Excel export (opened
with openpyxl). Screenshots (desktop and phone) go to var/screenshots/."""

from __future__ import annotations

import io

import openpyxl
import pytest
from PIL import Image

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits


def _village(page, live_url: str) -> tuple[int, str]:
    """The village secretary's village, and one household number in it (through the API)."""
    villages = page.request.get(f"{live_url}/api/v1/regions?level=village").json()["items"]
    village = villages[0]["id"]
    households = page.request.get(f"{live_url}/api/v1/regions/{village}/households").json()
    return village, households["items"][0]["number"]


def _download(page, link_name: str) -> openpyxl.Workbook:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).first.click()
    with open(download.value.path(), "rb") as f:
        return openpyxl.load_workbook(io.BytesIO(f.read()))


def _photo(tmp_path) -> str:
    path = tmp_path / "deed.jpg"
    Image.new("RGB", (320, 240), (210, 60, 40)).save(path, "JPEG")
    return str(path)


def _correct(page, reason: str):
    page.locator("summary", has_text="更正").first.click()
    form = page.locator("form:has(input[name=action][value=correct])")
    form.locator("input[name=reason]").fill(reason)
    return form


def test_the_three_colour_book_add_correct_history_export(browser, live_url, shot, tmp_path, today):
    page = login(browser, live_url, "village", DESKTOP)
    page.get_by_role("link", name="村级台账").first.click()
    page.wait_for_load_state()
    assert page.locator("[data-ledger]").count() >= 3
    assert_fits(page)
    shot(page, "ledgers-index-desktop")
    page.locator("[data-ledger=ledgers_books] h2 a").click()
    page.wait_for_load_state()
    _village_id, number = _village(page, live_url)
    add = page.locator("#add form")
    add.locator("input[name=colour][value=red]").check()
    add.locator("input[name=occurred_on]").fill(today.isoformat())
    add.locator("input[name=household]").fill(number)
    add.locator("input[name=title]").fill("浏览器测试：义务清扫")
    add.locator("textarea[name=description]").fill("连续一周义务清扫村内主干道，群众称赞")
    add.locator("input[name=photos]").set_input_files(_photo(tmp_path))
    add.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "浏览器测试：义务清扫" in page.locator("h1").inner_text()
    assert page.locator(".photos img").count() == 1
    form = _correct(page, "补充持续时间")
    form.locator("input[name=title]").fill("浏览器测试：义务清扫一周")
    form.get_by_role("button", name="保存更正").click()
    page.wait_for_load_state()
    assert "义务清扫一周" in page.locator("h1").inner_text()
    history = page.locator("#history .timeline li")
    assert history.count() == 2
    assert (
        "原始记录" in history.nth(0).inner_text() and "补充持续时间" in history.nth(1).inner_text()
    )
    assert page.locator(".photos img").count() == 1  # the correction keeps the photo
    assert_fits(page)
    shot(page, "ledgers-book-entry-desktop")
    page.goto(f"{live_url}/ledgers/books/?period={today.year - 1}")  # a whole year of data
    assert_fits(page)
    shot(page, "ledgers-books-desktop")
    ws = _download(page, "导出Excel").active
    assert ws["A1"].value.endswith("三色治理台账") and ws["A3"].value == "序号"
    assert ws.max_row > 4
    page.context.close()


def test_household_ratings_add_correct_rank_export(browser, live_url, shot, today):
    page = login(browser, live_url, "village", DESKTOP)
    page.goto(f"{live_url}/ledgers/ratings/")
    _village_id, number = _village(page, live_url)
    add = page.locator("#add form")
    add.locator("input[name=household]").fill(number)
    items = add.locator("input[name^=item_]")
    for i in range(items.count()):
        items.nth(i).fill("15")
    add.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "60 / 100" in page.locator(".facts").first.inner_text()
    form = _correct(page, "复核后调整")
    form.locator("input[name^=item_]").first.fill("29")
    form.get_by_role("button", name="保存更正").click()
    page.wait_for_load_state()
    assert "74 / 100" in page.locator(".facts").first.inner_text()
    assert page.locator("#history .timeline li").count() == 2
    shot(page, "ledgers-rating-desktop")
    page.goto(f"{live_url}/ledgers/ratings/rankings/?period={today.year - 1}")
    assert page.locator("#groups tbody tr").count() >= 1
    assert_fits(page)
    shot(page, "ledgers-rating-rankings-desktop")
    page.goto(f"{live_url}/ledgers/ratings/?period={today.year - 1}")
    ws = _download(page, "导出Excel").active
    assert ws["A1"].value.endswith("农户评比台账") and ws.max_row > 4
    page.context.close()


def test_member_points_and_pledges(browser, live_url, shot, today):
    page = login(browser, live_url, "village", DESKTOP)
    page.goto(f"{live_url}/ledgers/points/")
    add = page.locator("#add form")
    add.locator("select[name=member]").select_option(index=1)
    add.locator("select[name=rule]").select_option(label="参加三会一课（+2，每年封顶24）")
    add.locator("input[name=note]").fill("参加支部党员大会")
    add.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    text = page.locator(".facts").first.inner_text()
    assert "+2" in text or "封顶" in page.content(), text
    form = _correct(page, "记错项目")
    form.locator("select[name=rule]").select_option(label="参加主题党日（+2，每年封顶24）")
    form.get_by_role("button", name="保存更正").click()
    page.wait_for_load_state()
    assert "参加主题党日" in page.locator(".facts").first.inner_text()
    assert page.locator("#history .timeline li").count() == 2
    shot(page, "ledgers-points-entry-desktop")
    page.goto(f"{live_url}/ledgers/points/balances/?period={today.year - 1}")
    assert page.locator("#ranking tbody tr").count() >= 5
    assert_fits(page)
    shot(page, "ledgers-points-balances-desktop")
    book = _download(page, "导出Excel")
    assert book.sheetnames == ["积分明细", "积分排名", "承诺践诺"]
    page.goto(f"{live_url}/ledgers/pledges/?period={today.year - 1}")
    assert page.locator("#rows tbody tr").count() >= 1
    shot(page, "ledgers-pledges-desktop")
    page.context.close()


@pytest.mark.parametrize("username", ["village", "township"])
def test_the_ledger_pages_fit_a_phone(browser, live_url, shot, username, today):
    page = login(browser, live_url, username, PHONE)
    for path, name in (
        ("/ledgers/", "index"),
        (f"/ledgers/books/?period={today.year - 1}", "books"),
        (f"/ledgers/points/balances/?period={today.year - 1}", "balances"),
    ):
        page.goto(f"{live_url}{path}")
        assert_fits(page)
        shot(page, f"ledgers-{name}-{username}-phone")
    village_id, _number = _village(page, live_url)
    page.goto(f"{live_url}/s/{village_id}/board/")
    assert page.locator("#board-red li").count() >= 1
    assert_fits(page)
    shot(page, f"ledgers-board-{username}-phone")
    page.context.close()
