"""Django admin of match requests (对接) and the search outbox.

A match request's state (status, decision, mediation, score) and its parties are owned by the
services of `matching.match_requests` and `matching.mediation` (they check permissions, notify
the parties and keep the brokers' queue), so the admin shows them read-only and adds none;
staff may correct the request's message. Messages and mediation steps are shown read-only: they
are the parties' words and the brokers' audit trail. The outbox is written by the listing
signals and drained by `manage.py search_sync`. Alerts and the alerts outbox are written by
`manage.py send_match_alerts` (`matching.alerts`), so they are read-only too.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kernel.admin import ReadOnlyAdmin, ReadOnlyInline, column
from matching.alerts.models import Alert, AlertOutbox
from matching.models import (
    MatchRequest,
    MatchRequestMediationEvent,
    MatchRequestMessage,
    SearchOutbox,
)

#: What the admin shows of a mediated request's audit steps, and its mediation fields
#: (`matching.mediation.models`; the meeting requests' admin shows the same).
MEDIATION_EVENT_FIELDS = ("created_at", "action", "outcome", "actor", "note", "emailed_to")
MEDIATED_FIELDS = ["mediated_at", "mediation_reason", "escalated_at"]


class MessageInline(ReadOnlyInline[MatchRequestMessage, MatchRequest]):
    model = MatchRequestMessage
    fields = readonly_fields = ("created_at", "author", "body")


class MediationEventInline(ReadOnlyInline[MatchRequestMediationEvent, MatchRequest]):
    model = MatchRequestMediationEvent
    fields = readonly_fields = MEDIATION_EVENT_FIELDS


@admin.register(MatchRequest)
class MatchRequestAdmin(admin.ModelAdmin[MatchRequest]):
    list_display = [
        "id", column("requester", _("requester")), column("addressee", _("addressee")),
        column("research_result", _("research result")), column("status", _("status")),
        column("direction", _("direction")), "mediated_at", column("created_at", _("created at")),
    ]
    list_filter = ["status", "direction", "mediation_reason"]
    list_select_related = ["requester", "addressee", "research_result"]
    search_fields = [
        "requester__legal_name", "addressee__legal_name", "research_result__title", "message",
    ]
    # Everything but the message is owned by the services (see the module docstring).
    readonly_fields = [
        "direction", "research_result", "technology_need", "requester", "addressee",
        "created_by", "status", "decline_reason", "decline_text", "decided_by", "decided_at",
        "score", *MEDIATED_FIELDS, "created_at", "updated_at",
    ]
    date_hierarchy = "created_at"
    inlines = [MessageInline, MediationEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SearchOutbox)
class SearchOutboxAdmin(ReadOnlyAdmin[SearchOutbox]):
    list_display = [
        column("kind", _("kind")), column("object_id", _("listing number")),
        column("op", _("change")), column("attempts", _("failed attempts")),
        column("next_attempt_at", _("next attempt")), column("last_error", _("last error")),
    ]
    list_filter = ["kind", "op"]


@admin.register(AlertOutbox)
class AlertOutboxAdmin(ReadOnlyAdmin[AlertOutbox]):
    list_display = [
        column("kind", _("kind")), column("object_id", _("listing number")),
        column("attempts", _("failed attempts")), column("next_attempt_at", _("next attempt")),
        column("last_error", _("last error")),
    ]
    list_filter = ["kind"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin[Alert]):
    list_display = [
        column("created_at", _("created at")), column("recipient", _("recipient")),
        column("kind", _("kind")), column("object_id", _("listing number")),
        column("reason", _("reason")), column("email_state", _("E-mail")),
    ]
    list_filter = ["reason", "email_state"]
