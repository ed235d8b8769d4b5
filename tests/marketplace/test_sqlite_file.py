"""The SQLite database file is private to the account running Keqiao (marketplace.sqlite_file)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.database_independent  # a SQLite file of its own


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "site.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "KEQIAO_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }
    # A permissive umask, as on many servers: SQLite alone would create the file 0644/0666.
    code = (
        "import os; os.umask(0o002); import django; django.setup(); "
        "from django.core.management import call_command; "
        "call_command('migrate', 'contenttypes', verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    mode = stat.S_IMODE(database.stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0, oct(mode)
    assert mode & stat.S_IRUSR and mode & stat.S_IWUSR
