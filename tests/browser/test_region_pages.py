"""Log in as the township admin of the demo county, open a village page, see the charts drawn."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "zhenxing-demo"


def login(browser, live_url: str, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def open_first_village(page) -> None:
    """From the township page, follow the children table down to the first village."""
    for _ in range(3):
        rows = page.locator("section.card table tbody tr")
        if rows.count() == 0:
            break
        level = rows.first.locator("td").nth(1).inner_text()
        rows.first.locator("a").first.click()
        page.wait_for_load_state()
        if level in {"村", "社区"}:
            return
    pytest.fail("no village reachable from the township page")


def assert_chart_drawn(page) -> None:
    page.wait_for_selector("#chart-age[data-drawn=true] canvas", timeout=15_000)
    page.wait_for_selector("#chart-education[data-drawn=true] canvas", timeout=15_000)
    box = page.locator("#chart-age canvas").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_township_admin_opens_a_village_and_sees_the_cadre_chart(browser, live_url, shot, viewport):
    page = login(browser, live_url, "township", viewport)
    heading = page.locator("h1").inner_text()
    assert "镇" in heading, heading
    assert page.locator(".stat b").first.inner_text().replace(",", "").isdigit()
    open_first_village(page)
    assert page.locator(".crumbs").inner_text().count("›") >= 1
    assert_chart_drawn(page)
    assert float(page.locator('[data-figure="average_age"]').inner_text()) > 20
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is wider than the screen by {overflow}px"
    shot(page, f"village-{'phone' if viewport is PHONE else 'desktop'}")
    page.context.close()


def test_the_phone_menu_opens(browser, live_url, shot):
    page = login(browser, live_url, "township", PHONE)
    assert not page.locator("nav.nav").is_visible()
    page.click("label.nav-button")
    assert page.locator("nav.nav").is_visible()
    assert page.get_by_role("link", name="区域概览").is_visible()
    shot(page, "menu-phone")
    page.context.close()


def test_another_township_is_not_found(browser, live_url):
    county = login(browser, live_url, "county", DESKTOP)
    links = county.locator("section.card table tbody tr a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    county.context.close()
    assert len(hrefs) >= 3
    page = login(browser, live_url, "township", DESKTOP)
    statuses = [page.goto(f"{live_url}{href}").status for href in hrefs]
    assert statuses.count(200) == 1, statuses  # only township A itself
    assert statuses.count(404) == len(hrefs) - 1
    page.context.close()
