"""Writes to the ledgers, one module per ledger. ``base.supersede`` is the only way to correct a row."""
