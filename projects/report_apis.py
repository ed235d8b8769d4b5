"""Outcome report and check-in API under /api/v1/roadshows/{id}/ (host staff only).

- ``GET report/``: the report as JSON (`projects.report.RoadshowReport.as_dict`).
- ``GET report.csv``: CSV (UTF-8 with BOM). ``GET report.pdf``: PDF (shared renderer).
- ``GET check-in/``: ``{"confirmed", "checked_in", "registrations": [{"id", "ticket_code",
  "organization", "kind", "checked_in_at"}]}``.
- ``POST check-in/`` ``{"code"}``: check the ticket holder in (400 unknown/unconfirmed code,
  409 already checked in).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# marketplace.serializers must not be the first of marketplace's API modules imported
# (serializers → selectors → filters → serializers cycle); loading selectors first avoids it.
from marketplace import selectors as _marketplace_selectors  # noqa: F401
from marketplace.serializers import RejectUnknownFieldsMixin
from projects import checkin
from projects.models import Registration, Roadshow
from projects.report import report_csv, report_pdf, roadshow_report
from projects.selectors import require_host_staff, roadshow_get

TAG = ["roadshow reports"]


def _staff_roadshow(request: Request, roadshow_id: int) -> Roadshow:
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    require_host_staff(user=request.user, roadshow=roadshow)
    return roadshow


def _attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report", responses={200: dict},
                   description="The outcome report (host staff).")
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = _staff_roadshow(request, roadshow_id)
        return Response(roadshow_report(roadshow=roadshow).as_dict())


class ReportCsvApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report_csv",
                   responses={(200, "text/csv"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = _staff_roadshow(request, roadshow_id)
        return _attachment(report_csv(roadshow_report(roadshow=roadshow)),
                           "text/csv; charset=utf-8", f"roadshow-{roadshow.pk}-report.csv")


class ReportPdfApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report_pdf",
                   responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = _staff_roadshow(request, roadshow_id)
        return _attachment(report_pdf(roadshow_report(roadshow=roadshow)), "application/pdf",
                           f"roadshow-{roadshow.pk}-report.pdf")


class CheckInSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
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
        roadshow = _staff_roadshow(request, roadshow_id)
        rows = [_registration_out(r) for r in checkin.checkin_list(roadshow=roadshow)]
        return Response({**checkin.checkin_counts(roadshow=roadshow), "registrations": rows})

    @extend_schema(tags=TAG, operation_id="roadshow_checkin", request=CheckInSerializer,
                   responses={200: dict},
                   description="Check a ticket holder in by ticket code (host staff). 409 "
                   "when already checked in.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = checkin.registration_check_in(
            roadshow=roadshow, ticket_code=serializer.validated_data["code"], actor=request.user
        )
        return Response(_registration_out(registration))
