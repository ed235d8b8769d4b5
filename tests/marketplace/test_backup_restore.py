"""Backup and restore exactly as docs/operations.md describes it, run for real: `manage.py`
processes on the database kind of this test run (SQLite files, or two new databases on the
PostgreSQL server of the run), django-dbbackup's dbbackup/dbrestore (pg_dump/pg_restore on
PostgreSQL), the seal files copied with tar, then update_index and verify_seals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.databases import throwaway_databases

ROOT = Path(settings.BASE_DIR)
# Prints the search hits for 储能 (kind, id) and the rows a restore must bring back, as JSON.
SNAPSHOT = """
import json
from django.contrib.auth import get_user_model
from contracts.models import Agreement
from marketplace.models import ResearchResult, TechnologyNeed
from matching.models import MatchRequest
from matching.search import get_search_backend
from matching.search.backends.base import SearchQuery
hits = get_search_backend().search(SearchQuery(text="储能", page_size=100)).hits
print(json.dumps({
    "search": sorted([h.kind, h.object_id] for h in hits),
    "users": sorted(get_user_model().objects.values_list("username", "password")),
    "results": ResearchResult.objects.count(),
    "needs": TechnologyNeed.objects.count(),
    "match_requests": MatchRequest.objects.count(),
    "agreements": sorted(
        [a.number, a.status, a.sealed_pdf_sha256]
        for a in Agreement.objects.all()
    ),
}, sort_keys=True))
"""


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _ok(env: dict[str, str], *args: str) -> str:
    done = _manage(env, *args)
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _environment(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KEQIAO_", "STRIPE_", "ELASTICSEARCH_", "DJANGO_"))
    }
    # The embedded search backend: its index is rebuilt like any other by update_index.
    env.update(DATABASE_URL=database_url, KEQIAO_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def test_restore_into_empty_database_rebuilds_index_and_verifies_sealed_agreement(
    tmp_path: Path,
) -> None:
    backup = tmp_path / "backup"
    backup.mkdir()
    with throwaway_databases(tmp_path, "keqiao_backup", "source", "target") as (
        source_url, target_url
    ):
        # The running site: migrated, with the demo (listings, users, a sealed agreement).
        source = _environment(source_url, tmp_path / "source-var")
        _ok(source, "migrate", "--noinput", "-v0")
        _ok(source, "load_demo")
        before = _ok(source, "shell", "-c", SNAPSHOT).strip().splitlines()[-1]
        assert '"KQ-' in before and '"signed"' in before

        # Backup (docs/operations.md): the database dump and the seal key pair.
        _ok(source, "dbbackup", "--output-path", str(backup / "keqiao.dump"))
        subprocess.run(
            ["tar", "-C", str(tmp_path / "source-var"), "-czf", str(backup / "seal.tar.gz"),
             "seal"],
            check=True,
        )

        # Restore on a new machine: empty database, empty VAR_DIR.
        target_var = tmp_path / "target-var"
        target_var.mkdir()
        target = _environment(target_url, target_var)
        subprocess.run(
            ["tar", "-C", str(target_var), "-xzf", str(backup / "seal.tar.gz")], check=True
        )
        _ok(target, "dbrestore", "--noinput", "--input-path", str(backup / "keqiao.dump"))
        _ok(target, "migrate", "--noinput", "-v0")
        _ok(target, "update_index", "--no-progress")
        verified = _ok(target, "verify_seals")
        after = _ok(target, "shell", "-c", SNAPSHOT).strip().splitlines()[-1]

        assert after == before
        assert "KQ-" in verified and ": ok" in verified
        assert "1 checked, 1 ok" in verified.splitlines()[-1]

        # Without the seal files the restored agreement no longer verifies as ours: the seal
        # key pair is part of the backup, not an optional extra.
        no_seal = _manage(_environment(target_url, tmp_path / "no-seal-var"), "verify_seals")
        assert no_seal.returncode != 0
        assert "sealed with another certificate" in no_seal.stderr
