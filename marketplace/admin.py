"""Django admin for the listings domain (transfer-centre staff use it for bulk fixes; the
moderation workflow itself goes through the services, via the site or the API)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from knox.admin import AuthTokenAdmin as KnoxAuthTokenAdmin
from knox.models import AuthToken

from kernel.admin import URL_FIELDS_ASSUME_HTTPS, ReadOnlyAdmin, column
from marketplace.models import (
    Invitation,
    JoinRequest,
    Membership,
    MembershipEvent,
    Notification,
    Organization,
    OrganizationClaim,
    OrganizationDecision,
    OrganizationEvidence,
    ResearchResult,
    TechnologyNeed,
)


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["legal_name", "kind", "province", "city", "verified", "is_demo"]
    list_filter = ["kind", "verified", "is_demo", "province"]
    search_fields = ["legal_name", "name_en", "credit_code"]
    inlines = [MembershipInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = [column("user", _("user")), column("organization", _("organisation")), "role",
                    column("created_at", _("created at"))]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__legal_name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]


# What both listing admins share (each is registered for its own model).
class ListingAdmin(admin.ModelAdmin[ResearchResult | TechnologyNeed]):
    list_display = ["title", "owner", "status", "field", column("published_at", _("published at")),
                    "renewed_at"]
    list_filter = ["status", "field", "province"]
    search_fields = ["title", "title_en", "source_id", "owner__legal_name"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["created_by", "reviewed_by"]
    readonly_fields = ["created_at", "updated_at", "reviewed_at"]
    date_hierarchy = "created_at"
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(ResearchResult)
class ResearchResultAdmin(ListingAdmin):
    list_filter = [*ListingAdmin.list_filter, "stage", "ip_type"]
    search_fields = [*ListingAdmin.search_fields, "patent_no"]


@admin.register(TechnologyNeed)
class TechnologyNeedAdmin(ListingAdmin):
    list_display = [*ListingAdmin.list_display, "deadline"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = [column("recipient", _("recipient")), column("verb", _("kind")),
                    column("created_at", _("created at")), column("read_at", _("read at"))]
    list_filter = ["verb"]
    search_fields = ["recipient__username", "message"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


# Organisations joining. Join requests, claims, invitations and the brokers' decisions are
# decided through the services (`marketplace.services`: joining, claims, members,
# organizations), which make the memberships, verify the organisation and notify the people
# concerned; the members' audit trail is evidence. So the admin shows them read-only. The
# uploaded files are private (no URL): their pages show the file's name, never a link, and an
# invitation's token digest is never shown.
UPLOAD_HIDDEN = ["file"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin[JoinRequest]):
    list_display = [column("user", _("user")), column("organization", _("organisation")),
                    "status", column("created_at", _("created at"))]
    list_filter = ["status"]
    search_fields = ["user__username", "organization__legal_name"]
    list_select_related = ["user", "organization"]


@admin.register(OrganizationClaim)
class OrganizationClaimAdmin(ReadOnlyAdmin[OrganizationClaim]):
    list_display = [column("claimant", _("claimant")), column("organization", _("organisation")),
                    "status", column("created_at", _("created at"))]
    list_filter = ["status"]
    search_fields = ["claimant__username", "organization__legal_name"]
    list_select_related = ["claimant", "organization"]
    exclude = UPLOAD_HIDDEN


@admin.register(OrganizationEvidence)
class OrganizationEvidenceAdmin(ReadOnlyAdmin[OrganizationEvidence]):
    list_display = [column("organization", _("organisation")), "original_name",
                    column("created_at", _("created at"))]
    search_fields = ["organization__legal_name", "original_name"]
    list_select_related = ["organization"]
    exclude = UPLOAD_HIDDEN


@admin.register(OrganizationDecision)
class OrganizationDecisionAdmin(ReadOnlyAdmin[OrganizationDecision]):
    list_display = [column("organization", _("organisation")), "decision",
                    column("decided_by", _("decided by")), column("created_at", _("created at"))]
    list_filter = ["decision"]
    list_select_related = ["organization", "decided_by"]
    search_fields = ["organization__legal_name"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin[Invitation]):
    list_display = ["email", column("organization", _("organisation")), "role", "status",
                    "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__legal_name"]
    list_select_related = ["organization"]
    exclude = ["token_digest"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin[MembershipEvent]):
    list_display = [
        column("created_at", _("created at")), column("organization", _("organisation")),
        "action", column("actor", _("by")), column("user", _("user")), "email", "role",
    ]
    list_filter = ["action"]
    search_fields = ["organization__legal_name", "email", "user__username"]
    list_select_related = ["organization", "actor", "user"]


# django-rest-knox's admin of API tokens, with translated column headings (its model names its
# fields by their attribute names only) and the token's public prefix instead of its digest.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(KnoxAuthTokenAdmin):
    # knox's class is untyped, so mypy takes its tuple of names as the type; Django's
    # list_display also takes callables.
    list_display = (  # type: ignore[assignment]
        column("token_key", _("token prefix")), column("user", _("user")),
        column("created", _("created at")), column("expiry", _("expires at")),
    )
    list_select_related = ["user"]
