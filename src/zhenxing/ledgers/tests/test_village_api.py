"""The API twins of ledgers 4–7: the same services (refusals as 422 naming the field), scope
(404 out of scope, also for the corrections the scope walk does not POST to), metrics, exports."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from zhenxing.conftest import PASSWORD
from zhenxing.ledgers.models.incidents import Incident
from zhenxing.ledgers.models.income import IncomeEntry, IncomeSource
from zhenxing.ledgers.models.meetings import MeetingKind, OrgMeeting
from zhenxing.ledgers.models.talent import Talent, TalentCategory
from zhenxing.ledgers.services.income import income_defaults_ensure
from zhenxing.ledgers.services.meetings import meeting_defaults_ensure
from zhenxing.ledgers.services.talent import talent_defaults_ensure
from zhenxing.ledgers.tests.village_helpers import branch_with_members, cadre
from zhenxing.regions.models import Resident

API = "/api/v1/ledgers"


@pytest.fixture(autouse=True)
def defaults(db):
    meeting_defaults_ensure()
    income_defaults_ensure()
    talent_defaults_ensure()


def bearer(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


def post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def test_a_meeting_through_the_api_with_its_refusals_and_correction(
    client, tree, township_a_user, township_b_user
):
    org, members = branch_with_members(tree.village_a1, 3)
    _other, strangers = branch_with_members(tree.village_a2, 1, prefix="8")
    kind = MeetingKind.objects.get(code="assembly")
    headers = bearer(client, township_a_user.username)
    body = {
        "organization_id": org.pk,
        "kind_id": kind.pk,
        "held_on": "2025-04-20",
        "topic": "民主评议党员",
        "attendee_ids": [members[0].pk, strangers[0].pk],
    }
    refused = post(client, f"{API}/meetings", body, headers)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "attendee_ids" and strangers[0].person.name in error["message"]
    body["attendee_ids"] = [m.pk for m in members]
    created = post(client, f"{API}/meetings", body, headers)
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    fixed = post(
        client,
        f"{API}/meetings/{meeting_id}/correct",
        {"reason": "主题写错", "topic": "民主评议党员大会"},
        headers,
    )
    assert fixed.status_code == 201
    assert [v["id"] for v in fixed.json()["history"]] == [meeting_id, fixed.json()["id"]]
    again = post(client, f"{API}/meetings/{meeting_id}/correct", {"reason": "再改"}, headers)
    assert again.status_code == 409
    listed = client.get(f"{API}/meetings", {"period": "2025"}, headers=headers).json()
    assert [m["topic"] for m in listed["items"]] == ["民主评议党员大会"]
    metrics = client.get(f"{API}/meetings/metrics", {"period": "2025"}, headers=headers).json()
    east = next(r for r in metrics if r["village_id"] == tree.village_a1.pk)
    assert east["values"]["meetings_attendance"] == 100.0
    outsider = bearer(client, township_b_user.username)
    for url in (f"{API}/meetings/{meeting_id}/correct", f"{API}/meetings/{meeting_id}/void"):
        response = post(client, url, {"reason": "越权"}, outsider)
        assert response.status_code == 404
    assert client.get(f"{API}/meetings/{meeting_id}", headers=outsider).status_code == 404
    assert OrgMeeting.objects.count() == 2


def test_income_through_the_api(client, tree, village_a1_user, township_b_user):
    source = IncomeSource.objects.get(name="光伏收益")
    headers = bearer(client, village_a1_user.username)
    body = {"village_id": tree.village_a1.pk, "year": 2025, "source_id": source.pk, "amount": "-1"}
    refused = post(client, f"{API}/income", body, headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "amount"
    body["amount"] = "520000"
    created = post(client, f"{API}/income", body, headers)
    assert created.status_code == 201
    elsewhere = post(client, f"{API}/income", {**body, "village_id": tree.village_b1.pk}, headers)
    assert elsewhere.status_code == 404
    metrics = client.get(f"{API}/income/metrics", {"year": 2025}, headers=headers).json()
    assert metrics == [
        {
            "village_id": tree.village_a1.pk,
            "village_name": "东村",
            "collective_income": "520000.00",
            "income_tier": "50万元以上（强村）",
            "income_tier_min_wan": "50.00",
        }
    ]
    entry_id = created.json()["id"]
    outsider = bearer(client, township_b_user.username)
    for url in (f"{API}/income/{entry_id}/correct", f"{API}/income/{entry_id}/void"):
        assert post(client, url, {"reason": "越权", "amount": "1"}, outsider).status_code == 404
    export = client.get(f"{API}/income/export", {"year": 2025}, headers=headers)
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["各村收入", "分档统计", "收入明细"]
    assert IncomeEntry.objects.count() == 1


def test_incidents_through_the_api(client, tree, township_a_user, township_b_user, grid_member_a1):
    headers = bearer(client, township_a_user.username)
    body = {
        "village_id": tree.village_a2.pk,
        "kind": "petition",
        "occurred_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "summary": "越级上访",
    }
    future = post(client, f"{API}/incidents", body, headers)
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "occurred_on"
    body["occurred_on"] = "2025-03-01"
    created = post(client, f"{API}/incidents", body, headers)
    assert created.status_code == 201
    status = client.get(f"{API}/incidents/metrics", {"period": "2025"}, headers=headers).json()
    assert {r["village_name"]: r["three_zeros"] for r in status} == {"东村": True, "西村": False}
    member = bearer(client, grid_member_a1.username)
    assert (
        post(
            client, f"{API}/incidents", {**body, "village_id": tree.village_a1.pk}, member
        ).status_code
        == 403
    )
    incident_id = created.json()["id"]
    outsider = bearer(client, township_b_user.username)
    for url in (f"{API}/incidents/{incident_id}/correct", f"{API}/incidents/{incident_id}/void"):
        assert post(client, url, {"reason": "越权"}, outsider).status_code == 404
    voided = post(
        client, f"{API}/incidents/{incident_id}/void", {"reason": "经核实未越级"}, headers
    )
    assert voided.status_code == 201 and voided.json()["voided"]
    status = client.get(f"{API}/incidents/metrics", {"period": "2025"}, headers=headers).json()
    assert all(r["three_zeros"] for r in status)
    assert Incident.objects.count() == 2


def test_talent_and_reserve_cadres_through_the_api(client, tree, village_a1_user, township_b_user):
    person = Resident.objects.create(
        region=tree.village_a1, name="周敏", sex="F", birth_date=dt.date(1995, 3, 3)
    )
    mentor = cadre(tree.village_a1)
    category = TalentCategory.objects.get(name="高校毕业生")
    headers = bearer(client, village_a1_user.username)
    talent = post(
        client,
        f"{API}/talent",
        {
            "village_id": tree.village_a1.pk,
            "person_id": person.pk,
            "category_id": category.pk,
            "since": "2025-02-01",
        },
        headers,
    )
    assert talent.status_code == 201
    not_a_cadre = post(
        client,
        f"{API}/reserve-cadres",
        {
            "village_id": tree.village_a1.pk,
            "person_id": person.pk,
            "mentor_id": person.pk,
            "since": "2025-02-01",
        },
        headers,
    )
    assert (
        not_a_cadre.status_code == 422 and not_a_cadre.json()["errors"][0]["field"] == "mentor_id"
    )
    reserve = post(
        client,
        f"{API}/reserve-cadres",
        {
            "village_id": tree.village_a1.pk,
            "person_id": person.pk,
            "mentor_id": mentor.pk,
            "since": "2025-02-01",
            "assignment": "村党支部书记助理",
        },
        headers,
    )
    assert reserve.status_code == 201
    counts = client.get(f"{API}/talent/metrics", {"period": "2025"}, headers=headers).json()
    assert counts[0]["values"] == {"talent_count": 1, "reserve_cadres": 1}
    outsider = bearer(client, township_b_user.username)
    talent_id, reserve_id = talent.json()["id"], reserve.json()["id"]
    for url in (
        f"{API}/talent/{talent_id}/correct",
        f"{API}/talent/{talent_id}/void",
        f"{API}/reserve-cadres/{reserve_id}/correct",
        f"{API}/reserve-cadres/{reserve_id}/void",
    ):
        assert post(client, url, {"reason": "越权"}, outsider).status_code == 404
    assert Talent.objects.count() == 1
