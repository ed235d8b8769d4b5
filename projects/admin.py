"""Django admin for roadshows (bulk fixes by staff; live control goes through the services via
the control room or the API, so that the live version is bumped)."""

from __future__ import annotations

from django.contrib import admin

from projects.models import Intent, Question, Registration, Roadshow, RoadshowSlot


class RoadshowSlotInline(admin.TabularInline[RoadshowSlot, Roadshow]):
    model = RoadshowSlot
    extra = 0
    fields = ["order", "research_result", "technology_need", "presenter", "planned_start",
              "minutes", "questions_open"]
    raw_id_fields = ["research_result", "technology_need", "presenter"]


@admin.register(Roadshow)
class RoadshowAdmin(admin.ModelAdmin[Roadshow]):
    list_display = ["title", "host", "starts_at", "status", "capacity", "ticket_price_cny"]
    list_filter = ["status", "is_demo"]
    search_fields = ["title", "venue"]
    raw_id_fields = ["host", "current_slot", "created_by"]
    readonly_fields = ["live_version", "status", "current_slot"]
    inlines = [RoadshowSlotInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    list_display = ["ticket_code", "roadshow", "user", "kind", "status", "checked_in_at"]
    list_filter = ["status", "kind"]
    search_fields = ["ticket_code", "user__username"]
    raw_id_fields = ["roadshow", "user", "organization", "payment"]
    readonly_fields = ["ticket_code", "status", "payment", "confirmed_at", "cancelled_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["text", "slot", "author", "hidden", "answered", "created_at"]
    list_filter = ["hidden", "answered"]
    raw_id_fields = ["slot", "author", "answered_by"]


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin[Intent]):
    list_display = ["user", "slot", "organization", "created_at"]
    raw_id_fields = ["roadshow", "slot", "user", "organization"]
