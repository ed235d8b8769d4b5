"""The check-in desk page (host staff): ``roadshows/<id>/checkin/`` lists confirmed tickets and
takes a code (the QR code on a ticket opens this page with ``?code=`` filled in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kernel.web import request_actor, run_service
from projects.checkin.selectors import checkin_counts, checkin_list
from projects.checkin.services import normalize_ticket_code, registration_check_in
from projects.roadshow_access import staff_roadshow_page


@login_required
@require_http_methods(["GET", "POST"])
def checkin_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    if request.method == "POST":
        actor = request_actor(request)
        registration = run_service(request, lambda: registration_check_in(
            roadshow=roadshow, ticket_code=request.POST.get("code", ""), actor=actor
        ), permission_as_message=True).result
        if registration is not None:
            who = registration.organization.legal_name if registration.organization else ""
            messages.success(request, _("Checked in: ticket %(code)s %(who)s")
                             % {"code": registration.ticket_code, "who": who})
        return redirect("roadshow-checkin", roadshow_id=roadshow.pk)
    return render(request, "projects/checkin.html", {
        "roadshow": roadshow,
        "code": normalize_ticket_code(request.GET.get("code", ""))[:16],
        "registrations": checkin_list(roadshow=roadshow),
        **checkin_counts(roadshow=roadshow),
    })
