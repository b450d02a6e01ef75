"""五好乡镇党委 in a real browser, on the demo county (whose build evaluates its townships on the
illustrative township standard): the county ranks its townships; a township reads its five goods
and their gaps. Screenshots (desktop and phone) go to var/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_county_ranks_townships_and_a_township_reads_its_five_goods(
    browser, live_url, shot, viewport
):
    name = "phone" if viewport is PHONE else "desktop"
    page = login(browser, live_url, "county", viewport)
    page.goto(f"{live_url}/stars/")
    ranking = page.locator("#township-ranking")
    assert "五好乡镇党委 · 各乡镇排名" in ranking.inner_text()
    assert ranking.locator("tbody tr").count() == 3  # the demo county's townships
    assert_fits(page)
    shot(page, f"stars-county-townships-{name}")
    page.context.close()

    page = login(browser, live_url, "township", viewport)
    page.goto(f"{live_url}/stars/")
    goods = page.locator("section[data-good]")
    assert goods.count() == 5
    assert "领导班子好" in goods.first.inner_text()
    corps = page.locator("section[data-good=corps]")
    assert "村党组织书记 45 岁以下的占三成以上" in corps.inner_text()
    assert page.locator("#township-goods [data-goods=met]").inner_text() in {"0", "1", "2"}
    page.locator("#township-goods").scroll_into_view_if_needed()
    assert_fits(page)
    shot(page, f"stars-township-goods-{name}")
    page.context.close()
