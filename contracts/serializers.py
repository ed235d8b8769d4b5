"""Agreement API serializers: input validation of request shapes and output shaping only (the
rules live in `contracts.services`, which validates the terms per field)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.choices import ContractSubtype, ContractType
from contracts.limits import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, TYPED_NAME_MAX_LENGTH
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementSignature,
    AgreementVersion,
    beijing_time,
)
from contracts.services.sealing import is_seal_pending

# --- input ----------------------------------------------------------------------------------------


class AgreementCreateInputSerializer(serializers.Serializer[Any]):
    match_request = serializers.IntegerField(min_value=1)
    contract_type = serializers.ChoiceField(choices=ContractType.choices, required=False)
    subtype = serializers.ChoiceField(choices=ContractSubtype.choices, required=False)


class VersionCreateInputSerializer(serializers.Serializer[Any]):
    """An edit: any of the term sections (shapes in `services.agreement_version_create`)."""

    parties = serializers.DictField(required=False)
    clauses = serializers.DictField(required=False)
    patent = serializers.DictField(required=False)
    payment = serializers.DictField(required=False)
    validity = serializers.DictField(required=False)
    signing = serializers.DictField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)
    base_version = serializers.IntegerField(required=False, min_value=1)


class ApproveInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, min_value=1)


class ReopenInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH, default=""
    )


class SignInputSerializer(serializers.Serializer[Any]):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    typed_name = serializers.CharField(max_length=TYPED_NAME_MAX_LENGTH)
    document_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    #: The SHA-256 of the signing preview PDF the signer was shown (GET .../signing/).
    preview_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")


# --- output ---------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "One instant in UTC and in Beijing time (UTC+08:00), ISO 8601.",
        "properties": {
            "utc": {"type": "string", "format": "date-time"},
            "beijing": {"type": "string", "format": "date-time"},
        },
        "required": ["utc", "beijing"],
    }
)
class TimesField(serializers.Field[datetime, object, dict[str, str] | None, Any]):
    """An aware datetime as {"utc": ISO 8601, "beijing": ISO 8601 +08:00}; null for none."""

    def to_representation(self, value: datetime | None) -> dict[str, str] | None:
        if value is None:
            return None
        return {
            "utc": value.astimezone(UTC).isoformat(),
            "beijing": beijing_time(value).isoformat(),
        }


class AgreementOrganizationSerializer(serializers.Serializer[Any]):
    """A party or signer organisation of an agreement: its id and legal name only."""

    id = serializers.IntegerField()
    legal_name = serializers.CharField()


class SignatureSerializer(serializers.ModelSerializer[AgreementSignature]):
    organization = AgreementOrganizationSerializer()
    signer = serializers.SerializerMethodField()
    signed_at = TimesField()

    class Meta:
        model = AgreementSignature
        fields = [
            "party",
            "organization",
            "position",
            "signer",
            "typed_name",
            "signed_at",
            "document_sha256",
        ]

    def get_signer(self, obj: AgreementSignature) -> str | None:
        return obj.signer.get_username() if obj.signer else None


class VersionSummarySerializer(serializers.ModelSerializer[AgreementVersion]):
    author = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    created_at = TimesField()

    class Meta:
        model = AgreementVersion
        fields = ["number", "author", "note", "sha256", "created_at", "approved_by"]

    def get_author(self, obj: AgreementVersion) -> str:
        return obj.author.get_username()

    def get_approved_by(self, obj: AgreementVersion) -> list[str]:
        return sorted(a.party for a in obj.approvals.all())


class VersionDetailSerializer(VersionSummarySerializer):
    diff = serializers.SerializerMethodField()

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, *AgreementVersion.SECTIONS, "diff"]

    def get_diff(self, obj: AgreementVersion) -> list[dict[str, Any]]:
        diff = self.context.get("diff") or []
        language = self.context.get("language")
        return [section.as_dict(language) for section in diff]


class EventSerializer(serializers.ModelSerializer[AgreementEvent]):
    actor = serializers.CharField(source="actor_name")
    at = TimesField(source="created_at")

    class Meta:
        model = AgreementEvent
        fields = ["kind", "actor", "at", "ip_address", "user_agent", "document_sha256", "details"]


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    party_a = AgreementOrganizationSerializer()
    party_b = AgreementOrganizationSerializer()
    amends = serializers.SerializerMethodField()
    frozen_version = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()
    created_at = TimesField()
    approved_at = TimesField()
    signed_at = TimesField()
    sealed_at = TimesField()
    has_pdf = serializers.SerializerMethodField()
    seal_pending = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "contract_type",
            "subtype",
            "status",
            "match_request",
            "research_result",
            "party_a",
            "party_b",
            "field",
            "ip_type",
            "amends",
            "frozen_version",
            "latest_version",
            "document_sha256",
            "sealed_pdf_sha256",
            "has_pdf",
            "seal_pending",
            "seal_attempts",
            "created_at",
            "approved_at",
            "signed_at",
            "sealed_at",
        ]

    def get_amends(self, obj: Agreement) -> int | None:
        return obj.amends_id

    def get_frozen_version(self, obj: Agreement) -> int | None:
        return obj.frozen_version.number if obj.frozen_version else None

    def get_latest_version(self, obj: Agreement) -> int | None:
        annotated = getattr(obj, "latest_version_number", None)
        if annotated is not None:
            return int(annotated)
        latest = obj.latest_version()
        return latest.number if latest else None

    def get_has_pdf(self, obj: Agreement) -> bool:
        return bool(obj.sealed_pdf_sha256)

    def get_seal_pending(self, obj: Agreement) -> bool:
        """True while an agreement signed by both parties waits for its sealed PDF (rendered
        and sealed after signing; retried until it succeeds, `seal_attempts` so far)."""
        return is_seal_pending(obj)


class AgreementDetailSerializer(AgreementSerializer):
    signatures = SignatureSerializer(many=True)
    terms = serializers.SerializerMethodField()

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "signatures", "terms"]

    def get_terms(self, obj: Agreement) -> dict[str, Any] | None:
        """The content of the frozen version, or of the latest draft version."""
        version = obj.frozen_version or obj.latest_version()
        return version.content() if version else None


class FindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    severity = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class CheckReportSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    # A field named "errors": SerializerMetaclass takes declared fields out of the class
    # attributes, so it does not replace Serializer.errors at run time, only in the stubs' view.
    errors = FindingSerializer(many=True)  # type: ignore[assignment]
    warnings = FindingSerializer(many=True)


class SigningStateSerializer(serializers.Serializer[Any]):
    """What a signer sees before signing (GET .../signing/)."""

    document_sha256 = serializers.CharField()
    document_url = serializers.CharField()
    hash_of = serializers.CharField()
    preview_sha256 = serializers.CharField()
    preview_url = serializers.CharField()
    name_on_record = serializers.CharField()
    mode = serializers.CharField()
    my_party = serializers.CharField(allow_null=True)
    my_turn = serializers.BooleanField()
    signatures = SignatureSerializer(many=True)
    check = CheckReportSerializer()
