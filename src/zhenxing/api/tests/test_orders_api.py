from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhenxing.accounts.models import PersonalDataView
from zhenxing.conftest import PASSWORD, add_household
from zhenxing.orders import services
from zhenxing.orders.models import Category, Meeting, Order, OrderEvent, Rating, Team, TeamKind
from zhenxing.orders.states import Action, Actor
from zhenxing.orders.tests.conftest import actor, member_with_account, submit

API = "/api/v1/orders"
ORDER_ACTIONS = ["dispatch", "accept", "return", "resolve", "rate", "withdraw", "mark", "urge"]


@pytest.fixture
def category(db) -> Category:
    # The data migration seeds it; a transactional test's flush elsewhere may have emptied it.
    return Category.objects.get_or_create(
        name="环境卫生", defaults={"time_limit_days": 3, "response_days": 1, "sort": 5}
    )[0]


@pytest.fixture
def dispute(db) -> Category:
    return Category.objects.get_or_create(
        name="矛盾纠纷", defaults={"time_limit_days": 10, "is_dispute": True, "sort": 7}
    )[0]


@pytest.fixture
def member_a1(tree):
    return member_with_account(tree.village_a1, "901", "party_a1_u")


@pytest.fixture
def member_a1_b(tree):
    return member_with_account(tree.village_a1, "902", "party_a1_b_u")


@pytest.fixture
def team_a1(tree, member_a1, member_a1_b) -> Team:
    team = Team.objects.create(
        region=tree.village_a1, kind=TeamKind.VOLUNTEER, name="东村志愿服务队"
    )
    team.members.add(member_a1[0], member_a1_b[0])
    return team


def token_for(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def post(client, url: str, data: dict | None = None, **kw):
    return client.post(url, data or {}, content_type="application/json", **kw)


def history(order: Order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).values_list("action", flat=True))


def snapshot(order: Order) -> dict:
    return {
        **Order.objects.filter(pk=order.pk).values().get(),
        "events": OrderEvent.objects.filter(order=order).count(),
    }


def dispatched(order, by, *, member=None, team=None) -> Order:
    return services.order_dispatch(order=order, actor=actor(by), member=member, team=team)


def resolved(order, by, member) -> Order:
    dispatched(order, by, member=member[0])
    services.order_accept(order=order, actor=actor(member[1]))
    return services.order_resolve(order=order, actor=actor(member[1]), resolution="已清运完毕")


# --- the loop, as the pages run it --------------------------------------------------------------


def test_a_cadre_logs_a_request_and_it_goes_round_the_loop_through_the_api(
    client, tree, village_a1_user, member_a1, category
):
    household = add_household(tree.village_a1, "A1-001")
    client.force_login(village_a1_user)
    created = post(
        client,
        API,
        {
            "village_id": tree.village_a1.pk,
            "household_id": household.pk,
            "category_id": category.pk,
            "description": "院墙倒塌需要帮忙清理",
            "name": "户主A1-001",
            "phone": "13800138000",
            "source": "visit",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    order = Order.objects.get(pk=body["id"])
    assert order.household == household and order.created_by == village_a1_user
    assert body["status"] == "submitted" and "dispatch" in body["allowed_actions"]

    member, member_user = member_a1
    moved = post(client, f"{API}/{order.pk}/dispatch", {"member_id": member.pk, "note": "请尽快"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "dispatched"
    assert moved.json()["assignee"] == member.person.name

    headers = token_for(Client(), member_user.username)
    member_client = Client(headers=headers)
    assert post(member_client, f"{API}/{order.pk}/accept").json()["status"] == "accepted"
    done = post(member_client, f"{API}/{order.pk}/resolve", {"resolution": "已组织志愿者清理"})
    assert done.json()["status"] == "resolved"
    rated = post(client, f"{API}/{order.pk}/rate", {"rating": "satisfied", "reason": "很及时"})
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "closed" and rated.json()["allowed_actions"] == []
    assert history(order) == ["submit", "dispatch", "accept", "resolve", "rate"]


def test_a_team_order_is_accepted_returned_marked_urged_and_withdrawn(
    client, tree, village_a1_user, township_a_user, member_a1, team_a1, category
):
    order = submit(tree.village_a1, category)
    client.force_login(village_a1_user)
    teams = client.get(f"{API}/teams?order_id={order.pk}").json()
    assert [t["name"] for t in teams] == ["东村志愿服务队"]
    assert post(client, f"{API}/{order.pk}/dispatch", {"team_id": team_a1.pk}).status_code == 200
    member_client = Client()
    member_client.force_login(member_a1[1])
    taken = post(member_client, f"{API}/{order.pk}/accept").json()
    assert taken["status"] == "accepted" and taken["assignee_member_id"] == member_a1[0].pk
    back = post(member_client, f"{API}/{order.pk}/return", {"reason": "需要专业施工队"})
    assert back.status_code == 200 and back.json()["status"] == "returned"
    marked = post(client, f"{API}/{order.pk}/mark", {"note": "村里解决不了，报乡镇"})
    assert marked.status_code == 200 and marked.json()["escalate_mark"] is True
    client.force_login(township_a_user)
    urged = post(client, f"{API}/{order.pk}/urge", {"note": "请三日内答复"})
    assert urged.status_code == 200 and urged.json()["urge_count"] == 1
    client.force_login(village_a1_user)
    gone = post(client, f"{API}/{order.pk}/withdraw", {"reason": "群众电话说已自行解决"})
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert history(order) == [
        "submit",
        "dispatch",
        "accept",
        "return",
        "mark",
        "urge",
        "withdraw",
    ]


def test_an_unhappy_rating_by_telephone_reopens_the_order(
    client, tree, village_a1_user, member_a1, category
):
    order = resolved(submit(tree.village_a1, category), village_a1_user, member_a1)
    client.force_login(village_a1_user)
    no_reason = post(client, f"{API}/{order.pk}/rate", {"rating": "unsatisfied"})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == [
        {"field": "reason", "message": "请说明不满意的原因，以便重新办理"}
    ]
    reopened = post(client, f"{API}/{order.pk}/rate", {"rating": "unsatisfied", "reason": "又堆了"})
    assert reopened.json()["status"] == "reopened"


def test_a_return_without_a_reason_names_the_reason_field(
    client, tree, village_a1_user, member_a1, category
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, member=member_a1[0])
    client.force_login(member_a1[1])
    response = post(client, f"{API}/{order.pk}/return", {"reason": " "})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "reason" and "退回理由" in error["message"]


def test_a_dispute_is_resolved_with_its_mediation_outcome(
    client, tree, village_a1_user, member_a1, dispute
):
    order = dispatched(submit(tree.village_a1, dispute), village_a1_user, member=member_a1[0])
    services.order_accept(order=order, actor=actor(member_a1[1]))
    client.force_login(member_a1[1])
    missing = post(client, f"{API}/{order.pk}/resolve", {"resolution": "双方已达成协议"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "mediation"
    done = post(
        client,
        f"{API}/{order.pk}/resolve",
        {"resolution": "双方已达成协议", "mediation": "settled"},
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"


def test_a_role_that_may_not_act_gets_403_with_the_reason(
    client, tree, grid_member_a1, member_a1, category
):
    order = submit(tree.village_a1, category)
    before = snapshot(order)
    client.force_login(grid_member_a1)
    response = post(client, f"{API}/{order.pk}/dispatch", {"member_id": member_a1[0].pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "您不能对该工单执行“派单”"
    assert snapshot(order) == before


def test_a_crafted_rating_of_an_unresolved_order_changes_nothing(
    client, tree, village_a1_user, member_a1, category
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, member=member_a1[0])
    before = snapshot(order)
    client.force_login(village_a1_user)
    response = post(client, f"{API}/{order.pk}/rate", {"rating": "satisfied", "reason": "好"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": None, "message": "该工单当前为“待接单”，不能评价"}
    ]
    public = post(
        Client(), f"{API}/public/{order.code}/rate", {"phone4": "5678", "rating": "satisfied"}
    )
    assert public.status_code == 422
    assert snapshot(order) == before


def test_the_second_member_to_accept_a_team_order_gets_409(
    client, tree, village_a1_user, member_a1, member_a1_b, team_a1, category, monkeypatch
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, team=team_a1)
    real_accept = services.order_accept

    def rival_takes_it_first(*, order, actor, **kw):
        # Both members loaded the order while it was 待接单; the rival's UPDATE lands first.
        real_accept(order=Order.objects.get(pk=order.pk), actor=Actor.of(member_a1[1]))
        return real_accept(order=order, actor=actor, **kw)

    monkeypatch.setattr(services, "order_accept", rival_takes_it_first)
    client.force_login(member_a1_b[1])
    response = post(client, f"{API}/{order.pk}/accept")
    assert response.status_code == 409
    assert response.json()["detail"] == "该工单已被他人接单"
    order.refresh_from_db()
    assert order.assignee_member == member_a1[0]
    assert history(order) == ["submit", "dispatch", "accept"]


def test_an_accept_after_the_order_was_taken_is_refused_and_changes_nothing(
    client, tree, village_a1_user, member_a1, member_a1_b, team_a1, category
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, team=team_a1)
    first, second = Client(), Client()
    first.force_login(member_a1[1])
    second.force_login(member_a1_b[1])
    assert post(first, f"{API}/{order.pk}/accept").status_code == 200
    before = snapshot(order)
    response = post(second, f"{API}/{order.pk}/accept")
    assert response.status_code == 409
    assert response.json()["detail"] == "该工单已被他人接单"
    assert snapshot(order) == before


# --- reads --------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(client, tree, township_a_user, category, dispute):
    other = dispute
    east = submit(tree.village_a1, category, phone="13800000001", name="李四")
    west = submit(tree.village_a2, other, phone="13800000002")
    services.order_withdraw(order=west, actor=actor(township_a_user), reason="重复")
    submit(tree.village_b1, category, phone="13800000003")
    client.force_login(township_a_user)

    def codes(query: str = "") -> set[str]:
        response = client.get(f"{API}{query}")
        assert response.status_code == 200, response.content
        return {row["code"] for row in response.json()["items"]}

    assert codes() == {east.code, west.code}
    assert codes("?status=open") == {east.code}
    assert codes("?status=withdrawn") == {west.code}
    assert codes(f"?category={other.pk}") == {west.code}
    assert codes("?level=village") == {east.code, west.code}
    assert codes("?overdue=true") == set()
    assert codes("?q=李四") == {east.code}
    assert codes(f"?q={east.code.lower()}") == {east.code}
    assert codes(f"?region={tree.village_a2.pk}") == {west.code}
    page = client.get(f"{API}?limit=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1
    row = client.get(f"{API}?q=李四").json()["items"][0]
    assert row["village_name"] == "东村" and row["status_label"] == "待派单"
    assert "requester_phone" not in row
    assert client.get(f"{API}?region={tree.village_b1.pk}").status_code == 404
    assert client.get(f"{API}?status=nonsense").status_code == 422


def test_to_do_lists_and_their_counts(
    client, tree, village_a1_user, member_a1, member_a1_b, team_a1, category
):
    waiting = submit(tree.village_a1, category, phone="13800000001")
    sent = dispatched(
        submit(tree.village_a1, category, phone="13800000002"), village_a1_user, team=team_a1
    )
    client.force_login(village_a1_user)
    counts = client.get(f"{API}/todo/counts").json()
    assert {"list": "dispatch", "label": "待派单", "count": 1} in counts
    rows = client.get(f"{API}/todo?list=dispatch").json()["items"]
    assert [r["code"] for r in rows] == [waiting.code]
    assert client.get(f"{API}/todo").json()["items"] == rows  # the first list by default
    client.force_login(member_a1_b[1])
    counts = {c["list"]: c["count"] for c in client.get(f"{API}/todo/counts").json()}
    assert counts == {"take": 1, "doing": 0}
    rows = client.get(f"{API}/todo?list=take").json()["items"]
    assert [r["code"] for r in rows] == [sent.code]
    assert client.get(f"{API}/todo?list=dispatch").json()["items"] == []


def test_the_detail_masks_the_phone_for_a_grid_member_and_logs_an_unmasked_view(
    client, tree, village_a1_user, grid_member_a1, member_a1, category
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, member=member_a1[0])
    client.force_login(grid_member_a1)
    masked = client.get(f"{API}/{order.pk}").json()
    assert masked["requester_phone"] == "138****5678"
    assert masked["allowed_actions"] == []
    assert not PersonalDataView.objects.exists()
    client.force_login(village_a1_user)
    body = client.get(f"{API}/{order.pk}").json()
    assert body["requester_phone"] == "13812345678"
    assert PersonalDataView.objects.filter(
        user=village_a1_user, what=f"api order {order.code}"
    ).exists()
    assert [e["action"] for e in body["events"]] == ["submit", "dispatch"]
    assert body["events"][0]["actor"] == "群众"
    assert body["events"][1]["actor"] == "village_a1_u"
    assert body["events"][1]["to_status_label"] == "待接单"
    assert {"dispatch", "withdraw", "mark"} <= set(body["allowed_actions"])
    client.force_login(member_a1[1])
    assert client.get(f"{API}/{order.pk}").json()["allowed_actions"] == ["accept", "return"]


def test_categories_and_teams(client, tree, village_a1_user, team_a1, category, dispute):
    Category.objects.create(name="已停用的类别", active=False)
    client.force_login(village_a1_user)
    rows = {c["name"]: c for c in client.get(f"{API}/categories").json()}
    assert {"环境卫生", "矛盾纠纷"} <= set(rows) and "已停用的类别" not in rows
    assert rows["矛盾纠纷"]["is_dispute"] is True
    teams = client.get(f"{API}/teams").json()
    assert teams == [
        {
            "id": team_a1.pk,
            "name": "东村志愿服务队",
            "kind": "volunteer",
            "kind_label": "志愿服务队",
            "specialty": "",
            "region_id": tree.village_a1.pk,
        }
    ]


def test_a_meeting_records_a_decision_for_each_order(
    client, tree, village_a1_user, member_a1, category
):
    keep = submit(tree.village_a1, category, phone="13800000001")
    up = submit(tree.village_a1, category, phone="13800000002")
    client.force_login(village_a1_user)
    today = timezone.localdate().isoformat()
    payload = {
        "region_id": tree.village_a1.pk,
        "held_on": today,
        "attendees": "两委班子",
        "items": [
            {"order_id": keep.pk, "decision": "continue"},
            {"order_id": up.pk, "decision": "escalate", "note": "需乡镇协调"},
        ],
    }
    response = post(client, f"{API}/meetings", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["decision_label"] for i in body["items"]] == ["继续办理", "提交上级会商"]
    assert history(keep)[-1] == Action.REVIEW and history(up)[-1] == Action.MARK
    up.refresh_from_db()
    assert up.escalate_mark
    twice = {**payload, "items": [payload["items"][0], payload["items"][0]]}
    assert post(client, f"{API}/meetings", twice).status_code == 422
    empty = post(client, f"{API}/meetings", {**payload, "items": []})
    assert empty.json()["errors"] == [{"field": "items", "message": "请至少对一条工单作出会商结果"}]
    assert Meeting.objects.count() == 1


# --- scope --------------------------------------------------------------------------------------


def order_urls(order_id: int) -> list[tuple[str, str]]:
    return [
        ("get", f"{API}/{order_id}"),
        ("get", f"{API}/teams?order_id={order_id}"),
        *[("post", f"{API}/{order_id}/{action}") for action in ORDER_ACTIONS],
    ]


def test_an_outsider_gets_404_on_an_order_of_east_village_like_a_missing_one(
    client, tree, township_b_user, member_a1, village_a1_user, category
):
    order = dispatched(submit(tree.village_a1, category), village_a1_user, member=member_a1[0])
    before = snapshot(order)
    outsider = Client(headers=token_for(client, "township_b_u"))
    bodies = {"rate": {"rating": "satisfied"}, "urge": {"note": "请尽快办理"}}
    for (method, url), (_, missing_url) in zip(
        order_urls(order.pk), order_urls(987654), strict=True
    ):
        action = url.rsplit("/", 1)[-1]
        call = getattr(outsider, method)
        kw = {"content_type": "application/json"} if method == "post" else {}
        data = bodies.get(action, {}) if method == "post" else None
        out = call(url, data, **kw)
        missing = call(missing_url, data, **kw)
        assert out.status_code == missing.status_code == 404, (url, out.status_code)
        assert out.json() == missing.json()
    assert snapshot(order) == before
    assert outsider.get(API).json()["count"] == 0
    meeting = post(
        outsider,
        f"{API}/meetings",
        {
            "region_id": tree.township_b.pk,
            "held_on": timezone.localdate().isoformat(),
            "items": [{"order_id": order.pk, "decision": "escalate"}],
        },
    )
    assert meeting.status_code == 404
    assert outsider.get(f"{API}/figures?region_id={tree.village_a1.pk}").status_code == 404
    logged = post(
        outsider,
        API,
        {"village_id": tree.village_a1.pk, "category_id": category.pk, "description": "x"},
    )
    assert logged.status_code == 404
    assert Order.objects.count() == 1


def test_without_credentials_the_order_routes_answer_401(client, tree):
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/figures").status_code == 401


# --- figures ------------------------------------------------------------------------------------


def test_figures_match_the_orders_received(client, tree, township_a_user, member_a1, category):
    for i, village in enumerate([tree.village_a1, tree.village_a1, tree.village_a2]):
        order = submit(village, category, phone=f"1380000000{i}")
        if i == 0:
            resolved(order, township_a_user, member_a1)
    submit(tree.village_b1, category, phone="13800000009")  # another township's
    client.force_login(township_a_user)
    month = timezone.localdate().strftime("%Y-%m")
    body = client.get(f"{API}/figures?period={month}").json()
    assert body["region_id"] == tree.township_a.pk and body["period"] == month
    figures = body["figures"]
    assert figures["received"] == 3 and figures["resolved"] == 1
    assert figures["resolution_rate"] == 33.3
    assert figures["level_shares"]["village"] == 100.0
    children = {c["name"]: c["figures"]["received"] for c in body["children"]}
    assert children == {"一管区": 2, "西村": 1}
    assert {c["region_id"] for c in body["children"]} == {tree.district_a1.pk, tree.village_a2.pk}
    this_year = client.get(f"{API}/figures?region_id={tree.village_a1.pk}").json()
    assert this_year["period"] == str(timezone.localdate().year)
    assert this_year["figures"]["received"] == 2 and this_year["children"] == []
    bad = client.get(f"{API}/figures?period=2026-13")
    assert bad.status_code == 422
    (error,) = bad.json()["errors"]
    assert error["field"] == "period" and "无法识别" in error["message"]
    assert client.get(f"{API}/figures?region_id={tree.township_b.pk}").status_code == 404


# --- the villager's routes ----------------------------------------------------------------------


def test_a_villager_submits_tracks_and_rates_without_logging_in(
    tree, village_a1_user, member_a1, category
):
    villager = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.1.2.3")
    created = villager.post(
        f"{API}/public",
        {
            "village_id": tree.village_a1.pk,
            "category_id": category.pk,
            "description": "路灯坏了一个月",
            "name": "张桂兰",
            "phone": "13912345678",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["status"] == "submitted"
    order = Order.objects.get(code=code)
    assert order.client_ip == "10.1.2.3" and order.source == "qr"

    tracked = villager.get(f"{API}/public/{code.lower()}?phone4=5678")
    assert tracked.status_code == 200
    assert tracked.json()["allowed_actions"] == ["withdraw"]
    resolved(order, village_a1_user, member_a1)
    tracked = villager.get(f"{API}/public/{code}?phone4=5678").json()
    assert tracked["status"] == "resolved" and tracked["allowed_actions"] == ["rate"]
    assert tracked["resolution"] == "已清运完毕"
    rated = villager.post(
        f"{API}/public/{code}/rate",
        {"phone4": "5678", "rating": "basic", "reason": "还行"},
        content_type="application/json",
    )
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "closed"
    order.refresh_from_db()
    assert order.rating == Rating.BASIC and order.rating_reason == "还行"
    assert [e["note"] for e in rated.json()["events"]][-1] == "还行"


def test_a_villager_withdraws_an_open_request(tree, category):
    order = submit(tree.village_a1, category)
    villager = Client(enforce_csrf_checks=True)
    response = villager.post(
        f"{API}/public/{order.code}/withdraw",
        {"phone4": "5678", "reason": "不需要了"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["events"][-1]["note"] == "不需要了"
    again = villager.post(
        f"{API}/public/{order.code}/withdraw",
        {"phone4": "5678"},
        content_type="application/json",
    )
    assert again.status_code == 422


def test_public_tracking_names_no_person(client, tree, village_a1_user, member_a1, category):
    order = submit(tree.village_a1, category, name="王秀英", phone="13812345678")
    dispatched(order, village_a1_user, member=member_a1[0])  # the note is the member's name
    services.order_accept(order=order, actor=actor(member_a1[1]))
    response = Client().get(f"{API}/public/{order.code}?phone4=5678")
    assert response.status_code == 200
    text = response.content.decode()
    body = json.loads(text)
    assert [e["action"] for e in body["events"]] == ["submit", "dispatch", "accept"]
    assert all(e["note"] == "" for e in body["events"])
    for secret in (
        member_a1[0].person.name,
        member_a1[1].username,
        village_a1_user.username,
        "王秀英",
        "13812345678",
    ):
        assert secret not in text
    assert body["status_label"] == "办理中" and body["village"] == "东村"


@pytest.mark.parametrize(
    "url",
    [
        "{api}/public/{code}?phone4=0000",
        "{api}/public/{code}?phone4=",
        "{api}/public/ZZZZZZZZ?phone4=5678",
    ],
)
def test_a_wrong_code_or_phone_answers_404_with_one_body(client, tree, category, url):
    order = submit(tree.village_a1, category)
    response = client.get(url.format(api=API, code=order.code))
    assert response.status_code == 404
    assert response.json() == client.get(f"{API}/public/ZZZZZZZZ?phone4=1234").json()
    for action, data in (("rate", {"rating": "satisfied"}), ("withdraw", {})):
        wrong = post(client, f"{API}/public/{order.code}/{action}", {"phone4": "0000", **data})
        assert wrong.status_code == 404 and wrong.json() == response.json()


def test_public_intake_errors_name_each_field_in_chinese_and_write_nothing(tree, category):
    villager = Client(enforce_csrf_checks=True)

    def errors(payload: dict) -> dict[str, str]:
        response = post(villager, f"{API}/public", payload)
        assert response.status_code == 422, response.content
        return {e["field"]: e["message"] for e in response.json()["errors"]}

    assert errors({}) == {"village_id": "请选择村或社区", "category_id": "请选择诉求类别"}
    assert errors({"village_id": tree.township_a.pk, "category_id": category.pk}) == {
        "village_id": "请选择村或社区",
        "description": "请填写诉求内容（至少 5 个字）",
        "name": "请填写姓名（至少 1 个字）",
        "phone": "请填写正确的手机号（11 位）或带区号的座机号",
    }
    too_long = {"village_id": tree.village_a1.pk, "category_id": category.pk, "name": "王" * 21}
    assert errors({**too_long, "description": "路灯坏了一个月", "phone": "13912345678"}) == {
        "name": "姓名不能超过 20 个字"
    }
    assert Order.objects.count() == 0 and OrderEvent.objects.count() == 0


# --- query counts and schema --------------------------------------------------------------------


def _more_orders(tree, village_a1_user, member_a1, team_a1, category, n: int) -> None:
    """Orders in every state the rows show: waiting, sent to a member, sent to a team, taken."""
    for i in range(n):
        phone = f"1370000{Order.objects.count():04d}"
        order = submit(tree.village_a1, category, phone=phone, client_ip=None)
        if i % 4 == 1:
            dispatched(order, village_a1_user, member=member_a1[0])
        elif i % 4 >= 2:
            dispatched(order, village_a1_user, team=team_a1)
        if i % 4 == 3:
            services.order_accept(order=order, actor=actor(member_a1[1]))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_order_lists_keep_a_constant_query_count(
    client, tree, village_a1_user, member_a1, team_a1, category, django_assert_num_queries
):
    client.force_login(village_a1_user)
    urls = [API, f"{API}?status=open", f"{API}/todo?list=dispatch", f"{API}/figures"]
    _more_orders(tree, village_a1_user, member_a1, team_a1, category, 3)
    small = {url: queries_for(client, url) for url in urls}
    _more_orders(tree, village_a1_user, member_a1, team_a1, category, 15)
    for url in urls:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200
    assert client.get(API).json()["count"] == 18


def test_openapi_schema_builds_with_the_order_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/orders/{order_id}/accept" in paths
    assert "/api/v1/orders/public/{code}" in paths
    assert "/api/v1/orders/figures" in paths
    assert paths["/api/v1/orders/public"]["post"].get("security") in (None, [])


def test_the_public_intake_needs_no_csrf_token_but_a_session_post_does(
    tree, village_a1_user, category
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(village_a1_user)
    payload = {
        "village_id": tree.village_a1.pk,
        "category_id": category.pk,
        "description": "路灯坏了一个月",
        "name": "张桂兰",
        "phone": "13912345678",
    }
    assert post(browser, f"{API}/public", payload).status_code == 201
    assert post(browser, API, payload).status_code == 403  # the session's POST needs its token
    assert Order.objects.count() == 1
