"""Web pages of a roadshow's agenda (host staff): search published listings and add them,
remove, reorder (drag with SortableJS, ``static/projects/agenda.js``, or the up and down
buttons without script: both post to `agenda_reorder`), a slot's presenter, planned start and
minutes, the XLSX import with its row report and template, and publishing.

Thin views over `projects.roadshows.services`, the API's services. Permissions: host staff of
the roadshow (403 for others, the login page for anonymous users). Bad input: the agenda page
again with the errors and HTTP 400 (409 for a roadshow in the wrong state); nothing is half
written (each service is one transaction, the import all or nothing).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.spreadsheets import XLSX_MEDIA_TYPE
from kernel.web import attachment, error_status, request_actor, run_service
from marketplace import selectors as listing_selectors
from marketplace.choices import ListingStatus
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from projects.choices import RoadshowStatus
from projects.models import Roadshow, RoadshowSlot
from projects.roadshow_access import staff_roadshow_page
from projects.roadshows import services
from projects.roadshows.agenda_import import AgendaImportFileError, template_xlsx
from projects.roadshows.selectors import roadshow_slots, slot_get
from projects.roadshows.setup_forms import (
    PRESENTER_SUGGESTIONS,
    AddListingForm,
    AgendaImportForm,
    ListingSearchForm,
    ReorderForm,
    SlotForm,
)

#: How many search results the agenda page shows of each kind.
SEARCH_LIMIT = 20
#: How many organisation names the presenter field suggests (HTML datalist).
PRESENTER_SUGGESTION_LIMIT = 500


def _search(request: HttpRequest, roadshow: Roadshow, form: ListingSearchForm) -> list[Any]:
    """Published listings whose title contains the query (the listing selectors' ``q``
    filter), those already on the agenda left out; none without a query."""
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return []
    filters = {"q": form.cleaned_data["q"].strip()}
    kind = form.cleaned_data["kind"]
    slots = RoadshowSlot.objects.filter(roadshow=roadshow)
    found: list[Any] = []
    if kind in ("", "result"):
        results = listing_selectors.research_result_list(viewer=request.user, filters=filters)
        found += [("result", r) for r in _published(results).exclude(
            pk__in=slots.values("research_result_id").exclude(research_result_id=None)
        )[:SEARCH_LIMIT]]
    if kind in ("", "need"):
        needs = listing_selectors.technology_need_list(viewer=request.user, filters=filters)
        found += [("need", n) for n in _published(needs).exclude(
            pk__in=slots.values("technology_need_id").exclude(technology_need_id=None)
        )[:SEARCH_LIMIT]]
    return found


def _published(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(status=ListingStatus.PUBLISHED).order_by("title", "id")


def render_agenda(
    request: HttpRequest,
    roadshow: Roadshow,
    *,
    status: int = 200,
    slot_forms: dict[int, SlotForm] | None = None,
    add_form: AddListingForm | None = None,
) -> HttpResponse:
    """The agenda page; `slot_forms` replaces the forms of some slots (to show their errors)."""
    slots = list(roadshow_slots(roadshow=roadshow))
    given = slot_forms or {}
    rows = [
        (slot, given.get(slot.pk) or SlotForm(prefix=f"slot-{slot.pk}", initial={
            "presenter": slot.presenter.legal_name,
            "planned_start": slot.planned_start,
            "minutes": slot.minutes,
        }))
        for slot in slots
    ]
    search_form = ListingSearchForm(request.GET or None)
    return render(request, "projects/setup/agenda.html", {
        "roadshow": roadshow,
        "rows": rows,
        "search_form": search_form,
        "search_results": _search(request, roadshow, search_form),
        "searched": bool(request.GET.get("q", "").strip()),
        "add_form": add_form,
        "is_draft": roadshow.status == RoadshowStatus.DRAFT,
        "editable": roadshow.status not in (RoadshowStatus.ENDED, RoadshowStatus.CANCELLED),
        "publish_problems": services.publish_problems(roadshow),
        "presenter_suggestions": _presenter_suggestions(rows),
        "presenter_suggestions_id": PRESENTER_SUGGESTIONS,
        "focus": _moved_button(request, [slot.pk for slot in slots]),
    }, status=status)


def _presenter_suggestions(rows: list[tuple[RoadshowSlot, SlotForm]]) -> list[str]:
    """Organisation legal names the presenter field suggests (the field takes an exact
    legal name): the agenda's listing owners first, then every organisation by name."""
    if not rows:
        return []
    owners = [slot.listing.owner.legal_name for slot, _form in rows]
    names = Organization.objects.order_by("legal_name").values_list("legal_name", flat=True)
    return list(dict.fromkeys([*owners, *names[:PRESENTER_SUGGESTION_LIMIT]]))


def _moved_button(request: HttpRequest, slot_ids: list[int]) -> str:
    """After an up or down move (``?moved=<slot id>&direction=up|down``): the button to give
    keyboard focus, ``"<slot id>-up"`` or ``"<slot id>-down"``: the one just pressed, or the
    other one of the moved row when the move took it to the first or last place."""
    try:
        moved = int(request.GET.get("moved", ""))
    except ValueError:
        return ""
    direction = request.GET.get("direction", "")
    if moved not in slot_ids or direction not in ("up", "down"):
        return ""
    index = slot_ids.index(moved)
    if direction == "up" and index == 0 and len(slot_ids) > 1:
        direction = "down"
    elif direction == "down" and index == len(slot_ids) - 1 and len(slot_ids) > 1:
        direction = "up"
    return f"{moved}-{direction}"


@login_required
def agenda_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /roadshows/<pk>/agenda/?q=…&kind=…: the agenda, the listing search, publishing."""
    return render_agenda(request, staff_roadshow_page(request, pk))


def _back(roadshow: Roadshow) -> HttpResponse:
    return redirect("roadshow-agenda", pk=roadshow.pk)


def _back_to_search(request: HttpRequest, roadshow: Roadshow) -> HttpResponse:
    """The agenda page with the search the listing was added from (its ``q`` and ``kind``,
    posted along), so that several listings can be added in a row."""
    search = ListingSearchForm(request.POST)
    if not search.is_valid() or not search.cleaned_data["q"].strip():
        return _back(roadshow)
    query = urlencode({"q": search.cleaned_data["q"], "kind": search.cleaned_data["kind"]})
    return redirect(f"{reverse('roadshow-agenda', args=[roadshow.pk])}?{query}#add-title")


def _listing(value: str) -> tuple[ResearchResult | None, TechnologyNeed | None]:
    """``result:<id>`` / ``need:<id>`` as the service's research result and technology need;
    a listing that is not there is None for both, which the service refuses."""
    kind, _sep, pk = value.partition(":")
    if kind == "result":
        return ResearchResult.objects.filter(pk=int(pk)).first(), None
    return None, TechnologyNeed.objects.filter(pk=int(pk)).first()


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``listing`` (``result:<id>`` or ``need:<id>``): append it to the agenda."""
    roadshow = staff_roadshow_page(request, pk)
    form = AddListingForm(request.POST)
    if form.is_valid():
        result, need = _listing(form.cleaned_data["listing"])
        added = run_service(request, lambda: services.roadshow_slot_add(
            roadshow=roadshow, actor=request_actor(request), research_result=result,
            technology_need=need,
        ), form, field_for=lambda _name, _form: "listing")
        if added.ok:
            messages.success(request, _("The project was added to the agenda."))
            return _back_to_search(request, roadshow)
        return render_agenda(request, roadshow, add_form=form,
                             status=error_status(added.error))
    return render_agenda(request, roadshow, add_form=form, status=400)


@login_required
@require_POST
def agenda_slot_update(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """POST ``slot-<id>-presenter``, ``-planned_start``, ``-minutes``: change one slot."""
    roadshow = staff_roadshow_page(request, pk)
    slot = slot_get(roadshow=roadshow, pk=slot_pk)
    form = SlotForm(request.POST, prefix=f"slot-{slot.pk}")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["presenter"] = data["presenter"] or slot.listing.owner
        saved = run_service(request, lambda: services.roadshow_slot_update(
            slot=slot, actor=request_actor(request), data=data
        ), form)
        if saved.ok:
            messages.success(request, _("The agenda slot was saved."))
            return _back(roadshow)
        return render_agenda(request, roadshow, slot_forms={slot.pk: form},
                             status=error_status(saved.error))
    return render_agenda(request, roadshow, slot_forms={slot.pk: form}, status=400)


@login_required
@require_POST
def agenda_slot_remove(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """POST: take one slot off the agenda (refused, 409, once it has questions or intents)."""
    roadshow = staff_roadshow_page(request, pk)
    slot = slot_get(roadshow=roadshow, pk=slot_pk)
    removed = run_service(request, lambda: services.roadshow_slot_remove(
        slot=slot, actor=request_actor(request)
    ))
    if not removed.ok:
        return render_agenda(request, roadshow, status=error_status(removed.error))
    messages.success(request, _("The project was removed from the agenda."))
    return _back(roadshow)


@login_required
@require_POST
def agenda_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``slot_ids`` (every slot once, in the new order) or ``move`` and ``direction``
    (``up``/``down``): `services.roadshow_slots_reorder`."""
    roadshow = staff_roadshow_page(request, pk)
    current = list(roadshow_slots(roadshow=roadshow).values_list("pk", flat=True))
    form = ReorderForm(request.POST, slot_ids=current)
    if not form.is_valid():
        messages.error(request, _("The agenda could not be reordered: %(why)s") % {
            "why": " ".join(str(m) for errors in form.errors.values() for m in errors)})
        return render_agenda(request, roadshow, status=400)
    reordered = run_service(request, lambda: services.roadshow_slots_reorder(
        roadshow=roadshow, actor=request_actor(request), slot_ids=form.new_order()
    ))
    if not reordered.ok:
        return render_agenda(request, roadshow, status=error_status(reordered.error))
    messages.success(request, _("The agenda order was saved."))
    moved, direction = form.cleaned_data.get("move"), form.cleaned_data.get("direction")
    if moved and direction:  # an up or down button: its row keeps the keyboard focus
        query = urlencode({"moved": moved, "direction": direction})
        return redirect(f"{reverse('roadshow-agenda', args=[roadshow.pk])}?{query}")
    return _back(roadshow)


@login_required
@require_POST
def roadshow_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /roadshows/<pk>/publish/: publish a draft. Back to the agenda page with what is
    missing (400) or wrong (409), else to the event's page."""
    roadshow = staff_roadshow_page(request, pk)
    published = run_service(request, lambda: services.roadshow_publish(
        roadshow=roadshow, actor=request_actor(request)
    ))
    if not published.ok:
        return render_agenda(request, roadshow, status=error_status(published.error))
    messages.success(request, _("The roadshow is published: it is listed and open for "
                                "registration."))
    return redirect("roadshow-detail", pk=roadshow.pk)


@login_required
def agenda_import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /roadshows/<pk>/agenda/import/: an XLSX agenda, all rows or none; the row
    report (400) lists every problem."""
    roadshow = staff_roadshow_page(request, pk)
    context: dict[str, Any] = {"roadshow": roadshow, "form": AgendaImportForm(), "report": None}
    if request.method != "POST":
        return render(request, "projects/setup/agenda_import.html", context)
    form = AgendaImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "projects/setup/agenda_import.html", context, status=400)
    try:
        imported = run_service(request, lambda: services.roadshow_agenda_import(
            roadshow=roadshow, actor=request_actor(request),
            content=form.cleaned_data["file"].read(),
        ), form)
    except AgendaImportFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "projects/setup/agenda_import.html", context, status=400)
    report = imported.result
    if report is None or report.errors:
        context["report"] = report
        return render(request, "projects/setup/agenda_import.html", context,
                      status=error_status(imported.error))
    messages.success(request, _("%(count)d projects were added to the agenda.")
                     % {"count": report.created})
    return _back(roadshow)


@login_required
def agenda_template(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /roadshows/<pk>/agenda/template.xlsx: an empty agenda with the import's columns."""
    staff_roadshow_page(request, pk)
    return attachment(template_xlsx(), XLSX_MEDIA_TYPE, "agenda-template.xlsx")
