"""Listings API routes, mounted at /api/v1/ by `marketplace.urls` (the site's root URL
configuration; these are the listings domain's own, as `web_urls` are its web pages).

Route names (for `reverse`):
- ``api-research-result-list`` / ``-detail`` / ``-submit`` / ``-approve`` / ``-reject`` /
  ``-archive`` / ``-renew``  -> research-results/ ...
- ``api-need-list`` / ``-detail`` / ``-submit`` / ``-approve`` / ``-reject`` / ``-archive`` /
  ``-renew`` / ``-close``  -> needs/ ...
- ``api-organization-list`` / ``-detail`` / ``-verify`` / ``-reject`` / ``-join`` /
  ``-join-requests`` / ``-evidence`` / ``-claim``  -> organizations/ ...
  (`marketplace.organizations.apis`); ``api-join-request-detail`` / ``-approve`` / ``-reject``
  -> join-requests/ ...; ``api-organization-claim-list`` / ``-detail`` / ``-approve`` /
  ``-reject`` -> organization-claims/ ...
- members (`marketplace.organizations.member_apis`): ``api-organization-invitations`` ->
  organizations/<pk>/invitations/, ``api-organization-invitation-revoke`` -> .../<pk>/revoke/,
  ``api-invitation-accept`` -> invitations/<token>/accept/, ``api-organization-members`` ->
  organizations/<pk>/members/, ``api-organization-member`` -> .../members/<pk>/ (PATCH role,
  DELETE), ``api-organization-member-events`` -> organizations/<pk>/member-events/
- ``api-moderation-queue`` -> moderation/, ``api-auth-token`` -> auth/token/
  (``-revoke`` / ``-revoke-all`` -> revoke/, revoke-all/), ``api-me`` -> me/,
  ``api-notifications`` -> notifications/
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from marketplace.apis import (
    MeApi,
    ModerationQueueApi,
    NotificationListApi,
    ResearchResultViewSet,
    TechnologyNeedViewSet,
)
from marketplace.auth_apis import TokenObtainApi, TokenRevokeAllApi, TokenRevokeApi
from marketplace.organizations.apis import (
    JoinRequestViewSet,
    OrganizationClaimViewSet,
    OrganizationViewSet,
)
from marketplace.organizations.member_apis import (
    InvitationAcceptApi,
    InvitationListApi,
    InvitationRevokeApi,
    MemberDetailApi,
    MemberListApi,
    MembershipEventListApi,
)

router = SimpleRouter()
router.register("research-results", ResearchResultViewSet, basename="api-research-result")
router.register("needs", TechnologyNeedViewSet, basename="api-need")
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("join-requests", JoinRequestViewSet, basename="api-join-request")
router.register(
    "organization-claims", OrganizationClaimViewSet, basename="api-organization-claim"
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-auth-token"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="api-auth-token-revoke"),
    path(
        "auth/token/revoke-all/", TokenRevokeAllApi.as_view(), name="api-auth-token-revoke-all"
    ),
    path("me/", MeApi.as_view(), name="api-me"),
    path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
    path("moderation/", ModerationQueueApi.as_view(), name="api-moderation-queue"),
    path(
        "organizations/<int:pk>/invitations/",
        InvitationListApi.as_view(),
        name="api-organization-invitations",
    ),
    path(
        "organizations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        InvitationRevokeApi.as_view(),
        name="api-organization-invitation-revoke",
    ),
    path(
        "invitations/<str:token>/accept/", InvitationAcceptApi.as_view(),
        name="api-invitation-accept",
    ),
    path(
        "organizations/<int:pk>/members/", MemberListApi.as_view(),
        name="api-organization-members",
    ),
    path(
        "organizations/<int:pk>/members/<int:membership_pk>/",
        MemberDetailApi.as_view(),
        name="api-organization-member",
    ),
    path(
        "organizations/<int:pk>/member-events/",
        MembershipEventListApi.as_view(),
        name="api-organization-member-events",
    ),
    *router.urls,
]
