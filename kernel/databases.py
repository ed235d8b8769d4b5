"""Which database a process uses, as a short key for files kept per database (the embedded
search index, the vector snapshots), so that the test database, the development database and
another site's never share one."""

from __future__ import annotations

import hashlib

from django.db import connections


def database_key(alias: str = "default") -> str:
    """16 hex digits: SHA-256 of the database's engine, host and name (`alias`'s settings)."""
    database = connections[alias].settings_dict
    name = f"{database.get('ENGINE')}|{database.get('HOST')}|{database.get('NAME')}"
    return hashlib.sha256(name.encode()).hexdigest()[:16]
