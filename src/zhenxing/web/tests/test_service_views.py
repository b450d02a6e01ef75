"""Service pages: figures on region pages, 民情碰头会, and the county's settings pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenxing.core.models import CalendarDay
from zhenxing.orders.models import Category, Meeting, MeetingItem, Order, OrderEvent, Rating, Team
from zhenxing.orders.services import (
    order_accept,
    order_dispatch,
    order_rate,
    order_resolve,
)
from zhenxing.orders.states import Level, Status
from zhenxing.orders.tests.conftest import actor, member_with_account, submit
from zhenxing.regions.models import Level as RegionLevel
from zhenxing.regions.models import Region

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday
PHONES = count(1)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def category(db) -> Category:
    return Category.objects.get(name="环境卫生")


@pytest.fixture
def member_a1(tree):
    return member_with_account(tree.village_a1, "901", "party_a1_u")


def new_order(village, category, **kw) -> Order:
    """A request from a villager; each one from its own phone, so no rate limit is reached."""
    return submit(village, category, phone=f"139{next(PHONES):08d}", client_ip=None, **kw)


def resolved(village, category, handler, member, *, rating=Rating.SATISFIED) -> Order:
    order = new_order(village, category)
    order_dispatch(order=order, actor=actor(handler), member=member)
    order_accept(order=order, actor=actor(handler))
    order_resolve(order=order, actor=actor(handler), resolution="已现场处理完毕")
    if rating:
        order_rate(order=order, actor=actor(handler), rating=rating)
    return order


def json_data(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match.group(1))


def shown(html: str) -> dict[str, str]:
    """The headline figures as shown: {"received": "4件", "response_rate": "75.0%", ...}."""
    return {
        key: re.sub(r"<[^>]+>", "", value)
        for key, value in re.findall(r'data-service="(\w+)">(.*?)</b>', html)
    }


# --- figures on the region pages ----------------------------------------------------------------


@pytest.fixture
def township_orders(tree, county_user, village_a1_user, member_a1, category):
    """东村 (under 一管区): one resolved and rated 满意, one dispatched, one just submitted.
    西村: one resolved and rated 基本满意. 南村 (the other township): one resolved."""
    member_a2, _ = member_with_account(tree.village_a2, "903", "party_a2_u")
    member_b1, _ = member_with_account(tree.village_b1, "904", "party_b1_u")
    resolved(tree.village_a1, category, village_a1_user, member_a1[0])
    open_one = new_order(tree.village_a1, category)
    order_dispatch(order=open_one, actor=actor(village_a1_user), member=member_a1[0])
    new_order(tree.village_a1, category)
    resolved(tree.village_a2, category, county_user, member_a2, rating=Rating.BASIC)
    resolved(tree.village_b1, category, county_user, member_b1)


def test_a_township_page_shows_the_service_figures_the_chinese_way(
    client, tree, township_a_user, township_orders
):
    client.force_login(township_a_user)
    html = client.get(reverse("region", args=[tree.township_a.pk])).content.decode()
    assert shown(html) == {
        "received": "4件",
        "response_rate": "75.0%",
        "resolution_rate": "50.0%",
        "on_time_rate": "100.0%",
        "satisfaction_rate": "100.0%",
        "average_workdays": "0.0个工作日",
        "open_overdue": "0件",
        "village_share": "100.0%",
        "township_share": "100.0%",
    }
    assert "2026年" in html and 'aria-current="true">本年' in html
    assert "小事不出村" in html and "大事不出镇" in html
    # Rates per child region, named as in the children table; the other township is nowhere.
    children = json_data(html, "data-children")
    assert children["names"] == ["一管区", "西村"]
    assert children["received"] == [3, 1]
    assert children["series"][0] == {"name": "响应率", "data": [66.7, 100.0]}
    assert children["series"][1] == {"name": "解决率", "data": [33.3, 100.0]}
    levels = json_data(html, "data-levels")
    assert levels == [["村内解决", 2], ["乡镇解决", 0], ["县级解决", 0]]
    trend = json_data(html, "data-trend")
    assert len(trend["months"]) == 11 and trend["months"][-1] == "11月"
    assert trend["series"][0]["data"][-1] == 4 and trend["series"][0]["data"][0] == 0
    assert trend["series"][1]["data"][0] is None  # no orders in January: no rate, not 0%
    assert "echarts.min.js" in html and "南村" not in html


def test_a_village_page_has_figures_but_no_child_chart(
    client, tree, village_a1_user, township_orders
):
    client.force_login(village_a1_user)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    assert shown(html)["received"] == "3件"
    assert shown(html)["resolution_rate"] == "33.3%"
    assert 'id="data-children"' not in html
    assert 'id="data-trend"' in html


def test_a_period_without_orders_shows_dashes(client, tree, township_a_user, township_orders):
    client.force_login(township_a_user)
    html = client.get(reverse("region", args=[tree.township_a.pk]), {"period": "2025"}).content
    figures = shown(html.decode())
    assert figures["received"] == "0件"
    assert figures["response_rate"] == "—"
    assert figures["satisfaction_rate"] == "—"
    assert figures["average_workdays"] == "—"
    assert "2025年暂无受理的诉求" in html.decode()
    assert "data-trend" not in html.decode()


def test_the_period_links_and_a_bad_period(client, tree, township_a_user, township_orders):
    client.force_login(township_a_user)
    url = reverse("region", args=[tree.township_a.pk])
    html = client.get(url, {"period": "2026Q4"}).content.decode()
    for key in ("2026-11", "2026Q4", "2026H1", "2026H2", "2026", "2025"):
        assert f'href="?period={key}#service-figures"' in html
    assert "2026年第四季度" in html and shown(html)["received"] == "4件"
    bad = client.get(url, {"period": "2026Q7"}).content.decode()
    assert "期间“2026Q7”无法识别" in bad
    assert shown(bad)["received"] == "4件"  # this year instead


def _grow(tree, category, n: int) -> None:
    """``n`` more villages under township A, each with two orders."""
    township = Region.objects.get(pk=tree.township_a.pk)
    for _ in range(n):
        i = township.numchild
        village = Region.objects.add_child(
            township, {"name": f"新村{i:03d}", "level": RegionLevel.VILLAGE}
        )
        township.refresh_from_db()
        new_order(village, category)
        new_order(village, category)


@pytest.mark.parametrize("level", ["county", "township_a", "village_a1"])
def test_the_region_page_keeps_a_constant_query_count_with_figures(
    client, tree, county_user, category, django_assert_num_queries, level
):
    client.force_login(county_user)
    url = reverse("region", args=[getattr(tree, level).pk])
    _grow(tree, category, 2)
    new_order(tree.village_a1, category)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    n = len(small)
    assert n > 0
    _grow(tree, category, 20)
    with django_assert_num_queries(n):
        html = client.get(url).content.decode()
    if level != "village_a1":
        assert shown(html)["received"] == "45件"


# --- 民情碰头会 ---------------------------------------------------------------------------------


@pytest.fixture
def open_orders(tree, village_a1_user, member_a1, category):
    """Three open village-level orders in 东村: submitted, dispatched, accepted."""
    submitted = new_order(tree.village_a1, category, description="路灯坏了三盏")
    dispatched = new_order(tree.village_a1, category, description="水渠堵塞需要清理")
    order_dispatch(order=dispatched, actor=actor(village_a1_user), member=member_a1[0])
    accepted = new_order(tree.village_a1, category, description="低保申请政策咨询")
    order_dispatch(order=accepted, actor=actor(village_a1_user), member=member_a1[0])
    order_accept(order=accepted, actor=actor(member_a1[1]))
    elsewhere = new_order(tree.village_a2, category, description="西村的诉求不在东村会上")
    return submitted, dispatched, accepted, elsewhere


def meeting_post(orders_decisions: dict, **extra) -> dict:
    data = {"held_on": "2026-11-23", "attendees": "村两委、网格员", "note": "研究本周诉求"}
    for order, (decision, note) in orders_decisions.items():
        data[f"decision-{order.pk}"] = decision
        data[f"note-{order.pk}"] = note
    data.update(extra)
    return data


def test_the_meeting_form_lists_the_open_orders_of_the_secretarys_village(
    client, village_a1_user, open_orders
):
    submitted, dispatched, accepted, elsewhere = open_orders
    client.force_login(village_a1_user)
    html = client.get(reverse("meeting_new")).content.decode()
    for order in (submitted, dispatched, accepted):
        assert order.code in html and f'name="decision-{order.pk}"' in html
    assert elsewhere.code not in html
    # 已解决 is offered only for an order someone has taken.
    assert re.search(rf'name="decision-{accepted.pk}" value="resolved">', html)
    assert re.search(rf'name="decision-{submitted.pk}" value="resolved" disabled>', html)


def test_a_meeting_with_a_bad_row_writes_nothing_and_names_the_row(
    client, village_a1_user, open_orders
):
    submitted, dispatched, accepted, _ = open_orders
    events = OrderEvent.objects.count()
    client.force_login(village_a1_user)
    response = client.post(
        reverse("meeting_new"),
        meeting_post(
            {
                submitted: ("", ""),  # row 1: not discussed
                dispatched: ("resolved", ""),  # row 2: sent out, but nobody has taken it
                accepted: ("escalate", "需乡镇协调"),
            }
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存" in html
    # The row is named by its number on the page and by its code.
    assert f"第 2 条（{dispatched.code}）：尚未接单办理，不能记为已解决" in html
    assert re.search(rf'<fieldset class="item has-error" id="row-{dispatched.pk}">', html)
    assert html.count('class="item has-error"') == 1
    # What the secretary entered is still there.
    assert re.search(rf'name="decision-{accepted.pk}" value="escalate" checked>', html)
    assert 'value="需乡镇协调"' in html
    assert Meeting.objects.count() == 0 and MeetingItem.objects.count() == 0
    assert OrderEvent.objects.count() == events
    assert not Order.objects.filter(escalate_mark=True).exists()


def test_a_meeting_dated_tomorrow_is_refused_by_field(client, village_a1_user, open_orders):
    submitted, *_ = open_orders
    client.force_login(village_a1_user)
    response = client.post(
        reverse("meeting_new"),
        meeting_post({submitted: ("continue", "")}, held_on="2026-11-24"),
    )
    assert "召开日期不能晚于今天" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_a_meeting_without_decisions_is_refused(client, village_a1_user, open_orders):
    client.force_login(village_a1_user)
    response = client.post(reverse("meeting_new"), meeting_post({}))
    assert "请至少对一条工单作出会商结果" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_a_decision_for_an_order_handled_meanwhile_writes_nothing(
    client, village_a1_user, open_orders
):
    submitted, _dispatched, _accepted, elsewhere = open_orders
    client.force_login(village_a1_user)
    response = client.post(
        reverse("meeting_new"),
        meeting_post({submitted: ("continue", ""), elsewhere: ("continue", "")}),
    )
    assert f"工单 {elsewhere.code} 已不在本级待办中" not in response.content.decode()
    assert "有 1 条工单不存在或不在您的范围内" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_a_good_meeting_marks_resolves_and_logs_each_order(client, village_a1_user, open_orders):
    submitted, dispatched, accepted, _ = open_orders
    client.force_login(village_a1_user)
    response = client.post(
        reverse("meeting_new"),
        meeting_post(
            {
                submitted: ("escalate", "涉及乡镇电力所"),
                dispatched: ("continue", "本周内清理"),
                accepted: ("resolved", "已讲清政策"),
            }
        ),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.region_id == village_a1_user.scope_region_id
    assert meeting.attendees == "村两委、网格员" and meeting.note == "研究本周诉求"
    assert meeting.items.count() == 3
    for order in (submitted, dispatched, accepted):
        order.refresh_from_db()
    assert submitted.escalate_mark and submitted.status == Status.SUBMITTED
    assert dispatched.status == Status.DISPATCHED and not dispatched.escalate_mark
    assert accepted.status == Status.RESOLVED and accepted.resolved_level == Level.VILLAGE
    last = {
        o.pk: OrderEvent.objects.filter(order=o).latest("at", "pk")
        for o in (submitted, dispatched, accepted)
    }
    assert last[submitted.pk].action == "mark" and "涉及乡镇电力所" in last[submitted.pk].note
    assert last[dispatched.pk].action == "review" and "本周内清理" in last[dispatched.pk].note
    assert last[accepted.pk].action == "resolve"
    assert all(e.actor_id == village_a1_user.pk for e in last.values())
    detail = client.get(response["Location"]).content.decode()
    assert "会商已记录：3 条工单作出了结论" in detail
    for text in ("提交上级会商", "继续办理", "已解决", submitted.code, "研究本周诉求"):
        assert text in detail


def test_a_township_meeting_reviews_township_level_orders(
    client, tree, township_a_user, village_a1_user, open_orders
):
    client.force_login(township_a_user)
    html = client.get(reverse("meeting_new")).content.decode()
    assert "乡镇级待办工单" in html
    assert open_orders[0].code not in html  # village-level orders are the village's meeting


def test_the_meetings_list_shows_the_next_cutoffs_and_what_would_go_up(
    client, tree, township_a_user, village_a1_user, open_orders, time_machine
):
    submitted, dispatched, *_ = open_orders
    Order.objects.filter(pk=submitted.pk).update(escalate_mark=True)
    Order.objects.filter(pk__in=[submitted.pk, dispatched.pk]).update(overdue=True)
    time_machine.move_to(dt.datetime(2025, 12, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    client.force_login(township_a_user)
    html = client.get(reverse("meetings")).content.decode()
    # 2025-12-20 is a Saturday: the township cut-off moves back to Friday the 19th;
    # the 28th is a Sunday: the county cut-off is Friday the 26th.
    assert '<b data-cutoff="village">2025年12月19日</b> 周五' in html
    assert '<b data-cutoff="township">2025年12月26日</b> 周五' in html
    assert "还有 9 天" in html
    assert re.search(r"将提交上级 <b class=\"big\">2</b> 件", html)
    assert "标记上报 <b data-marked>1</b> 件，超期未办结 <b data-overdue>2</b> 件" in html
    assert "逢休息日提前到前一个工作日" in html


def test_after_this_months_cutoff_the_list_shows_next_months(client, tree, village_a1_user):
    client.force_login(village_a1_user)
    html = client.get(reverse("meetings")).content.decode()  # 23 November 2026
    assert '<b data-cutoff="village">2026年12月18日</b> 周五' in html  # the 20th is a Sunday
    assert 'data-cutoff="township"' not in html  # a village only sends to the township


def test_the_meetings_list_is_newest_first_and_scoped(
    client, tree, village_a1_user, township_b_user, township_a_user, open_orders
):
    submitted, dispatched, *_ = open_orders
    client.force_login(village_a1_user)
    for day, order in (("2026-11-02", submitted), ("2026-11-16", dispatched)):
        client.post(reverse("meeting_new"), meeting_post({order: ("continue", "")}, held_on=day))
    newer = Meeting.objects.latest("held_on")
    html = client.get(reverse("meetings")).content.decode()
    assert html.index("2026-11-16") < html.index("2026-11-02")
    client.force_login(township_a_user)
    assert "2026-11-16" in client.get(reverse("meetings")).content.decode()
    client.force_login(township_b_user)
    assert "2026-11-16" not in client.get(reverse("meetings")).content.decode()
    assert client.get(reverse("meeting_detail", args=[newer.pk])).status_code == 404
    assert client.get(reverse("meeting_detail", args=[987654])).status_code == 404


def test_only_a_village_secretary_or_a_township_office_records_a_meeting(
    client, tree, grid_member_a1, county_user
):
    client.force_login(grid_member_a1)
    assert client.get(reverse("meetings")).status_code == 200  # they may read their village's
    assert client.get(reverse("meeting_new")).status_code == 404
    assert client.post(reverse("meeting_new"), {}).status_code == 404
    client.force_login(county_user)
    assert client.get(reverse("meetings")).status_code == 200
    assert client.get(reverse("meeting_new")).status_code == 404  # the county does not hold one


def test_the_meetings_list_query_count_does_not_grow(
    client, tree, village_a1_user, township_a_user, open_orders, django_assert_num_queries
):
    submitted, dispatched, *_ = open_orders
    client.force_login(village_a1_user)
    client.post(reverse("meeting_new"), meeting_post({submitted: ("continue", "")}))
    client.force_login(township_a_user)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("meetings"))
    n = len(small)  # now: the next request clears the connection's query log
    client.force_login(village_a1_user)
    for _ in range(5):
        client.post(reverse("meeting_new"), meeting_post({dispatched: ("continue", "")}))
    assert Meeting.objects.count() == 6
    client.force_login(township_a_user)
    with django_assert_num_queries(n):
        client.get(reverse("meetings"))


# --- county settings ------------------------------------------------------------------------------


SETTINGS = ["categories", "calendar_days"]


@pytest.mark.parametrize("name", SETTINGS)
@pytest.mark.parametrize(
    "persona", ["township_a_user", "village_a1_user", "grid_member_a1", "township_b_user"]
)
def test_county_settings_are_not_found_for_anyone_else(client, request, name, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name), {"id": "1"}).status_code == 404


def test_the_teams_page_is_for_the_county_and_village_secretaries(
    client, county_user, village_a1_user, township_a_user, grid_member_a1
):
    for user, status in (
        (county_user, 200),
        (village_a1_user, 200),
        (township_a_user, 404),
        (grid_member_a1, 404),
    ):
        client.force_login(user)
        assert client.get(reverse("teams")).status_code == status, user.username


def test_the_county_edits_a_category(client, county_user, category):
    client.force_login(county_user)
    prefix = f"c{category.pk}"
    response = client.post(
        reverse("categories"),
        {
            "id": category.pk,
            f"{prefix}-name": "环境卫生整治",
            f"{prefix}-time_limit_days": "4",
            f"{prefix}-response_days": "1",
            f"{prefix}-active": "on",
            f"{prefix}-sort": "3",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.time_limit_days, category.is_dispute, category.sort) == (
        "环境卫生整治",
        4,
        False,
        3,
    )
    assert "已保存类别“环境卫生整治”" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_limit_days": "0"}, "办结时限（工作日）：请填写 1 至 250 之间的工作日数"),
        ({"time_limit_days": "三"}, "办结时限（工作日）："),
        ({"response_days": "9"}, "响应时限（工作日）：响应时限不能超过办结时限"),
        ({"name": "政策咨询"}, "名称：已有同名的类别，请换一个名称"),
        ({"name": ""}, "名称："),
    ],
)
def test_a_bad_category_names_the_field_in_chinese(client, county_user, category, changes, message):
    client.force_login(county_user)
    prefix = f"c{category.pk}"
    data = {
        "id": category.pk,
        f"{prefix}-name": category.name,
        f"{prefix}-time_limit_days": "3",
        f"{prefix}-response_days": "1",
        f"{prefix}-active": "on",
        f"{prefix}-sort": "5",
    }
    data.update({f"{prefix}-{k}": v for k, v in changes.items()})
    response = client.post(reverse("categories"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    category.refresh_from_db()
    assert category.name == "环境卫生" and category.time_limit_days == 3


def test_the_county_adds_a_category(client, county_user):
    client.force_login(county_user)
    response = client.post(
        reverse("categories"),
        {
            "cnew-name": "殡葬改革",
            "cnew-time_limit_days": "5",
            "cnew-response_days": "1",
            "cnew-active": "on",
            "cnew-sort": "20",
        },
    )
    assert response.status_code == 302
    added = Category.objects.get(name="殡葬改革")
    assert added.active and added.time_limit_days == 5


def test_the_county_enters_next_years_holidays(client, county_user, time_machine):
    # November 2098, this year's days already entered: chinese_calendar can never know 2098 or
    # 2099 (it ships the years already announced), so next year is the one to enter.
    time_machine.move_to(dt.datetime(2098, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False)
    CalendarDay.objects.create(date=dt.date(2098, 10, 1), is_workday=False, note="国庆节")
    client.force_login(county_user)
    url = reverse("calendar_days")
    html = client.get(url).content.decode()
    assert "2099 年的法定节假日尚未录入，请按国务院办公厅通知补录" in html
    assert "2098 年的法定节假日尚未录入" not in html
    response = client.post(url, {"date": "2099-10-01", "is_workday": "0", "note": "国庆节"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2099")
    client.post(url, {"date": "2099-09-27", "is_workday": "1", "note": "国庆节调休上班"})
    day = CalendarDay.objects.get(date=dt.date(2099, 10, 1))
    assert not day.is_workday and day.note == "国庆节"
    assert CalendarDay.objects.get(date=dt.date(2099, 9, 27)).is_workday
    html = client.get(url, {"year": "2099"}).content.decode()
    assert "2099 年的法定节假日尚未录入" not in html
    assert "2099-10-01" in html and "2099-09-27" in html and "周日" in html
    again = client.post(url, {"date": "2099-10-01", "is_workday": "1"}).content.decode()
    assert "日期：该日期已有调整记录；如需更改，请先删除原记录" in again
    missing = client.post(url, {"date": "", "is_workday": "0"}).content.decode()
    assert "日期：" in missing
    client.post(url, {"action": "delete", "id": day.pk})
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert client.post(url, {"action": "delete", "id": day.pk}).status_code == 404


def test_the_county_builds_an_expert_team_from_members_across_the_county(
    client, tree, county_user, member_a1
):
    member_b1, _ = member_with_account(tree.village_b1, "904", "party_b1_u")
    client.force_login(county_user)
    url = reverse("teams")
    form = client.get(url, {"edit": "new"}).content.decode()
    assert '<option value="expert"' in form and '<option value="volunteer"' not in form
    found = client.get(
        url, {"edit": "new", "q": member_b1.person.name[:4]}, headers={"HX-Request": "true"}
    )
    assert "<html" not in found.content.decode()
    assert f'value="{member_b1.pk}"' in found.content.decode()
    response = client.post(
        url,
        {
            "edit": "new",
            "name": "农技专家服务团",
            "kind": "expert",
            "specialty": "农技",
            "active": "on",
            "members": [member_a1[0].pk, member_b1.pk],
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(name="农技专家服务团")
    assert team.region == tree.county and team.kind == "expert"
    assert set(team.members.all()) == {member_a1[0], member_b1}
    response = client.post(
        url,
        {"edit": team.pk, "name": "农技专家服务团", "kind": "expert", "members": [member_b1.pk]},
    )
    team.refresh_from_db()
    assert not team.active and list(team.members.all()) == [member_b1]


def test_a_village_secretary_manages_only_the_villages_volunteer_teams(
    client, tree, village_a1_user, county_user, member_a1
):
    member_a2, _ = member_with_account(tree.village_a2, "903", "party_a2_u")
    county_team = Team.objects.create(region=tree.county, kind="expert", name="法律服务团")
    client.force_login(village_a1_user)
    url = reverse("teams")
    page = client.get(url, {"edit": "new"}).content.decode()
    assert member_a1[0].person.name in page  # a village's members are listed outright
    assert member_a2.person.name not in page
    assert '<option value="expert"' not in page
    refused = client.post(
        url,
        {"edit": "new", "name": "东村志愿服务队", "kind": "volunteer", "members": [member_a2.pk]},
    ).content.decode()
    assert "成员：" in refused and not Team.objects.filter(name="东村志愿服务队").exists()
    client.post(
        url,
        {
            "edit": "new",
            "name": "东村志愿服务队",
            "kind": "volunteer",
            "active": "on",
            "members": [member_a1[0].pk],
        },
    )
    team = Team.objects.get(name="东村志愿服务队")
    assert team.region == tree.village_a1 and team.kind == "volunteer"
    duplicate = client.post(
        url, {"edit": "new", "name": "东村志愿服务队", "kind": "volunteer"}
    ).content.decode()
    assert "名称：本区域已有同名的队伍" in duplicate
    assert client.get(url, {"edit": county_team.pk}).status_code == 404
    assert client.get(url, {"edit": "abc"}).status_code == 404
    assert "法律服务团" not in client.get(url).content.decode()


def test_navigation_offers_meetings_and_settings_to_the_roles_they_are_for(
    client, tree, county_user, village_a1_user, grid_member_a1
):
    client.force_login(county_user)
    html = client.get(reverse("region", args=[tree.county.pk])).content.decode()
    assert "民情碰头会" in html and "系统设置" in html
    client.force_login(village_a1_user)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    assert "民情碰头会" in html and "系统设置" not in html
    client.force_login(grid_member_a1)
    html = client.get(reverse("region", args=[tree.village_a1.pk])).content.decode()
    assert "民情碰头会" not in html
