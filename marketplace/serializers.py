"""API serializers of the listings domain: input serializers check types and shapes only (the
services validate the rules); output serializers shape responses.

Money is serialised as a Decimal string with 2 places (e.g. ``"500000.00"``), CNY. Times are
ISO 8601 UTC. `confidential_details` and `rejection_reason` appear only for viewers allowed by
`selectors.can_see_confidential` (owner organisation members and brokers); organisations'
contact details only for their members and brokers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel.amount_fields import AmountSerializerField
from kernel.money import AMOUNT_MAX_DIGITS, AMOUNT_PLACES
from marketplace import roles, selectors
from marketplace.choices import Field, IpType, OrganizationKind, Stage, TransferMode
from marketplace.models import (
    ID_MAX,
    LISTING_DESCRIPTION_FIELDS,
    ORGANIZATION_CONTACT_FIELDS,
    ORGANIZATION_DETAIL_FIELDS,
    PLACE_FIELDS,
    RESEARCH_RESULT_OWN_FIELDS,
    TECHNOLOGY_NEED_OWN_FIELDS,
    Listing,
    Membership,
    Notification,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.notifications import notification_text
from marketplace.validators import validate_visible_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class IdField(serializers.IntegerField):
    """A database id from a client: a whole number 1..`ID_MAX` (``182``, ``"182"``).

    Fractions (``182.5``), exponents (``1e30``), booleans and out-of-range numbers are field
    errors instead of being truncated or reaching the database."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        value: int = super().to_internal_value(data)
        return value


class IdRelatedField(serializers.PrimaryKeyRelatedField[models.Model]):
    """`PrimaryKeyRelatedField` whose input is first checked as an `IdField`, so that
    ``182.5`` is not silently read as 182 and a 30-digit number is a field error, not a 500."""

    def to_internal_value(self, data: Any) -> models.Model:
        pk = IdField().run_validation(data)
        return super().to_internal_value(pk)


class RejectUnknownFieldsMixin:
    """Input serializers that refuse keys they do not declare (``"Unknown field."`` on each),
    so a client sending ``status``, ``id``, ``created_by`` or ``verified`` learns that it was not
    applied instead of having it silently dropped."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[Any]] = {}
        if isinstance(data, Mapping):
            unknown = {
                str(key): [_("Unknown field.")] for key in data if key not in self.fields
            }
        try:
            # A mixin: the serializer class it is mixed into defines to_internal_value.
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


def _money(**kwargs: Any) -> serializers.DecimalField:
    """A CNY amount: Decimal with 2 places, serialised as a string (``"500000.00"``)."""
    return serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs
    )


def _with_labels(names: Iterable[str], *, labelled: Container[str]) -> list[str]:
    """`names` in order, each one in `labelled` (a choice field) followed by its
    ``<name>_label`` (the choice's label in the request's language)."""
    shown: list[str] = []
    for name in names:
        shown.append(name)
        if name in labelled:
            shown.append(f"{name}_label")
    return shown


def _viewer(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


# --- organisations ---------------------------------------------------------------------------


class OrganizationBriefSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "legal_name", "kind"]


class OrganizationOutputSerializer(serializers.ModelSerializer[Organization]):
    """An organisation as the viewer may see it: its details (address and website included:
    public business-registry facts) for everyone; `ORGANIZATION_CONTACT_FIELDS` only under the
    contact rule (`selectors.can_see_contacts`)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    verification_status_label = serializers.CharField(
        source="get_verification_status_display", read_only=True
    )
    unclaimed = serializers.SerializerMethodField(
        help_text=_("True when nobody is a member of the organisation on Keqiao yet.")
    )
    contact_email = serializers.EmailField(read_only=True, required=False)
    contact_phone = serializers.CharField(read_only=True, required=False)

    class Meta:
        model = Organization
        fields = [
            "id",
            *_with_labels(ORGANIZATION_DETAIL_FIELDS, labelled={"kind"}),
            "verified",
            "verification_status",
            "verification_status_label",
            "unclaimed",
            *ORGANIZATION_CONTACT_FIELDS,
            "created_at",
        ]
        read_only_fields = fields

    def get_unclaimed(self, instance: Organization) -> bool:
        return selectors.is_unclaimed(instance)

    def to_representation(self, instance: Organization) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        viewer = _viewer(self.context)
        if viewer is None or not selectors.can_see_contacts(viewer, instance):
            for name in ORGANIZATION_CONTACT_FIELDS:
                data.pop(name, None)
        return data


#: The one check of organisation texts (also run by the services and the web form).
_VISIBLE = [validate_visible_text]
_OPTIONAL_TEXT: dict[str, Any] = {"required": False, "allow_blank": True, "validators": _VISIBLE}


class OrganizationInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """Organisation details a member or broker may set; unknown keys (e.g. ``verified``,
    ``id``) are field errors. The badge is set with the verify action."""

    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    legal_name = serializers.CharField(max_length=200, validators=_VISIBLE)
    name_en = serializers.CharField(**_OPTIONAL_TEXT, max_length=200)
    credit_code = serializers.CharField(**_OPTIONAL_TEXT, max_length=18)
    province = serializers.CharField(**_OPTIONAL_TEXT, max_length=20)
    city = serializers.CharField(**_OPTIONAL_TEXT, max_length=40)
    region_code = serializers.CharField(**_OPTIONAL_TEXT, max_length=6)
    address = serializers.CharField(**_OPTIONAL_TEXT, max_length=300)
    website = serializers.URLField(required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(**_OPTIONAL_TEXT, max_length=40)


class OrganizationVerifySerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    verified = serializers.BooleanField(default=True)


# --- listings --------------------------------------------------------------------------------


class _ListingOutputSerializer(serializers.ModelSerializer[Listing]):
    field_label = serializers.CharField(source="get_field_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    owner = OrganizationBriefSerializer(read_only=True)
    expires_at = serializers.SerializerMethodField()
    confidential_details = serializers.CharField(read_only=True, required=False)
    rejection_reason = serializers.CharField(read_only=True, required=False)

    COMMON_FIELDS = [
        "id",
        "source_id",
        *_with_labels(LISTING_DESCRIPTION_FIELDS, labelled={"field"}),
        "owner",
        *PLACE_FIELDS,
        "status",
        "status_label",
        "source_url",
        "source_date",
        "published_at",
        "renewed_at",
        "expires_at",
        "created_at",
        "updated_at",
        "confidential_details",
        "rejection_reason",
    ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, obj: Listing) -> str | None:
        expires = obj.expires_at()
        return serializers.DateTimeField().to_representation(expires) if expires else None

    def to_representation(self, instance: Listing) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        viewer = _viewer(self.context)
        if viewer is None or not selectors.can_see_confidential(viewer, instance):
            data.pop("confidential_details", None)
            data.pop("rejection_reason", None)
        return data


class ResearchResultOutputSerializer(_ListingOutputSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    ip_type_label = serializers.CharField(source="get_ip_type_display", read_only=True)
    asking_price_cny = _money(allow_null=True, read_only=True)

    class Meta:
        model = ResearchResult
        fields = [
            *_ListingOutputSerializer.COMMON_FIELDS,
            "summary",
            *_with_labels(RESEARCH_RESULT_OWN_FIELDS, labelled={"stage", "ip_type"}),
        ]
        read_only_fields = fields


class TechnologyNeedOutputSerializer(_ListingOutputSerializer):
    budget_min_cny = _money(allow_null=True, read_only=True)
    budget_max_cny = _money(allow_null=True, read_only=True)

    class Meta:
        model = TechnologyNeed
        fields = [
            *_ListingOutputSerializer.COMMON_FIELDS,
            "description",
            *TECHNOLOGY_NEED_OWN_FIELDS,
        ]
        read_only_fields = fields


class _ListingInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """Types and shapes of listing input; the services normalise and apply the rules.

    Keys not declared here (``status``, ``id``, ``created_by``, ``source_id``, ...) are field
    errors ("Unknown field."): the workflow actions change the status, the importer the source
    id."""

    owner = IdRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Owner organisation id; defaults to your first organisation (create only)."),
    )
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, required=False, allow_blank=True)
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    ipc = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=30,
        help_text=_('IPC symbols, e.g. "H01M 10/052".'),
    )
    trl = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("1-9, GB/T 22900.")
    )
    province = serializers.CharField(max_length=20, required=False, allow_blank=True)
    city = serializers.CharField(max_length=40, required=False, allow_blank=True)
    region_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    confidential_details = serializers.CharField(required=False, allow_blank=True)
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    source_date = serializers.CharField(max_length=10, required=False, allow_blank=True)


class ResearchResultInputSerializer(_ListingInputSerializer):
    summary = serializers.CharField(required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, allow_blank=True)
    ip_type = serializers.ChoiceField(choices=IpType.choices, required=False, allow_blank=True)
    patent_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    transfer_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransferMode.choices), required=False
    )
    asking_price_cny = AmountSerializerField(required=False, allow_null=True)


class TechnologyNeedInputSerializer(_ListingInputSerializer):
    description = serializers.CharField(required=False, allow_blank=True)
    cooperation_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransferMode.choices), required=False
    )
    budget_min_cny = AmountSerializerField(required=False, allow_null=True)
    budget_max_cny = AmountSerializerField(required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)


class RejectInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Why the listing is sent back (required).")
    )


# --- moderation, notifications, me -----------------------------------------------------------


class ModerationQueueSerializer(serializers.Serializer[Any]):
    research_results = ResearchResultOutputSerializer(many=True)
    needs = TechnologyNeedOutputSerializer(many=True)


class NotificationOutputSerializer(serializers.ModelSerializer[Notification]):
    """A notification; `message` is its text in the request's language, rendered when read."""

    message = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "verb", "message", "url", "read", "read_at", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_message(self, obj: Notification) -> str:
        return notification_text(obj)

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationListParamsSerializer(serializers.Serializer[Any]):
    """Query parameters of GET /api/v1/notifications/ (besides page and page_size)."""

    unread = serializers.BooleanField(
        required=False, default=False, help_text=_("Only unread notifications (true/false).")
    )


class NotificationMarkReadInputSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        help_text=_("Notifications to mark as read; leave out (or send all=true) for all."),
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("all") and "ids" not in attrs:
            raise serializers.ValidationError(
                {"ids": [_("Give the ids to mark as read, or all=true.")]}
            )
        return attrs


class NotificationMarkReadOutputSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField()


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    organization = OrganizationBriefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role", "role_label"]
        read_only_fields = fields


class MeUserSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()


class MeRolesSerializer(serializers.Serializer[Any]):
    roles = serializers.ListField(child=serializers.CharField())
    is_broker = serializers.BooleanField()
    is_admin = serializers.BooleanField()


class MeOutputSerializer(serializers.Serializer[Any]):
    user = MeUserSerializer()
    memberships = MembershipSerializer(many=True)
    roles = MeRolesSerializer()

    @staticmethod
    def build(user: User) -> dict[str, Any]:
        memberships = list(
            Membership.objects.filter(user_id=user.pk).select_related("organization").order_by("id")
        )
        return {
            "user": {"id": user.pk, "username": user.get_username(), "email": user.email},
            "memberships": memberships,
            "roles": {
                "roles": sorted({m.role for m in memberships}),
                "is_broker": roles.is_broker(user),
                "is_admin": roles.is_admin(user),
            },
        }


class TokenOutputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(
        allow_null=True,
        default_timezone=dt.UTC,  # not the site's display time zone
        help_text=_("When the token expires (ISO 8601, UTC)."),
    )
