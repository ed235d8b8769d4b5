"""Outcome report and check-in API routes; include under ``api/v1/roadshows/``."""

from django.urls import path

from projects import report_apis as apis

urlpatterns = [
    path("<int:roadshow_id>/report/", apis.ReportApi.as_view(), name="api-roadshow-report"),
    path("<int:roadshow_id>/report.csv", apis.ReportCsvApi.as_view(),
         name="api-roadshow-report-csv"),
    path("<int:roadshow_id>/report.pdf", apis.ReportPdfApi.as_view(),
         name="api-roadshow-report-pdf"),
    path("<int:roadshow_id>/check-in/", apis.CheckInApi.as_view(), name="api-roadshow-check-in"),
]
