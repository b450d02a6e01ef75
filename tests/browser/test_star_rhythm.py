"""创星推进 in a real browser, on the demo county: the village secretary files this week's report
from a phone (the demo leaves this week unfiled for the `village` login); the township sees who
has not filed and the monthly ranking with its movement. Screenshots go to var/screenshots/."""

from __future__ import annotations

from tests.browser.test_region_pages import DESKTOP, PHONE, login
from tests.browser.test_service_pages import assert_fits


def test_a_village_files_its_weekly_report_from_a_phone(browser, live_url, shot):
    page = login(browser, live_url, "village", PHONE)
    page.goto(f"{live_url}/stars/rhythm/")  # the menu item 创星推进
    assert page.locator("[data-state=missing]").inner_text() == "本周未报"
    assert page.locator("#weekly-history article.report").count() >= 3  # the past weeks
    assert_fits(page)
    shot(page, "star-rhythm-village-form-phone")
    page.fill("#id_done", "召开两委会部署创星任务；完成道路硬化测量")
    page.fill("#id_blockers", "产业项目配套资金尚未到位")
    page.locator("#weekly-form input[type=checkbox]").first.check()
    page.click("#weekly-form button[type=submit]")
    page.wait_for_load_state()
    assert "周汇报" in page.locator(".messages").inner_text()
    assert page.locator("[data-state=filed]").is_visible()
    assert "产业项目配套资金尚未到位" in page.locator("#weekly-history").inner_text()
    assert_fits(page)
    shot(page, "star-rhythm-village-filed-phone")
    page.context.close()


def test_the_township_sees_who_has_not_filed_and_the_ranking_with_movement(browser, live_url, shot):
    page = login(browser, live_url, "township", DESKTOP)
    page.goto(f"{live_url}/stars/rhythm/")
    missing = int(page.locator("[data-weekly=missing]").inner_text())
    assert missing > 0 and page.locator("[data-missing]").count() == missing
    assert_fits(page)
    shot(page, "star-rhythm-township-weekly-desktop")
    page.click("nav.tabs >> text=月排序")
    page.wait_for_load_state()
    assert page.locator("[data-ranking=archived]").is_visible()  # last month, taken on the 1st
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 24  # every village of 裴岗镇
    assert rows.first.locator("[data-rank]").inner_text() == "1"
    moves = page.locator("table.ranking [data-move]").all_inner_texts()
    assert any(m.startswith(("↑", "↓")) for m in moves), moves
    assert_fits(page)
    shot(page, "star-rhythm-township-ranking-desktop")
    page.click("nav.tabs >> text=季观摩")
    page.wait_for_load_state()
    assert page.locator("#site-reviews tbody tr").count() == 6
    shot(page, "star-rhythm-township-reviews-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/stars/rhythm/")
    page.click("nav.tabs >> text=月排序")
    page.wait_for_load_state()
    assert_fits(page)
    shot(page, "star-rhythm-township-ranking-phone")
    page.context.close()
