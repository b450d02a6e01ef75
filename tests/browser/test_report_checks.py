"""经验材料核数 in a real browser on the demo county: the county admin opens the menu item, pastes
seed 002 (上庄镇, in traditional characters with pinyin annotations) and checks it; the region and
the year are recognised from the text, and the figures stand beside the demo's records — most of
them 有出入 or 平台无数据, since the demo's 上庄镇 is not the seed's. Screenshots (desktop and phone)
go to var/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits
from zhenxing.reports.tests.seeds import seed_text


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_county_checks_seed_002_against_the_demo(browser, live_url, shot, viewport):
    text = seed_text("002")
    name = "phone" if viewport is PHONE else "desktop"
    page = login(browser, live_url, "county", viewport)
    page.goto(f"{live_url}/reports/checks/")
    assert page.locator("nav a[href='/reports/checks/']").count() >= 1  # the menu item
    page.fill("#id_text", text)
    page.click("#check-new button[type=submit]")
    page.wait_for_selector("#check-claims")

    assert page.inner_text("[data-check=region]") == "上庄镇"
    assert page.inner_text("[data-check=period]") == "2023年"
    tally = {
        v: int(page.inner_text(f"[data-tally='{v}']"))
        for v in ("一致", "有出入", "平台无数据", "未核")
    }
    checked = tally["一致"] + tally["有出入"] + tally["平台无数据"]
    assert checked >= 5 and tally["有出入"] + tally["平台无数据"] > tally["一致"], tally
    assert tally["未核"] > 10
    rows = page.locator("#check-claims tbody tr")
    assert rows.count() == checked
    cleaned = page.inner_text("#text-cleaned")
    assert "绩溪县上庄镇党委" in cleaned and "(xiāng)" not in cleaned
    assert "(xiāng)" in page.inner_text("#text-original")
    verdict = page.locator("#check-claims tbody tr .verdict").first.bounding_box()
    assert verdict and verdict["x"] + verdict["width"] <= viewport["width"]  # not scrolled off
    assert_fits(page)
    shot(page, f"report-check-002-{name}")
