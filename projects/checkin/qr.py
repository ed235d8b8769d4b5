"""The QR code on a ticket.

- `ticket_qr_payload(request, registration)`: what the QR code encodes — the absolute URL of the
  check-in page with the code filled in, so a staff phone camera opens it directly.
- `ticket_qr_data_url(payload)`: the QR code (via `segno`, error correction M) as an SVG
  ``data:`` URL, ready for ``<img src>`` on the ticket page; nothing is fetched.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.http import HttpRequest
from django.urls import reverse

from projects.models import Registration


def ticket_qr_payload(request: HttpRequest, registration: Registration) -> str:
    """The absolute check-in URL with the ticket code as ``?code=``."""
    path = reverse("roadshow-checkin", kwargs={"roadshow_id": registration.roadshow_id})
    return request.build_absolute_uri(f"{path}?{urlencode({'code': registration.ticket_code})}")


def ticket_qr_data_url(payload: str) -> str:
    """An SVG ``data:`` URL of the QR code of `payload` (about 4 px per module, quiet zone 4)."""
    return str(segno.make(payload, error="m").svg_data_uri(scale=4, border=4))
