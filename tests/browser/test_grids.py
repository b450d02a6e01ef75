"""Grids in Chromium on the demo county: the grid member logs a visit from a phone (and the
household's page shows it), the village coverage page, the township figures, contact cards.
Screenshots go to var/screenshots/."""

from __future__ import annotations

import os
import re
import time

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits


def test_the_grid_member_logs_a_visit_from_a_phone_and_the_household_page_shows_it(
    browser, live_url, shot
):
    page = login(browser, live_url, "member", PHONE)
    started = time.monotonic()
    page.locator("label.nav-button").click()  # the phone's menu
    page.get_by_role("link", name="走访", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("登记走访")
    # The member's own households come first; today is already filled in.
    first = page.locator("#id_household optgroup").first
    assert first.get_attribute("label") == "我联系的农户"
    value = first.locator("option").first.get_attribute("value")
    assert page.locator("#id_visited_on").input_value()
    shot(page, "grids-visit-form-phone")
    assert_fits(page)
    page.select_option("#id_household", value)
    page.get_by_text("党员联系到户").click()
    page.get_by_text("民情走访到户").click()
    page.fill("#id_notes", "老人腿脚不便，已提醒按时吃药")
    page.fill("#id_requests", "门前排水沟堵塞需要疏通")
    page.select_option("#id_category", label="环境卫生")
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_load_state()
    elapsed = time.monotonic() - started
    assert re.search(r"/grids/households/\d+/$", page.url), page.url
    visit = page.locator("#household-visits .visit").first
    text = visit.inner_text()
    assert "党员联系到户" in text and "民情走访到户" in text
    assert "老人腿脚不便" in text and "门前排水沟堵塞需要疏通" in text
    assert visit.get_by_role("link", name=re.compile("工单")).count() == 1
    assert page.locator("#paired-member").inner_text() != "未联户"
    assert elapsed < 60, elapsed  # "under a minute of clicks" (in fact a few seconds)
    assert_fits(page)
    shot(page, "grids-household-phone")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_village_secretary_sees_coverage_gaps_and_overloads(browser, live_url, shot, viewport):
    page = login(browser, live_url, "village", viewport)
    page.goto(f"{live_url}/grids/")
    page.wait_for_load_state()
    coverage = page.locator('[data-grid="coverage"]').inner_text()
    assert coverage.endswith("%") and 50 < float(coverage[:-1]) < 100, coverage
    assert page.locator("#unpaired tbody tr").count() >= 3
    assert page.locator("#overloaded li").count() >= 1
    page.wait_for_selector("#chart-grid-loads[data-drawn=true] canvas", timeout=15_000)
    assert_fits(page)
    name = "phone" if viewport is PHONE else "desktop"
    shot(page, f"grids-village-{name}")
    page.get_by_role("link", name="自动分配").click()
    page.wait_for_load_state()
    assert page.locator("#proposal").inner_text().count("户") > 0
    shot(page, f"grids-assign-{name}")
    page.goto(page.url.replace("/assign/", "/structure/"))
    assert page.locator("#grid-list tbody tr").count() >= 6
    shot(page, f"grids-structure-{name}")
    page.context.close()


def test_the_township_sees_coverage_per_village_drawn(browser, live_url, shot):
    page = login(browser, live_url, "township", DESKTOP)
    page.goto(f"{live_url}/grids/")
    page.wait_for_selector("#chart-grid-children[data-drawn=true] canvas", timeout=15_000)
    assert page.locator("section.card table tbody tr").count() == 4  # its four 管区
    shot(page, "grids-township-desktop")
    page.context.close()


def test_contact_cards_print_several_to_a_page(browser, live_url):
    page = login(browser, live_url, "village", DESKTOP)
    page.goto(f"{live_url}/grids/")
    page.get_by_role("link", name="联系卡").first.click()
    page.wait_for_load_state()
    cards = page.locator(".contact-card")
    assert cards.count() > 100
    assert "联户党员" in cards.first.inner_text()
    page.emulate_media(media="print")
    # Print layout: two cards a row on A4 (about 21 cm less margins).
    boxes = [cards.nth(i).bounding_box() for i in range(4)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[2]["y"] > boxes[0]["y"], boxes
    db = "pg" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    page.screenshot(path=str(SCREENSHOTS / f"grids-cards-print-{db}.png"))  # the first screenful
    page.context.close()
