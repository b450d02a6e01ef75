"""Pages of the village ledgers (台账), one module per ledger; routes in ``urls``."""
