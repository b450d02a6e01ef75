"""A villager on a phone, no account: open 东王庄村's form, send a request with a photo, see the
tracking code, look the order up again from a fresh browser; and the village's printable poster."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from PIL import Image

from tests.browser.conftest import BIN

PHONE = {"width": 375, "height": 740}
VILLAGE = "东王庄村"


@pytest.fixture(scope="module")
def village_id(live_url, server_env) -> int:
    """The id of 东王庄村 in the server's demo database (the server is already up)."""
    out = zhenxing_shell(
        server_env,
        "from zhenxing.regions.models import Region; "
        f"print(Region.objects.get(name={VILLAGE!r}, level='village').pk)",
    )
    return int(out)


RESOLVE_AN_ORDER = """
from zhenxing.orders import services
from zhenxing.orders.models import Category
from zhenxing.orders.states import Actor
from zhenxing.regions.models import PartyMember, Region
village = Region.objects.get(name="东王庄村", level="village")
order = services.order_submit(
    village=village, category=Category.objects.get(name="环境卫生"),
    description="村口垃圾三天没人清运", name="李桂兰", phone="13912340000",
    actor=services.REQUESTER_ACTOR, client_ip="10.0.0.5",
)
secretary = Actor(kind="village_secretary")
member = PartyMember.objects.filter(organization__region__path__startswith=village.path).first()
services.order_dispatch(order=order, actor=secretary, member=member)
services.order_accept(order=order, actor=secretary)
services.order_resolve(order=order, actor=secretary, resolution="已联系保洁员清运完毕，并增设垃圾桶")
print(order.code, member.person.name)
"""


def zhenxing_shell(server_env, code: str) -> str:
    return (
        subprocess.run(
            [BIN / "zhenxing", "shell", "-c", code],
            env=server_env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    return context.new_page()


def choose_category(page, name: str) -> None:
    value = page.locator("#id_category option", has_text=name).get_attribute("value")
    page.select_option("#id_category", value=value)


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is wider than the screen by {overflow}px"


def photo(tmp_path) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buf, "JPEG")
    path = tmp_path / "lamp.jpg"
    path.write_bytes(buf.getvalue())
    return str(path)


def test_a_villager_sends_a_request_from_a_phone_and_finds_it_again(
    browser, live_url, village_id, shot, tmp_path
):
    page = phone_page(browser)
    page.goto(f"{live_url}/s/{village_id}/")
    assert VILLAGE in page.locator(".pub-place").inner_text()
    assert_fits_the_screen(page)
    choose_category(page, "基础设施")
    page.fill("#id_description", "东头大路的路灯坏了三盏，晚上出门看不见路，老人摔过一次")
    page.set_input_files("#id_photos", photo(tmp_path))
    page.fill("#id_name", "王秀英")
    page.fill("#id_phone", "13812345678")
    shot(page, "public-request-form-phone")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    code = page.locator(".pub-code .code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code), code
    assert page.url.endswith(f"/t/{code}/")
    assert "提交成功" in page.locator(".messages").inner_text()
    assert "待派单" in page.locator(".status").inner_text()
    assert page.locator(".photos img").count() == 1
    # The photo loads (the page's load event may come before the image on a busy machine).
    page.wait_for_function("document.querySelector('.photos img').complete")
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") == 640
    assert_fits_the_screen(page)
    shot(page, "public-order-phone")
    page.context.close()

    # A fresh browser (another phone) sees nothing until it gives the phone's last four digits.
    other = phone_page(browser)
    other.goto(f"{live_url}/t/{code}/")
    assert other.locator(".pub-code").count() == 0
    assert other.input_value("#id_code") == code
    other.fill("#id_phone_last4", "0000")
    other.click("button[type=submit]")
    assert "查询码或手机号后四位不正确" in other.locator(".form-errors").inner_text()
    other.fill("#id_phone_last4", "5678")
    other.click("button[type=submit]")
    other.wait_for_load_state()
    assert other.locator(".pub-code .code").inner_text().strip() == code
    assert "路灯坏了三盏" in other.locator(".quote").first.inner_text()
    other.context.close()


def test_a_refused_request_keeps_what_was_typed(browser, live_url, village_id, shot):
    page = phone_page(browser)
    page.goto(f"{live_url}/s/{village_id}/")
    choose_category(page, "环境卫生")
    page.fill("#id_description", "村口垃圾三天没人清运")
    page.fill("#id_name", "王秀英")
    page.fill("#id_phone", "1381234")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "请填写正确的手机号" in page.locator(".field.invalid").inner_text()
    assert page.input_value("#id_description") == "村口垃圾三天没人清运"
    assert page.input_value("#id_phone") == "1381234"
    assert_fits_the_screen(page)
    shot(page, "public-request-refused-phone")
    page.context.close()


def test_the_poster_prints_the_village_and_a_qr_code(browser, live_url, village_id, shot):
    page = phone_page(browser)
    page.goto(f"{live_url}/s/{village_id}/poster/")
    assert VILLAGE in page.locator(".poster-place").inner_text()
    qr = page.locator(".poster-qr svg").bounding_box()
    assert qr and qr["width"] > 200 and abs(qr["width"] - qr["height"]) < 2
    assert f"/s/{village_id}/" in page.locator(".poster-url").inner_text()
    assert "限 10 个工作日办结" in page.locator(".poster-cats").inner_text()
    assert_fits_the_screen(page)
    shot(page, "public-poster-phone")
    # Printed: A4 less 12 mm margins is 186 x 273 mm, about 703 x 1031 CSS pixels.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1031})
    assert not page.locator(".poster-tools").is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 1031, f"the poster runs onto a second sheet ({height}px)"
    shot(page, "public-poster-print")
    page.context.close()


def test_a_villager_rates_a_resolved_order_unsatisfied_and_it_reopens(
    browser, live_url, server_env, shot
):
    code, member_name = zhenxing_shell(server_env, RESOLVE_AN_ORDER).split()
    page = phone_page(browser)
    page.goto(f"{live_url}/t/")
    page.fill("#id_code", code.lower())
    page.fill("#id_phone_last4", "1234")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "查询码或手机号后四位不正确" in page.locator(".form-errors").inner_text()
    assert page.input_value("#id_code") == code.lower()  # kept; only the digits were wrong

    page.fill("#id_phone_last4", "0000")  # the phone is 13912340000
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "已办结待评价" in page.locator(".pub-status").inner_text()
    assert "已联系保洁员清运完毕" in page.locator("body").inner_text()
    assert member_name not in page.content()

    page.locator("label.choice", has_text="不满意").click()
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    assert "请说明不满意的原因" in page.locator("#rate").inner_text()
    assert page.locator("#rate input[value=unsatisfied]").is_checked()
    assert_fits_the_screen(page)
    shot(page, "public-rate-refused-phone")

    page.fill("#id_reason", "垃圾桶放得太远，又堆起来了")
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    assert "重新办理" in page.locator(".pub-status").inner_text()
    assert "已收到您的意见" in page.locator(".messages").inner_text()
    assert "垃圾桶放得太远" in page.locator(".timeline").inner_text()
    assert page.locator("#rate").count() == 0
    shot(page, "public-reopened-phone")
    page.context.close()
