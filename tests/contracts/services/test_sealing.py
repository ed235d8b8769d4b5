"""The SIGNED → sealed step after commit: a time-limited render that fails cleanly, the honest
"seal pending" state, and the worker that retries it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contracts import services
from contracts.choices import AgreementStatus, EventKind
from contracts.models import Agreement
from contracts.services.sealing import agreement_seal, retry_delay
from tests.contracts import support
from tests.contracts.services.test_signing import sign
from tests.contracts.test_api import client_for, url
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_unsealed(
    frozen, enterprise_user, researcher, settings, django_capture_on_commit_callbacks
):
    """Signed by both parties; the seal attempt after commit ran out of its time limit."""
    services.preview_sha256(agreement=frozen)  # shown on the signing page, before
    settings.PDF_RENDER_TIMEOUT = 0.01  # no real render finishes in 10 ms
    sign(frozen, enterprise_user, support.CLIENT_A)
    with django_capture_on_commit_callbacks(execute=True):
        sign(frozen, researcher, support.CLIENT_B)
    frozen.refresh_from_db()
    settings.PDF_RENDER_TIMEOUT = 60.0
    return frozen


def test_render_over_the_time_limit_fails_cleanly_and_is_logged(
    frozen, enterprise_user, researcher, settings, django_capture_on_commit_callbacks, caplog
):
    services.preview_sha256(agreement=frozen)  # shown on the signing page, before
    settings.PDF_RENDER_TIMEOUT = 0.01
    sign(frozen, enterprise_user, support.CLIENT_A)
    with (
        caplog.at_level(logging.WARNING, logger="contracts.services.sealing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        signed = sign(frozen, researcher, support.CLIENT_B)
    # The signature stands; only the seal is pending.
    assert signed.status == AgreementStatus.SIGNED
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.SIGNED and frozen.signed_at is not None
    assert frozen.sealed_at is None and not frozen.sealed_pdf_sha256
    assert frozen.seal_attempts == 1
    assert "PdfRenderTimeout" in frozen.seal_error
    assert frozen.seal_next_attempt_at > timezone.now()
    assert not frozen.events.filter(kind=EventKind.SEALED).exists()
    assert any("sealing agreement" in r.getMessage() for r in caplog.records)


def test_seal_pending_is_shown_by_the_api_and_the_page(signed_unsealed, researcher):
    api = client_for(researcher)
    detail = api.get(url(signed_unsealed)).json()
    assert detail["status"] == "signed"
    assert detail["seal_pending"] is True and detail["has_pdf"] is False
    assert detail["seal_attempts"] == 1
    pdf = api.get(url(signed_unsealed, "pdf/"))
    assert pdf.status_code == 409 and pdf.json()["code"] == "seal_pending"
    page = login(researcher).get(
        f"/agreements/{signed_unsealed.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The platform has not sealed the PDF yet" in page
    assert f"/agreements/{signed_unsealed.pk}/pdf/" not in page
    web_pdf = login(researcher).get(f"/agreements/{signed_unsealed.pk}/pdf/")
    assert web_pdf.status_code == 302
    listing = login(researcher).get("/agreements/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Seal pending" in listing


def test_worker_retries_after_the_back_off_and_seals(signed_unsealed):
    # Still backing off: a plain pass leaves it alone.
    call_command("seal_agreements", "--once")
    signed_unsealed.refresh_from_db()
    assert signed_unsealed.sealed_at is None
    # Once the back-off has run out the worker seals it.
    Agreement.objects.filter(pk=signed_unsealed.pk).update(
        seal_next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    call_command("seal_agreements", "--once")
    signed_unsealed.refresh_from_db()
    assert signed_unsealed.sealed_at is not None
    assert bytes(signed_unsealed.sealed_pdf).startswith(b"%PDF")
    assert signed_unsealed.seal_attempts == 2 and signed_unsealed.seal_error == ""
    assert signed_unsealed.events.filter(kind=EventKind.SEALED).count() == 1
    # A sealed agreement is never sealed again.
    assert agreement_seal(agreement_id=signed_unsealed.pk, ignore_backoff=True).result == "skipped"


def test_worker_once_fails_loudly_while_sealing_still_fails(signed_unsealed, settings):
    settings.PDF_RENDER_TIMEOUT = 0.01
    with pytest.raises(CommandError, match="could not be sealed"):
        call_command("seal_agreements", "--once", "--retry-now")
    signed_unsealed.refresh_from_db()
    assert signed_unsealed.sealed_at is None and signed_unsealed.seal_attempts == 2


def test_a_render_in_progress_is_not_claimed_twice(signed_unsealed):
    # Another worker holds the claim: the lease runs and no error is recorded yet.
    Agreement.objects.filter(pk=signed_unsealed.pk).update(
        seal_error="", seal_next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    outcome = agreement_seal(agreement_id=signed_unsealed.pk, ignore_backoff=True)
    assert outcome.result == "skipped"
    signed_unsealed.refresh_from_db()
    assert signed_unsealed.seal_attempts == 1 and signed_unsealed.sealed_at is None


def test_back_off_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(40).total_seconds() == 3600
