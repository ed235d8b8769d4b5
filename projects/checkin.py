"""On-site check-in (issue 4, item 5): staff check attendees in by ticket code (typed, picked
from the list, or scanned from the QR code on the ticket).

- `ticket_qr_data_url(payload)`: the QR code (via `segno`, error correction M) as an SVG
  ``data:`` URL, ready for ``<img src>`` on the ticket page; nothing is fetched.
- `ticket_qr_payload(request, registration)`: what the QR code encodes — the absolute URL of the
  check-in page with the code filled in, so a staff phone camera opens it directly.
- `registration_check_in`: host staff only; the ticket must belong to this roadshow and be
  confirmed; a second check-in of the same ticket is a conflict (409) that names the time of
  the first, so a copied ticket is noticed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from marketplace.errors import ConflictError, DomainError
from projects.choices import RegistrationStatus
from projects.models import TICKET_ALPHABET, Registration, Roadshow
from projects.selectors import require_host_staff

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def normalize_ticket_code(code: str) -> str:
    """Upper case without spaces and dashes (``"ab3k-7mnp q2"`` → ``"AB3K7MNPQ2"``)."""
    return re.sub(r"[\s\-]", "", str(code or "")).upper()


def ticket_qr_payload(request: HttpRequest, registration: Registration) -> str:
    """The absolute check-in URL with the ticket code as ``?code=``."""
    path = reverse("roadshow-checkin", kwargs={"roadshow_id": registration.roadshow_id})
    return request.build_absolute_uri(f"{path}?{urlencode({'code': registration.ticket_code})}")


def ticket_qr_data_url(payload: str) -> str:
    """An SVG ``data:`` URL of the QR code of `payload` (about 4 px per module, quiet zone 4)."""
    return str(segno.make(payload, error="m").svg_data_uri(scale=4, border=4))


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


def checkin_list(*, roadshow: Roadshow) -> QuerySet[Registration]:
    """Confirmed registrations for the check-in desk: not yet checked in first, then by
    organisation and ticket code."""
    return (
        Registration.objects.filter(roadshow=roadshow, status=RegistrationStatus.CONFIRMED)
        .select_related("user", "organization")
        .order_by(F("checked_in_at").asc(nulls_first=True), "organization__legal_name",
                  "ticket_code")
    )


def checkin_counts(*, roadshow: Roadshow) -> dict[str, Any]:
    """``{"confirmed": int, "checked_in": int}``."""
    qs = Registration.objects.filter(roadshow=roadshow, status=RegistrationStatus.CONFIRMED)
    return {"confirmed": qs.count(), "checked_in": qs.filter(checked_in_at__isnull=False).count()}
