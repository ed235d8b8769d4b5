"""The deal funnel's pages: ``analytics/funnel/`` (filter form, two charts, the figures in
tables) and its exports ``analytics/funnel.csv`` / ``funnel.xlsx`` with the same filters.
Brokers and members of an organisation (`require_funnel_viewer`); others 403, anonymous users to
the log-in page; bad filter values are shown on the form with HTTP 400."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from kernel.spreadsheets import XLSX_MEDIA_TYPE
from kernel.web import attachment, request_actor
from marketplace import roles
from projects.analytics.export import (
    chart_data,
    funnel_csv,
    funnel_xlsx,
    median_header,
    median_rows,
    stage_display_rows,
    stage_header,
    stage_rows,
    summary_display_rows,
    summary_rows,
)
from projects.analytics.filters import FunnelFilterForm
from projects.analytics.selectors import DealFunnel, deal_funnel, require_funnel_viewer


def _funnel_or_form(request: HttpRequest) -> tuple[FunnelFilterForm, DealFunnel | None]:
    """The bound filter form and, when it is valid, the funnel the user may see."""
    actor = request_actor(request)
    require_funnel_viewer(actor)
    form = FunnelFilterForm(request.GET, viewer=actor)
    if not form.is_valid():
        return form, None
    return form, deal_funnel(viewer=actor, filters=form.filters())


def _invalid(request: HttpRequest, form: FunnelFilterForm) -> HttpResponse:
    return render(request, "projects/analytics/funnel.html", {"form": form.offer_choices()},
                  status=400)


@login_required
def funnel_page(request: HttpRequest) -> HttpResponse:
    form, funnel = _funnel_or_form(request)
    if funnel is None:
        return _invalid(request, form)
    query = urlencode(funnel.filters)
    context: dict[str, Any] = {
        "form": form.offer_choices(),
        "funnel": funnel,
        "is_broker": roles.is_broker(request.user),
        "stage_header": stage_header(),
        "stage_rows": stage_rows(funnel),
        "median_header": median_header(),
        "median_rows": median_rows(funnel),
        "summary_rows": summary_rows(funnel),
        # The page's own presentation of the same figures: the optional 1:1 meeting as "of
        # which", the value with thousands separators.
        "stage_display_rows": stage_display_rows(funnel),
        "summary_display_rows": summary_display_rows(funnel),
        "chart": chart_data(funnel),
        "query": f"?{query}" if query else "",
    }
    return render(request, "projects/analytics/funnel.html", context)


@login_required
def funnel_csv_download(request: HttpRequest) -> HttpResponse:
    form, funnel = _funnel_or_form(request)
    if funnel is None:
        return _invalid(request, form)
    return attachment(funnel_csv(funnel), "text/csv; charset=utf-8", "deal-funnel.csv")


@login_required
def funnel_xlsx_download(request: HttpRequest) -> HttpResponse:
    form, funnel = _funnel_or_form(request)
    if funnel is None:
        return _invalid(request, form)
    return attachment(funnel_xlsx(funnel), XLSX_MEDIA_TYPE, "deal-funnel.xlsx")
