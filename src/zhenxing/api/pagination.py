"""Every API list pages the same way: ``limit`` (default 100, at most 500) and ``offset``."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1  # beyond any list; a larger number is refused, not sent to the database


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="每页条数：默认 100，最多 500")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数，从 0 起")
