"""Read-only admin of agreements: the audit trail and signatures are evidence, so the admin
never edits them (changes go through `contracts.services`)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from contracts.models import (
    Agreement,
    AgreementApproval,
    AgreementEvent,
    AgreementSignature,
    AgreementVersion,
)
from kernel.admin import ReadOnlyInline, column


class VersionInline(ReadOnlyInline[AgreementVersion, Agreement]):
    model = AgreementVersion
    fields = readonly_fields = ("number", "author", "note", "sha256", "created_at")


class ApprovalInline(ReadOnlyInline[AgreementApproval, Agreement]):
    model = AgreementApproval
    fields = readonly_fields = ("version", "party", "user", "created_at")


class SignatureInline(ReadOnlyInline[AgreementSignature, Agreement]):
    model = AgreementSignature
    fields = readonly_fields = (
        "position", "party", "organization", "signer", "typed_name", "signed_at",
        "ip_address", "document_sha256",
    )


class EventInline(ReadOnlyInline[AgreementEvent, Agreement]):
    model = AgreementEvent
    fields = readonly_fields = (
        "created_at", "kind", "actor_name", "ip_address", "user_agent", "document_sha256"
    )


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin[Agreement]):
    list_display = ["number", "contract_type", "subtype", "party_a", "party_b", "status",
                    column("created_at", _("created at"))]
    list_filter = ["status", "contract_type"]
    search_fields = ["number", "party_a__legal_name", "party_b__legal_name"]
    exclude = ["sealed_pdf"]
    inlines = [VersionInline, ApprovalInline, SignatureInline, EventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Agreement | None = None) -> list[str]:
        return [f.name for f in Agreement._meta.fields if f.name != "sealed_pdf"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False
