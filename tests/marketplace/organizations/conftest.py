"""Fixtures of the organisation tests: private evidence goes to a temporary directory; the
browser tests' demo site."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def demo_live_server(live_server, monkeypatch, settings):
    """pytest-django's live server with the demo data (`load_demo`), for Playwright's
    synchronous API (which runs an event loop in the test's thread)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEBUG = True  # load_demo refuses without a password otherwise
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False
    return live_server


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
