"""What the benches share: their scratch PostgreSQL database and their smoke size.

A scratch database's name must contain ``bench``; a full run creates it when it is missing and keeps
its fixtures in it between runs. A smoke run (``--smoke``) uses a database of its own whose name
contains ``bench_smoke`` (``bench_smoke_<script>`` by default), creates it when it is missing and
drops it at the end, so that it never touches the full-size fixtures.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit, urlunsplit

SERVER = "postgres://postgres@127.0.0.1:5432"
SMOKE_MARK = "bench_smoke"


def add_smoke_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"a tiny run that the test suite makes (its own database {SMOKE_MARK}_<script>, "
        "dropped at the end)",
    )


def apply_smoke(parser: argparse.ArgumentParser, args: argparse.Namespace, **sizes: object) -> None:
    """With ``--smoke``, the options left at their defaults take the smoke ``sizes``."""
    if args.smoke:
        for name, value in sizes.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)


def database_url(args: argparse.Namespace, env: dict[str, str], default: str, script: str) -> str:
    """The argument, else (not in a smoke run) ``BENCH_DATABASE_URL``, else the default: for a
    smoke run ``bench_smoke_<script>`` on the default's server."""
    if args.database_url:
        return args.database_url
    if args.smoke:
        return f"{SERVER}/{SMOKE_MARK}_{script}"
    return env.get("BENCH_DATABASE_URL") or default


def _name(url: str, *, smoke: bool) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("this benchmark needs PostgreSQL")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: a scratch database's name must contain bench")
    if smoke and SMOKE_MARK not in name:
        sys.exit(
            f"refusing to use database {name!r} for a smoke run, which drops it at the end: "
            f"its name must contain {SMOKE_MARK}"
        )
    return name


def _admin(url: str) -> str:
    """The server's ``postgres`` database, for CREATE and DROP DATABASE."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres", scheme="postgresql"))


def ensure_database(url: str, *, smoke: bool = False) -> None:
    """Create the scratch database when it is missing (via the server's ``postgres`` database)."""
    import psycopg

    name = _name(url, smoke=smoke)
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def drop_smoke_database(url: str) -> None:
    """Drop a smoke run's database (closing what is still connected to it)."""
    import psycopg

    name = _name(url, smoke=True)
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped database {name}")


def tables_referencing(model: type) -> list[str]:
    """The tables with a foreign key to ``model``'s (hidden relations such as ``related_name="+"``
    and many-to-many tables included), from the models. Call after ``django.setup()``."""
    tables = set()
    for rel in model._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and rel.is_relation:  # a reverse relation
            other = rel.through if rel.many_to_many else rel.related_model
            tables.add(other._meta.db_table)
    return sorted(tables)


def run(main, *, args: argparse.Namespace, url: str, tmp) -> None:
    """Run a bench's ``main`` and always clean up after it: the database connection, its
    temporary folder and, for a smoke run, its scratch database."""
    from django.db import connection

    try:
        main()
    finally:
        connection.close()
        tmp.cleanup()
        if args.smoke:
            drop_smoke_database(url)
