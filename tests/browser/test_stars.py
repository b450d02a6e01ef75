"""The star pages in a real browser, on the demo county (whose build loads the illustrative
standard and evaluates every village): the township's ranking with its distribution chart, and a
village's gap list. Screenshots (desktop and phone) go to var/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_township_ranks_its_villages_and_a_village_reads_its_gaps(
    browser, live_url, shot, viewport
):
    name = "phone" if viewport is PHONE else "desktop"
    page = login(browser, live_url, "township", viewport)
    page.goto(f"{live_url}/stars/")  # the menu item 五星支部
    page.wait_for_selector("#chart-stars[data-drawn=true] canvas")
    assert "示意标准，待本地确认" in page.inner_text("main")
    rows = page.locator("#star-ranking tbody tr")
    assert rows.count() == 24  # every village of 裴岗镇
    assert page.locator("[data-stars=villages]").inner_text() == "24"
    assert_fits(page)
    shot(page, f"stars-township-{name}")
    rows.first.locator("a").click()
    assert "创星差距清单" in page.inner_text("h1")
    assert page.locator("section.star").count() == 5
    assert page.locator("[data-indicator=income] [data-threshold]").inner_text() == "≥ 20万元"
    assert_fits(page)
    shot(page, f"stars-village-{name}")
    page.context.close()
