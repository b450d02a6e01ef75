"""系统设置 → 账号管理: the page twin of /api/v1/accounts, the same services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhenxing.accounts.models import AccountEvent, User

pytestmark = pytest.mark.django_db
STRONG = "山村-Lamp-2026-秋"


def test_a_township_admin_opens_disables_and_resets_an_account(
    client, tree, township_a_user, county_user
):
    client.force_login(township_a_user)
    page = client.get(reverse("accounts"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "账号管理" in text and "village_a1_u" not in text  # no such account in this test
    assert '<option value="county_admin"' not in text  # roles no higher than its own
    refused = client.post(
        reverse("accounts"),
        {
            "username": "xicun",
            "role": "village_secretary",
            "scope_region": tree.township_a.pk,
            "password": STRONG,
        },
    )
    assert "管辖区域须为村或社区" in refused.content.decode()
    created = client.post(
        reverse("accounts"),
        {
            "username": "xicun",
            "full_name": "王书记",
            "role": "village_secretary",
            "scope_region": tree.village_a2.pk,
            "password": STRONG,
        },
    )
    account = User.objects.get(username="xicun")
    assert created.status_code == 302 and created["Location"] == reverse(
        "account_detail", args=[account.pk]
    )
    url = reverse("account_detail", args=[account.pk])
    client.post(url, {"action": "disable"})
    account.refresh_from_db()
    assert not account.is_active
    weak = client.post(url, {"action": "reset", "password": "1234"})
    assert "密码" in weak.content.decode() and weak.status_code == 200
    client.post(url, {"action": "reset", "password": STRONG + "x"})
    client.post(url, {"action": "edit", "role": "grid_member", "scope_region": tree.village_a2.pk})
    assert list(AccountEvent.objects.filter(user=account).values_list("action", flat=True)) == [
        "create",
        "disable",
        "reset_password",
        "edit",
    ]
    detail = client.get(url).content.decode()
    assert "停用" in detail and "重置密码" in detail and "township_a_u" in detail
    assert "角色：村党支部书记 → 网格员" in detail and "状态：启用 → 停用" in detail
    assert client.get(reverse("account_detail", args=[county_user.pk])).status_code == 404


def test_only_county_and_township_admins_see_the_page(client, tree, village_a1_user):
    client.force_login(village_a1_user)
    assert client.get(reverse("accounts")).status_code == 404
