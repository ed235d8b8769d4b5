"""Web pages that set a roadshow up (host staff): create, and edit with a preview of the stream
player. The agenda pages and publishing are in `projects.roadshows.agenda_views`.

Thin views over `projects.roadshows.services` (the same services as the API, so the same
rules): a roadshow made here starts as a draft only its host staff see, published by the
publish button once `publish_problems` finds nothing. Permissions: host staff of the roadshow
(`projects.permissions.is_host_staff`), for a new roadshow the brokers and admins of a transfer
centre (`hostable_organization_ids`) and site admins; others get 403, anonymous users the
login page. Bad input: the form again with errors per field and HTTP 400 (409 for a roadshow
in the wrong state); the services write all or nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kernel.web import error_status, request_actor, run_service
from projects.models import Roadshow
from projects.permissions import host_choices
from projects.roadshow_access import staff_roadshow_page
from projects.roadshows import services
from projects.roadshows.setup_forms import RoadshowForm

#: The form fields a roadshow's edit page sends to `services.roadshow_update`.
_EVENT_FIELDS = services.EDITABLE_FIELDS


def _preview_url(form: RoadshowForm, roadshow: Roadshow | None) -> str:
    """The stream URL the preview shows: the one entered when it is valid, else the saved."""
    if form.is_bound:
        if form.is_valid() or "stream_embed_url" not in form.errors:
            return str(form.cleaned_data.get("stream_embed_url") or "")
        return ""
    return roadshow.stream_embed_url if roadshow is not None else ""


def _render_form(
    request: HttpRequest, form: RoadshowForm, roadshow: Roadshow | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "projects/setup/roadshow_form.html",
        {"form": form, "roadshow": roadshow, "stream_url": _preview_url(form, roadshow)},
        status=status,
    )


@login_required
def roadshow_new(request: HttpRequest) -> HttpResponse:
    """GET/POST /roadshows/new/: create a draft roadshow, then go on to its agenda. The
    ``preview`` button shows the stream player for the link entered, saving nothing."""
    hosts = host_choices(request.user)
    if not hosts.exists():
        raise PermissionDenied(_("Only brokers of a transfer centre can create roadshows."))
    if request.method != "POST":
        return _render_form(request, RoadshowForm(hosts=hosts), None)
    form = RoadshowForm(request.POST, hosts=hosts)
    if not form.is_valid():
        return _render_form(request, form, None, status=400)
    if "preview" in request.POST:
        return _render_form(request, form, None)
    data = dict(form.cleaned_data)
    created = run_service(
        request,
        lambda: services.roadshow_create(actor=request_actor(request), draft=True, **data),
        form,
    )
    if created.result is None:
        return _render_form(request, form, None, status=error_status(created.error))
    messages.success(request, _("The draft roadshow was saved. Now build its agenda."))
    return redirect("roadshow-agenda", pk=created.result.pk)


@login_required
def roadshow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /roadshows/<pk>/edit/: the event's fields (host staff)."""
    roadshow = staff_roadshow_page(request, pk)
    if request.method != "POST":
        initial = {name: getattr(roadshow, name) for name in _EVENT_FIELDS}
        return _render_form(request, RoadshowForm(initial=initial), roadshow)
    form = RoadshowForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, roadshow, status=400)
    if "preview" in request.POST:
        return _render_form(request, form, roadshow)
    data = {name: form.cleaned_data[name] for name in _EVENT_FIELDS}
    saved = run_service(
        request,
        lambda: services.roadshow_update(
            roadshow=roadshow, actor=request_actor(request), data=data
        ),
        form,
    )
    if not saved.ok:
        roadshow.refresh_from_db()
        return _render_form(request, form, roadshow, status=error_status(saved.error))
    messages.success(request, _("The roadshow was saved."))
    return redirect("roadshow-agenda", pk=roadshow.pk)
