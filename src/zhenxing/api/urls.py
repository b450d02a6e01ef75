"""The JSON API: /api/v1, OpenAPI at /api/v1/docs and /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from zhenxing.api import (
    accounts,
    auth,
    docs,
    errors,
    grids,
    ledgers,
    orders,
    regions,
    reports,
    rosters,
    star_proposals,
    star_results,
    star_rhythm,
    star_standards,
    stars,
)


class ZhenxingAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return errors.document(super().get_openapi_schema(**kwargs))


api = ZhenxingAPI(
    title="振兴 Zhenxing API",
    version="1",
    description="党建引领乡村振兴工作平台接口。浏览器使用登录会话；脚本先用 POST /api/v1/auth/token 取令牌，"
    "再以 Authorization: Bearer <令牌> 调用（令牌优先；浏览器会话的写操作须带 X-CSRFToken）。"
    "超出管辖范围的对象一律返回 404。错误一律为 {detail, errors: [{field, message}]}（中文说明，"
    "field 指出出错的请求字段）。列表分页：limit 最大 500（默认 100），offset 从 0 起。",
    auth=auth.AUTH,
    urls_namespace="api",
    docs=docs.LocalSwagger(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/accounts", accounts.router)
api.add_router("/regions", regions.router)
api.add_router("/rosters", rosters.router)
api.add_router("/jobs", rosters.jobs_router)
api.add_router("/orders", orders.router)
api.add_router("/ledgers", ledgers.router)
api.add_router("/grids", grids.router)
api.add_router("/stars", star_standards.router)
api.add_router("/stars/rhythm", star_rhythm.router)
api.add_router("/stars/results", star_results.router)
api.add_router("/stars/applications", stars.router)
api.add_router("/stars/proposals", star_proposals.router)
api.add_router("/reports", reports.router)
