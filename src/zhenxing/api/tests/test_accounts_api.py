"""/api/v1/accounts, the twin of 账号管理, through real clients against the live server: a township
admin manages the accounts of its township, with roles no higher than its own; every change is an
event; outside the scope is 404, a role above the caller's 403 (or 422 when it is the role asked)."""

from __future__ import annotations

import httpx
import pytest

from zhenxing.accounts.models import AccountAction, AccountEvent, User
from zhenxing.api.tests.live import API, browser_client, token_client

pytestmark = pytest.mark.django_db(transaction=True)
STRONG = "山村-Lamp-2026-秋"


def test_a_township_admin_manages_the_accounts_of_its_township(
    live_server, tree, county_user, township_a_user, township_b_user, village_a1_user
):
    admin = token_client(live_server.url, "township_a_u")
    assert admin.get(f"{API}/accounts/roles").json() == [
        "township_admin",
        "district_leader",
        "village_secretary",
        "grid_member",
        "viewer",
    ]
    body = {
        "username": "dongcun_shuji",
        "password": STRONG,
        "role": "village_secretary",
        "scope_region_id": tree.village_a1.pk,
        "full_name": "李书记",
    }
    created = admin.post(f"{API}/accounts", json=body)
    assert created.status_code == 201, created.text
    account = created.json()
    assert (account["role"], account["scope_region_name"], account["is_active"]) == (
        "village_secretary",
        "东村",
        True,
    )
    assert account["events"][0]["action"] == "create"
    assert account["events"][0]["actor"] == "township_a_u"
    refusals = [
        ({**body, "username": "x1", "role": "county_admin"}, "role", "不能授予高于您自己的角色"),
        ({**body, "username": "x2", "password": "12345678"}, "password", None),
        ({**body, "username": "dongcun_shuji"}, "username", "用户名“dongcun_shuji”已被使用"),
        (
            {**body, "username": "x3", "scope_region_id": tree.township_a.pk},
            "scope_region_id",
            "“村党支部书记”的管辖区域须为村或社区",
        ),
    ]
    for payload, field, message in refusals:
        refused = admin.post(f"{API}/accounts", json=payload)
        assert refused.status_code == 422, refused.text
        fields = {e["field"] for e in refused.json()["errors"]}
        assert field in fields, refused.text
        if message:
            assert message in refused.json()["detail"]
    outside = admin.post(
        f"{API}/accounts", json={**body, "username": "x4", "scope_region_id": tree.village_b1.pk}
    )
    assert outside.status_code == 404
    assert admin.get(f"{API}/accounts/{county_user.pk}").status_code == 404
    assert admin.get(f"{API}/accounts/{township_b_user.pk}").status_code == 404
    listed = {a["username"] for a in admin.get(f"{API}/accounts").json()["items"]}
    assert listed == {"township_a_u", "village_a1_u", "dongcun_shuji"}

    # The new secretary signs in with a token; disabling the account stops it at once.
    login = httpx.post(
        f"{live_server.url}{API}/auth/token", json={"username": "dongcun_shuji", "password": STRONG}
    )
    token = {"Authorization": f"Bearer {login.json()['token']}"}
    assert httpx.get(f"{live_server.url}{API}/regions", headers=token).status_code == 200
    url = f"{API}/accounts/{account['id']}"
    assert admin.post(f"{url}/disable").json()["is_active"] is False
    assert httpx.get(f"{live_server.url}{API}/regions", headers=token).status_code == 401
    assert admin.post(f"{url}/enable").json()["is_active"] is True
    weak = admin.post(f"{url}/reset-password", json={"password": "dongcun_shuji"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    assert admin.post(f"{url}/reset-password", json={"password": STRONG + "!"}).status_code == 200
    assert User.objects.get(username="dongcun_shuji").check_password(STRONG + "!")
    edited = admin.post(url, json={"role": "grid_member", "full_name": "李明"})
    assert edited.status_code == 200, edited.text
    assert [e["action"] for e in edited.json()["events"]] == [
        "create",
        "disable",
        "enable",
        "reset_password",
        "edit",
    ]
    assert edited.json()["events"][-1]["changes"] == {
        "role": ["village_secretary", "grid_member"],
        "full_name": ["李书记", "李明"],
    }
    assert "password" not in str(AccountEvent.objects.values_list("changes", flat=True))
    assert admin.post(f"{API}/accounts/{township_a_user.pk}/disable").status_code == 422
    admin.close()


def test_only_admins_manage_accounts_and_a_browser_session_needs_its_csrf_token(
    live_server, tree, county_user, village_a1_user
):
    village = token_client(live_server.url, "village_a1_u")
    refused = village.get(f"{API}/accounts")
    assert refused.status_code == 403 and "只有县级、乡镇管理员" in refused.json()["detail"]
    village.close()
    browser = browser_client(live_server.url, "county_u")
    created = browser.post(
        f"{API}/accounts",
        json={
            "username": "jiazhen_admin",
            "password": STRONG,
            "role": "township_admin",
            "scope_region_id": tree.township_a.pk,
        },
    )
    assert created.status_code == 201, created.text
    assert AccountEvent.objects.get(user__username="jiazhen_admin").action == AccountAction.CREATE
    forged = browser.post(
        f"{API}/accounts/{created.json()['id']}/disable", headers={"X-CSRFToken": "x" * 64}
    )
    assert forged.status_code == 403
    assert User.objects.get(username="jiazhen_admin").is_active
    browser.close()
