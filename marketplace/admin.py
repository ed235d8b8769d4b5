"""Django admin for the listings domain (transfer-centre staff use it for bulk fixes; the
moderation workflow itself goes through the services, via the site or the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from marketplace.models import (
    Membership,
    Notification,
    Organization,
    ResearchResult,
    TechnologyNeed,
)

# Addresses typed without a scheme are taken as https (Django 6.0's default for
# forms.URLField; Django 5.2 still assumes http and warns).
URL_FIELDS_ASSUME_HTTPS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


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
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__legal_name"]
    autocomplete_fields = ["user", "organization"]


# What both listing admins share (each is registered for its own model).
class ListingAdmin(admin.ModelAdmin[ResearchResult | TechnologyNeed]):
    list_display = ["title", "owner", "status", "field", "published_at", "renewed_at"]
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
    list_display = ["recipient", "verb", "created_at", "read_at"]
    list_filter = ["verb"]
    search_fields = ["recipient__username", "message"]
    raw_id_fields = ["recipient"]
