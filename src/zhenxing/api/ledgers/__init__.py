"""/api/v1/ledgers: the API twins of the ledger pages, one sub-router per ledger."""

from ninja import Router

router = Router(tags=["ledgers"])
