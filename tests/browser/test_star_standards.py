"""The standards pages in a real browser: the county admin reads the shipped standard, starts a new
version from it in the page, and a mistake is shown line by line with the text kept. (Loading a
good version is tested without the browser: it would change the standard the other browser tests
evaluate with.)"""

from __future__ import annotations

import pytest

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits
from zhenxing.demo.plan import current_star_year


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_county_edits_a_standard_and_sees_the_line_at_fault(
    browser, live_url, shot, viewport, today
):
    name = "phone" if viewport is PHONE else "desktop"
    year = current_star_year(today)  # the demo's year under way: the standard in use
    page = login(browser, live_url, "county", viewport)
    page.goto(f"{live_url}/stars/standards/")
    row = page.locator(f"tr[data-standard='henan-village/{year}.1']")
    assert "在用" in row.inner_text()
    assert (
        "在用" not in page.locator(f"tr[data-standard='henan-village/{year - 1}.1']").inner_text()
    )
    with page.expect_navigation():  # count() below does not wait for the page
        row.locator("a").click()
    assert page.locator("[data-star=industry]").count() == 1
    assert "村集体经济经营性收入不少于 20 万元" in page.inner_text("main")
    assert_fits(page)
    shot(page, f"stars-standard-{name}")
    page.get_by_role("link", name="以此为底稿修改").click()
    editor = page.locator("textarea[name=source]")
    text = editor.input_value()
    assert "threshold: 200000" in text
    editor.fill(
        text.replace(f'version: "{year}.1"', f'version: "{year}.9"').replace(
            "threshold: 95\n", "threshold: 150\n", 1
        )
    )
    with page.expect_navigation():
        page.get_by_role("button", name="检查并导入").click()
    errors = page.locator("#standard-errors li")
    assert errors.count() == 1
    assert "0 到 100" in errors.first.inner_text()
    assert "threshold: 150" in page.locator("textarea[name=source]").input_value()
    assert_fits(page)
    shot(page, f"stars-standard-error-{name}")
    page.goto(f"{live_url}/stars/standards/")
    assert page.locator(f"tr[data-standard='henan-village/{year}.9']").count() == 0
    page.context.close()
