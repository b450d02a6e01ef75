"""The villager's pages: the request form, the tracking lookup, the progress page, rating and
withdrawal, photos, the poster. No account anywhere; what a browser may see is in a signed cookie,
never in a database session."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from zhenxing.orders.models import Category, Order, OrderEvent, Photo, Rating, Team, TeamKind
from zhenxing.orders.services import (
    REQUESTER_ACTOR,
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
)
from zhenxing.orders.states import Status
from zhenxing.orders.tests.conftest import actor, member_with_account, submit
from zhenxing.web.public_views import TRACKING_COOKIE, TRACKING_SALT

pytestmark = pytest.mark.django_db

DESCRIPTION = "村口垃圾三天没人清运，气味很大"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def category() -> Category:
    return Category.objects.get(name="环境卫生")


def png(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def form_data(cat: Category, /, **overrides) -> dict:
    data = {
        "category": cat.pk,
        "description": DESCRIPTION,
        "name": "王秀英",
        "phone": "13812345678",
    }
    data.update(overrides)
    return data


def form_url(village) -> str:
    return reverse("public_request", args=[village.pk])


def order_url(order: Order) -> str:
    return reverse("public_order", args=[order.code])


def look_up(client, code: str, last4: str):
    return client.post(reverse("public_track"), {"code": code, "phone_last4": last4})


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, so a message split by markup still reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- 点单 -------------------------------------------------------------------------------------


def test_a_villager_submits_a_request_and_lands_on_its_tracking_page(client, tree, category):
    page = client.get(form_url(tree.village_a1))
    assert page.status_code == 200
    assert "甲镇 东村" in page.content.decode()
    assert 'accept="image/*"' in page.content.decode()

    response = client.post(form_url(tree.village_a1), form_data(category, photos=[png()]))

    order = Order.objects.get()
    assert response.status_code in (302, 303)
    assert response["Location"] == order_url(order)
    assert OrderEvent.objects.filter(order=order).count() == 1
    assert order.status == Status.SUBMITTED and order.client_ip == "127.0.0.1"
    assert (order.village, order.description, order.requester_name) == (
        tree.village_a1,
        DESCRIPTION,
        "王秀英",
    )
    html = client.get(response["Location"]).content.decode()
    assert order.code in html
    assert "提交成功" in html
    assert DESCRIPTION in html
    assert "待派单" in html and "您提交了诉求" in html


def test_a_photo_is_stored_re_encoded_as_jpeg(client, tree, category):
    client.post(form_url(tree.village_a1), form_data(category, photos=[png(size=(300, 200))]))
    photo = Photo.objects.get()
    assert photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as f, Image.open(f) as img:
        assert img.format == "JPEG" and img.size == (300, 200)


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("cat.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")


@pytest.mark.parametrize(
    ("overrides", "message", "photos_given"),
    [
        ({"description": "长" * 1001}, "诉求内容不能超过 1000 个字", False),
        ({"description": "太短"}, "请填写诉求内容（至少 5 个字）", False),
        ({"phone": "12345"}, "请填写正确的手机号", False),
        ({"name": ""}, "请填写姓名", False),
        ({"category": ""}, "请选择诉求类别", False),
        ({"photos": "not_an_image"}, "“cat.jpg”不是可识别的图片", True),
        ({"photos": "too_big"}, "照片“photo.png”超过", True),
        ({"photos": "too_many"}, "最多上传 3 张照片", True),
    ],
    ids=["long", "short", "phone", "name", "category", "fake-jpg", "too-big", "too-many"],
)
def test_a_refused_request_says_why_keeps_what_was_typed_and_writes_nothing(
    client, tree, category, settings, overrides, message, photos_given
):
    files = {
        "not_an_image": [not_an_image()],
        "too_big": [png(size=(400, 400))],
        "too_many": [png(f"p{i}.png") for i in range(4)],
    }
    if overrides.get("photos") == "too_big":
        settings.ORDERS_PHOTO_MAX_BYTES = 500
    if "photos" in overrides:
        overrides = {"photos": files[overrides["photos"]]}
    data = form_data(category, **overrides)

    response = client.post(form_url(tree.village_a1), data)

    assert response.status_code == 200
    text = text_of(response)
    assert message in text
    assert Order.objects.count() == 0 and Photo.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    html = response.content.decode()
    for typed in ("name", "phone"):  # what the villager typed is still there
        if data[typed]:
            assert f'value="{data[typed]}"' in html
    if data["description"]:
        assert data["description"] in html
    assert ("请重新选择照片" in html) is photos_given


def test_a_fake_jpeg_next_to_a_real_photo_saves_neither(client, tree, category):
    client.post(form_url(tree.village_a1), form_data(category, photos=[png(), not_an_image()]))
    assert Order.objects.count() == 0 and Photo.objects.count() == 0


def test_one_address_may_send_only_so_many_requests_an_hour(client, tree, category, settings):
    settings.ORDERS_INTAKE_PER_IP_PER_HOUR = 2
    for phone in ("13800000001", "13800000002"):
        response = client.post(form_url(tree.village_a1), form_data(category, phone=phone))
        assert response.status_code == 302
    response = client.post(form_url(tree.village_a1), form_data(category, phone="13800000003"))
    assert response.status_code == 200
    assert "本网络提交过于频繁，请一小时后再试" in text_of(response)
    assert Order.objects.count() == 2
    # Another address is not affected.
    other = client.post(
        form_url(tree.village_a1), form_data(category, phone="13800000003"), REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302


def test_one_phone_may_send_only_so_many_requests_a_day(client, tree, category, settings):
    settings.ORDERS_INTAKE_PER_PHONE_PER_DAY = 1
    assert client.post(form_url(tree.village_a1), form_data(category)).status_code == 302
    response = client.post(form_url(tree.village_a1), form_data(category), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert "该手机号今天已提交 1 条诉求，请明天再试" in text_of(response)
    assert Order.objects.count() == 1


def test_x_forwarded_for_does_not_dodge_the_address_limit(client, tree, category, settings):
    settings.ORDERS_INTAKE_PER_IP_PER_HOUR = 1
    client.post(form_url(tree.village_a1), form_data(category, phone="13800000001"))
    response = client.post(
        form_url(tree.village_a1),
        form_data(category, phone="13800000002"),
        HTTP_X_FORWARDED_FOR="10.7.7.7",
    )
    assert "本网络提交过于频繁" in text_of(response)
    assert list(Order.objects.values_list("client_ip", flat=True)) == ["127.0.0.1"]


def test_an_inactive_category_is_not_offered_and_is_refused(client, tree, category):
    assert "环境卫生" in client.get(form_url(tree.village_a1)).content.decode()  # now cached
    category.active = False
    category.save(update_fields=["active"])
    assert "环境卫生" not in client.get(form_url(tree.village_a1)).content.decode()
    response = client.post(form_url(tree.village_a1), form_data(category))
    assert "该类别已停用" in text_of(response)
    assert Order.objects.count() == 0


@pytest.mark.parametrize("name", ["public_request", "public_poster"])
def test_only_villages_and_communities_have_a_form_and_a_poster(client, tree, name):
    for region in (tree.county, tree.township_a, tree.district_a1, tree.group_a1):
        assert client.get(reverse(name, args=[region.pk])).status_code == 404
    assert client.get(reverse(name, args=[987_654_321])).status_code == 404
    assert client.get(reverse(name, args=[tree.village_b1.pk])).status_code == 200


def test_the_poster_has_a_qr_code_of_the_form_and_the_time_limits(client, tree):
    html = client.get(reverse("public_poster", args=[tree.village_a1.pk])).content.decode()
    assert "<svg" in html
    assert f"http://testserver/s/{tree.village_a1.pk}/" in html
    assert "东村" in html and "扫码点单 · 有事找支部" in html
    assert "环境卫生" in html and "限 3 个工作日办结" in html
    assert "基础设施" in html and "限 10 个工作日办结" in html
    assert "@page" not in html  # print rules live in the stylesheet
    assert "web/public.css" in html


# --- 查询 -------------------------------------------------------------------------------------


def test_the_tracking_page_shows_nothing_without_the_phone_digits(client, tree, category):
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    response = client.get(order_url(order))
    html = response.content.decode()
    assert response.status_code == 200
    assert DESCRIPTION not in html and "王秀英" not in html and "环境卫生" not in html
    assert f'value="{order.code}"' in html  # the lookup form, code filled in
    assert 'name="phone_last4"' in html


def test_an_unknown_code_looks_exactly_like_a_known_one(client, tree, category):
    order = submit(tree.village_a1, category)
    known = client.get(order_url(order)).content.decode().replace(order.code, "X")
    unknown = client.get(reverse("public_order", args=["ZZZZ2222"])).content.decode()
    strip = re.compile(r'csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known) == strip.sub("", unknown.replace("ZZZZ2222", "X"))


def test_a_wrong_lookup_gets_one_message_that_does_not_say_which_part_was_wrong(
    client, tree, category
):
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    wrong_digits = look_up(client, order.code, "0000")
    wrong_code = look_up(client, "ABCDEFGH", "5678")
    for response in (wrong_digits, wrong_code):
        assert response.status_code == 200
        assert "查询码或手机号后四位不正确，请核对后再试" in text_of(response)
        assert DESCRIPTION not in response.content.decode()
    assert wrong_digits.content.decode().count("不正确") == 1
    # Still nothing to see afterwards.
    assert DESCRIPTION not in client.get(order_url(order)).content.decode()


def test_the_right_code_and_digits_open_the_timeline(client, tree, category):
    now = dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC)  # 14:05 in Beijing
    order = submit(tree.village_a1, category, description=DESCRIPTION, now=now)
    typed = f"{order.code[:4].lower()}-{order.code[4:].lower()}"  # as read over the phone
    response = look_up(client, typed, "5678")
    assert response["Location"] == order_url(order)
    html = client.get(order_url(order)).content.decode()
    assert DESCRIPTION in html
    assert "您提交了诉求" in html
    assert "2026年11月23日 14:05" in html
    assert "办结期限" in html and "2026年11月26日" in html  # 3 working days, Mon → Thu


def test_ten_failed_lookups_lock_the_browser_for_a_while(client, tree, category):
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    for _ in range(10):
        look_up(client, order.code, "0000")
    locked = look_up(client, order.code, "5678")
    assert locked.status_code == 429
    assert "查询失败次数过多，请 15 分钟后再试" in text_of(locked)
    assert DESCRIPTION not in client.get(order_url(order)).content.decode()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=16)):
        assert look_up(client, order.code, "5678")["Location"] == order_url(order)
    assert DESCRIPTION in client.get(order_url(order)).content.decode()


def test_the_page_never_names_the_member_a_cadre_or_another_villager(
    client, tree, category, village_a1_user
):
    member, member_user = member_with_account(tree.village_a1, "901", "party_a1_u")
    other = submit(
        tree.village_a1, category, name="李大爷", phone="13999990000", description="隔壁的诉求内容"
    )
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member, note="请王书记跟进")
    order_accept(order=order, actor=actor(member_user))
    order_resolve(order=order, actor=actor(member_user), resolution="已联系保洁员清运完毕")

    look_up(client, order.code, "5678")
    html = client.get(order_url(order)).content.decode()

    assert "已派给党员办理" in html and "已接单，正在办理" in html
    assert "已联系保洁员清运完毕" in html and "已办结待评价" in html
    for secret in (
        member.person.name,
        member_user.username,
        village_a1_user.username,
        "请王书记跟进",  # the dispatcher's note
        "13812345678",  # not even the villager's own full phone
        other.code,
        "李大爷",
        "隔壁的诉求内容",
    ):
        assert secret not in html, secret
    # And the other villager's order stays closed to this browser.
    assert "隔壁的诉求内容" not in client.get(order_url(other)).content.decode()


def test_a_team_order_says_which_kind_of_team(client, tree, category, village_a1_user):
    team = Team.objects.create(region=tree.village_a1, kind=TeamKind.VOLUNTEER, name="东村红马甲")
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), team=team)
    look_up(client, order.code, "5678")
    html = client.get(order_url(order)).content.decode()
    assert "已派给志愿服务队办理" in html
    assert "东村红马甲" not in html


# --- 评价、撤回、照片 --------------------------------------------------------------------------


@pytest.fixture
def resolved(tree, category, village_a1_user):
    member, member_user = member_with_account(tree.village_a1, "901", "party_a1_u")
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    order_accept(order=order, actor=actor(member_user))
    order_resolve(
        order=order, actor=actor(member_user), resolution="已清运", photos=[png("done.png")]
    )
    return order


def test_unsatisfied_without_a_reason_is_refused_and_with_one_reopens(client, resolved):
    look_up(client, resolved.code, "5678")
    page = client.get(order_url(resolved)).content.decode()
    assert 'name="rating"' in page and "不满意" in page

    refused = client.post(order_url(resolved), {"action": "rate", "rating": "unsatisfied"})
    assert refused.status_code == 200
    assert "请说明不满意的原因，以便重新办理" in text_of(refused)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and resolved.rating == ""

    done = client.post(
        order_url(resolved), {"action": "rate", "rating": "unsatisfied", "reason": "又堆起来了"}
    )
    assert done.status_code in (302, 303) and done["Location"] == order_url(resolved)
    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED and resolved.reopen_count == 1
    html = client.get(order_url(resolved)).content.decode()
    assert "重新办理" in html and "已收到您的意见" in html
    assert "又堆起来了" in html  # the villager's own words
    assert 'name="rating"' not in html


def test_satisfied_closes_the_order(client, resolved):
    look_up(client, resolved.code, "5678")
    client.post(order_url(resolved), {"action": "rate", "rating": "satisfied"})
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.rating == Rating.SATISFIED
    html = client.get(order_url(resolved)).content.decode()
    assert "已评价" in html and "感谢您的评价" in html and "您的评价：满意" in html


def test_rating_an_unresolved_order_by_a_crafted_post_is_refused_and_changes_nothing(
    client, tree, category
):
    order = submit(tree.village_a1, category)
    look_up(client, order.code, "5678")
    assert 'name="rating"' not in client.get(order_url(order)).content.decode()
    for data in ({"rating": "satisfied"}, {"rating": "unsatisfied", "reason": "x"}, {}):
        response = client.post(order_url(order), {"action": "rate", **data}, follow=True)
        assert response.status_code == 200
        assert "不能评价" in text_of(response) or "请选择满意" in text_of(response)
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED and order.rating == "" and order.rated_at is None
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_resolved_order_cannot_be_rated_twice(client, resolved):
    order_rate(order=resolved, actor=REQUESTER_ACTOR, rating=Rating.BASIC)
    look_up(client, resolved.code, "5678")
    response = client.post(
        order_url(resolved), {"action": "rate", "rating": "unsatisfied", "reason": "改主意"}
    )
    assert response.status_code == 302
    assert "不能评价" in text_of(client.get(order_url(resolved)))
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.rating == Rating.BASIC


def test_an_open_order_can_be_withdrawn(client, tree, category):
    order = submit(tree.village_a1, category)
    look_up(client, order.code, "5678")
    assert "撤回诉求" in client.get(order_url(order)).content.decode()
    response = client.post(order_url(order), {"action": "withdraw", "reason": "自己解决了"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.WITHDRAWN
    html = client.get(order_url(order)).content.decode()
    assert "已撤回" in html and "自己解决了" in html and "确认撤回" not in html


def test_a_villager_costs_no_session_row_and_keeps_the_order_in_a_signed_cookie(
    client, tree, category
):
    response = client.post(form_url(tree.village_a1), form_data(category), follow=True)
    order = Order.objects.get()
    assert response.redirect_chain == [(order_url(order), 302)]
    assert "提交成功" in text_of(response) and DESCRIPTION in response.content.decode()
    assert Session.objects.count() == 0 and "sessionid" not in client.cookies
    cookie = client.cookies[TRACKING_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert "5678" not in cookie.value and order.code not in cookie.value  # compressed, signed
    # A failed lookup and then a right one: still no session row, and both orders stay visible.
    other = submit(tree.village_a1, category, phone="13700001111", description="另一条诉求内容")
    look_up(client, other.code, "0000")
    assert look_up(client, other.code, "1111")["Location"] == order_url(other)
    assert Session.objects.count() == 0 and "sessionid" not in client.cookies
    assert DESCRIPTION in client.get(order_url(order)).content.decode()
    assert "另一条诉求内容" in client.get(order_url(other)).content.decode()


def test_a_forged_altered_or_expired_tracking_cookie_opens_nothing(client, tree, category):
    order = submit(tree.village_a1, category, description=DESCRIPTION)
    seen = {"seen": [[order.code, "5678"]]}
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=15)):
        expired = signing.dumps(seen, salt=TRACKING_SALT, compress=True)
    valid = signing.dumps(seen, salt=TRACKING_SALT, compress=True)
    for value in (
        signing.dumps(seen, salt="another.salt"),  # signed, but not by this page
        signing.dumps(seen, key="not-our-secret-key", salt=TRACKING_SALT),
        valid[:-2] + ("AA" if not valid.endswith("AA") else "BB"),  # altered signature
        expired,  # older than a session would last
        "garbage",
    ):
        client.cookies[TRACKING_COOKIE] = value
        html = client.get(order_url(order)).content.decode()
        assert DESCRIPTION not in html and 'name="phone_last4"' in html, value
    client.cookies[TRACKING_COOKIE] = valid
    assert DESCRIPTION in client.get(order_url(order)).content.decode()


def test_the_cookie_keeps_the_last_twenty_orders(client, tree, category):
    orders = [
        submit(tree.village_a1, category, phone=f"137000{i:05d}", client_ip=f"10.0.1.{i}")
        for i in range(21)
    ]
    for order in orders:
        look_up(client, order.code, order.requester_phone[-4:])
    assert 'name="phone_last4"' in client.get(order_url(orders[0])).content.decode()
    for order in orders[1:]:
        assert 'name="phone_last4"' not in client.get(order_url(order)).content.decode()


def test_a_post_without_the_session_changes_nothing(client, tree, category):
    order = submit(tree.village_a1, category)
    response = client.post(order_url(order), {"action": "withdraw"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_photos_are_served_only_to_a_browser_that_may_see_the_order(
    client, tree, category, resolved
):
    request_order = submit(tree.village_a1, category, photos=[png()], phone="13700001111")
    theirs = Photo.objects.get(order=request_order)
    mine = Photo.objects.get(order=resolved)
    url = reverse("public_photo", args=[resolved.code, mine.pk])
    assert client.get(url).status_code == 404

    look_up(client, resolved.code, "5678")
    html = client.get(order_url(resolved)).content.decode()
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    # Another order's photo, even through a code this browser may see, is not found.
    assert client.get(reverse("public_photo", args=[resolved.code, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("public_photo", args=[request_order.code, theirs.pk])).status_code == 404
    )


def test_a_renamed_village_shows_its_new_name_on_its_form_at_once(client, tree):
    assert "甲镇 东村" in client.get(form_url(tree.village_a1)).content.decode()  # now cached
    tree.village_a1.name = "东王庄村"
    tree.village_a1.save(update_fields=["name"])
    assert "甲镇 东王庄村" in client.get(form_url(tree.village_a1)).content.decode()
