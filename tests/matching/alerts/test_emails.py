"""Alert e-mails: immediate with RFC 8058 one-click unsubscribe, the daily digest, none; the
unsubscribe link works without logging in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from matching.alerts.delivery import unsubscribe_token
from matching.models import Alert, AlertSettings, EmailState
from tests import factories
from tests.matching.alerts.conftest import run_worker

pytestmark = pytest.mark.django_db


def make_alert(user, object_id: int = 1, **values) -> Alert:
    params = {"listing": object_id, "kind": "need", "title": f"需求{object_id}", "own": "我的成果"}
    return Alert.objects.create(
        recipient=user, kind="need", object_id=object_id, reason="match", source="result:1",
        verb="alert.need_for_result", params=params, **values,
    )


def unsubscribe_link(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    return header[1:-1]


def test_an_immediate_alert_e_mail_has_one_click_unsubscribe(researcher):
    AlertSettings.objects.create(user=researcher, email_mode="immediate")
    make_alert(researcher)
    run_worker()
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe_link(message)
    assert url in message.body  # the link is in the body too
    assert "需求1" in message.body and "/needs/1/" in message.body
    assert Alert.objects.get().email_state == EmailState.SENT
    run_worker()
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_without_login(researcher):
    AlertSettings.objects.create(user=researcher, email_mode="immediate")
    make_alert(researcher)
    run_worker()
    path = re.sub(r"^https?://[^/]+", "", unsubscribe_link(mail.outbox[0]))
    anonymous = Client()
    page = anonymous.get(path)  # GET only asks to confirm (mail scanners follow links)
    assert page.status_code == 200
    assert AlertSettings.objects.get(user=researcher).email_mode == "immediate"
    # what a mail client sends for RFC 8058: a POST without session or CSRF token
    done = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert AlertSettings.objects.get(user=researcher).email_mode == "none"
    make_alert(researcher, object_id=2)
    run_worker()
    assert len(mail.outbox) == 1
    assert Alert.objects.get(object_id=2).email_state == EmailState.SKIPPED


def test_a_bad_unsubscribe_token_is_404(researcher):
    token = unsubscribe_token(researcher)
    assert Client().post(f"/alerts/unsubscribe/{token}x/").status_code == 404
    assert Client().get("/alerts/unsubscribe/nonsense/").status_code == 404
    assert not AlertSettings.objects.filter(user=researcher, email_mode="none").exists()


def test_the_daily_digest_sends_one_e_mail_per_user_once_a_day(researcher, settings):
    settings.ALERT_DIGEST_HOUR = 23
    AlertSettings.objects.create(user=researcher, email_mode="digest")
    other = factories.researcher()  # default mode: digest
    for object_id in (1, 2, 3):
        make_alert(researcher, object_id)
    make_alert(other, 4)
    now_hour = timezone.localtime().hour
    if now_hour < 23:  # before the digest hour nothing goes without --digest
        run_worker()
        assert mail.outbox == []
    run_worker("--digest")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([researcher.email, other.email])
    mine = next(m for m in mail.outbox if m.to == [researcher.email])
    assert all(f"需求{n}" in mine.body for n in (1, 2, 3))
    assert mine.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Alert.objects.filter(email_state=EmailState.PENDING).exists()
    make_alert(researcher, 5)
    run_worker("--digest")  # one digest a day: the new alert waits for tomorrow's
    assert len(mail.outbox) == 2
    AlertSettings.objects.filter(user=researcher).update(
        last_digest_on=timezone.localdate() - timedelta(days=1)
    )
    run_worker("--digest")
    assert len(mail.outbox) == 3 and "需求5" in mail.outbox[-1].body


def test_a_failed_send_is_retried_later(researcher, monkeypatch):
    AlertSettings.objects.create(user=researcher, email_mode="immediate")
    alert = make_alert(researcher)

    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        run_worker()
    alert.refresh_from_db()
    assert alert.email_state == EmailState.PENDING and alert.email_attempts == 1
    assert alert.email_next_attempt_at > timezone.now()
    monkeypatch.undo()
    run_worker()
    assert mail.outbox == []  # backing off
    run_worker("--retry-now")
    assert len(mail.outbox) == 1


def test_users_without_an_address_or_e_mail_are_skipped(researcher):
    AlertSettings.objects.create(user=researcher, email_mode="none")
    make_alert(researcher)
    run_worker("--digest")
    assert mail.outbox == []
    assert Alert.objects.get().email_state == EmailState.SKIPPED


def test_two_workers_never_e_mail_the_same_alert(researcher):
    from matching.alerts.delivery import _claim

    AlertSettings.objects.create(user=researcher, email_mode="immediate")
    make_alert(researcher)
    # Both workers read the pending alert before either sends it.
    seen_by_first = list(Alert.objects.all())
    seen_by_second = list(Alert.objects.all())
    assert [a.pk for a in _claim(seen_by_first)] == [seen_by_first[0].pk]
    assert _claim(seen_by_second) == []
