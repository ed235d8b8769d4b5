"""Web pages of match requests (对接): ask for an introduction, propose a result to a need,
the list with its tabs, and a request's page with its decisions and message thread.

Views are thin: validate input with a form, call a selector or a service, render. Service
errors are shown per field or as messages (`run_service`); permission errors are 403,
invisible objects 404 (the selectors decide).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.api.throttling import throttle_web
from kernel.web import form_page_status, request_actor, run_service
from marketplace import roles
from marketplace import selectors as listing_selectors
from marketplace.choices import ListingStatus
from matching.match_requests import selectors, services, thread_lines
from matching.match_requests.forms import DeclineForm, MatchRequestForm, MessageForm, ProposeForm
from matching.models import MatchRequest, MatchRequestStatus

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def _decide(
    request: HttpRequest, pk: int, service: Callable[..., MatchRequest], success: str
) -> HttpResponse:
    """A decision without a form (accept, withdraw): run `service` on the request `pk` the
    viewer may see (404 otherwise), say `success` or show the error, back to its page."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    done = run_service(
        request, lambda: service(match_request=match_request, actor=request_actor(request))
    )
    if done.ok:
        messages.success(request, success)
    return redirect("match-request-detail", pk=pk)


@login_required
@throttle_web("match_request")
def match_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /results/<pk>/request/: ask to be introduced to a result's owner (申请对接),
    optionally for one of the user's organisation's published needs."""
    result = listing_selectors.research_result_get(viewer=request.user, pk=pk)
    needs = listing_selectors.technology_need_list(
        viewer=request.user, filters={"status": ListingStatus.PUBLISHED}
    ).filter(owner_id__in=roles.organization_ids(request.user))
    form = MatchRequestForm(
        request.POST or None, needs=needs, initial={"technology_need": request.GET.get("need")}
    )
    run = None
    if request.method == "POST" and form.is_valid():
        run = run_service(
            request,
            lambda: services.match_request_create(
                actor=request_actor(request),
                research_result=result,
                technology_need=form.cleaned_data["technology_need"],
                message=form.cleaned_data["message"],
            ),
            form,
        )
        if run.result is not None:
            messages.success(
                request, _("Your request was sent. You will be notified of the answer.")
            )
            return redirect("match-request-detail", pk=run.result.pk)
    return render(
        request,
        "matching/match_request_form.html",
        {"form": form, "listing": result, "kind": "result"},
        status=form_page_status(request, run),
    )


@login_required
@throttle_web("match_request")
def match_request_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /needs/<pk>/propose/: a researcher proposes one of their organisation's
    published results to a need (推荐给需求)."""
    need = listing_selectors.technology_need_get(viewer=request.user, pk=pk)
    results = listing_selectors.research_result_list(
        viewer=request.user, filters={"status": ListingStatus.PUBLISHED}
    ).filter(owner_id__in=roles.organization_ids(request.user))
    form = ProposeForm(
        request.POST or None,
        results=results,
        initial={"research_result": request.GET.get("result")},
    )
    run = None
    if request.method == "POST" and form.is_valid():
        run = run_service(
            request,
            lambda: services.match_request_propose(
                actor=request_actor(request),
                research_result=form.cleaned_data["research_result"],
                technology_need=need,
                message=form.cleaned_data["message"],
            ),
            form,
        )
        if run.result is not None:
            messages.success(
                request, _("Your proposal was sent. You will be notified of the answer.")
            )
            return redirect("match-request-detail", pk=run.result.pk)
    return render(
        request,
        "matching/match_request_form.html",
        {"form": form, "listing": need, "kind": "need", "has_results": results.exists()},
        status=form_page_status(request, run),
    )


_ROLE_ALL = "all"


def _default_role(user: AnyUser) -> str:
    """The tab /requests/ opens on without `role`: brokers see all requests; others the
    requests their organisations received if there are any, else those they sent (so a user
    who has only sent requests does not land on an empty tab)."""
    if roles.is_broker(user):
        return _ROLE_ALL
    received = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_RECEIVED})
    if received.exists():
        return selectors.ROLE_RECEIVED
    sent = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_SENT})
    return selectors.ROLE_SENT if sent.exists() else selectors.ROLE_RECEIVED


@login_required
def match_request_list(request: HttpRequest) -> HttpResponse:
    """GET /requests/?role=received|sent|all[&status=...]: the user's match requests. Without
    a valid `role` the page opens on the tab that has requests (`_default_role`)."""
    role = request.GET.get("role", "")
    if role not in (selectors.ROLE_SENT, selectors.ROLE_RECEIVED, _ROLE_ALL):
        role = _default_role(request.user)
    status = request.GET.get("status", "")
    if status not in MatchRequestStatus.values:
        status = ""
    filters = {"role": role if role != _ROLE_ALL else None, "status": status or None}
    requests = selectors.match_request_list(viewer=request.user, filters=filters)
    return render(
        request,
        "matching/match_request_list.html",
        {
            "requests": requests[:200],
            "role": role,
            "status": status,
            "statuses": MatchRequestStatus.choices,
            "show_all_tab": roles.is_broker(request.user),
        },
    )


def _contact_sides(request: HttpRequest, match_request: MatchRequest) -> list[Any]:
    sides = selectors.visible_contact_sides(request.user, match_request)
    organizations = []
    if selectors.REQUESTER in sides:
        organizations.append(match_request.requester)
    if selectors.ADDRESSEE in sides:
        organizations.append(match_request.addressee)
    return organizations


def _thread(match_request: MatchRequest) -> list[dict[str, Any]]:
    """The thread's messages, the system's lines in the reader's language."""
    read = thread_lines.reader(match_request.addressee)
    return [
        {"message": message, "body": read(message.body)}
        for message in selectors.match_request_messages(match_request=match_request)
    ]


def _render_detail(
    request: HttpRequest,
    match_request: MatchRequest,
    *,
    decline_form: DeclineForm | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_open = match_request.status == MatchRequestStatus.OPEN
    party = selectors.is_party(user, match_request)
    broker = roles.is_broker(user)
    may_decide = is_open and (roles.is_member(user, match_request.addressee_id) or broker)
    contacts = _contact_sides(request, match_request)
    context = {
        "mr": match_request,
        "contacts": contacts,
        "centre_contact": (
            selectors.transfer_centre_contact(match_request)
            if match_request.addressee in contacts else None
        ),
        "thread": _thread(match_request),
        "can_decide": may_decide,
        "on_behalf": may_decide and not roles.is_member(user, match_request.addressee_id),
        "can_withdraw": is_open and roles.is_member(user, match_request.requester_id),
        "can_post": broker or (party and match_request.status == MatchRequestStatus.ACCEPTED),
        "decline_form": decline_form or DeclineForm(),
        "message_form": message_form or MessageForm(),
    }
    return render(request, "matching/match_request_detail.html", context, status=status)


@login_required
def match_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /requests/<pk>/: the request, the decision buttons the user may use, contacts after
    acceptance and the message thread."""
    return _render_detail(request, selectors.match_request_get(viewer=request.user, pk=pk))


@require_POST
@login_required
def match_request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/accept/ (members of the addressee, or brokers on their behalf)."""
    return _decide(
        request,
        pk,
        services.match_request_accept,
        _("Accepted. Contact details are now visible to both sides."),
    )


@require_POST
@login_required
def match_request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/decline/ with `reason` (DeclineReason) and `text`."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    form = DeclineForm(request.POST)
    run = None
    if form.is_valid():
        run = run_service(
            request,
            lambda: services.match_request_decline(
                match_request=match_request,
                actor=request_actor(request),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            ),
            form,
        )
        if run.ok:
            messages.success(request, _("Declined. The requester has been notified."))
            return redirect("match-request-detail", pk=pk)
    return _render_detail(
        request, match_request, decline_form=form, status=form_page_status(request, run)
    )


@require_POST
@login_required
def match_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/withdraw/ (members of the requesting organisation)."""
    return _decide(request, pk, services.match_request_withdraw, _("Withdrawn."))


@require_POST
@login_required
@throttle_web("message")
def match_request_message(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/messages/ with `body`: a message in the thread."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    form = MessageForm(request.POST)
    run = None
    if form.is_valid():
        run = run_service(
            request,
            lambda: services.match_request_message_post(
                match_request=match_request,
                actor=request_actor(request),
                body=form.cleaned_data["body"],
            ),
            form,
        )
        if run.ok:
            return redirect(reverse("match-request-detail", kwargs={"pk": pk}) + "#thread")
    return _render_detail(
        request, match_request, message_form=form, status=form_page_status(request, run)
    )
