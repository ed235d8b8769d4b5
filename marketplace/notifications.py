"""In-app notifications with an e-mail copy.

`notify` is the one way any app tells users that something happened to them (a listing was
approved or rejected, a match request arrived, ...). It writes `Notification` rows in the
caller's transaction and sends the e-mails only after that transaction commits, so a rolled-back
write never sends mail.

A notification carries its text in both site languages; the single `Notification.message`
column stores it as ``"<zh-Hans> / <en>"`` (no migration needed; split on the first ``" / "``
to show one language).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import PermissionDeniedError
from marketplace.models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

BILINGUAL_SEPARATOR = " / "
EMAIL_SUBJECT_PREFIX = "[科桥 Keqiao] "


def bilingual(message_zh: str, message_en: str) -> str:
    """Join the two language versions of a message as stored in `Notification.message`."""
    if not message_en or message_en == message_zh:
        return message_zh
    if not message_zh:
        return message_en
    return f"{message_zh}{BILINGUAL_SEPARATOR}{message_en}"


def _send_emails(recipients: list[tuple[str, str]], body: str) -> None:
    """Send one e-mail per address (addresses are never disclosed to each other)."""
    for address, subject in recipients:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail outage must not break the request that caused it
            logger.exception("Could not send a notification e-mail")


def notify(
    *,
    users: Iterable[User],
    verb: str,
    message_zh: str,
    message_en: str,
    url: str = "",
) -> None:
    """Create one `Notification` per distinct user and e-mail each user who has an address.

    - `verb`: a short machine-readable code such as ``"listing_approved"`` (max 60 chars).
    - `message_zh` / `message_en`: the text in Simplified Chinese and English; both are stored
      (see the module docstring) and both go into the e-mail body.
    - `url`: a site-relative link to the object (max 300 chars), appended to the e-mail.

    Rows are written inside the caller's transaction (or a new one); e-mails are sent with
    `django.core.mail.send_mail` in `transaction.on_commit`. Failures to send are logged, not
    raised.
    """
    distinct: dict[int, User] = {}
    for user in users:
        if user.pk is not None and user.is_active:
            distinct.setdefault(user.pk, user)
    if not distinct:
        return
    message = bilingual(message_zh, message_en)
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(recipient=user, verb=verb[:60], message=message, url=url[:300])
                for user in distinct.values()
            ]
        )
        subject = EMAIL_SUBJECT_PREFIX + (message_zh or message_en).splitlines()[0][:120]
        body_parts = [part for part in (message_zh, message_en) if part]
        if url:
            body_parts.append(url)
        body = "\n\n".join(body_parts)
        recipients = [(user.email, subject) for user in distinct.values() if user.email]
        if recipients:
            transaction.on_commit(lambda: _send_emails(recipients, body))


def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    """Mark one notification as read (idempotent; `read_at` keeps the first read time, UTC).

    Raises `PermissionDeniedError` when `actor` is not the recipient.
    """
    if notification.recipient_id != actor.pk:
        raise PermissionDeniedError(_("You can only mark your own notifications as read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's unread notifications as read: all of them, or only those in `ids`.

    Ids of other users' notifications are ignored. Returns the number of rows changed.
    """
    queryset = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
