"""Outcome report API under /api/v1/roadshows/{id}/ (host staff only).

- ``GET report/``: the report as JSON (`projects.reports.selectors.RoadshowReport.as_dict`).
- ``GET report.csv``: CSV (UTF-8 with BOM). ``GET report.pdf``: PDF (shared renderer).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.web import attachment
from projects.reports.export import report_csv, report_pdf
from projects.reports.selectors import roadshow_report
from projects.roadshow_access import staff_roadshow_api

TAG = ["roadshow reports"]


class ReportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report", responses={200: dict},
                   description="The outcome report (host staff).")
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = staff_roadshow_api(request, roadshow_id)
        return Response(roadshow_report(roadshow=roadshow).as_dict())


class ReportCsvApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report_csv",
                   responses={(200, "text/csv"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = staff_roadshow_api(request, roadshow_id)
        return attachment(report_csv(roadshow_report(roadshow=roadshow)),
                           "text/csv; charset=utf-8", f"roadshow-{roadshow.pk}-report.csv")


class ReportPdfApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_report_pdf",
                   responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = staff_roadshow_api(request, roadshow_id)
        return attachment(report_pdf(roadshow_report(roadshow=roadshow)), "application/pdf",
                           f"roadshow-{roadshow.pk}-report.pdf")
