"""Village ledgers (台账). Every ledger is append-only: see ``base.Entry``.

One module per ledger; each is imported here so Django finds its models.
"""

from zhenxing.ledgers.models.base import Entry  # noqa: F401
