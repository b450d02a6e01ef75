"""系统设置 → 账号管理 in a real browser on the demo county: the township admin opens an account
for a village secretary of its township and disables it. Screenshots (desktop and phone) go to
var/screenshots/."""

from __future__ import annotations

from tests.browser.test_region_pages import DESKTOP, PHONE, login


def test_a_township_admin_opens_and_disables_an_account(browser, live_url, shot):
    page = login(browser, live_url, "township", DESKTOP)
    page.click("nav >> text=系统设置")
    page.wait_for_selector("#accounts")
    assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "账号管理"
    assert "township" in page.locator("#accounts table").inner_text()
    page.fill("#id_username", "browser_shuji")
    page.fill("#id_full_name", "张书记")
    page.select_option("#id_role", "village_secretary")
    village = page.locator("#id_scope_region option", has_text="村").first.get_attribute("value")
    page.select_option("#id_scope_region", village)
    page.fill("#id_password", "山村-Lamp-2026-秋")
    page.click("#account-new button[type=submit]")
    page.wait_for_selector("#account-events")
    assert "创建" in page.locator("#account-events").inner_text()
    page.click("#account form.inline button")
    page.wait_for_selector("#account-events li:nth-child(2)")
    assert "停用" in page.locator("#account-events").inner_text()
    shot(page, "accounts-detail-desktop")
    page.goto(f"{live_url}/settings/accounts/")
    shot(page, "accounts-list-desktop")
    page.context.close()
    phone = login(browser, live_url, "township", PHONE)
    phone.goto(f"{live_url}/settings/accounts/")
    phone.wait_for_selector("#account-new")
    shot(phone, "accounts-list-phone")
    phone.context.close()
