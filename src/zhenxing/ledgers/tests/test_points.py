"""Member points and pledges: the rule table, caps, evidence, members of the village only, balances
and the follow-up list, metrics against direct SQL, pages, export and the API twin."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from zhenxing.core.periods import Period
from zhenxing.ledgers.models.points import Pledge, PledgeStatus, PointsEntry, PointsRule
from zhenxing.ledgers.selectors import points as selectors
from zhenxing.ledgers.services.points import (
    ensure_points_defaults,
    pledge_add,
    pledge_close,
    points_entry_add,
    points_entry_correct,
    points_entry_void,
)
from zhenxing.ledgers.tests.people import (
    current,
    many_villages,
    member_in,
    scope,
    sql,
    table,
)
from zhenxing.regions.models import MemberStatus, PartyMember, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db) -> dict[str, PointsRule]:
    return {r.name: r for r in ensure_points_defaults()}


def give(actor, member, rule, day=dt.date(2026, 6, 1), village=None, **kw):
    return points_entry_add(
        scope=scope(actor),
        village=village or member.organization.region,
        member=member,
        rule=rule,
        occurred_on=day,
        note=kw.pop("note", "按规则记分"),
        evidence=kw.pop("evidence", "会议签到表"),
        actor=actor,
        **kw,
    )


def test_points_above_a_rules_cap_are_refused_with_what_is_left(tree, clock, secretary, rules):
    member = member_in(tree.village_a1, "101")
    visits = rules["联系服务群众"]  # +2, capped at 10 a month
    for day in range(1, 6):
        give(secretary, member, visits, dt.date(2026, 6, day))
    with pytest.raises(ValidationError) as refused:
        give(secretary, member, visits, dt.date(2026, 6, 9))
    message = " ".join(refused.value.message_dict["points"])
    assert "2026年6月封顶 10 分" in message and "已记 10 分" in message
    give(secretary, member, visits, dt.date(2026, 5, 9))  # another month, another cap
    assert PointsEntry.objects.count() == 6


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"day": dt.date(2026, 6, 20)}, "occurred_on", "不能晚于今天"),
        ({"points": -2}, "points", "是加分项目"),
        ({"rule": "违反村规民约", "evidence": ""}, "evidence", "须附佐证"),
        ({"note": ""}, "note", "请填写事由"),
    ],
)
def test_bad_points_are_refused_naming_the_field(tree, clock, secretary, rules, kw, field, words):
    member = member_in(tree.village_a1, "101")
    kw = dict(kw)
    rule = rules[kw.pop("rule", "参加三会一课")]
    with pytest.raises(ValidationError) as refused:
        give(secretary, member, rule, kw.pop("day", dt.date(2026, 6, 1)), **kw)
    assert words in " ".join(refused.value.message_dict[field])
    assert not PointsEntry.objects.exists()


def test_only_active_members_of_the_village_get_points(
    tree, clock, secretary, township_admin, rules
):
    other = member_in(tree.village_a2, "201")
    with pytest.raises(ValidationError, match="不是东村在册党员"):
        give(township_admin, other, rules["参加三会一课"], village=tree.village_a1)
    gone = member_in(tree.village_a1, "102")
    PartyMember.objects.filter(pk=gone.pk).update(status=MemberStatus.TRANSFERRED)
    gone.refresh_from_db()
    with pytest.raises(ValidationError, match="不是东村在册党员"):
        give(secretary, gone, rules["参加三会一课"])
    assert not PointsEntry.objects.exists()


def test_balances_rank_members_and_list_those_under_the_threshold(
    tree, clock, secretary, rules, settings
):
    settings.LEDGERS_POINTS_BASE, settings.LEDGERS_POINTS_THRESHOLD = 100, 60
    good, bad, quiet = (member_in(tree.village_a1, n) for n in ("101", "102", "103"))
    give(secretary, good, rules["获得表彰"])
    give(secretary, bad, rules["违法违纪"], evidence="处分决定书")
    entry = give(secretary, bad, rules["违反村规民约"], evidence="村委会记录")
    villages = Region.objects.filter(pk=tree.village_a1.pk)
    year = Period.parse("2026")
    ranking = [(m.pk, m.balance) for m in selectors.balances(villages, year)]
    assert ranking == [(good.pk, 110), (quiet.pk, 100), (bad.pk, 50)]
    assert [m.pk for m in selectors.below_threshold(villages, year)] == [bad.pk]
    points_entry_void(entry=entry, reason="经复核不属实", actor=secretary)
    assert [m.balance for m in selectors.balances(villages, year)] == [110, 100, 60]
    assert list(selectors.below_threshold(villages, year)) == []


def test_a_correction_rechecks_the_cap_without_counting_the_entry_it_replaces(
    tree, clock, secretary, rules
):
    member = member_in(tree.village_a1, "101")
    honour = rules["获得表彰"]  # +10, capped at 20 a year
    first = give(secretary, member, honour)
    give(secretary, member, honour, dt.date(2026, 6, 2))
    fixed = points_entry_correct(
        entry=first, reason="日期有误", actor=secretary, occurred_on=dt.date(2026, 6, 3)
    )
    assert fixed.points == 10
    with pytest.raises(ValidationError, match="封顶 20 分"):
        points_entry_correct(entry=fixed, reason="改为志愿", actor=secretary, points=15)


def test_a_pledge_is_judged_with_evidence_and_keeps_its_history(tree, clock, secretary):
    member = member_in(tree.village_a1, "101")
    with pytest.raises(ValidationError, match="承诺期限不能早于承诺日期"):
        pledge_add(
            scope=scope(secretary),
            village=tree.village_a1,
            member=member,
            text="每月走访联系户两次",
            made_on=dt.date(2026, 5, 1),
            due_on=dt.date(2026, 4, 1),
            actor=secretary,
        )
    pledge = pledge_add(
        scope=scope(secretary),
        village=tree.village_a1,
        member=member,
        text="每月走访联系户两次",
        made_on=dt.date(2026, 3, 1),
        due_on=dt.date(2026, 5, 31),
        actor=secretary,
    )
    with pytest.raises(ValidationError, match="须附佐证"):
        pledge_close(
            pledge=pledge,
            fulfilled=True,
            closed_on=dt.date(2026, 6, 1),
            evidence="",
            actor=secretary,
        )
    done = pledge_close(
        pledge=pledge,
        fulfilled=True,
        closed_on=dt.date(2026, 6, 1),
        evidence="走访记录 6 次",
        actor=secretary,
    )
    assert done.status == PledgeStatus.FULFILLED and done.supersedes_id == pledge.pk
    assert Pledge.objects.get(pk=pledge.pk).status == PledgeStatus.OPEN


def _direct_mean(period: Period, base: int) -> dict:
    pe, pm = table(PointsEntry), table(PartyMember)
    org = "regions_partyorganization"
    rows = sql(
        f"SELECT o.region_id, ROUND(AVG(%s + COALESCE((SELECT SUM(e.points) FROM {pe} e "  # noqa: S608
        f"WHERE e.member_id = m.id AND e.occurred_on BETWEEN %s AND %s AND {current('e', PointsEntry)}), 0)), 1) "
        f"FROM {pm} m JOIN {org} o ON o.id = m.organization_id WHERE m.status = %s GROUP BY o.region_id",
        [base, period.start, period.end, False, MemberStatus.ACTIVE],
    )
    return {k: float(v) for k, v in rows.items()}


def _direct_below(period: Period, base: int, threshold: int) -> dict:
    pe, pm = table(PointsEntry), table(PartyMember)
    return sql(
        f"SELECT o.region_id, COUNT(*) FROM {pm} m JOIN regions_partyorganization o "  # noqa: S608
        f"ON o.id = m.organization_id WHERE m.status = %s AND %s + COALESCE((SELECT SUM(e.points) "
        f"FROM {pe} e WHERE e.member_id = m.id AND e.occurred_on BETWEEN %s AND %s "
        f"AND {current('e', PointsEntry)}), 0) < %s GROUP BY o.region_id",
        [MemberStatus.ACTIVE, base, period.start, period.end, False, threshold],
    )


def _direct_pledges(period: Period, today: dt.date) -> dict:
    t = table(Pledge)
    rows = sql(
        f"SELECT p.village_id, ROUND(SUM(CASE WHEN p.status = %s THEN 1 ELSE 0 END) * 100.0 "  # noqa: S608
        f"/ COUNT(*), 1) FROM {t} p WHERE p.due_on BETWEEN %s AND %s "
        f"AND (p.status <> %s OR p.due_on < %s) AND {current('p', Pledge)} GROUP BY p.village_id",
        [PledgeStatus.FULFILLED, period.start, period.end, PledgeStatus.OPEN, today, False],
    )
    return {k: float(v) for k, v in rows.items()}


@pytest.mark.parametrize("n", [2, 200])
def test_points_metrics_equal_a_direct_sql_computation_in_one_query(
    tree, clock, township_admin, rules, settings, django_assert_num_queries, n
):
    villages = many_villages(tree.township_a, n)
    for i, v in enumerate(villages[: min(n, 8)]):
        for k in range(3):
            m = member_in(v, f"{i}-{k}")
            give(township_admin, m, rules["参加三会一课"], dt.date(2026, 2 + k, 1))
            if (i + k) % 3 == 0:
                give(township_admin, m, rules["违法违纪"], dt.date(2026, 3, 3), evidence="处分决定")
                give(
                    township_admin,
                    m,
                    rules["违反村规民约"],
                    dt.date(2026, 4, 3),
                    evidence="村委记录",
                )
            p = pledge_add(
                scope=scope(township_admin),
                village=v,
                member=m,
                text="带头做好门前三包",
                made_on=dt.date(2026, 1, 5),
                due_on=dt.date(2026, 3 + k, 1),
                actor=township_admin,
            )
            if k < 2:
                pledge_close(
                    pledge=p,
                    fulfilled=(i + k) % 2 == 0,
                    closed_on=dt.date(2026, 6, 1),
                    evidence="见记录",
                    actor=township_admin,
                )
    qs = Region.objects.filter(pk__in=[v.pk for v in villages])
    base, threshold = settings.LEDGERS_POINTS_BASE, settings.LEDGERS_POINTS_THRESHOLD
    for period in (Period.parse("2026"), Period.parse("2026Q1"), Period.parse("2026-03")):
        with django_assert_num_queries(1):
            mean = selectors.member_points_mean(qs, period)
        assert mean == _direct_mean(period, base)
        with django_assert_num_queries(1):
            below = selectors.members_below_threshold(qs, period)
        assert below == _direct_below(period, base, threshold)
        with django_assert_num_queries(1):
            rate = selectors.pledges_fulfilled_rate(qs, period)
        assert rate == _direct_pledges(period, dt.date(2026, 6, 15))
    assert selectors.members_below_threshold(qs, Period.parse("2026"))


def test_the_points_pages_add_correct_rank_and_export(
    client, tree, clock, secretary, rules, outsider
):
    member = member_in(tree.village_a1, "101")
    client.force_login(secretary)
    data = {
        "member": member.pk,
        "rule": rules["志愿服务"].pk,
        "occurred_on": "2026-06-01",
        "points": "",
        "note": "参加防汛值守",
        "evidence": "值班表",
    }
    response = client.post(f"/ledgers/points/?village={tree.village_a1.pk}", data)
    entry = PointsEntry.objects.get()
    assert entry.points == 3 and response["Location"] == f"/ledgers/points/{entry.pk}/"
    response = client.post(
        f"/ledgers/points/?village={tree.village_a1.pk}", data | {"points": "40"}
    )
    assert "封顶 30 分" in response.content.decode() and PointsEntry.objects.count() == 1
    response = client.post(
        f"/ledgers/points/{entry.pk}/",
        data | {"action": "correct", "reason": "多记一次", "points": "6"},
    )
    assert PointsEntry.objects.get(supersedes=entry).points == 6
    page = client.get(
        f"/ledgers/points/balances/?period=2026&village={tree.village_a1.pk}"
    ).content.decode()
    assert "106" in page and member.person.name in page
    export = client.get(f"/ledgers/points/export/?period=2026&village={tree.village_a1.pk}")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["积分明细", "积分排名", "承诺践诺"]
    assert book["积分明细"]["F4"].value == 6 and book["积分明细"]["E4"].value == dt.datetime(
        2026, 6, 1
    )
    assert book["积分排名"]["E4"].value == 106
    client.force_login(outsider)
    assert client.get(f"/ledgers/points/{entry.pk}/").status_code == 404
    assert client.get(f"/ledgers/points/?village={tree.village_a1.pk}").status_code == 200
    assert member.person.name not in client.get("/ledgers/points/balances/").content.decode()


def test_the_pledge_pages_register_and_judge_a_pledge(client, tree, clock, secretary):
    member = member_in(tree.village_a1, "101")
    client.force_login(secretary)
    response = client.post(
        f"/ledgers/pledges/?village={tree.village_a1.pk}",
        {
            "member": member.pk,
            "text": "年内带动两户发展庭院经济",
            "made_on": "2026-01-10",
            "due_on": "2026-05-31",
        },
    )
    pledge = Pledge.objects.get()
    assert response["Location"] == f"/ledgers/pledges/{pledge.pk}/"
    response = client.post(
        f"/ledgers/pledges/{pledge.pk}/",
        {
            "action": "close",
            "fulfilled": "1",
            "closed_on": "2026-06-01",
            "evidence": "两户已种植食用菌",
        },
    )
    closed = Pledge.objects.get(supersedes=pledge)
    assert closed.status == PledgeStatus.FULFILLED
    page = client.get(f"/ledgers/pledges/{closed.pk}/").content.decode()
    assert "践诺评定：已践诺" in page and "两户已种植食用菌" in page


def test_the_api_refuses_points_above_the_cap_and_a_member_out_of_scope(
    client, tree, clock, secretary, rules
):
    member = member_in(tree.village_a1, "101")
    stranger = member_in(tree.village_b1, "301")
    client.force_login(secretary)
    body = {
        "village_id": tree.village_a1.pk,
        "member_id": member.pk,
        "rule_id": rules["获得表彰"].pk,
        "occurred_on": "2026-06-01",
        "note": "获县级优秀党员表彰",
        "evidence": "表彰文件",
        "points": 25,
    }
    response = client.post(
        "/api/v1/ledgers/points", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "points"
    body["points"] = 10
    response = client.post(
        "/api/v1/ledgers/points", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["points"] == 10
    body["member_id"] = stranger.pk
    response = client.post(
        "/api/v1/ledgers/points", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "member_id"
    balances = client.get("/api/v1/ledgers/points/balances?period=2026").json()["items"]
    assert [b["balance"] for b in balances] == [110]


def test_api_corrections_out_of_scope_answer_404_like_a_missing_entry(
    client, tree, clock, secretary, outsider, rules
):
    from zhenxing.conftest import add_household
    from zhenxing.ledgers.services.ratings import ensure_rating_defaults, household_rating_add

    member = member_in(tree.village_a1, "101")
    entry = give(secretary, member, rules["参加三会一课"])
    pledge = pledge_add(
        scope=scope(secretary),
        village=tree.village_a1,
        member=member,
        text="带头做好门前三包",
        made_on=dt.date(2026, 1, 5),
        due_on=dt.date(2026, 3, 1),
        actor=secretary,
    )
    scheme = ensure_rating_defaults()[0]
    rating = household_rating_add(
        scope=scope(secretary),
        household=add_household(tree.village_a1, "A1-1"),
        scheme=scheme,
        period="2026-05",
        rated_on=dt.date(2026, 6, 1),
        scores={str(i.pk): 10 for i in scheme.items.all()},
        actor=secretary,
    )
    body = json.dumps({"reason": "试图更正", "fulfilled": True, "closed_on": "2026-06-01"})
    client.force_login(outsider)
    for route, pk in (
        ("points/{}/correct", entry.pk),
        ("points/{}/void", entry.pk),
        ("pledges/{}/close", pledge.pk),
        ("ratings/{}/correct", rating.pk),
        ("ratings/{}/void", rating.pk),
    ):
        for target in (pk, 987_654_321):
            url = "/api/v1/ledgers/" + route.format(target)
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 404, url
    assert PointsEntry.objects.count() == Pledge.objects.count() == 1
