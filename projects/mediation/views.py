"""The mediation queue page (/mediation/, brokers only: others 403): the requests the
transfer centre handles, filtered by status (open by default) and kind, with a form per
action that posts to /mediation/<item id>/<action>/ and comes back to the queue."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.pages import page_of
from kernel.web import request_actor, run_service
from matching.mediation.common import require_broker
from projects.mediation import selectors, services
from projects.mediation.forms import ACTION_FORMS, QueueFilterForm
from projects.mediation.selectors import OPEN

PAGE_SIZE = 20

#: What each action calls, and what it says when it succeeds.
ACTIONS: dict[str, tuple[Callable[..., None], str]] = {
    "outcome": (services.mediated_request_record_outcome, "The outcome was recorded."),
    "invite-to-claim": (services.mediated_request_invite_to_claim,
                        "The invitation to claim was recorded."),
    "accept": (services.mediated_request_accept, "Accepted on the organisation's behalf."),
    "decline": (services.mediated_request_decline, "Declined on the organisation's behalf."),
}


@login_required
def mediation_queue(request: HttpRequest) -> HttpResponse:
    """GET /mediation/?status=&kind=: the queue, open requests unless asked otherwise."""
    require_broker(request.user)
    # Open requests unless a status is asked for (an empty one is "all"): the pager's links
    # carry only the parameters given, and page 2 of the default queue must stay open ones.
    params = request.GET.copy()
    params.setdefault("status", OPEN)
    form = QueueFilterForm(params)
    filters = form.cleaned_data if form.is_valid() else {"status": OPEN}
    keys = selectors.mediated_request_keys(viewer=request.user, filters=filters)
    page = page_of(keys, PAGE_SIZE, request.GET.get("page"))
    items = selectors.mediated_request_items(page.object_list)
    return render(request, "projects/mediation_queue.html", {
        "filter_form": form, "page": page, "items": items, "forms": ACTION_FORMS,
        "pager_keep": tuple(form.fields),  # the filters, nothing else
    })


@require_POST
@login_required
def mediation_act(request: HttpRequest, item_id: str, action: str) -> HttpResponse:
    """POST /mediation/<item id>/<action>/ (outcome, invite-to-claim, accept, decline)."""
    require_broker(request.user)
    if action not in ACTIONS:
        raise Http404
    item = selectors.mediated_request_get(viewer=request.user, item_id=item_id)
    form = ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("mediation-queue")
    call, done = ACTIONS[action]
    data = {name: value for name, value in form.cleaned_data.items() if value is not None}
    actor = request_actor(request)
    if run_service(request, lambda: call(item=item, actor=actor, **data)).ok:
        messages.success(request, _(done))
    return redirect("mediation-queue")
