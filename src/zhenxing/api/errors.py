"""The API's one error shape, for every 4xx it answers.

``{"detail": "<中文说明>", "errors": [{"field": "<请求字段>" | null, "message": "<中文说明>"}]}``

- ``detail`` is a sentence for a person (for 422: the field messages joined by "；");
- ``errors`` lists each problem; ``field`` names the request field — a path, query, form or body
  parameter by its name in the request (``items[0].note`` inside a list) — and is null for a
  problem with the request as a whole.

400 bad upload, 401 no or bad credentials, 403 the role may not (or a browser session without its
CSRF token), 404 not found or outside the caller's scope (the same answer), 409 someone changed it
first, 422 the input is refused. Anything under /api/ that matches no route answers the JSON 404 too.
"""

from __future__ import annotations

from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

API_PREFIX = "/api/"


class FieldError(Schema):
    field: str | None = Field(
        description="出错的请求字段（路径、查询、表单或请求体中的名称）；针对整个请求时为 null"
    )
    message: str = Field(description="中文说明")


class ErrorOut(Schema):
    """Every error answer (400, 401, 403, 404, 409, 422)."""

    detail: str = Field(description="中文说明；422 时为各字段说明的汇总")
    errors: list[FieldError] = Field(description="逐条问题；field 为空表示针对整个请求")


def body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or [{"field": None, "message": detail}]}


# --- ninja's validation errors in Chinese, naming the field ---------------------------------

_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}

_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为文字",
    "list_type": "须为列表",
    "dict_type": "须为 JSON 对象",
    "model_attributes_type": "须为 JSON 对象",
    "model_type": "须为 JSON 对象",
    "date_parsing": "须为日期（如 2026-12-08）",
    "date_from_datetime_parsing": "须为日期（如 2026-12-08）",
    "date_from_datetime_inexact": "须为日期（如 2026-12-08）",
    "date_type": "须为日期（如 2026-12-08）",
    "datetime_parsing": "须为时间（如 2026-12-08T10:00:00+08:00）",
    "datetime_from_date_parsing": "须为时间（如 2026-12-08T10:00:00+08:00）",
    "datetime_type": "须为时间（如 2026-12-08T10:00:00+08:00）",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "extra_forbidden": "不是可接受的字段",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "uuid_parsing": "格式不对",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
}


def _field(loc: tuple | list) -> str | None:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # A body parameter's own name (``payload``, ``data``) is the body itself, not a field.
        if loc[0] == "body" and parts:
            parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or None


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        return (
            _("不能小于 %(n)s") % {"n": bound}
            if kind == "greater_than_equal"
            else _("须大于 %(n)s") % {"n": bound}
        )
    if kind in {"less_than_equal", "less_than"}:
        bound = ctx.get("le", ctx.get("lt"))
        return (
            _("不能大于 %(n)s") % {"n": bound}
            if kind == "less_than_equal"
            else _("须小于 %(n)s") % {"n": bound}
        )
    if kind in {"enum", "literal_error"}:
        return _("须为以下之一：%(values)s") % {"values": ctx.get("expected", "")}
    if kind in _MESSAGES:
        return _(_MESSAGES[kind])
    return _("取值无效（%(why)s）") % {"why": error.get("msg", kind)}


def field_errors_of(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's ``{type, loc, msg}`` as ``{field, message}``; ours pass as they are."""
    out = []
    for error in errors:
        if "message" in error:
            out.append({"field": error.get("field"), "message": str(error["message"])})
            continue
        field = _field(error.get("loc", ()))
        message = _message(error)
        if field is None and error.get("type") == "missing":
            message = _("请求体不能为空，须为 JSON 对象")
        elif field is None:
            message = _("请求体%(what)s") % {"what": message}
        else:
            message = f"{field}：{message}"
        out.append({"field": field, "message": message})
    return out


# --- the handlers -----------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` in the one shape."""

    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = field_errors_of(list(exc.errors))
        detail = "；".join(e["message"] for e in errors) or _("请求有误")
        return api.create_response(request, body(detail, errors), status=422)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            message = _("未登录，或令牌无效：请先登录，或用 POST /api/v1/auth/token 取令牌")
        elif exc.status_code == 403 and str(exc) == "CSRF check Failed":
            message = _("CSRF 校验失败：浏览器会话的写操作须带 X-CSRFToken 请求头（脚本请用令牌）")
        elif exc.status_code == 400 and str(exc) == "Cannot parse request body":
            message = _("请求体不是有效的 JSON（或表单）")
        else:
            message = str(exc)
        return api.create_response(request, body(message), status=exc.status_code)

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, body(_("未找到")), status=404)

    def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A number beyond what the database stores (an id of 2**70): no such record can exist.
        if isinstance(exc, DataError) and "out of range" not in str(exc):
            raise exc
        message = _("请求中的数字超出范围")
        return api.create_response(request, body(message), status=422)

    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(OverflowError, out_of_range)
    api.add_exception_handler(DataError, out_of_range)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: the API's JSON 404 under /api/ (an id that is not a number, a path
    that matches no route), the site's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            body(_("未找到")), status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = _("服务器内部错误，已记录；请稍后再试或联系管理员")
        return JsonResponse(body(message), status=500, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request)


# --- the OpenAPI says so for every operation --------------------------------------------------

COMMON = {
    "400": "请求体无法解析（不是有效的 JSON 或表单），或上传的文件不对",
    "401": "未登录或令牌无效",
    "403": "无权执行（或浏览器会话缺少 CSRF 令牌）",
    "404": "不存在，或不在调用者管辖范围内",
    "422": "输入有误：errors 逐条指出字段",
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers every operation can give, in the one shape, where not yet listed."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    defs = schemas["ErrorOut"].pop("$defs", {})
    schemas.update({k: v for k, v in defs.items() if k not in schemas})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            # ninja keys the answers by int; JSON has only strings, so one key per status.
            responses = {
                str(code): answer for code, answer in operation.get("responses", {}).items()
            }
            operation["responses"] = responses
            for code, description in COMMON.items():
                if code == "401" and not operation.get("security"):
                    continue
                if code == "400" and "requestBody" not in operation:
                    continue
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return schema
