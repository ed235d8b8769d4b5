"""Django admin for roadshows (bulk fixes by staff; live control goes through the services via
the control room or the API, so that the live version is bumped)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kernel.admin import ReadOnlyAdmin, ReadOnlyInline, column
from matching.admin import MEDIATED_FIELDS, MEDIATION_EVENT_FIELDS
from projects.models import (
    Intent,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestMediationEvent,
    MeetingSchedulePublication,
    Question,
    Registration,
    Roadshow,
    RoadshowSlot,
    Unavailability,
)


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
    list_display = ["ticket_code", column("roadshow", _("roadshow")), column("user", _("user")),
                    "kind", "status", "checked_in_at"]
    list_filter = ["status", "kind"]
    search_fields = ["ticket_code", "user__username"]
    list_select_related = ["roadshow", "user"]
    raw_id_fields = ["roadshow", "user", "organization", "payment"]
    readonly_fields = ["ticket_code", "status", "payment", "confirmed_at", "cancelled_at"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ["text", column("slot", _("agenda slot")), column("author", _("author")),
                    "hidden", "answered", column("created_at", _("created at"))]
    list_filter = ["hidden", "answered"]
    list_select_related = ["author", "slot__research_result", "slot__technology_need"]
    raw_id_fields = ["slot", "author", "answered_by"]


@admin.register(Intent)
class IntentAdmin(admin.ModelAdmin[Intent]):
    list_display = [
        column("user", _("user")), column("slot", _("agenda slot")),
        column("organization", _("organisation")), column("created_at", _("created at")),
    ]
    raw_id_fields = ["roadshow", "slot", "user", "organization"]
    list_select_related = ["user", "organization", "slot__research_result", "slot__technology_need"]


# 1:1 meetings. Blocks and unavailable times are set-up data that staff may fix by hand. A
# request's parties, status, decision and mediation are owned by the services of
# `projects.meetings` (presenters decide, the scheduler places, brokers mediate, each with its
# notifications), and a meeting's room and time by the scheduler and its conflict checks: the
# admin shows them read-only and adds neither.


@admin.register(MeetingBlock)
class MeetingBlockAdmin(admin.ModelAdmin[MeetingBlock]):
    list_display = [column("roadshow", _("roadshow")), "starts_at", "ends_at", "slot_minutes",
                    "rooms"]
    search_fields = ["roadshow__title"]
    list_select_related = ["roadshow"]
    raw_id_fields = ["roadshow"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Unavailability)
class UnavailabilityAdmin(admin.ModelAdmin[Unavailability]):
    list_display = [column("roadshow", _("roadshow")), column("user", _("user")),
                    column("organization", _("organisation")), "starts_at", "ends_at", "note"]
    search_fields = ["roadshow__title", "user__username", "organization__legal_name"]
    list_select_related = ["roadshow", "user", "organization"]
    raw_id_fields = ["roadshow", "user", "organization"]
    readonly_fields = ["created_by", "created_at"]


class MeetingInline(ReadOnlyInline[Meeting, MeetingRequest]):
    model = Meeting
    fields = readonly_fields = ("room", "starts_at", "ends_at")


class MeetingMediationEventInline(ReadOnlyInline[MeetingRequestMediationEvent, MeetingRequest]):
    model = MeetingRequestMediationEvent
    fields = readonly_fields = MEDIATION_EVENT_FIELDS


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin[MeetingRequest]):
    list_display = [
        "id", column("roadshow", _("roadshow")), column("requester", _("requester")),
        column("presenter_organization", _("presenter organisation")), "status",
        "mediated_at", column("created_at", _("created at")),
    ]
    list_filter = ["status", "mediation_reason"]
    list_select_related = ["roadshow", "requester", "presenter_organization"]
    search_fields = ["roadshow__title", "requester__username", "presenter_organization__legal_name",
                     "reason"]
    # Everything but the reason is owned by the services (see above).
    readonly_fields = [
        "roadshow", "slot", "requester", "requester_organization", "presenter_organization",
        "status", "decline_reason", "unplaced_reason", "decided_by", "decided_at",
        *MEDIATED_FIELDS, "created_at",
    ]
    inlines = [MeetingInline, MeetingMediationEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin[Meeting]):
    list_display = [column("roadshow", _("roadshow")), "room", "starts_at", "ends_at",
                    column("request", _("meeting request"))]
    list_filter = ["roadshow"]
    list_select_related = ["roadshow", "request__requester", "request__presenter_organization"]
    search_fields = ["room", "roadshow__title", "request__requester__username",
                     "request__presenter_organization__legal_name"]


@admin.register(MeetingSchedulePublication)
class MeetingSchedulePublicationAdmin(ReadOnlyAdmin[MeetingSchedulePublication]):
    """Who published a roadshow's 1:1 schedule and when (written by the meetings console)."""

    list_display = [column("roadshow", _("roadshow")), "published_by", "published_at"]
    list_select_related = ["roadshow", "published_by"]
