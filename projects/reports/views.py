"""Web pages of the outcome report (host staff): ``roadshows/<id>/report/`` with its chart;
CSV and PDF at ``report.csv`` / ``report.pdf``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kernel.web import attachment
from projects.reports.export import report_context, report_csv, report_pdf
from projects.reports.selectors import roadshow_report
from projects.roadshow_access import staff_roadshow_page


@login_required
def report_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    context: dict[str, Any] = {"roadshow": roadshow,
                               **report_context(roadshow_report(roadshow=roadshow))}
    return render(request, "projects/report.html", context)


@login_required
def report_csv_download(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    return attachment(report_csv(roadshow_report(roadshow=roadshow)), "text/csv; charset=utf-8",
                       f"roadshow-{roadshow.pk}-report.csv")


@login_required
def report_pdf_download(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    return attachment(report_pdf(roadshow_report(roadshow=roadshow)), "application/pdf",
                       f"roadshow-{roadshow.pk}-report.pdf")
