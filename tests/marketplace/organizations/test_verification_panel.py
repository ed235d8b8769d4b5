"""Brokers see the verify / reject panel on an organisation's page only while it waits for
them (pending); the button says 认证 in Chinese, as the headers and statuses do."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from marketplace import services
from tests import factories
from tests.marketplace.organizations.test_joining_flow import _register

pytestmark = pytest.mark.django_db


def _page(user, org, language="en"):
    client = factories.login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("organization-detail", args=[org.pk])).content.decode()


def test_panel_shows_while_pending_and_says_认证_in_chinese():
    org = _register(factories.UserFactory())
    broker = factories.broker()
    html = _page(broker, org, "zh-hans")
    assert "data-verification-panel" in html
    assert '<button type="submit" class="ok">认证</button>' in html


def test_panel_is_gone_once_verified():
    org = _register(factories.UserFactory())
    broker = factories.broker()
    verify_url = reverse("organization-decide", args=[org.pk, "verify"])
    assert verify_url in _page(broker, org)
    services.organization_verify(organization=org, actor=broker)
    assert verify_url not in _page(broker, org)


def test_contract_verify_button_keeps_验证():
    with translation.override("zh-hans"):
        assert translation.gettext("Verify") == "验证"
