"""The cadre side of the service loop: to-do lists, the order page and its actions, logging a
request after a visit, notices, and the navigation's counts."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from zhenxing.accounts.models import PersonalDataView
from zhenxing.conftest import add_household
from zhenxing.orders.models import Category, Notice, Order, OrderEvent, Photo, Team, TeamKind
from zhenxing.orders.services import order_accept, order_dispatch, order_resolve
from zhenxing.orders.states import Status
from zhenxing.orders.tests.conftest import actor, member_with_account, submit
from zhenxing.web.order_views import ACTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def category() -> Category:
    return Category.objects.get(name="环境卫生")


@pytest.fixture
def member_a1(tree):
    return member_with_account(tree.village_a1, "901", "party_a1_u")


@pytest.fixture
def member_a1_b(tree):
    return member_with_account(tree.village_a1, "902", "party_a1_b_u")


@pytest.fixture
def team_a1(tree, member_a1, member_a1_b) -> Team:
    team = Team.objects.create(region=tree.village_a1, kind=TeamKind.VOLUNTEER, name="东村志愿队")
    team.members.add(member_a1[0], member_a1_b[0])
    return team


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def action_url(order: Order, action: str) -> str:
    return reverse("order_action", kwargs={"order_id": order.pk, "action": action})


def detail_url(order: Order) -> str:
    return reverse("order_detail", args=[order.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


# --- scope ------------------------------------------------------------------------------------


def test_an_outsider_gets_404_for_the_order_its_photos_and_every_action(
    client, tree, township_b_user, category
):
    order = submit(tree.village_a1, category, photos=[png()])
    photo = Photo.objects.get(order=order)
    client.force_login(township_b_user)
    assert client.get(detail_url(order)).status_code == 404
    assert client.get(reverse("order_photo", args=[order.pk, photo.pk])).status_code == 404
    for action in ACTIONS:
        assert client.post(action_url(order, action), {"note": "越权"}).status_code == 404
    assert OrderEvent.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).status == Status.SUBMITTED
    # Nor is it listed anywhere.
    assert order.code not in client.get(reverse("orders_list")).content.decode()
    assert order.code not in client.get(reverse("orders_todo")).content.decode()


def test_a_photo_is_served_only_under_its_own_order(client, tree, village_a1_user, category):
    order = submit(tree.village_a1, category, photos=[png()])
    other = submit(tree.village_a1, category, phone="13812345679")
    photo = Photo.objects.get(order=order)
    client.force_login(village_a1_user)
    response = client.get(reverse("order_photo", args=[order.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"
    assert client.get(reverse("order_photo", args=[other.pk, photo.pk])).status_code == 404


def test_an_unknown_action_is_not_found(client, tree, village_a1_user, category):
    order = submit(tree.village_a1, category)
    client.force_login(village_a1_user)
    assert client.post(f"/orders/{order.pk}/explode/").status_code == 404
    assert client.post(f"/orders/{order.pk}/escalate/").status_code == 404  # the system's only
    assert client.get(action_url(order, "accept")).status_code == 405


# --- the loop ---------------------------------------------------------------------------------


def test_the_secretary_dispatches_and_the_member_takes_and_resolves(
    client, tree, village_a1_user, member_a1, category
):
    member, member_user = member_a1
    order = submit(tree.village_a1, category)
    client.force_login(village_a1_user)

    todo = client.get(reverse("orders_todo")).content.decode()
    assert 'data-tab="dispatch"' in todo and order.code in todo
    page = client.get(detail_url(order)).content.decode()
    assert 'id="action-dispatch"' in page and f'value="m:{member.pk}"' in page

    response = client.post(action_url(order, "dispatch"), {"assignee": f"m:{member.pk}"})
    assert "已派单给" in follow_messages(client, response)
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.assignee_member == member

    client.force_login(member_user)
    todo = client.get(reverse("orders_todo") + "?tab=take").content.decode()
    assert order.code in todo
    page = client.get(detail_url(order)).content.decode()
    assert action_url(order, "accept") in page
    assert 'id="action-dispatch"' not in page  # a member does not dispatch
    response = client.post(action_url(order, "accept"))
    assert "已接单" in follow_messages(client, response)
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED

    assert order.code in client.get(reverse("orders_todo") + "?tab=doing").content.decode()
    response = client.post(
        action_url(order, "resolve"),
        {"resolution": "已联系保洁员清运完毕", "photos": [png("after.png")]},
    )
    html = follow_messages(client, response)
    assert "已办结" in html and "已联系保洁员清运完毕" in html
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
    assert order.photos.filter(stage="resolution").count() == 1
    actions = list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["submit", "dispatch", "accept", "resolve"]

    # The timeline names who did what; as an htmx fragment it is the timeline alone.
    part = client.get(detail_url(order), headers={"HX-Request": "true"})
    assert "<html" not in part.content.decode() and 'id="timeline"' in part.content.decode()
    assert "HX-Request" in part["Vary"]
    assert "village_a1_u" in part.content.decode() and "party_a1_u" in part.content.decode()


def test_the_secretary_records_a_telephone_rating(
    client, tree, village_a1_user, member_a1, category
):
    order = _resolved(tree, village_a1_user, member_a1, category)
    client.force_login(village_a1_user)
    assert 'id="action-rate"' in client.get(detail_url(order)).content.decode()
    response = client.post(action_url(order, "rate"), {"rating": "satisfied"})
    assert "已记录回访评价" in follow_messages(client, response)
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.rating == "satisfied"


def _resolved(tree, village_a1_user, member_a1, category) -> Order:
    member, member_user = member_a1
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    order_accept(order=order, actor=actor(member_user))
    order_resolve(order=order, actor=actor(member_user), resolution="已处理完毕")
    return order


def test_a_crafted_post_for_a_refused_action_says_why_and_changes_nothing(
    client, tree, village_a1_user, member_a1, category
):
    order = submit(tree.village_a1, category)
    client.force_login(village_a1_user)
    assert 'id="action-rate"' not in client.get(detail_url(order)).content.decode()
    response = client.post(action_url(order, "rate"), {"rating": "satisfied"})
    html = follow_messages(client, response)
    assert "不能评价" in html
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED and order.rating == ""
    assert OrderEvent.objects.filter(order=order).count() == 1

    # A member who was not sent the order cannot take it either.
    response = client.post(action_url(order, "accept"))
    client.force_login(member_a1[1])
    response = client.post(action_url(order, "accept"))
    assert "不能" in follow_messages(client, response)
    assert Order.objects.get(pk=order.pk).status == Status.SUBMITTED


def test_a_refused_field_keeps_what_was_typed(client, tree, village_a1_user, member_a1, category):
    member, member_user = member_a1
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    order_accept(order=order, actor=actor(member_user))
    client.force_login(member_user)
    response = client.post(action_url(order, "resolve"), {"resolution": "好"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请填写办理情况" in html
    assert re.search(r'<textarea name="resolution"[^>]*>\s*好</textarea>', html)
    assert re.search(r'<details id="action-resolve" open>', html)
    assert Order.objects.get(pk=order.pk).status == Status.ACCEPTED


def test_the_second_member_to_take_a_team_order_is_told(
    client, tree, village_a1_user, member_a1, member_a1_b, team_a1, category
):
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), team=team_a1)
    client.force_login(member_a1[1])
    client.post(action_url(order, "accept"))
    client.force_login(member_a1_b[1])
    html = follow_messages(client, client.post(action_url(order, "accept")))
    assert "该工单已被他人接单" in html
    order.refresh_from_db()
    assert order.assignee_member == member_a1[0]


def test_a_dispute_asks_for_the_mediation_outcome(client, tree, village_a1_user, member_a1):
    dispute = Category.objects.get(name="矛盾纠纷")
    member, member_user = member_a1
    order = submit(tree.village_a1, dispute, description="邻里宅基地边界争议")
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    order_accept(order=order, actor=actor(member_user))
    client.force_login(member_user)
    assert 'name="mediation"' in client.get(detail_url(order)).content.decode()
    response = client.post(action_url(order, "resolve"), {"resolution": "双方已签协议"})
    assert "请选择调解结果" in response.content.decode()
    response = client.post(
        action_url(order, "resolve"), {"resolution": "双方已签协议", "mediation": "settled"}
    )
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).mediation == "settled"


def test_a_supervisor_urges_and_the_owner_is_told(
    client, tree, township_a_user, village_a1_user, member_a1, category
):
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member_a1[0])
    client.force_login(township_a_user)
    response = client.post(action_url(order, "urge"), {"note": "请本周内办结"})
    assert "已督办" in follow_messages(client, response)
    assert Order.objects.get(pk=order.pk).urge_count == 1
    client.force_login(village_a1_user)
    html = client.get(reverse("notices")).content.decode()
    assert "被督办" in html and order.code in html


# --- phone numbers ----------------------------------------------------------------------------


def test_the_phone_is_masked_for_a_grid_member_and_logged_when_shown(
    client, tree, grid_member_a1, village_a1_user, category
):
    order = submit(tree.village_a1, category, phone="13812345678")
    client.force_login(grid_member_a1)
    html = client.get(detail_url(order)).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert not PersonalDataView.objects.exists()
    client.force_login(village_a1_user)
    html = client.get(detail_url(order)).content.decode()
    assert "13812345678" in html
    assert PersonalDataView.objects.filter(user=village_a1_user, what__contains=order.code).exists()


def test_the_member_an_order_was_sent_to_reads_the_phone_until_it_is_resolved(
    client, tree, village_a1_user, member_a1, category
):
    member, member_user = member_a1
    order = submit(tree.village_a1, category, phone="13812345678")
    order_dispatch(order=order, actor=actor(village_a1_user), member=member)
    client.force_login(member_user)
    html = client.get(detail_url(order)).content.decode()
    assert 'href="tel:13812345678"' in html  # the member has to call back
    assert PersonalDataView.objects.filter(user=member_user, what__contains=order.code).exists()
    order = order_accept(order=Order.objects.get(pk=order.pk), actor=actor(member_user))
    order_resolve(order=order, actor=actor(member_user), resolution="已修好路灯")
    html = client.get(detail_url(order)).content.decode()
    assert "138****5678" in html and "13812345678" not in html


# --- logging a request ------------------------------------------------------------------------


def _new(client, village, household=None, **extra):
    data = {
        "village": village.pk,
        "household": household.pk if household else "",
        "category": extra.pop("category"),
        "description": "屋后排水沟堵塞，雨天倒灌",
        "name": "李桂兰",
        "phone": "13912345678",
        "source": "visit",
        **extra,
    }
    return client.post(reverse("orders_new"), data)


def test_a_grid_member_logs_a_visit_for_a_household_of_their_village(
    client, tree, grid_member_a1, category
):
    home = add_household(tree.village_a1, "A1-007")
    client.force_login(grid_member_a1)
    page = client.get(reverse("orders_new")).content.decode()
    assert f'value="{home.pk}"' in page and "A1-007" in page
    response = _new(client, tree.village_a1, home, category=category.pk, photos=[png()])
    assert response.status_code == 302
    order = Order.objects.get()
    assert response["Location"] == detail_url(order)
    assert order.household == home and order.source == "visit"
    assert order.created_by == grid_member_a1 and order.photos.count() == 1


def test_a_grid_member_cannot_log_for_another_village(client, tree, grid_member_a1, category):
    elsewhere = add_household(tree.village_a2, "A2-001")
    client.force_login(grid_member_a1)
    response = _new(client, tree.village_a2, elsewhere, category=category.pk)
    assert response.status_code == 200 and "error" in response.content.decode()
    # Their own village with the other village's household: refused too.
    response = _new(client, tree.village_a1, elsewhere, category=category.pk)
    assert response.status_code == 200 and "error" in response.content.decode()
    assert not Order.objects.exists()


def test_a_logged_request_keeps_what_was_typed_when_refused(client, tree, grid_member_a1, category):
    client.force_login(grid_member_a1)
    response = _new(client, tree.village_a1, category=category.pk, phone="12345")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写正确的手机号" in html and "屋后排水沟堵塞" in html and 'value="李桂兰"' in html
    assert not Order.objects.exists()


def test_the_household_picker_searches_one_village(client, tree, township_a_user):
    add_household(tree.village_a1, "A1-100")
    add_household(tree.village_a2, "A2-100")
    client.force_login(township_a_user)
    url = reverse("orders_new") + f"?village={tree.village_a2.pk}&hh_q=A2"
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and 'id="household-field"' in part
    assert "A2-100" in part and "A1-100" not in part


# --- lists ------------------------------------------------------------------------------------


def test_list_filters_and_htmx_pages(client, tree, county_user, category):
    for i in range(35):
        submit(tree.village_a1, category, phone=f"138000000{i:02d}", client_ip=f"10.0.1.{i}")
    lone = submit(tree.village_b1, category, description="南村的路灯坏了", client_ip="10.0.2.1")
    client.force_login(county_user)
    html = client.get(reverse("orders_list") + "?q=路灯").content.decode()
    assert lone.code in html and "共 1 件" in html
    html = client.get(reverse("orders_list") + f"?region={tree.township_b.pk}").content.decode()
    assert lone.code in html and "共 1 件" in html
    part = client.get(
        reverse("orders_list") + "?status=open&page=2", headers={"HX-Request": "true"}
    )
    body = part.content.decode()
    assert "<html" not in body and 'id="rows"' in body and "第 2 / 2 页" in body
    assert "status=open" in body  # the pager keeps the filters


def test_a_region_outside_the_scope_is_not_found_as_a_filter(client, tree, township_a_user):
    client.force_login(township_a_user)
    url = reverse("orders_list") + f"?region={tree.township_b.pk}"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["orders_list", "orders_todo"])
def test_lists_keep_a_constant_query_count(
    client, tree, village_a1_user, category, django_assert_num_queries, name
):
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            submit(tree.village_a1, category, phone=f"1390000{i:04d}", client_ip=f"10.1.0.{i}")

    client.force_login(village_a1_user)
    url = reverse(name)
    add(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(20, 2)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert response.content.decode().count('class="orow"') == 22


# --- navigation and notices -------------------------------------------------------------------


def test_the_navigation_shows_the_to_do_count(client, tree, village_a1_user, category):
    submit(tree.village_a1, category)
    submit(tree.village_a1, category, phone="13812345670")
    client.force_login(village_a1_user)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    assert re.search(r'<span class="badge" data-badge="orders_todo">2</span>', html)
    assert "全部工单" in html


def test_a_viewer_gets_no_to_do_item(client, tree):
    from zhenxing.accounts import services as account_services
    from zhenxing.accounts.models import Role

    viewer = account_services.user_create(
        username="viewer_u", password="x-pass-12345", role=Role.VIEWER, scope_region=tree.county
    )
    client.force_login(viewer)
    html = client.get(reverse("orders_list")).content.decode()
    assert "全部工单" in html and f'href="{reverse("orders_todo")}"' not in html


def test_a_dispatched_member_is_notified_and_marks_it_read(
    client, tree, village_a1_user, member_a1, category
):
    order = submit(tree.village_a1, category)
    order_dispatch(order=order, actor=actor(village_a1_user), member=member_a1[0])
    client.force_login(member_a1[1])
    html = client.get(reverse("notices")).content.decode()
    assert order.code in html and "新派单" in html
    assert re.search(r'data-badge="notices">1</span>', html)
    response = client.post(reverse("notices_read"))
    assert response.status_code == 302
    assert not Notice.objects.filter(read_at__isnull=True).exists()
    html = client.get(reverse("notices")).content.decode()
    assert 'data-badge="notices"' not in html and order.code in html
