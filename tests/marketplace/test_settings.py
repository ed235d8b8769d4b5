"""Settings come from the environment through one reader, with embedded defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each test reads the settings in a subprocess with the outside variables removed.
pytestmark = pytest.mark.database_independent


def _settings_value(expression: str, **env: str) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','marketplace.settings');"
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    outside = {"DATABASE_URL", "ELASTICSEARCH_URL", "STRIPE_SECRET_KEY", "STRIPE_API_BASE"}
    clean_env = {k: v for k, v in os.environ.items() if k not in outside}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean_env, **env},
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def test_default_database_is_embedded_sqlite():
    assert _settings_value("settings.DATABASES['default']['ENGINE']") == (
        "django.db.backends.sqlite3"
    )


def test_database_url_switches_to_postgresql():
    engine = _settings_value(
        "settings.DATABASES['default']['ENGINE']",
        DATABASE_URL="postgres://keqiao:secret@127.0.0.1:5432/keqiao",
    )
    assert engine == "django.db.backends.postgresql"


def test_default_email_backend_prints_to_console():
    assert _settings_value("settings.EMAIL_BACKEND") == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_default_search_backend_is_embedded():
    assert "tantivy" in _settings_value("settings.SEARCH_BACKENDS['default']['BACKEND']")


def test_elasticsearch_url_selects_the_elasticsearch_backend_and_keeps_the_embedded_one():
    backends = _settings_value(
        "sorted((k, v.get('BACKEND', v.get('ALIAS')))"
        " for k, v in settings.SEARCH_BACKENDS.items())",
        ELASTICSEARCH_URL="http://127.0.0.1:9250",
    )
    assert "('default', 'matching.search.backends.elasticsearch.ElasticsearchSearchBackend')" in (
        backends
    )
    assert "('embedded', 'matching.search.backends.tantivy.TantivySearchBackend')" in backends
