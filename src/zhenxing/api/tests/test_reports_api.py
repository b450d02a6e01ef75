"""/api/v1/reports/checks over real HTTP against a live server: a browser session must send its
CSRF token to POST; the check comes back (201) and reads back the same (GET); bad input is 422 with
the field and a Chinese message; another township gets 404; the Word page downloads."""

from __future__ import annotations

import http.cookiejar
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.utils import timezone
from docx import Document

from zhenxing.conftest import PASSWORD
from zhenxing.reports.models import ReportCheck

pytestmark = pytest.mark.django_db(transaction=True)
NEXT_YEAR = timezone.localdate().year + 1  # the session's pinned today (root conftest.py)
TEXT = "甲镇今年以来摸排矛盾纠纷30件，调解成功29件，全镇共有党员1260名。"


class Browser:
    """urllib with a cookie jar: the session and the CSRF cookie, as a browser keeps them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def send(self, method: str, path: str, *, body: bytes = b"", headers=None):
        request = urllib.request.Request(  # noqa: S310 - the test's own live server
            self.base + path, data=body or None, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def login(self, username: str) -> None:
        self.send("GET", "/login/")
        form = urllib.parse.urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookie("csrftoken"),
            }
        ).encode()
        status, _headers, _body = self.send(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + "/login/",
            },
        )
        assert status == 200 and any(c.name == "sessionid" for c in self.jar)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in (files or {}).items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_a_check_is_posted_with_the_csrf_token_and_read_back_the_same(
    live_server, township_a_user, township_b_user, tree
):
    browser = Browser(live_server.url)
    browser.login("township_a_u")
    body, headers = multipart({"text": TEXT, "period": "2026"})

    refused, _h, _b = browser.send("POST", "/api/v1/reports/checks", body=body, headers=headers)
    assert refused == 403  # a session without its CSRF token
    assert not ReportCheck.objects.exists()

    headers |= {"X-CSRFToken": browser.cookie("csrftoken"), "Referer": live_server.url + "/"}
    status, _h, raw = browser.send("POST", "/api/v1/reports/checks", body=body, headers=headers)
    assert status == 201, raw
    created = json.loads(raw)
    assert (created["region"], created["period"], created["author"]) == (
        "甲镇",
        "2026",
        "township_a_u",
    )
    assert created["tally"] == {"一致": 0, "有出入": 0, "平台无数据": 3, "未核": 0}
    assert [(c["text"], c["metric_label"]) for c in created["claims"]] == [
        ("30件", "受理矛盾纠纷数"),
        ("29件", "化解矛盾纠纷数"),
        ("1260名", "党员人数"),
    ]

    status, _h, raw = browser.send("GET", f"/api/v1/reports/checks/{created['id']}")
    assert status == 200 and json.loads(raw) == created
    status, _h, raw = browser.send("GET", "/api/v1/reports/checks")
    assert [c["id"] for c in json.loads(raw)["items"]] == [created["id"]]
    status, headers_out, raw = browser.send("GET", f"/api/v1/reports/checks/{created['id']}/word")
    assert status == 200 and headers_out["Content-Type"].startswith("application/vnd.openxml")
    assert "关于《" in "".join(p.text for p in Document(io.BytesIO(raw)).paragraphs)

    other = Browser(live_server.url)
    other.login("township_b_u")
    assert other.send("GET", f"/api/v1/reports/checks/{created['id']}")[0] == 404


BAD = [
    ({"text": " "}, None, "text", "正文：请粘贴材料正文，或上传 .docx / .txt 文件"),
    ({}, {"file": ("a.xlsx", b"PK")}, "file", "文件：只接受 .docx 或 .txt 文件"),
    (
        {"text": TEXT, "period": str(NEXT_YEAR)},
        None,
        "period",
        f"期间：{NEXT_YEAR}年尚未开始，不能核对未来的数据",
    ),
    ({"text": TEXT, "region_id": "{b}"}, None, "region_id", "区域：不存在或不在您的管辖范围内"),
]


def test_bad_input_answers_422_with_the_field_and_nothing_is_saved(
    live_server, township_a_user, tree
):
    browser = Browser(live_server.url)
    browser.login("township_a_u")
    for fields, files, field, message in BAD:
        data = {k: v.format(b=tree.township_b.pk) for k, v in fields.items()}
        body, headers = multipart(data, files)
        headers |= {"X-CSRFToken": browser.cookie("csrftoken"), "Referer": live_server.url + "/"}
        status, _h, raw = browser.send("POST", "/api/v1/reports/checks", body=body, headers=headers)
        assert status == 422, raw
        assert json.loads(raw)["errors"] == [{"field": field, "message": message}]
    assert not ReportCheck.objects.exists()
