"""The JSON API: /api/v1, OpenAPI at /api/v1/docs and /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from zhenxing.api import (
    auth,
    grids,
    ledgers,
    orders,
    regions,
    reports,
    rosters,
    star_results,
    star_rhythm,
    star_standards,
    stars,
)

api = NinjaAPI(
    title="振兴 Zhenxing API",
    version="1",
    description="党建引领乡村振兴工作平台接口。浏览器使用登录会话；脚本先用 POST /api/v1/auth/token 取令牌，"
    "再以 Authorization: Bearer <令牌> 调用。超出管辖范围的对象一律返回 404。",
    auth=auth.AUTH,
    urls_namespace="api",
)
api.add_router("/auth", auth.router)
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
api.add_router("/reports", reports.router)
