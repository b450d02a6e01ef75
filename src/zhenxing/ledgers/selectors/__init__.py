"""Reads of the ledgers, one module per ledger, and the per-village metrics the star engine reads."""
