"""The listings domain: organisations, memberships and roles, research results, technology needs,
and in-app notifications.

Money is `Decimal` CNY with 2 places. Times are aware UTC datetimes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.ids import ID_MAX
from marketplace.choices import (
    Field,
    IpType,
    ListingStatus,
    OrganizationKind,
    Role,
    Stage,
    VerificationStatus,
)
from marketplace.validators import (
    validate_credit_code,
    validate_ipc_symbol,
    validate_listing_date,
    validate_patent_number,
    validate_region_code,
    validate_source_date,
    validate_trl,
)

NON_NEGATIVE = MinValueValidator(Decimal("0"), message=_("Amounts cannot be negative."))


def region_code_field(**options: Any) -> models.CharField[str, str]:
    """The optional administrative division code (6 digits, GB/T 2260) of an organisation or
    a listing; `options` add to the field's arguments (e.g. ``help_text``)."""
    return models.CharField(
        _("administrative division code"),
        max_length=6,
        blank=True,
        validators=[validate_region_code],
        **options,
    )


# Database ids are positive 64-bit integers (kernel.ids.ID_MAX, exported here too): every id
# that comes in from outside (API bodies, query parameters) is bounded to 1..ID_MAX first.

# --- the fields people write ------------------------------------------------------------------
# One list of each group of writable fields, in the order the forms and the API show them: the
# services accept these keys (marketplace.services.common), the web forms and the API
# serializers are built from them (marketplace.forms, marketplace.serializers).

#: Where an organisation or a listing is; `region_code` is the GB/T 2260 code.
PLACE_FIELDS = ("province", "city", "region_code")
#: An organisation's details that its members and brokers may edit (the badge `verified` is
#: set with the verify action).
ORGANIZATION_DETAIL_FIELDS = (
    "kind",
    "legal_name",
    "name_en",
    "credit_code",
    *PLACE_FIELDS,
    "address",
    "website",
)
#: An organisation's contact details: the one list of what the contact rule hides
#: (`marketplace.selectors.can_see_contacts`: its members and brokers; the other side of an
#: accepted match request). Its other details, address and website included, are public.
ORGANIZATION_CONTACT_FIELDS = ("contact_email", "contact_phone")
#: What describes every listing, besides its body (`Listing.body_field_name`).
LISTING_DESCRIPTION_FIELDS = ("title", "title_en", "field", "keywords", "ipc", "trl")
#: Where every listing is, its confidential part and where it was published first.
LISTING_PLACE_AND_SOURCE_FIELDS = (
    *PLACE_FIELDS,
    "confidential_details",
    "source_url",
    "source_date",
)
#: What only a research result has, besides its body (`summary`).
RESEARCH_RESULT_OWN_FIELDS = ("stage", "ip_type", "patent_no", "transfer_modes", "asking_price_cny")
#: What only a technology need has, besides its body (`description`).
TECHNOLOGY_NEED_OWN_FIELDS = ("cooperation_modes", "budget_min_cny", "budget_max_cny", "deadline")


class Authored(models.Model):
    """Abstract base of rows that record who created them (`created_by`: None for rows made
    by no one in particular, and once that account is deleted) and when (`created_at`)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class AuthoredAndUpdated(Authored):
    """Abstract base: `Authored`, and when the row was last saved (`updated_at`)."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(models.Model):
    """A university, research institute, enterprise, transfer centre or association."""

    kind = models.CharField(_("type"), max_length=32, choices=OrganizationKind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100; optional."),
    )
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    region_code = region_code_field(help_text=_("6 digits, GB/T 2260."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Contact details (ORGANIZATION_CONTACT_FIELDS) are revealed to the other side only when a
    # match request is accepted.
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    # The brokers' review; `verified` is True exactly when this is "verified" (constraint).
    verification_status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNREVIEWED,
    )
    is_demo = models.BooleanField(_("demo organisation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organization_credit_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(verified=True, verification_status=VerificationStatus.VERIFIED)
                | (Q(verified=False) & ~Q(verification_status=VerificationStatus.VERIFIED)),
                name="organization_verified_badge_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name


class Membership(models.Model):
    """A user's role in an organisation. Roles come only from memberships (and is_staff)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # An administrator of the organisation (not `Role.ADMIN`, the platform's administrator, who
    # moderates everything): answers requests to join it. Its creator is the first one.
    is_administrator = models.BooleanField(_("organisation administrator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Listing(AuthoredAndUpdated):
    """Fields shared by research results and technology needs."""

    source_id = models.CharField(
        _("source id"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Id in the imported source (e.g. R0001); re-imports update by it."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    field = models.CharField(_("field"), max_length=32, choices=Field.choices, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    ipc = models.JSONField(
        _("IPC symbols"), default=list, blank=True, help_text=_("e.g. H01M 10/052")
    )
    trl = models.PositiveSmallIntegerField(
        _("TRL"), null=True, blank=True, validators=[validate_trl]
    )
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("owner")
    )
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    region_code = region_code_field()
    confidential_details = models.TextField(
        _("confidential details"),
        blank=True,
        help_text=_("Visible only to the owner's organisation and brokers."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    renewed_at = models.DateTimeField(
        _("renewed at"),
        null=True,
        blank=True,
        help_text=_("Published listings leave search 12 months after their last renewal."),
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    source_date = models.CharField(
        _("source date"),
        max_length=10,
        blank=True,
        validators=[validate_source_date],
        help_text=_("YYYY-MM or YYYY-MM-DD"),
    )

    class Meta:
        abstract = True
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    # --- derived state -------------------------------------------------------------------
    @property
    def body(self) -> str:
        """The long description: `summary` of a result, `description` of a need."""
        raise NotImplementedError

    @property
    def deadline_date(self) -> date | None:
        return None

    def expires_at(self) -> datetime | None:
        """When the listing leaves search (aware datetime, or None for never): the end of its
        deadline day in Beijing time, or LISTING_RENEWAL_DAYS (365) after its last renewal,
        whichever comes first."""
        candidates: list[datetime] = []
        if self.renewed_at is not None:
            candidates.append(self.renewed_at + timedelta(days=settings.LISTING_RENEWAL_DAYS))
        deadline = self.deadline_date
        # validate_listing_date keeps deadlines far from date.max; the guard covers raw writes.
        if deadline is not None and deadline < date.max:
            end_of_day = datetime.combine(deadline + timedelta(days=1), time.min)
            candidates.append(timezone.make_aware(end_of_day))
        return min(candidates) if candidates else None

    def is_searchable(self, now: datetime | None = None) -> bool:
        """Published and not expired: what search and matching may show to everyone."""
        if self.status != ListingStatus.PUBLISHED:
            return False
        expires = self.expires_at()
        return expires is None or expires > (now or timezone.now())

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        for symbol in self.ipc or []:
            try:
                validate_ipc_symbol(symbol)
            except ValidationError as exc:
                errors.setdefault("ipc", []).extend(exc.error_list)
        if errors:
            raise ValidationError(errors)

    def missing_for_submission(self) -> list[str]:
        """Names of the fields that must be filled before the listing can be submitted."""
        required = ["title", "field", "province"]
        missing = [name for name in required if not getattr(self, name)]
        if not self.body.strip():
            missing.append(self.body_field_name)
        if not self.keywords:
            missing.append("keywords")
        return missing

    body_field_name = "summary"


class ResearchResult(Listing):
    """科技成果: a technology offered for transfer."""

    summary = models.TextField(_("summary"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IpType.choices, blank=True)
    patent_no = models.CharField(
        _("patent number"),
        max_length=40,
        blank=True,
        validators=[validate_patent_number],
        help_text=_(
            "Application number with its check character (e.g. 202110123456.7) or publication "
            "number (e.g. CN112345678A)."
        ),
    )
    transfer_modes = models.JSONField(_("transfer modes"), default=list, blank=True)
    asking_price_cny = models.DecimalField(
        _("asking price (CNY)"), null=True, blank=True, validators=[NON_NEGATIVE],
        max_digits=14, decimal_places=2
    )

    body_field_name = "summary"

    class Meta(Listing.Meta):
        verbose_name = _("research result")
        verbose_name_plural = _("research results")

    @property
    def body(self) -> str:
        return self.summary

    def missing_for_submission(self) -> list[str]:
        missing = super().missing_for_submission()
        if self.trl is None:
            missing.append("trl")
        return missing


class TechnologyNeed(Listing):
    """企业技术需求: an enterprise's technical problem. `trl` is the lowest maturity wanted."""

    description = models.TextField(_("description"), blank=True)
    cooperation_modes = models.JSONField(_("cooperation modes"), default=list, blank=True)
    budget_min_cny = models.DecimalField(
        _("minimum budget (CNY)"), null=True, blank=True, validators=[NON_NEGATIVE],
        max_digits=14, decimal_places=2
    )
    budget_max_cny = models.DecimalField(
        _("maximum budget (CNY)"), null=True, blank=True, validators=[NON_NEGATIVE],
        max_digits=14, decimal_places=2
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, validators=[validate_listing_date]
    )

    body_field_name = "description"

    class Meta(Listing.Meta):
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(budget_min_cny__isnull=True)
                | Q(budget_max_cny__isnull=True)
                | Q(budget_min_cny__lte=models.F("budget_max_cny")),
                name="need_budget_min_le_max",
            )
        ]

    @property
    def body(self) -> str:
        return self.description

    @property
    def deadline_date(self) -> date | None:
        return self.deadline

    def clean(self) -> None:
        super().clean()
        if (
            self.budget_min_cny is not None
            and self.budget_max_cny is not None
            and self.budget_min_cny > self.budget_max_cny
        ):
            raise ValidationError(
                {
                    "budget_max_cny": _(
                        "The maximum budget must not be lower than the minimum budget."
                    )
                }
            )


class Notification(models.Model):
    """An in-app notification; e-mail copies are sent on commit by the service that made it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=60)
    # The text in both languages as first sent ("<zh-Hans> / <en>"), for the admin and the
    # record. Rows with `params` are shown rendered from the verb's template in the reader's
    # language (marketplace.notification_verbs); older rows without params show this text.
    message = models.TextField()
    # The verb's parameters (plain JSON values); None on rows written before verbs had them.
    params = models.JSONField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.verb}"


# The records of organisations joining (join requests, claims, evidence, the brokers'
# decisions, invitations, the members' audit trail) live in their feature package; imported
# here because migrations and the app registry name this module.
from marketplace.organizations.models import (  # noqa: E402
    Invitation,
    JoinRequest,
    MembershipEvent,
    OrganizationClaim,
    OrganizationDecision,
    OrganizationEvidence,
)

__all__ = [
    "ID_MAX",
    "LISTING_DESCRIPTION_FIELDS",
    "LISTING_PLACE_AND_SOURCE_FIELDS",
    "ORGANIZATION_CONTACT_FIELDS",
    "ORGANIZATION_DETAIL_FIELDS",
    "PLACE_FIELDS",
    "RESEARCH_RESULT_OWN_FIELDS",
    "TECHNOLOGY_NEED_OWN_FIELDS",
    "Authored",
    "AuthoredAndUpdated",
    "Invitation",
    "JoinRequest",
    "Listing",
    "Membership",
    "MembershipEvent",
    "Notification",
    "Organization",
    "OrganizationClaim",
    "OrganizationDecision",
    "OrganizationEvidence",
    "ResearchResult",
    "TechnologyNeed",
]
