"""Service figures on the township page and the 民情碰头会 form, drawn by Chromium on the demo
county (which carries six months of orders). Screenshots go to var/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.test_region_pages import DESKTOP, PHONE, login


def assert_fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is wider than the screen by {overflow}px"


def assert_drawn(page, chart_id: str) -> None:
    page.wait_for_selector(f"#{chart_id}[data-drawn=true] canvas", timeout=15_000)
    box = page.locator(f"#{chart_id} canvas").first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150, (chart_id, box)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_township_page_shows_the_service_figures_and_charts(browser, live_url, shot, viewport):
    page = login(browser, live_url, "township", viewport)
    figures = page.locator("#service-figures")
    figures.wait_for()
    received = page.locator('[data-service="received"]').inner_text()
    assert received.endswith("件") and int(received[:-1].replace(",", "")) > 0, received
    assert page.locator('[data-service="response_rate"]').inner_text().endswith("%")
    for chart in ("chart-children", "chart-levels", "chart-trend"):
        assert_drawn(page, chart)
    assert_fits(page)
    name = "phone" if viewport is PHONE else "desktop"
    figures.screenshot(
        path=str(
            shot(page, f"township-figures-{name}").with_name(f"township-figures-{name}-section.png")
        )
    )
    # Another period: this month's figures, still drawn.
    page.get_by_role("link", name="本月").click()
    page.wait_for_load_state()
    assert "period=" in page.url
    assert page.locator('#service-figures .tabs a[aria-current="true"]').inner_text() == "本月"
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_village_secretary_opens_the_meeting_form(browser, live_url, shot, viewport):
    page = login(browser, live_url, "village", viewport)
    page.goto(f"{live_url}/orders/meetings/")
    assert page.locator("[data-cutoff=village]").inner_text().startswith("20")
    page.get_by_role("link", name="会商").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("记录民情碰头会")
    assert page.locator("input[type=date][name=held_on]").input_value()
    assert_fits(page)
    name = "phone" if viewport is PHONE else "desktop"
    shot(page, f"meeting-form-{name}")
    page.context.close()


def test_the_meetings_list(browser, live_url, shot):
    page = login(browser, live_url, "township", DESKTOP)
    page.goto(f"{live_url}/orders/meetings/")
    assert page.locator("[data-cutoff=township]").count() == 1
    assert_fits(page)
    shot(page, "meetings-desktop")
    page.locator("#meetings tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("#items tbody tr").count() >= 1
    assert_fits(page)
    shot(page, "meeting-detail-desktop")
    page.context.close()


def test_the_county_settings_pages(browser, live_url, shot):
    page = login(browser, live_url, "county", DESKTOP)
    page.get_by_role("link", name="系统设置").click()
    page.wait_for_load_state()
    assert page.locator("table.edit tbody tr").count() >= 9  # the default categories
    assert_fits(page)
    shot(page, "settings-categories-desktop")
    page.goto(f"{live_url}/settings/calendar/")
    assert "年的法定节假日尚未录入" in page.locator("#next-year-warning").inner_text()
    shot(page, "settings-calendar-desktop")
    page.goto(f"{live_url}/settings/teams/?edit=new")
    page.fill("input[name=q]", "王")
    page.wait_for_selector("#candidates label.chip", timeout=10_000)
    page.locator("#candidates label.chip input").first.check()
    assert page.locator(".picked label.chip").count() == 1  # the ticked one joined the chosen
    assert_fits(page)
    shot(page, "settings-teams-desktop")
    page.context.close()
    phone = login(browser, live_url, "county", PHONE)
    phone.goto(f"{live_url}/settings/categories/")
    assert_fits(phone)
    shot(phone, "settings-categories-phone")
    phone.context.close()
