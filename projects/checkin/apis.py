"""Check-in API under /api/v1/roadshows/{id}/ (host staff only).

- ``GET check-in/``: ``{"confirmed", "checked_in", "registrations": [{"id", "ticket_code",
  "organization", "kind", "checked_in_at"}]}``.
- ``POST check-in/`` ``{"code"}``: check the ticket holder in (400 unknown/unconfirmed code,
  409 already checked in).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.web import request_actor
from marketplace.serializers import RejectUnknownFieldsMixin
from projects.checkin.selectors import checkin_counts, checkin_list
from projects.checkin.services import registration_check_in
from projects.models import Registration
from projects.roadshow_access import staff_roadshow_api
from projects.roadshows.selectors import roadshow_get

TAG = ["roadshow reports"]


class CheckInSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40, trim_whitespace=True)


def _registration_out(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "ticket_code": registration.ticket_code,
        "organization": registration.organization.legal_name if registration.organization
        else None,
        "kind": registration.kind,
        "checked_in_at": registration.checked_in_at.isoformat()
        if registration.checked_in_at else None,
    }


class CheckInApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_checkin_list", responses={200: dict},
                   description="Confirmed registrations for the check-in desk (host staff).")
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = staff_roadshow_api(request, roadshow_id)
        rows = [_registration_out(r) for r in checkin_list(roadshow=roadshow)]
        return Response({**checkin_counts(roadshow=roadshow), "registrations": rows})

    @extend_schema(tags=TAG, operation_id="roadshow_checkin", request=CheckInSerializer,
                   responses={200: dict},
                   description="Check a ticket holder in by ticket code (host staff). 409 "
                   "when already checked in.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = registration_check_in(
            roadshow=roadshow,
            ticket_code=serializer.validated_data["code"],
            actor=request_actor(request),
        )
        return Response(_registration_out(registration))
