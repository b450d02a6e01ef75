"""API authentication: the browser's session, or ``Authorization: Bearer <token>`` for scripts."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from zhenxing.accounts import services
from zhenxing.accounts.scoping import scope_for


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_user(token=token)
        if user is None:
            return None
        request.user = user
        request.scope = scope_for(user)  # type: ignore[attr-defined]
        return user


AUTH = [SessionAuth(), BearerToken()]

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


@router.post("/token", response=TokenOut, auth=None, summary="用户名和密码换取接口令牌")
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码不正确，或登录失败次数过多已被暂时锁定")
    return TokenOut(token=services.api_token_issue(user=user))
