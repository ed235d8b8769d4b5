"""Signing asks for the password again; every wrong password is in the agreement's audit trail
(it stays although the signing is rolled back), and after SIGNING_PASSWORD_FAILURE_LIMIT wrong
passwords within SIGNING_PASSWORD_WINDOW_MINUTES signing that agreement is refused (429, with
Retry-After) until the window has passed, even with the right password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import services
from contracts.choices import AgreementStatus, EventKind
from contracts.models import AgreementEvent
from kernel.errors import DomainError, TooManyAttemptsError
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.SIGNING_PASSWORD_FAILURE_LIMIT = 3
    settings.SIGNING_PASSWORD_WINDOW_MINUTES = 15


def _sign(agreement, user, password):
    return support.sign(agreement, user, support.CLIENT_A, "企业代表", password=password)


def _refusals(agreement):
    return AgreementEvent.objects.filter(agreement=agreement, kind=EventKind.SIGNING_REFUSED)


def test_a_wrong_password_is_audited_with_who_and_from_where(frozen, enterprise_user):
    with pytest.raises(DomainError) as caught:
        _sign(frozen, enterprise_user, "not-my-password")
    assert caught.value.code == "wrong_password"
    (event,) = _refusals(frozen)
    assert event.actor == enterprise_user
    assert event.ip_address == support.CLIENT_A.ip_address
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()


def test_after_the_limit_even_the_right_password_is_refused_until_the_window_passes(
    frozen, enterprise_user
):
    for _ in range(3):
        with pytest.raises(DomainError):
            _sign(frozen, enterprise_user, "not-my-password")
    with pytest.raises(TooManyAttemptsError) as caught:
        _sign(frozen, enterprise_user, PASSWORD)
    assert caught.value.code == "signing_locked"
    assert 0 < caught.value.retry_after <= 15 * 60
    assert _refusals(frozen).count() == 3  # a locked attempt checks no password
    # the refusals age out of the window: signing works again
    _refusals(frozen).update(created_at=timezone.now() - timedelta(minutes=16))
    _sign(frozen, enterprise_user, PASSWORD)
    frozen.refresh_from_db()
    assert frozen.status in (AgreementStatus.SIGNING, AgreementStatus.SIGNED)


def test_the_api_answers_a_locked_signing_with_429_and_retry_after(frozen, enterprise_user):
    client = APIClient()
    client.force_authenticate(enterprise_user)
    url = f"/api/v1/agreements/{frozen.pk}/sign/"
    support.with_name(enterprise_user, "企业代表")
    body = {
        "password": "wrong", "typed_name": "企业代表", "document_sha256": frozen.document_sha256,
        "preview_sha256": services.preview_sha256(agreement=frozen),
    }
    for _ in range(3):
        assert client.post(url, body, format="json").status_code == 400
    locked = client.post(url, {**body, "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "signing_locked"
    assert int(locked["Retry-After"]) > 0
