"""The API's one error shape, its JSON 404 under /api/, the capped ``limit`` and unique schema
names, through a real client against the live server."""

from __future__ import annotations

import collections
import json

import httpx
import ninja
import pytest

from zhenxing.api.tests.live import API, token_client
from zhenxing.api.urls import api

pytestmark = pytest.mark.django_db(transaction=True)


def assert_shape(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str)
    assert body["errors"] and all(set(e) == {"field", "message"} for e in body["errors"])
    return body


def test_every_error_takes_the_one_shape_in_chinese(live_server, tree, township_a_user):
    with httpx.Client(base_url=live_server.url) as anonymous:
        body = assert_shape(anonymous.get(f"{API}/regions"), 401)
        assert "令牌" in body["detail"]
    client = token_client(live_server.url, "township_a_u")
    # ninja's own validation, renamed to the request's fields, in Chinese
    body = assert_shape(
        client.post(f"{API}/orders", json={"village_id": "东村", "description": 5}), 422
    )
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert by_field["village_id"] == "village_id：须为整数"
    assert by_field["category_id"] == "category_id：必须填写"
    assert by_field["description"] == "description：须为文字"
    assert "village_id：须为整数" in body["detail"]
    body = assert_shape(
        client.post(f"{API}/orders", content=b"{", headers={"Content-Type": "application/json"}),
        400,
    )
    assert body["errors"][0]["field"] is None and "JSON" in body["detail"]
    body = assert_shape(client.get(f"{API}/regions?level=planet"), 422)
    assert body["errors"][0]["field"] == "level" and "须为以下之一" in body["detail"]
    # not found and out of scope alike; ids that are no number; paths that match nothing
    missing = assert_shape(client.get(f"{API}/regions/987654"), 404)
    assert assert_shape(client.get(f"{API}/regions/{tree.village_b1.pk}"), 404) == missing
    assert assert_shape(client.get(f"{API}/orders/abc"), 404) == missing
    assert assert_shape(client.get(f"{API}/no-such-thing"), 404) == missing
    assert missing["detail"] == "未找到"
    # a list answers at most 500 at a time
    body = assert_shape(client.get(f"{API}/regions?limit=100000"), 422)
    assert body["errors"] == [{"field": "limit", "message": "limit：不能大于 500"}]
    assert client.get(f"{API}/regions?limit=500").status_code == 200
    client.close()


def test_the_openapi_documents_the_shape_and_the_cap_for_every_operation(
    live_server, tree, county_user
):
    def no_repeats(pairs: list) -> dict:
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys  # a repeated key breaks Swagger UI's parser
        return dict(pairs)

    raw = httpx.get(f"{live_server.url}{API}/openapi.json").text
    schema = json.loads(raw, object_pairs_hook=no_repeats)
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "errors"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for code in ("403", "404", "422"):
                assert code in operation["responses"], (method, path, code)
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    limit = next(
        p for p in schema["paths"]["/api/v1/regions"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert limit["schema"]["maximum"] == 500


def test_every_schema_of_the_api_has_its_own_name():
    names = collections.defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("zhenxing."):
                names[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    assert api.get_openapi_schema()  # every router imported
    walk(ninja.Schema)
    assert {name: where for name, where in names.items() if len(where) > 1} == {}
