"""After claiming an organisation the pages say the claim waits for a broker's review (it is
not claimed yet), in both languages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.marketplace.organizations.test_claims import _claim, imported  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "认领申请已提交，等待技术经纪人审核"), ("en", "waits for review")],
)
def test_pages_say_the_claim_waits_for_review(imported, language, expected):  # noqa: F811
    user = factories.UserFactory()
    _claim(user, imported)
    client = factories.login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name in ("organization-detail", "organization-claim"):
        html = client.get(reverse(name, args=[imported.pk])).content.decode()
        assert expected in html, name
        assert "您已认领该机构" not in html
