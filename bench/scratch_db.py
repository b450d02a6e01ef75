"""The PostgreSQL benches' scratch database: refuse any name without ``bench``, create it if missing."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit


def ensure_database(url: str) -> None:
    """Create the scratch database when it is missing (via the server's ``postgres`` database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("this benchmark needs PostgreSQL")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: a scratch database's name must contain bench")
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
