from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhenxing.conftest import PASSWORD, add_household
from zhenxing.regions.models import Level, Region


def token_for(client, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_token_is_issued_for_a_good_password_only(client, township_a_user):
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "township_a_u", "password": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 401
    assert "用户名或密码不正确" in bad.json()["detail"]
    assert token_for(client, "township_a_u")["Authorization"].startswith("Bearer ")


def test_without_credentials_the_api_answers_401(client, tree):
    assert client.get("/api/v1/regions").status_code == 401


def test_villages_listed_are_exactly_the_township_villages(client, tree, township_a_user):
    headers = token_for(client, "township_a_u")
    response = client.get("/api/v1/regions?level=village", headers=headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["name"] for item in items} == {"东村", "西村"}
    east = next(item for item in items if item["name"] == "东村")
    assert east["parent_id"] == tree.district_a1.pk
    assert east["path"] == tree.village_a1.path
    assert east["level"] == "village"


def test_children_of_a_parent(client, tree, county_user):
    client.force_login(county_user)
    response = client.get(f"/api/v1/regions?parent={tree.county.pk}")
    assert {i["name"] for i in response.json()["items"]} == {"甲镇", "乙镇"}
    assert {i["parent_id"] for i in response.json()["items"]} == {tree.county.pk}


@pytest.mark.parametrize("path", ["/api/v1/regions/{id}", "/api/v1/regions/{id}/households"])
def test_out_of_scope_objects_are_404_like_missing(client, tree, township_a_user, path):
    client.force_login(township_a_user)
    out = client.get(path.format(id=tree.village_b1.pk))
    missing = client.get(path.format(id=987654))
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json()
    assert client.get(f"/api/v1/regions?parent={tree.township_b.pk}").status_code == 404


def test_region_detail_has_counts_and_cadre_structure(client, tree, township_a_user):
    add_household(tree.village_a1, "A1-001", people=3, member=True)
    add_household(tree.village_a2, "A2-001", people=2)
    client.force_login(township_a_user)
    body = client.get(f"/api/v1/regions/{tree.township_a.pk}").json()
    assert body["counts"] == {
        "households": 2,
        "residents": 5,
        "members": 1,
        "cadres": 0,
        "villages": 2,
        "groups": 1,
        "organizations": 2,
    }
    assert body["cadre_structure"]["people"] == 0
    assert [p["post"] for p in body["cadre_structure"]["by_post"]] == [
        "secretary",
        "director",
        "committee",
    ]
    orgs = client.get(f"/api/v1/regions/{tree.township_a.pk}/organizations").json()["items"]
    assert [(o["name"], o["members"]) for o in orgs] == [("东村党支部", 1), ("西村党支部", 0)]
    assert client.get(f"/api/v1/regions/{tree.township_b.pk}/organizations").status_code == 404
    assert body["parent_id"] == tree.county.pk


def test_phones_are_masked_for_roles_that_do_not_need_them(
    client, tree, grid_member_a1, village_a1_user
):
    add_household(tree.village_a1, "A1-001")
    client.force_login(grid_member_a1)
    row = client.get(f"/api/v1/regions/{tree.village_a1.pk}/households").json()["items"][0]
    assert row["phone"] == "138****8000"
    client.force_login(village_a1_user)
    row = client.get(f"/api/v1/regions/{tree.village_a1.pk}/households").json()["items"][0]
    assert row["phone"] == "13800138000"


def _grow(tree, n: int) -> None:
    township = type(tree.township_a).objects.get(pk=tree.township_a.pk)
    start = township.numchild
    for i in range(start, start + n):
        village = Region.objects.add_child(
            township, {"name": f"新村{i:03d}", "level": Level.VILLAGE}
        )
        township.refresh_from_db()
        add_household(village, f"N{i}-1", member=True)
        add_household(village, f"N{i}-2")


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_lists_keep_a_constant_query_count(client, tree, county_user, django_assert_num_queries):
    client.force_login(county_user)
    urls = [
        "/api/v1/regions?level=village",
        f"/api/v1/regions/{tree.county.pk}",
        f"/api/v1/regions/{tree.county.pk}/households",
    ]
    _grow(tree, 2)
    small = {url: queries_for(client, url) for url in urls}
    _grow(tree, 14)
    for url in urls:
        with django_assert_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_repeated_token_failures_lock_the_account_for_scripts_too(client, township_a_user):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "township_a_u", "password": "nope"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "township_a_u", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_openapi_schema_lists_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/regions" in paths
    assert "/api/v1/regions/{region_id}" in paths
    assert "/api/v1/auth/token" in paths
