"""The limits a signer meets on the sign page: the password lock (SIGNING_PASSWORD_FAILURE_LIMIT
wrong passwords in SIGNING_PASSWORD_WINDOW_MINUTES) is the rule shown, and the sign endpoint's
general rate limit is looser, so a normal signer never meets a stricter, unexplained one."""

from __future__ import annotations

import pytest
from django.conf import settings

from contracts import services
from kernel.api.throttling import ScopeUserThrottle
from tests.contracts import support
from tests.factories import PASSWORD, login

pytestmark = pytest.mark.django_db


def _per_hour(rate: str) -> float:
    count, seconds = ScopeUserThrottle().parse_rate(rate)
    return count * 3600 / seconds


def test_the_sign_rate_limit_is_looser_than_the_password_lock():
    lock_per_hour = settings.SIGNING_PASSWORD_FAILURE_LIMIT * 60 / (
        settings.SIGNING_PASSWORD_WINDOW_MINUTES
    )
    assert _per_hour(settings.THROTTLE_RATES["sign"]) > lock_per_hour
    assert _per_hour(settings.THROTTLE_RATES["sign_ip"]) > lock_per_hour


def test_a_signer_mistyping_the_name_is_not_locked_out_by_the_rate_limit(
    frozen, enterprise_user
):
    support.with_name(enterprise_user, "企业代表")
    client = login(enterprise_user)
    preview = services.preview_sha256(agreement=frozen)
    for attempt in range(12):
        answer = client.post(
            f"/agreements/{frozen.pk}/sign/",
            {"typed_name": "企业代", "password": PASSWORD,
             "document_sha256": frozen.document_sha256, "preview_sha256": preview},
        )
        assert answer.status_code == 400, attempt
        assert "typed_name" in answer.context["form"].errors


def test_the_429_page_gives_the_wait_in_minutes_in_the_readers_language(settings, enterprise_user):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "search": "1/hour"}
    client = login(enterprise_user)
    client.cookies["django_language"] = "zh-hans"
    client.get("/", {"q": "储能"})
    page = client.get("/", {"q": "储能"})
    assert page.status_code == 429
    text = page.content.decode()
    assert "60 分钟后再试" in text and "3600" not in text
    client.cookies["django_language"] = "en"
    page = client.get("/", {"q": "储能"})
    assert "Please try again in 60 minutes." in page.content.decode()
