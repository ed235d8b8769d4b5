"""Listings web pages: details, create/edit forms, owner actions and the moderation queue.
The listings domain's web `urls.py`, named apart because `marketplace.urls` is the site's root
URL configuration, which includes it at the site root.

URL names (used with `{% url %}`): result-list and need-list (to the search page),
result-detail, need-detail, result-create, need-create,
result-edit, need-edit, result-action / need-action (kwargs pk, action), moderation-queue,
moderation-decide (kwargs kind, pk, decision); organisations (`marketplace.organizations.views`):
organization-list (the directory), organization-create, organization-detail, organization-join,
organization-join-requests,
organization-decide (kwargs pk, decision: verify|reject), organization-evidence-upload,
organization-evidence-download, join-request-decide (kwargs pk, decision: approve|reject),
organization-verification-queue; claims: organization-claim (kwargs pk), organization-claim-queue,
organization-claim-decide (kwargs pk, decision: approve|reject), organization-claim-evidence.
members (`marketplace.organizations.member_views`):
organization-members, organization-invite, invitation-revoke (kwargs pk, invitation_pk),
member-set-role and member-remove (kwargs pk, membership_pk), invitation-accept (kwarg token,
the e-mailed link), invitation-accept-own (kwarg pk: an invitation to the account's address).
"""

from django.urls import path, register_converter

from marketplace import views
from marketplace.organizations import member_views
from marketplace.organizations import views as organization_views


class ListingActionConverter:
    """The owner actions of a listing (`views.listing_action`), and nothing else, so that
    ``results/<pk>/matches/`` and the other apps' listing pages never match here, whatever the
    order in which the root URL configuration includes the apps."""

    regex = "submit|renew|archive|close"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ListingActionConverter, "listing_action")


class DecisionConverter:
    """A broker's decision on an organisation (verify|reject) or a claim (approve|reject), and
    nothing else, so that ``organizations/<pk>/claim/`` never reaches the decision view."""

    regex = "verify|approve|reject"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DecisionConverter, "decision")

urlpatterns = [
    path("results/", views.listing_index, {"kind": "result"}, name="result-list"),
    path("results/new/", views.result_create, name="result-create"),
    path("results/<int:pk>/", views.result_detail, name="result-detail"),
    path("results/<int:pk>/edit/", views.result_edit, name="result-edit"),
    path(
        "results/<int:pk>/<listing_action:action>/",
        views.listing_action,
        {"kind": "result"},
        name="result-action",
    ),
    path("needs/", views.listing_index, {"kind": "need"}, name="need-list"),
    path("needs/new/", views.need_create, name="need-create"),
    path("needs/<int:pk>/", views.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path(
        "needs/<int:pk>/<listing_action:action>/",
        views.listing_action,
        {"kind": "need"},
        name="need-action",
    ),
    path("moderation/", views.moderation_queue, name="moderation-queue"),
    path(
        "moderation/<str:kind>/<int:pk>/<slug:decision>/",
        views.moderation_decide,
        name="moderation-decide",
    ),
    path("organizations/", organization_views.organization_directory, name="organization-list"),
    path("organizations/new/", organization_views.organization_create, name="organization-create"),
    path(
        "organizations/review/",
        organization_views.verification_queue,
        name="organization-verification-queue",
    ),
    path(
        "organizations/evidence/<int:pk>/",
        organization_views.evidence_download,
        name="organization-evidence-download",
    ),
    path(
        "organizations/<int:pk>/", organization_views.organization_detail,
        name="organization-detail",
    ),
    path(
        "organizations/<int:pk>/edit/", organization_views.organization_edit,
        name="organization-edit",
    ),
    path(
        "organizations/<int:pk>/join/", organization_views.organization_join,
        name="organization-join",
    ),
    path(
        "organizations/<int:pk>/join-requests/",
        organization_views.organization_join_requests,
        name="organization-join-requests",
    ),
    path(
        "organizations/<int:pk>/evidence/",
        organization_views.evidence_upload,
        name="organization-evidence-upload",
    ),
    # Members (before organization-decide, whose <slug:decision> would match "members").
    path(
        "organizations/<int:pk>/members/", member_views.organization_members,
        name="organization-members",
    ),
    path(
        "organizations/<int:pk>/invitations/", member_views.member_invite,
        name="organization-invite",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        member_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/role/",
        member_views.member_set_role,
        name="member-set-role",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/remove/",
        member_views.member_remove,
        name="member-remove",
    ),
    path(
        "invitations/mine/<int:pk>/accept/", member_views.invitation_accept_own,
        name="invitation-accept-own",
    ),
    path("invitations/<str:token>/", member_views.invitation_accept, name="invitation-accept"),
    path(
        "organizations/claims/", organization_views.claim_queue, name="organization-claim-queue"
    ),
    path(
        "organizations/claims/<int:pk>/evidence/",
        organization_views.claim_evidence_download,
        name="organization-claim-evidence",
    ),
    path(
        "organizations/claims/<int:pk>/<decision:decision>/",
        organization_views.claim_decide,
        name="organization-claim-decide",
    ),
    path(
        "organizations/<int:pk>/claim/", organization_views.organization_claim,
        name="organization-claim",
    ),
    path(
        "organizations/<int:pk>/<decision:decision>/",
        organization_views.organization_decide,
        name="organization-decide",
    ),
    path(
        "join-requests/<int:pk>/<slug:decision>/",
        organization_views.join_request_decide,
        name="join-request-decide",
    ),
]
