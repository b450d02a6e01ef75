"""Real HTTP clients against pytest-django's live server: a script with a bearer token, and a browser
with its session and CSRF cookie. The live server checks CSRF as production does (Django's test
client does not), so these are the clients the API's users are."""

from __future__ import annotations

import re

import httpx

from zhenxing.conftest import PASSWORD

API = "/api/v1"


def token_client(base_url: str, username: str) -> httpx.Client:
    """A script: no cookies, ``Authorization: Bearer <token>`` on every request."""
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


class BrowserClient(httpx.Client):
    """A browser: signs in on the login page, keeps the session and CSRF cookies, and sends the
    CSRF cookie back in the ``X-CSRFToken`` header on every unsafe request (as the pages'
    JavaScript does)."""

    def request(self, method: str, url, **kwargs):  # type: ignore[no-untyped-def, override]
        if method.upper() not in {"GET", "HEAD", "OPTIONS"} and "csrftoken" in self.cookies:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)


def browser_client(base_url: str, username: str) -> BrowserClient:
    client = BrowserClient(base_url=base_url, timeout=30)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    response = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
    )
    assert response.status_code == 302, response.text[:500]
    assert "sessionid" in client.cookies
    return client
