"""API authentication: the browser's session, or ``Authorization: Bearer <token>`` for scripts."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from zhenxing.accounts import services
from zhenxing.accounts.scoping import scope_for
from zhenxing.api.errors import ErrorOut


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_user(token=token)
        if user is None:
            return None
        request.user = user
        request.scope = scope_for(user)  # type: ignore[attr-defined]
        return user


class BrowserSession(SessionAuth):
    """The browser's signed-in session, with Django's CSRF check, for a request that has one.

    A request without a signed-in session is not this scheme's (``None``), so one without any
    credentials answers 401 rather than a CSRF refusal; one with a session but no CSRF token
    answers 403."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# The token first: a script's request with a bearer token never meets the session's CSRF check.
AUTH = [BearerToken(), BrowserSession()]

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


@router.post(
    "/token",
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="用户名和密码换取接口令牌",
    description="401：用户名或密码不对；429：连续输错次数过多，该账号在该地址暂时锁定 15 分钟。",
)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码不正确，或登录失败次数过多已被暂时锁定")
    return TokenOut(token=services.api_token_issue(user=user))
