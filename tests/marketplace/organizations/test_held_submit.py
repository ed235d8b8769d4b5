"""A held action (submitting a listing of an unverified organisation) looks unavailable and,
forced anyway, says why instead of showing the bare 403 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace.choices import ListingStatus
from tests import factories
from tests.marketplace.organizations.test_joining_flow import _draft, _register

pytestmark = pytest.mark.django_db


def test_forced_submit_of_a_held_listing_shows_the_reason(client):
    user = factories.UserFactory()
    need = _draft(_register(user))
    client.force_login(user)
    response = client.post(reverse("need-action", args=[need.pk, "submit"]), follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("waiting for a broker to verify it" in text for text in shown)
    need.refresh_from_db()
    assert need.status == ListingStatus.DRAFT


def test_outsiders_forced_submit_is_still_403(client):
    need = _draft(_register(factories.UserFactory()))
    client.force_login(factories.UserFactory())
    response = client.post(reverse("need-action", args=[need.pk, "submit"]))
    assert response.status_code in (403, 404)


def test_disabled_buttons_are_styled_as_unavailable():
    css = (Path(settings.BASE_DIR) / "static/css/keqiao.css").read_text()
    rule = re.search(r"button:disabled[^{]*\{([^}]*)\}", css)
    assert rule and "not-allowed" in rule.group(1)
