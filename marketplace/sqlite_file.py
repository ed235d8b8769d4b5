"""Keep the SQLite database file private to the account that runs Keqiao.

SQLite creates its file with the process's umask, usually readable by every local account
(mode 644), and the file holds password hashes, API token digests and every agreement.
`make_database_file_private` is connected to ``connection_created``: on the first SQLite
connection of a process to a database file it removes group and other permissions from that
file (SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions when it
creates them); later connections skip the check, so requests pay nothing. In-memory databases
and PostgreSQL are left alone.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

#: Permission bits removed from the database file: everything for group and others.
_NOT_PRIVATE = stat.S_IRWXG | stat.S_IRWXO
#: Database files this process has already made private.
_done: set[str] = set()


def make_database_file_private(
    sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """``connection_created`` receiver (see the module docstring)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or name in _done:
        return
    _done.add(name)
    for path in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & _NOT_PRIVATE:
            os.chmod(path, stat.S_IMODE(mode) & ~_NOT_PRIVATE)
