"""What the services of mediated match requests and meeting requests share: the checks
(`require_broker`, `clean_note`, `clean_outcome`), when an unanswered request is due for
escalation (`escalation_cutoff`), the brokers' notifications (`notify_brokers`) and the
e-mail inviting an organisation to claim its page (`send_claim_invitation`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kernel.errors import DomainError, field_error
from marketplace import roles
from marketplace.models import Organization
from marketplace.notification_verbs import Params
from marketplace.notifications import EMAIL_SUBJECT_PREFIX, absolute_url, notify
from matching.mediation.models import MediationOutcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from marketplace.roles import AnyUser

logger = logging.getLogger(__name__)

#: Longest broker's note and longest decline explanation of either kind (characters): a
#: match request's `decline_text` and a meeting request's `decline_reason`, whoever declines.
#: The one rule of the services (`clean_note`, `match_request_decline`,
#: `clean_decline_reason`), the API serializers and the web forms. Both columns are
#: TextFields, so the larger of the two former limits was kept (no migration).
NOTE_MAX_LENGTH = 5000


def require_broker(actor: AnyUser) -> None:
    """Raises PermissionDeniedError (403) unless `actor` is a broker (`roles.require_broker`
    with the mediation's message)."""
    roles.require_broker(actor, _("Only brokers of the transfer centre can do this."))


def clean_note(value: str | None, *, required: bool = False) -> str:
    """The broker's note, stripped. DomainError (400 on ``note``) when blank but `required`,
    or longer than `NOTE_MAX_LENGTH`."""
    text = (value or "").strip()
    if required and not text:
        raise field_error("note", _("This field may not be blank."))
    if len(text) > NOTE_MAX_LENGTH:
        message = _("Ensure this field has no more than %(max)d characters.") % {
            "max": NOTE_MAX_LENGTH
        }
        raise DomainError(message, fields={"note": [message]})
    return text


def clean_outcome(value: str) -> str:
    """A `MediationOutcome` code; DomainError (400 on ``outcome``) otherwise."""
    if value not in MediationOutcome.values:
        raise field_error(
            "outcome", _("“%(value)s” is not a valid outcome.") % {"value": value}
        )
    return value


def escalation_cutoff(now: datetime) -> datetime:
    """Requests made before this and still unanswered at `now` are escalated
    (`settings.REQUEST_ESCALATION_DAYS` days earlier)."""
    return now - timedelta(days=settings.REQUEST_ESCALATION_DAYS)


def notify_brokers(
    *, verb: str, params: Params, exclude: User | None = None,
    brokers: Sequence[User] | None = None,
) -> None:
    """Notify every broker but `exclude`, in-app and by e-mail: `brokers` when the caller
    read them already (one read for a whole escalation run), else `roles.brokers()`."""
    recipients = roles.brokers() if brokers is None else brokers
    users = [user for user in recipients if exclude is None or user.pk != exclude.pk]
    if users:
        notify(users=users, verb=verb, params=params)


def organization_page_url(organization: Organization) -> str:
    """The absolute address of the organisation's public page (under `settings.SITE_URL`)."""
    return absolute_url(f"/organizations/{organization.pk}/")


def _claim_invitation_text(organization: Organization, url: str) -> tuple[str, str]:
    """The invitation's subject and body in the active language."""
    subject = _("Invitation to claim your organisation's page on Keqiao")
    body = _(
        "%(organization)s is listed on Keqiao, the technology-transfer marketplace, and has "
        "received a request for an introduction. The transfer centre invites you to claim "
        "the organisation's page, so that your colleagues can answer requests themselves: "
        "%(url)s"
    ) % {"organization": organization.legal_name, "url": url}
    return subject, body


def send_claim_invitation(organization: Organization) -> bool:
    """E-mail the organisation's `contact_email` (after the transaction commits) inviting it
    to claim its page, with the page's absolute link; the subject in the site's language,
    the body in every site language. Returns False, sending nothing, when the organisation
    has no contact e-mail. A failure to send is logged, not raised."""
    address = organization.contact_email
    if not address:
        return False
    url = organization_page_url(organization)
    with translation.override(settings.LANGUAGE_CODE):
        subject = EMAIL_SUBJECT_PREFIX + _claim_invitation_text(organization, url)[0]
    bodies: list[str] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            body = _claim_invitation_text(organization, url)[1]
        if body not in bodies:
            bodies.append(body)

    def send() -> None:
        try:
            send_mail(subject, "\n\n".join(bodies), settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # a mail outage must not break the broker's action
            logger.exception("Could not send the claim invitation of organisation %s",
                             organization.pk)

    transaction.on_commit(send)
    return True
