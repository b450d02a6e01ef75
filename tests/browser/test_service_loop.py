"""The service loop on a phone: a villager's request from 东王庄村's public form lands in the village
secretary's 待办, who dispatches it to the Party member behind the `member` account; the member
takes it (接单) and resolves it with a photo. Screenshots of each step go to var/screenshots/."""

from __future__ import annotations

import io
import secrets
import subprocess

import pytest
from PIL import Image

from tests.browser.conftest import BIN

PHONE = {"width": 390, "height": 844}
PASSWORD = "zhenxing-demo"
VILLAGE = "东王庄村"

FIND_IDS = f"""
from zhenxing.accounts.models import User
from zhenxing.regions.models import Region
village = Region.objects.get(name={VILLAGE!r}, level="village")
member = User.objects.select_related("person__membership").get(username="member")
membership = getattr(member.person, "membership", None) if member.person else None
home = village.households.order_by("number").last()
print(village.pk, membership.pk if membership else 0, home.pk, home.number)
"""
DESKTOP = {"width": 1280, "height": 900}


def zhenxing_shell(server_env: dict[str, str], code: str) -> str:
    out = subprocess.run(
        [BIN / "zhenxing", "shell", "-c", code],
        env=server_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def ids(live_url, server_env) -> tuple[int, int, int, str]:
    """东王庄村's id, the Party membership of the `member` account (0: not linked), and one of
    the village's households (id, number)."""
    village_id, member_id, household_id, number = zhenxing_shell(server_env, FIND_IDS).split()
    return int(village_id), int(member_id), int(household_id), number


def login(browser, live_url: str, username: str, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or PHONE, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is wider than the screen by {overflow}px"


def open_todo(page, tab: str) -> None:
    """Through the phone menu: 菜单 → 待办, then the tab."""
    page.click("label.nav-button")
    page.locator("nav.nav a", has_text="待办").click()
    page.wait_for_load_state()
    page.click(f'.tabs a[data-tab="{tab}"]')
    page.wait_for_load_state()


def open_order(page, code: str) -> None:
    """Follow the list's pages until the order's row shows, then open it."""
    for _ in range(30):
        row = page.locator(f'a.orow[data-order="{code}"]')
        if row.count():
            row.click()
            page.wait_for_load_state()
            return
        following = page.locator(".pager a", has_text="下一页")
        if not following.count():
            break
        following.click()
        page.wait_for_selector(".pager")
    pytest.fail(f"order {code} is not in the list")


def message(page) -> str:
    return page.locator(".messages").inner_text()


def photo(tmp_path) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (60, 120, 180)).save(buf, "JPEG")
    path = tmp_path / "done.jpg"
    path.write_bytes(buf.getvalue())
    return str(path)


def submit_publicly(browser, live_url: str, village_id: int, description: str) -> str:
    """A villager's request through the village's public form; returns its tracking code."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_url}/s/{village_id}/")
    value = page.locator("#id_category option", has_text="环境卫生").get_attribute("value")
    page.select_option("#id_category", value=value)
    page.fill("#id_description", description)
    page.fill("#id_name", "赵桂芳")
    page.fill("#id_phone", "13700001111")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    code = page.locator(".pub-code .code").inner_text().strip()
    context.close()
    return code


def test_a_request_is_dispatched_taken_and_resolved_on_phones(
    browser, live_url, ids, shot, tmp_path
):
    village_id, member_id, _household, _number = ids
    assert member_id, "the demo should link the `member` account to a Party member"
    description = f"村西头排水沟堵了，下雨就漫到路上（{secrets.token_hex(3)}）"
    code = submit_publicly(browser, live_url, village_id, description)

    # The village secretary: 待办 → 待派单 → the order → 派单 to the member.
    page = login(browser, live_url, "village")
    assert page.locator("label.nav-button .badge").count() == 1  # something is waiting
    open_todo(page, "dispatch")
    assert page.locator('.tabs a[aria-current="page"]').get_attribute("data-tab") == "dispatch"
    assert_fits_the_screen(page)
    shot(page, "orders-todo-village-phone")
    open_order(page, code)
    assert page.locator("#order-status").inner_text() == "待派单"
    assert VILLAGE in page.locator(".facts").inner_text()
    assert "13700001111" in page.locator(".facts").inner_text()  # a secretary sees the phone
    assert page.locator("#action-dispatch").get_attribute("open") is not None
    assert_fits_the_screen(page)
    shot(page, "order-dispatch-village-phone")
    page.select_option("#id_assignee", value=f"m:{member_id}")
    page.locator("#action-dispatch button[type=submit]").click()
    page.wait_for_load_state()
    assert "已派单给" in message(page)
    assert page.locator("#order-status").inner_text() == "待接单"
    member_name = page.locator("#order-assignee").inner_text().strip()
    assert "派单" in page.locator("#timeline").inner_text()
    assert_fits_the_screen(page)
    shot(page, "order-dispatched-village-phone")
    page.context.close()

    # The member: 待办 → 待接单 → 接单 → 办结 with a photo.
    page = login(browser, live_url, "member")
    assert member_name in page.locator(".who").inner_text()
    open_todo(page, "take")
    assert_fits_the_screen(page)
    shot(page, "orders-todo-member-phone")
    open_order(page, code)
    # The member it was sent to reads the phone in full, to call the villager back.
    assert page.locator(".facts a[href='tel:13700001111']").count() == 1
    page.locator("form.accept button").click()
    page.wait_for_load_state()
    assert "已接单" in message(page)
    assert page.locator("#order-status").inner_text() == "办理中"
    assert page.locator("#action-resolve").get_attribute("open") is not None
    assert_fits_the_screen(page)
    shot(page, "order-accepted-member-phone")

    page.locator("#action-resolve button[type=submit]").click()  # nothing written yet
    page.wait_for_load_state()
    assert page.locator("#order-status").inner_text() == "办理中"
    page.fill("#id_resolution", "已组织党员志愿者清淤，排水沟已疏通")
    page.set_input_files("#id_photos", photo(tmp_path))
    page.locator("#action-resolve button[type=submit]").click()
    page.wait_for_load_state()
    assert "已办结" in message(page)
    assert page.locator("#order-status").inner_text() == "已办结待评价"
    assert "排水沟已疏通" in page.locator("#resolution").inner_text()
    assert page.locator("#resolution .photos img").count() == 1
    # The photo loads lazily: scroll it into view and wait until it has loaded.
    photo_img = page.locator("#resolution .photos img")
    photo_img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo_img.element_handle()
    )
    assert photo_img.evaluate("img => img.naturalWidth") == 800
    timeline = page.locator("#timeline").inner_text()
    for step in ("点单", "派单", "接单", "办结"):
        assert step in timeline
    assert_fits_the_screen(page)
    shot(page, "order-resolved-member-phone")
    page.context.close()


def test_a_grid_member_logs_a_visit_for_a_household_found_by_number(browser, live_url, ids, shot):
    _village, _member, household_id, number = ids
    page = login(browser, live_url, "member")
    page.goto(f"{live_url}/orders/")
    page.click("text=登记诉求")
    page.wait_for_load_state()
    assert page.locator("#id_village option:checked").inner_text() == VILLAGE
    page.fill("#id_hh_q", number)
    page.wait_for_function(
        "document.querySelectorAll('#id_household option').length === 2", timeout=10_000
    )
    page.select_option("#id_household", value=str(household_id))
    page.select_option("#id_category", label="基础设施")
    page.fill("#id_description", "入户走访：院墙外的排水管破裂，污水流到路面")
    page.fill("#id_name", "孙玉梅")
    page.fill("#id_phone", "1370000")  # too short: refused, and nothing typed is lost
    page.click("#order-new button[type=submit]")
    page.wait_for_load_state()
    assert "请填写正确的手机号" in page.locator("#field-phone").inner_text()
    assert page.input_value("#id_description") == "入户走访：院墙外的排水管破裂，污水流到路面"
    assert page.input_value("#id_household") == str(household_id)
    assert_fits_the_screen(page)
    shot(page, "order-new-refused-member-phone")
    page.fill("#id_phone", "13700002222")
    page.click("#order-new button[type=submit]")
    page.wait_for_load_state()
    assert "已登记" in message(page)
    assert page.locator("#order-status").inner_text() == "待派单"
    facts = page.locator(".facts").inner_text()
    assert number in facts and "入户走访" in facts
    assert_fits_the_screen(page)
    shot(page, "order-new-logged-member-phone")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_township_filters_all_orders(browser, live_url, shot, viewport):
    page = login(browser, live_url, "township", viewport)
    page.goto(f"{live_url}/orders/all/")
    total = page.locator("#rows > p.muted").first.inner_text()
    page.select_option("#id_status", value="open")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "status=open" in page.url
    assert page.locator("#rows > p.muted").first.inner_text() != total
    statuses = page.locator(".orow:not(.ohead) .o-status .status").all_inner_texts()
    assert statuses and set(statuses) <= {"待派单", "待接单", "办理中", "已退回", "重新办理"}
    if page.locator(".pager a", has_text="下一页").count():
        page.locator(".pager a", has_text="下一页").click()
        page.wait_for_function("location.search.includes('page=2')")
        assert "status=open" in page.url  # the htmx pager keeps the filter
    assert_fits_the_screen(page)
    shot(page, f"orders-list-township-{'phone' if viewport is PHONE else 'desktop'}")
    page.context.close()
