"""The signed-in user's dashboard (my organisations' listings by status, my match requests
sent and received, unread notifications, invitations to my address) and marking all
notifications read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kernel.web import request_actor
from marketplace import roles
from marketplace import selectors as listing_selectors
from marketplace.choices import ListingStatus
from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.notifications import notification_mark_all_read, notification_text
from marketplace.organizations import member_selectors
from matching.match_requests import selectors
from matching.models import MatchRequestStatus


def _listings_by_status(
    listings: list[ResearchResult] | list[TechnologyNeed],
) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for code, label in ListingStatus.choices:
        items = [listing for listing in listings if listing.status == code]
        if items:
            groups.append({"status": code, "label": label, "items": items})
    return groups


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """GET /dashboard/ (name "dashboard"): my organisations' listings by status, my match
    requests sent and received, unread notifications."""
    user = request.user
    org_ids = sorted(roles.organization_ids(user))
    results: list[ResearchResult] = []
    needs: list[TechnologyNeed] = []
    for org_id in org_ids:
        results += list(
            listing_selectors.research_result_list(viewer=user, filters={"owner": org_id})
        )
        needs += list(
            listing_selectors.technology_need_list(viewer=user, filters={"owner": org_id})
        )
    sent = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_SENT})
    received = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_RECEIVED})
    notifications = listing_selectors.notification_list(viewer=user, unread_only=True)
    return render(
        request,
        "matching/dashboard.html",
        {
            # every organisation the user acts for (their listings are all below)
            "organizations": listing_selectors.own_organizations(user),
            "result_groups": _listings_by_status(results),
            "need_groups": _listings_by_status(needs),
            "sent": sent[:10],
            "received": received[:10],
            "open_received": received.filter(status=MatchRequestStatus.OPEN).count(),
            # each with its text in the active language
            "notifications": [(n, notification_text(n)) for n in notifications[:20]],
            "invitations": member_selectors.invitations_for(user),
            "unread_count": notifications.count(),
        },
    )


@require_POST
@login_required
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    """POST /notifications/read/: mark all of the user's notifications as read."""
    notification_mark_all_read(actor=request_actor(request))
    return redirect("dashboard")
