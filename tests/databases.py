"""Throw-away databases beside the test database, for tests that run `manage.py` or a server
in a subprocess on a database of their own (the backup and restore test, the OpenAPI
conformance run)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import connection


@contextmanager
def throwaway_databases(tmp_path: Path, prefix: str, *names: str) -> Iterator[list[str]]:
    """DATABASE_URLs of new, empty databases of this run's kind, one per name, dropped
    afterwards: SQLite files under `tmp_path`, or databases `<prefix>_<pid>_<name>` on the
    run's PostgreSQL server. Their URLs are DATABASE_URL with the database name replaced
    (host, port, IPv6 brackets and options kept); they are created and dropped through the
    maintenance database "postgres" with Django's own connection parameters, as
    pytest-django creates the test database."""
    if connection.vendor != "postgresql":
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in names]
        return
    import psycopg  # the postgres extra: only a PostgreSQL run needs it
    from psycopg import sql

    databases = [f"{prefix}_{os.getpid()}_{name}" for name in names]
    given = urlsplit(os.environ["DATABASE_URL"])
    params: dict[str, Any] = {**connection.get_connection_params(), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as admin:
        for name in databases:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield [given._replace(path=f"/{name}").geturl() for name in databases]
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            for name in databases:
                # FORCE (PostgreSQL 13+): a stopped server's connections may still be closing.
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
