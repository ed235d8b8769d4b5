"""Web pages of registrations and tickets: the register button's POST on the event page and
the viewer's ticket with its QR code (``roadshows/<id>/ticket/``; the QR code appears once the
ticket is confirmed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.web import request_actor, run_service
from projects.checkin.qr import ticket_qr_data_url, ticket_qr_payload
from projects.choices import RegistrationStatus
from projects.registrations.forms import RegisterForm
from projects.registrations.selectors import registration_active
from projects.registrations.services import registration_create
from projects.roadshows.selectors import roadshow_get


@login_required
@require_POST
def roadshow_register(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /roadshows/<pk>/register/: free events confirm at once (then the audience page);
    paid events go to the payment provider's checkout and are confirmed by its webhook."""
    roadshow = roadshow_get(viewer=request.user, pk=pk)
    form = RegisterForm(request.POST)
    detail_url = reverse("roadshow-detail", kwargs={"pk": roadshow.pk})
    if not form.is_valid():
        messages.error(request, _("Choose how you attend."))
        return redirect(detail_url)
    outcome = run_service(request, lambda: registration_create(
        roadshow=roadshow,
        user=request_actor(request),
        kind=form.cleaned_data["kind"] or None,
        success_url=request.build_absolute_uri(detail_url + "?paid=1"),
        cancel_url=request.build_absolute_uri(detail_url),
    )).result
    if outcome is None:
        return redirect(detail_url)
    if outcome.checkout_url:
        return redirect(outcome.checkout_url)
    if outcome.registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("You are registered."))
        return redirect("roadshow-live", pk=roadshow.pk)
    return redirect(detail_url)


@login_required
def ticket_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    registration = registration_active(roadshow=roadshow, user=request.user)
    if registration is None:
        raise Http404
    qr = None
    if registration.status == RegistrationStatus.CONFIRMED:
        qr = ticket_qr_data_url(ticket_qr_payload(request, registration))
    return render(request, "projects/ticket.html",
                  {"roadshow": roadshow, "registration": registration, "qr_data_url": qr})
