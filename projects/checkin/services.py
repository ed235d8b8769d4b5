"""On-site check-in: staff check attendees in by ticket code (typed, picked from the list, or
scanned from the QR code on the ticket, `projects.checkin.qr`).

`registration_check_in`: host staff only; the ticket must belong to this roadshow and be
confirmed; a second check-in of the same ticket is a conflict (409) that names the time of the
first, so a copied ticket is noticed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, DomainError
from projects.choices import RegistrationStatus
from projects.models import TICKET_ALPHABET, Registration, Roadshow
from projects.permissions import require_host_staff

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def normalize_ticket_code(code: str) -> str:
    """Upper case without spaces and dashes (``"ab3k-7mnp q2"`` → ``"AB3K7MNPQ2"``)."""
    return re.sub(r"[\s\-]", "", str(code or "")).upper()


def registration_check_in(*, roadshow: Roadshow, ticket_code: str, actor: AnyUser
                          ) -> Registration:
    """Check the holder of `ticket_code` in (sets `checked_in_at`, aware UTC).

    Raises PermissionDeniedError (not host staff), DomainError with field ``code`` (malformed
    or unknown code, or a registration that is not confirmed — e.g. awaiting payment or
    cancelled), ConflictError (already checked in).
    """
    require_host_staff(user=actor, roadshow=roadshow)
    code = normalize_ticket_code(ticket_code)
    if not code or len(code) > 16 or any(c not in TICKET_ALPHABET for c in code):
        message = _("This is not a ticket code.")
        raise DomainError(message, fields={"code": [message]})
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .filter(roadshow=roadshow, ticket_code=code)
            .first()
        )
        if registration is None:
            message = _("No ticket with this code for this roadshow.")
            raise DomainError(message, fields={"code": [message]})
        if registration.status != RegistrationStatus.CONFIRMED:
            message = _("This ticket is not confirmed (%(status)s).") % {
                "status": registration.get_status_display()
            }
            raise DomainError(message, fields={"code": [message]})
        if registration.checked_in_at is not None:
            raise ConflictError(
                _("Already checked in at %(time)s.")
                % {"time": date_format(timezone.localtime(registration.checked_in_at),
                                       "DATETIME_FORMAT")}
            )
        registration.checked_in_at = timezone.now()
        registration.save(update_fields=["checked_in_at", "updated_at"])
    return registration
