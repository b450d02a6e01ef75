"""/api/v1/stars/applications: the JSON twins of the application pages, the same services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhenxing.accounts.scoping import scope_for
from zhenxing.api.tests.test_orders_api import post, token_for
from zhenxing.stars.models import Application, ApplicationEvent, AppState
from zhenxing.stars.services import applications as svc
from zhenxing.stars.tests.applications_fixtures import PDF, setup_standard

pytestmark = pytest.mark.django_db
API = "/api/v1/stars/applications"
ACTIONS = [
    "tasks",
    "tasks/done",
    "evidence",
    "self-assess",
    "return",
    "review",
    "approve",
    "publish",
    "objections",
    "objections/decide",
    "revoke",
]


@pytest.fixture
def s(tree):
    return setup_standard(tree)


def test_the_year_through_the_api(client, s, tree, village_a1_user, township_a_user, county_user):
    village = token_for(client, "village_a1_u")
    township = token_for(client, "township_a_u")
    county = token_for(client, "county_u")
    stars, ind = s.stars, s.indicators
    r = post(
        client,
        f"{API}/regions/{tree.village_a1.pk}",
        {"star_ids": [stars["safety"].pk, stars["industry"].pk], "note": "发展特色产业"},
        headers=village,
    )
    assert r.status_code == 200, r.content
    app_id = r.json()["id"]
    assert r.json()["state"] == "draft" and r.json()["allowed_actions"] == [
        "goal",
        "task_add",
        "task_done",
        "evidence",
        "self_assess",
    ]
    r = post(
        client,
        f"{API}/{app_id}/tasks",
        {"title": "建设大棚", "due_on": "2026-06-30"},
        headers=village,
    )
    assert r.status_code == 201
    r = post(client, f"{API}/{app_id}/tasks/done", {"task_id": r.json()["id"]}, headers=village)
    assert r.status_code == 200 and r.json()["done_on"]
    # Self-assessing before the evidence: 422 naming the indicators.
    r = post(
        client, f"{API}/{app_id}/self-assess", {"star_ids": [stars["industry"].pk]}, headers=village
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["evidence", "evidence"]
    bad = client.post(
        f"{API}/{app_id}/evidence",
        {
            "indicator_id": ind["one_product"].pk,
            "text": "材料",
            "file": SimpleUploadedFile("a.exe", b"MZ"),
        },
        headers=village,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"
    for code in ("one_product", "clean_team"):
        r = client.post(
            f"{API}/{app_id}/evidence",
            {
                "indicator_id": ind[code].pk,
                "text": "见附件",
                "file": SimpleUploadedFile("a.pdf", PDF),
            },
            headers=village,
        )
        assert r.status_code == 201 and r.json()["has_file"], r.content
    r = post(
        client,
        f"{API}/{app_id}/self-assess",
        {"star_ids": [stars["safety"].pk, stars["industry"].pk]},
        headers=village,
    )
    assert r.status_code == 200 and r.json()["state"] == "self_assessed"
    # The village may not review; the township may.
    review = {
        "judgements": [
            {"indicator_id": ind["one_product"].pk, "met": True, "note": "属实"},
            {"indicator_id": ind["clean_team"].pk, "met": True},
        ],
        "recommend_star_ids": [stars["safety"].pk, stars["industry"].pk],
    }
    assert post(client, f"{API}/{app_id}/review", review, headers=village).status_code == 403
    r = post(client, f"{API}/{app_id}/review", review, headers=township)
    assert r.status_code == 200 and r.json()["state"] == "township_reviewed"
    assert "approve" not in r.json()["allowed_actions"]
    r = post(client, f"{API}/{app_id}/approve", {}, headers=township)
    assert r.status_code == 403
    assert r.json()["detail"] == "2 星须由县委组织部审定，您的角色不能审定"
    r = post(client, f"{API}/{app_id}/approve", {}, headers=county)
    assert r.status_code == 200 and r.json()["approved_by_level"] == "county"
    r = post(client, f"{API}/{app_id}/approve", {}, headers=county)
    assert r.status_code == 409 and r.json()["detail"] == "已由他人审定"
    r = post(client, f"{API}/{app_id}/publish", headers=county)
    assert r.status_code == 200 and r.json()["held"] == 2
    r = post(
        client, f"{API}/{app_id}/objections", {"content": "对结果有异议，请核查"}, headers=county
    )
    assert r.status_code == 201
    r = post(
        client,
        f"{API}/{app_id}/objections/decide",
        {"objection_id": r.json()["id"], "decision": "rejected", "note": "经核实无误"},
        headers=county,
    )
    assert r.status_code == 200 and r.json()["decision"] == "rejected"
    app = Application.objects.get(pk=app_id)
    svc.applications_finalise(today=app.notice_until + dt.timedelta(days=1))
    assert Application.objects.get(pk=app_id).state == AppState.FINAL
    r = post(
        client,
        f"{API}/{app_id}/revoke",
        {
            "star_id": stars["safety"].pk,
            "veto_indicator_id": ind["three_zeros"].pk,
            "reason": "发生刑事案件一起",
        },
        headers=county,
    )
    assert r.status_code == 200 and r.json() == {
        "revoked_star_ids": [stars["safety"].pk],
        "held": 1,
    }
    detail = client.get(f"{API}/{app_id}", headers=county).json()
    assert detail["held"] == 1 and detail["events"][0]["action"] == "revoke"
    rows = client.get(f"{API}?state=final", headers=county).json()
    assert [(r["region_name"], r["held"]) for r in rows] == [("东村", 1)]


def test_every_action_answers_404_out_of_scope(client, s, tree, village_a1_user, township_b_user):
    svc.application_goal_set(
        region=tree.village_a1,
        standard=s.standard,
        stars=[s.stars["safety"]],
        actor=village_a1_user,
        scope=scope_for(village_a1_user),
    )
    app = Application.objects.get()
    star, veto = s.stars["safety"].pk, s.indicators["three_zeros"].pk
    bodies = {
        "tasks": {"title": "越权任务", "due_on": "2026-06-30"},
        "tasks/done": {"task_id": 1},
        "self-assess": {"star_ids": [star]},
        "return": {"reason": "越权退回"},
        "review": {"judgements": [], "recommend_star_ids": []},
        "approve": {},
        "publish": None,
        "objections": {"content": "越权登记的异议"},
        "objections/decide": {"objection_id": 1, "decision": "rejected", "note": "越权"},
        "revoke": {"star_id": star, "veto_indicator_id": veto, "reason": "越权摘星"},
    }
    other = token_for(client, "township_b_u")
    before = ApplicationEvent.objects.count()
    assert client.get(f"{API}/{app.pk}", headers=other).status_code == 404
    for action in ACTIONS:
        for app_id in (987654321, app.pk):
            url = f"{API}/{app_id}/{action}"
            if action == "evidence":
                body = {"indicator_id": s.indicators["one_product"].pk, "text": "越权材料"}
                response = client.post(url, body, headers=other)
            else:
                response = post(client, url, bodies[action], headers=other)
            assert response.status_code == 404, (action, app_id, response.content)
    r = post(client, f"{API}/regions/{tree.village_a1.pk}", {"star_ids": [star]}, headers=other)
    assert r.status_code == 404
    assert client.get(f"{API}", headers=other).json() == []
    assert ApplicationEvent.objects.count() == before
