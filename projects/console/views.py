"""The broker console page (/console/, name "broker-console"; brokers only: others 403,
anonymous users the login page). Thin: one selector, one template."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.console.selectors import SECTION_SIZE, broker_console


@login_required
def console_page(request: HttpRequest) -> HttpResponse:
    """GET /console/: what waits for the broker (`selectors.broker_console`)."""
    console = broker_console(viewer=request.user)
    return render(
        request, "projects/console.html", {"console": console, "section_size": SECTION_SIZE}
    )
