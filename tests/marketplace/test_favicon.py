"""Every page names the site's icon, and /favicon.ico (asked for by browsers on their own)
leads to it instead of a 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_link_the_icon_and_favicon_ico_leads_to_it():
    icon = static("favicon.svg")
    assert f'<link rel="icon" href="{icon}"' in Client().get("/").content.decode()
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404 and f'<link rel="icon" href="{icon}"' in (
        missing.content.decode()
    )
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == icon
    svg = (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
