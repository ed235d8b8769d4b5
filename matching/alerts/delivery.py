"""Alert e-mails: one message per alert, or one daily digest, each with one-click unsubscribe.

The second half of the alerts worker (`manage.py send_match_alerts`). An alert's e-mail
follows its recipient's choice (`AlertSettings.email_mode`, default `ALERT_EMAIL_DEFAULT`) at
the time of sending: "immediate" sends each pending alert at the next pass, "digest" sends all
of a user's pending alerts in one message once a day from `ALERT_DIGEST_HOUR` (Beijing time,
`kernel.local_time.BEIJING`), "none" marks them skipped. A failed send leaves the alerts
pending with back-off (`kernel.backoff`); a digest day is recorded only after its message went.

Every message carries the RFC 8058 one-click unsubscribe: ``List-Unsubscribe: <URL>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, and the same URL in its body. The URL
holds a token signed with `django.core.signing` (salted for this purpose, no expiry) naming
the user; a POST to it turns alert e-mails off without logging in, a GET shows a page that
asks to confirm (mail scanners follow GET links).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.local_time import BEIJING
from marketplace.notification_verbs import get_verb
from marketplace.notifications import EMAIL_SUBJECT_PREFIX, absolute_url, in_each_language
from matching.alerts.models import ALERT_EMAIL_DEFAULT, Alert, AlertSettings, EmailMode, EmailState

from .finding import AlertReport, alert_retry_delay

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

_SALT = "matching.alerts.unsubscribe"


# --- one-click unsubscribe ---------------------------------------------------------------------
def unsubscribe_token(user: User) -> str:
    """A signed token naming `user` for the unsubscribe link (no expiry: old e-mails work)."""
    return signing.dumps({"u": user.pk}, salt=_SALT, compress=True)


def user_for_token(token: str) -> User | None:
    """The active user a token names, or None for a bad or foreign token."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int):
        return None
    user: User | None = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user


def unsubscribe_url(user: User) -> str:
    """The absolute unsubscribe URL of `user` (under `SITE_URL`)."""
    return absolute_url(reverse("alerts-unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def _message(user: User, subject: str, lines: Sequence[str]) -> EmailMessage:
    url = unsubscribe_url(user)
    with translation.override(settings.LANGUAGE_CODE):
        footer = [
            _("Alert settings: %(url)s") % {"url": absolute_url(reverse("alert-settings"))},
            _("Stop alert e-mails with one click: %(url)s") % {"url": url},
        ]
    return EmailMessage(
        subject=EMAIL_SUBJECT_PREFIX + subject,
        body="\n\n".join([*lines, *footer]),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _alert_text(alert: Alert) -> str:
    """The alert in every site language (as its notification reads), and its link."""
    verb = get_verb(alert.verb)
    texts = in_each_language(verb, alert.params)
    link = verb.link(alert.params)
    return "\n".join([*texts, absolute_url(link)] if link else texts)


# --- sending -----------------------------------------------------------------------------------
def _modes(user_ids: Sequence[int]) -> dict[int, str]:
    chosen = dict(
        AlertSettings.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "email_mode"
        )
    )
    return {pk: chosen.get(pk, ALERT_EMAIL_DEFAULT) for pk in user_ids}


#: How long a worker holds the alerts it is e-mailing; one that crashed mid-send leaves them to
#: be retried after it.
CLAIM_LEASE = timedelta(minutes=10)


def _claim(alerts: Sequence[Alert]) -> list[Alert]:
    """The alerts this worker may e-mail: each is taken by moving its next attempt past the
    lease, only if no other worker moved it since it was read (so two workers never e-mail
    the same alert)."""
    lease_until = timezone.now() + CLAIM_LEASE
    claimed = []
    for alert in alerts:
        taken = Alert.objects.filter(
            pk=alert.pk,
            email_state=EmailState.PENDING,
            email_next_attempt_at=alert.email_next_attempt_at,
        ).update(email_next_attempt_at=lease_until)
        if taken:
            alert.email_next_attempt_at = lease_until
            claimed.append(alert)
    return claimed


def _mark_sent(alerts: Sequence[Alert]) -> None:
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(
        email_state=EmailState.SENT, emailed_at=timezone.now()
    )


def _mark_failed(alerts: Sequence[Alert]) -> None:
    now = timezone.now()
    for alert in alerts:
        alert.email_attempts += 1
        alert.email_next_attempt_at = now + alert_retry_delay(alert.email_attempts)
    Alert.objects.bulk_update(list(alerts), ["email_attempts", "email_next_attempt_at"])


def _send(message: EmailMessage, alerts: Sequence[Alert], report: AlertReport) -> bool:
    try:
        message.send()
    except Exception as exc:  # a mail outage: retried later
        logger.warning("Alert e-mail to user %s failed: %s", alerts[0].recipient_id, exc)
        report.failed += 1
        report.errors.append(f"e-mail: {exc}")
        _mark_failed(alerts)
        return False
    _mark_sent(alerts)
    return True


def _pending(ignore_backoff: bool) -> QuerySet[Alert]:
    pending = Alert.objects.filter(email_state=EmailState.PENDING, recipient__is_active=True)
    if not ignore_backoff:
        pending = pending.filter(email_next_attempt_at__lte=timezone.now())
    return pending.select_related("recipient").order_by("id")


def _digest_due(user_settings: AlertSettings | None, today: Any, force: bool) -> bool:
    if user_settings is not None and user_settings.last_digest_on == today:
        return False
    return force or timezone.now().astimezone(BEIJING).hour >= int(settings.ALERT_DIGEST_HOUR)


def _send_digest(user: User, alerts: list[Alert], report: AlertReport, today: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your Keqiao alerts: %(count)d new listing(s)") % {"count": len(alerts)}
    message = _message(user, subject, [_alert_text(alert) for alert in alerts])
    if _send(message, alerts, report):
        report.digests += 1
        AlertSettings.objects.update_or_create(user=user, defaults={"last_digest_on": today})


def send_alert_emails(
    report: AlertReport,
    *,
    digest_now: bool = False,
    ignore_backoff: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """E-mail pending alerts by each recipient's choice (see the module docstring).
    `digest_now` sends the day's digests whatever the hour (still one a day per user)."""
    by_user: dict[int, list[Alert]] = defaultdict(list)
    for alert in _pending(ignore_backoff):
        by_user[alert.recipient_id].append(alert)
    modes = _modes(list(by_user))
    today = timezone.now().astimezone(BEIJING).date()
    digest_settings = {
        row.user_id: row for row in AlertSettings.objects.filter(user_id__in=list(by_user))
    }
    for user_id, alerts in by_user.items():
        if should_stop and should_stop():
            return
        user = alerts[0].recipient
        mode = modes[user_id]
        if mode == EmailMode.NONE or not user.email:
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(
                email_state=EmailState.SKIPPED
            )
        elif mode == EmailMode.IMMEDIATE:
            for alert in _claim(alerts):
                subject = _subject(alert)
                if _send(_message(user, subject, [_alert_text(alert)]), [alert], report):
                    report.emails += 1
        elif _digest_due(digest_settings.get(user_id), today, digest_now):
            claimed = _claim(alerts)
            if claimed:
                _send_digest(user, claimed, report, today)


def _subject(alert: Alert) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(get_verb(alert.verb).subject)

