"""In-app notifications with an e-mail copy.

`notify` is the one way any app tells users that something happened to them (a listing was
approved or rejected, a match request arrived, ...). It writes `Notification` rows in the
caller's transaction and sends the e-mails only after that transaction commits, so a rolled-back
write never sends mail.

A notification is a verb of the registry (`marketplace.notification_verbs`) and its parameters.
Its text is rendered through gettext when it is read: on pages and in the API in the request's
active language (`notification_text`). Rows written before verbs had parameters keep one
``"<zh-Hans> / <en>"`` string in `Notification.message` and show the active language's half.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kernel.errors import PermissionDeniedError
from marketplace.models import Notification
from marketplace.notification_verbs import VERBS, Params, Verb, get_verb, render_message

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

BILINGUAL_SEPARATOR = " / "
EMAIL_SUBJECT_PREFIX = "[科桥 Keqiao] "
_PLAIN_JSON = (str, int, float, bool, type(None))


def split_bilingual(text: str, language: str | None = None) -> str:
    """One language of a text stored as ``"<zh-Hans> / <en>"`` (the English half for an
    English `language`, else the Chinese one; default: the active language). Texts without
    the separator are returned as they are."""
    if BILINGUAL_SEPARATOR not in text:
        return text
    zh, en = text.split(BILINGUAL_SEPARATOR, 1)
    language = language or get_language() or settings.LANGUAGE_CODE
    return en if language.startswith("en") else zh


def notification_text(notification: Notification, language: str | None = None) -> str:
    """The notification's text in `language` (default: the active language): rendered from
    its verb and parameters, or, for rows written before parameters or whose parameters do not
    fit the verb, its stored text's half."""
    verb = VERBS.get(notification.verb)
    if notification.params is None or verb is None:
        return split_bilingual(notification.message, language)
    try:
        with translation.override(language or get_language() or settings.LANGUAGE_CODE):
            return render_message(verb, notification.params)
    except (KeyError, TypeError, ValueError):
        # A row whose parameters do not fit its verb's template (e.g. edited in the admin):
        # its stored text, so that one bad row cannot break the user's list.
        logger.warning(
            "notification %s: parameters do not fit verb %s", notification.pk, notification.verb
        )
        return split_bilingual(notification.message, language)


def absolute_url(path: str) -> str:
    """`path` (site-relative, e.g. ``/requests/2/``) under `settings.SITE_URL`; absolute URLs
    and "" are returned as they are."""
    if not path.startswith("/"):
        return path
    return f"{settings.SITE_URL}{path}"


def in_each_language(verb: Verb, params: Params) -> list[str]:
    """The verb's text in each site language (`settings.LANGUAGES` order), without repeats."""
    texts: list[str] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            text = render_message(verb, params)
        if text not in texts:
            texts.append(text)
    return texts


def _check_params(params: Params) -> dict[str, object]:
    """A copy of `params`; TypeError when a value is not a plain JSON value (lazy strings,
    dates and model instances are refused: they would not read back the same)."""
    for name, value in params.items():
        if not isinstance(value, _PLAIN_JSON):
            raise TypeError(f"Notification parameter {name!r} is a {type(value).__name__}, "
                            "not a string or number.")
    return dict(params)


def _send_emails(recipients: list[str], subject: str, body: str) -> None:
    """Send one e-mail per address (addresses are never disclosed to each other)."""
    for address in recipients:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail outage must not break the request that caused it
            logger.exception("Could not send a notification e-mail")


def notify(
    *,
    users: Iterable[User],
    verb: str,
    params: Params,
    url: str | None = None,
    email: bool = True,
) -> None:
    """Create one `Notification` per distinct active user and e-mail each one with an address
    (with `email=False` no e-mail: the caller mails by the user's own choice, as alerts do).

    - `verb`: a verb of `marketplace.notification_verbs.VERBS` (ValueError otherwise).
    - `params`: the values of the verb's placeholders (and ``variant``, ids for its link):
      strings, numbers, booleans or None (TypeError otherwise; KeyError when a placeholder
      has no value).
    - `url`: the site-relative link stored with the row (max 300 chars); default: the one
      the verb builds from `params`.

    The e-mail is written in the site's language (`settings.LANGUAGE_CODE`: users have no
    language preference yet): its subject is the verb's subject in that language; its body
    carries the text in every site language, as it always has, and the link made absolute
    with `settings.SITE_URL`. Rows are written inside the caller's transaction (or a new
    one); e-mails are sent with `django.core.mail.send_mail` in `transaction.on_commit`.
    Failures to send are logged, not raised.
    """
    entry = get_verb(verb)
    stored = _check_params(params)
    texts = in_each_language(entry, params)  # also checks every placeholder has a value
    link = (entry.link(params) if url is None else url)[:300]
    distinct: dict[int, User] = {}
    for user in users:
        if user.pk is not None and user.is_active:
            distinct.setdefault(user.pk, user)
    if not distinct:
        return
    message = BILINGUAL_SEPARATOR.join(texts)
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user, verb=verb, message=message, params=stored, url=link
                )
                for user in distinct.values()
            ]
        )
        with translation.override(settings.LANGUAGE_CODE):
            subject = EMAIL_SUBJECT_PREFIX + str(entry.subject)
        body = "\n\n".join([*texts, absolute_url(link)] if link else texts)
        recipients = [user.email for user in distinct.values() if user.email]
        if recipients and email:
            transaction.on_commit(lambda: _send_emails(recipients, subject, body))


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
