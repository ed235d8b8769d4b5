"""The Stripe webhook endpoint, with events signed here by Stripe's scheme (no server needed):
only a verified event changes a payment, each event acts once, and late, repeated or
out-of-order events never move a payment backwards or act twice."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from payments.models import Payment, PaymentStatus, WebhookEvent
from tests.payments.conftest import (
    WEBHOOK_URL,
    charge_refunded_object,
    event,
    session_object,
    sign,
)

pytestmark = pytest.mark.django_db


def post(client, payload: bytes, header: str | None = None):
    return client.post(
        WEBHOOK_URL,
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload) if header is None else header},
    )


def completed(payment: Payment, event_id: str = "evt_completed", **kw) -> bytes:
    return event(event_id, "checkout.session.completed", session_object(payment, **kw))


def refunded(payment: Payment, fen: int, event_id: str = "evt_refunded") -> bytes:
    return event(event_id, "charge.refunded", charge_refunded_object(payment, amount_refunded=fen))


def test_verified_checkout_completed_marks_payment_paid(client, pending_payment, signals):
    response = post(client, completed(pending_payment))
    assert response.status_code == 200
    assert response.json() == {
        "received": True,
        "event": "evt_completed",
        "result": "paid",
        "repeated": False,
    }
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PAID
    assert pending_payment.provider_payment_ref == "pi_test_1"
    assert pending_payment.paid_at is not None
    assert signals.of("paid") == [("paid", pending_payment.pk, None)]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("t=1,v1=" + "0" * 64, id="wrong-mac"),
        pytest.param("", id="missing"),
        pytest.param("garbage", id="malformed"),
    ],
)
def test_bad_signature_is_rejected_with_400_and_changes_nothing(
    client, pending_payment, signals, header
):
    response = post(client, completed(pending_payment), header=header)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING
    assert not WebhookEvent.objects.exists()
    assert signals.calls == []


def test_event_signed_with_another_secret_is_rejected(client, pending_payment):
    payload = completed(pending_payment)
    response = post(client, payload, header=sign(payload, secret="whsec_someone_else"))
    assert response.status_code == 400
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING


def test_event_with_a_stale_timestamp_is_rejected(client, pending_payment):
    payload = completed(pending_payment)
    old = int(time.time()) - 3600  # Stripe's tolerance is 300 s
    assert post(client, payload, header=sign(payload, timestamp=old)).status_code == 400
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING


def test_tampered_payload_is_rejected(client, pending_payment):
    payload = completed(pending_payment)
    header = sign(payload)
    tampered = payload.replace(b'"amount_total": 20000', b'"amount_total": 1')
    assert tampered != payload
    assert post(client, tampered, header=header).status_code == 400


def test_signed_body_that_is_not_json_is_rejected_with_400(client, stripe_settings):
    assert post(client, b"not json at all").status_code == 400


def test_replayed_event_returns_200_without_a_second_effect(client, pending_payment, signals):
    payload = completed(pending_payment)
    first = post(client, payload)
    pending_payment.refresh_from_db()
    paid_at = pending_payment.paid_at
    second = post(client, payload)
    assert first.status_code == second.status_code == 200
    assert second.json()["repeated"] is True
    assert second.json()["result"] == "paid"
    pending_payment.refresh_from_db()
    assert pending_payment.paid_at == paid_at
    assert len(signals.of("paid")) == 1
    assert WebhookEvent.objects.filter(event_id="evt_completed").count() == 1


def test_replayed_refund_event_refunds_once(client, pending_payment, signals):
    post(client, completed(pending_payment))
    payload = refunded(pending_payment, 5000)
    post(client, payload)
    post(client, payload)
    pending_payment.refresh_from_db()
    assert pending_payment.refunded_cny == Decimal("50.00")
    assert pending_payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert signals.of("refunded") == [("refunded", pending_payment.pk, Decimal("50.00"))]


def test_completed_twice_with_different_event_ids_pays_once(client, pending_payment, signals):
    post(client, completed(pending_payment, "evt_1"))
    second = post(
        client,
        event(
            "evt_2",
            "checkout.session.async_payment_succeeded",
            session_object(pending_payment),
        ),
    )
    assert second.json()["result"] == "already_paid"
    assert len(signals.of("paid")) == 1


def test_full_refund_before_completed_leaves_payment_refunded_and_never_paid(
    client, pending_payment, signals
):
    assert post(client, refunded(pending_payment, 20000)).json()["result"] == "refunded"
    late = post(client, completed(pending_payment))
    assert late.status_code == 200
    assert late.json()["result"] == "already_paid"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.REFUNDED
    assert pending_payment.refunded_cny == Decimal("200.00")
    assert signals.of("paid") == []
    assert signals.of("refunded") == [("refunded", pending_payment.pk, Decimal("200.00"))]


def test_partial_refund_before_completed_records_payment_then_refund(
    client, pending_payment, signals
):
    post(client, refunded(pending_payment, 5000))
    post(client, completed(pending_payment))
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert pending_payment.provider_payment_ref == "pi_test_1"
    assert [c[0] for c in signals.calls] == ["paid", "refunded"]


def test_older_refund_total_arriving_late_does_not_lower_the_refunded_amount(
    client, pending_payment, signals
):
    post(client, completed(pending_payment))
    post(client, refunded(pending_payment, 15000, event_id="evt_r2"))
    post(client, refunded(pending_payment, 5000, event_id="evt_r1"))
    pending_payment.refresh_from_db()
    assert pending_payment.refunded_cny == Decimal("150.00")
    assert len(signals.of("refunded")) == 1


def test_completed_for_a_cancelled_payment_keeps_it_cancelled_and_schedules_a_refund(
    client, pending_payment, signals, django_capture_on_commit_callbacks
):
    from payments.services import payment_cancel

    payment_cancel(payment=pending_payment)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, completed(pending_payment))
    assert response.json()["result"] == "refund_after_cancellation"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.CANCELLED
    assert pending_payment.paid_at is not None
    assert pending_payment.provider_payment_ref == "pi_test_1"
    assert signals.of("paid") == []
    assert len(callbacks) == 1  # the refund, run after commit (see test_stripe_mock)


def test_refund_for_a_cancelled_payment_completes_as_refunded(client, pending_payment, signals):
    from payments.services import payment_cancel

    payment_cancel(payment=pending_payment)
    post(client, completed(pending_payment))
    post(client, refunded(pending_payment, 20000))
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.REFUNDED
    assert signals.of("paid") == []


def test_expired_checkout_fails_the_payment(client, pending_payment, signals):
    payload = event(
        "evt_expired",
        "checkout.session.expired",
        session_object(pending_payment, payment_status="unpaid", payment_intent=""),
    )
    assert post(client, payload).json()["result"] == "failed"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.FAILED
    assert pending_payment.failure_reason == "expired"
    assert signals.of("failed") == [("failed", pending_payment.pk, None)]


def test_expiry_of_a_withdrawn_checkout_does_not_fail_the_current_one(client, pending_payment):
    payload = event(
        "evt_old_expired",
        "checkout.session.expired",
        session_object(pending_payment, session_id="cs_test_old", payment_status="unpaid"),
    )
    assert post(client, payload).json()["result"] == "stale_checkout"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING


def test_expired_event_after_payment_does_not_undo_it(client, pending_payment):
    post(client, completed(pending_payment))
    post(client, event("evt_exp", "checkout.session.expired", session_object(pending_payment)))
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PAID


def test_unpaid_completion_of_a_delayed_method_waits_for_the_async_event(
    client, pending_payment, signals
):
    waiting = post(client, completed(pending_payment, payment_status="unpaid"))
    assert waiting.json()["result"] == "awaiting_payment"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING
    post(
        client,
        event(
            "evt_async_ok",
            "checkout.session.async_payment_succeeded",
            session_object(pending_payment),
        ),
    )
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PAID


def test_completed_with_a_different_amount_does_not_pay(client, pending_payment, signals):
    response = post(client, completed(pending_payment, amount_total=100))
    assert response.json()["result"] == "amount_mismatch"
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.PENDING
    assert signals.calls == []


def test_unknown_event_type_is_acknowledged_and_ignored(client, stripe_settings):
    payload = event("evt_other", "customer.created", {"id": "cus_1", "object": "customer"})
    response = post(client, payload)
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    assert WebhookEvent.objects.get(event_id="evt_other").processed_at is not None


def test_event_for_an_unknown_payment_is_acknowledged(client, stripe_settings):
    obj = {
        "id": "cs_test_nobody",
        "object": "checkout.session",
        "amount_total": 100,
        "currency": "cny",
        "metadata": {},
        "payment_intent": "pi_x",
        "payment_status": "paid",
    }
    response = post(client, event("evt_nobody", "checkout.session.completed", obj))
    assert response.status_code == 200
    assert response.json()["result"] == "unknown_payment"


def test_webhook_for_an_unconfigured_provider_is_404(client, settings):
    settings.PAYMENT_PROVIDERS = {"dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"}}
    payload = event("evt_x", "customer.created", {"id": "cus_1"})
    assert post(client, payload).status_code == 404


def test_dummy_provider_accepts_no_webhooks(client, stripe_settings):
    response = client.post("/payments/webhooks/dummy/", data=b"{}", content_type="application/json")
    assert response.status_code == 400


def test_webhook_only_accepts_post(client, stripe_settings):
    assert client.get(WEBHOOK_URL).status_code == 405


def test_webhook_needs_no_csrf_token(pending_payment, stripe_settings):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), completed(pending_payment))
    assert response.status_code == 200
