"""What the listing services share: the editable fields, input checks and normalisation, and
the permission and status checks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.cells import split_items
from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace import roles
from marketplace.choices import ListingStatus, OrganizationKind, Role, TransferMode
from marketplace.listing_records import ipc_symbols
from marketplace.models import (
    LISTING_DESCRIPTION_FIELDS,
    LISTING_PLACE_AND_SOURCE_FIELDS,
    ORGANIZATION_CONTACT_FIELDS,
    ORGANIZATION_DETAIL_FIELDS,
    RESEARCH_RESULT_OWN_FIELDS,
    TECHNOLOGY_NEED_OWN_FIELDS,
    Invitation,
    JoinRequest,
    Listing,
    MembershipEvent,
    Organization,
    OrganizationClaim,
    ResearchResult,
)
from marketplace.organizations.models import DecidedWithReason
from marketplace.regions import province_short_name
from marketplace.validators import normalize_patent_number, validate_visible_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User


ListingT = TypeVar("ListingT", bound=Listing)

INVALID_INPUT = _("Some fields are not valid.")

# The keys the services accept (marketplace.models lists the fields, in display order).
ORGANIZATION_FIELDS = frozenset((*ORGANIZATION_DETAIL_FIELDS, *ORGANIZATION_CONTACT_FIELDS))
_LISTING_COMMON_FIELDS = frozenset(
    ("source_id", *LISTING_DESCRIPTION_FIELDS, *LISTING_PLACE_AND_SOURCE_FIELDS)
)
RESEARCH_RESULT_FIELDS = _LISTING_COMMON_FIELDS | {"summary", *RESEARCH_RESULT_OWN_FIELDS}
TECHNOLOGY_NEED_FIELDS = _LISTING_COMMON_FIELDS | {"description", *TECHNOLOGY_NEED_OWN_FIELDS}
# A listing's content may be edited while it is in one of these states.
EDITABLE_STATUSES = frozenset(
    {ListingStatus.DRAFT, ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED}
)

# Organisation kinds a non-broker may create; the creator becomes a member with this role.
_CREATOR_ROLE: dict[str, str] = {
    OrganizationKind.UNIVERSITY: Role.RESEARCHER,
    OrganizationKind.RESEARCH_INSTITUTE: Role.RESEARCHER,
    OrganizationKind.ASSOCIATION: Role.RESEARCHER,
    OrganizationKind.ENTERPRISE: Role.ENTERPRISE_MEMBER,
}


def _full_clean(instance: Organization | Listing, errors: dict[str, list[str | Promise]]) -> None:
    """Run model validation and raise one `DomainError` with every field message found."""
    exclude = list(errors) or None
    try:
        # Constraints are checked only once the fields and clean() pass, so that a broken rule
        # (e.g. budget min > max) is reported once, on its field, not again as a constraint.
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if not errors:
        try:
            instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise DomainError(INVALID_INPUT, fields=errors)


def _clean_organization_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """An organisation's `data` with its texts stripped, the legal name in Unicode NFKC (so
    full-width or compatibility forms of an existing name meet the uniqueness check), the
    province by its short name (`province_short_name`); a
    `DomainError` per field for invisible or control characters (`validate_visible_text`):
    the one check of organisation texts for the API and the web pages, which both call the
    services."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str | Promise]] = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            try:
                validate_visible_text(value)
            except ValidationError as exc:
                errors[name] = list(exc.messages)
            if name == "legal_name":
                value = unicodedata.normalize("NFKC", value)
            elif name == "province" and value:
                value = province_short_name(value)  # as listings keep it
        cleaned[name] = value
    if errors:
        raise DomainError(INVALID_INPUT, fields=errors)
    return cleaned


def _check_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(
            INVALID_INPUT,
            fields={name: [_("This field cannot be set here.")] for name in unknown},
        )


def _normalize_listing_data(
    data: Mapping[str, Any], errors: dict[str, list[str | Promise]]
) -> dict[str, Any]:
    """Trim strings, normalise IPC symbols (`marketplace.listing_records.ipc_symbols`, as the
    import does) and patent numbers, check mode codes.

    Invalid values are reported in `errors` (field name -> messages) and left out of the result.
    """
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if name in ("ipc", "keywords") and isinstance(value, str):
            value = split_items(value)
        if name == "ipc":
            try:
                value = ipc_symbols(value or [])
            except ValidationError as exc:
                errors.setdefault("ipc", []).extend(exc.messages)
                continue
        elif name == "patent_no" and value:
            try:
                value = normalize_patent_number(value)
            except ValidationError as exc:
                errors.setdefault("patent_no", []).extend(exc.messages)
                continue
        elif name == "province" and value:
            # One name per province ("北京市" and "北京" are one facet): the short name.
            value = province_short_name(value)
        elif name in ("transfer_modes", "cooperation_modes"):
            modes = [str(mode) for mode in (value or [])]
            bad = [mode for mode in modes if mode not in TransferMode.values]
            if bad:
                errors.setdefault(name, []).append(
                    _("Unknown mode: %(modes)s.") % {"modes": ", ".join(bad)}
                )
                continue
            value = list(dict.fromkeys(modes))
        elif name == "keywords":
            value = list(
                dict.fromkeys(str(word).strip() for word in (value or []) if str(word).strip())
            )
        elif value is None and name not in (
            "trl",
            "asking_price_cny",
            "budget_min_cny",
            "budget_max_cny",
            "deadline",
            "source_id",
        ):
            value = ""
        elif name == "source_id" and value == "":
            value = None
        cleaned[name] = value
    return cleaned


def _require_listing_editor(*, listing: Listing, actor: User) -> None:
    if not (roles.is_broker(actor) or roles.is_member(actor, listing.owner_id)):
        raise PermissionDeniedError(
            _("Only members of the owner organisation or brokers can change this listing.")
        )


def _require_owner_member(*, listing: Listing, actor: User) -> None:
    if not roles.is_member(actor, listing.owner_id):
        raise PermissionDeniedError(_("Only members of the owner organisation can do this."))


def _require_broker(actor: User) -> None:
    roles.require_broker(actor, _("Only brokers can review listings."))


def _require_status(listing: Listing, *allowed: str) -> None:
    if listing.status not in allowed:
        raise ConflictError(
            _("This cannot be done while the listing is %(status)s.")
            % {"status": listing.get_status_display()},
            code="invalid_transition",
        )


def _resolve_owner(*, actor: User, owner: Organization | None) -> Organization:
    if owner is None:
        owner = roles.primary_organization(actor)
        if owner is None:
            raise DomainError(
                INVALID_INPUT,
                fields={"owner": [_("You are not a member of any organisation; choose an owner.")]},
            )
    if not (roles.is_broker(actor) or roles.is_member(actor, owner)):
        raise PermissionDeniedError(
            _("You can only create listings for an organisation you are a member of.")
        )
    return owner


def _answer(
    locked: JoinRequest | OrganizationClaim | Invitation,
    *,
    status: str,
    actor: User,
    reason: str | None = None,
) -> None:
    """Save on `locked` (the caller's locked row of a request) its new `status`, who answered
    it and when (the audit trail), and `reason` when given (rows that keep one)."""
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    fields = ["status", "decided_by", "decided_at"]
    if reason is not None:
        if not isinstance(locked, DecidedWithReason):
            raise TypeError(f"{type(locked).__name__} keeps no reason")
        locked.reason = reason
        fields.append("reason")
    locked.save(update_fields=fields)


def record_membership_event(
    organization: Organization, action: str, *, actor: User, user: User | None = None,
    email: str = "", role: str = "",
) -> None:
    """Add a change of `organization`'s members to their audit trail (`MembershipEvent`):
    invitations, joins by invitation, request or claim, role changes, removals."""
    MembershipEvent.objects.create(
        organization=organization, action=action, actor=actor, user=user, email=email, role=role
    )


def _brokers() -> QuerySet[User]:
    """Active users who moderate listings (`roles.brokers`)."""
    return roles.brokers()


DUPLICATE_CREDIT_CODE = _("An organisation with this unified social credit code already exists.")


def _check_credit_code_unique(
    organization: Organization, errors: dict[str, list[str | Promise]]
) -> None:
    """Report a credit code already used by another organisation on the `credit_code` field
    (instead of the model's generic "Constraint ... is violated" on ``__all__``)."""
    code = organization.credit_code
    if not code:
        return
    clash = Organization.objects.filter(credit_code=code).exclude(pk=organization.pk)
    if clash.exists():
        errors.setdefault("credit_code", []).append(DUPLICATE_CREDIT_CODE)


def _save_organization(organization: Organization) -> None:
    """Save, turning a credit-code clash that slipped past the check (a concurrent write) into
    the same field error."""
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:
        if (
            organization.credit_code
            and Organization.objects.filter(credit_code=organization.credit_code)
            .exclude(pk=organization.pk)
            .exists()
        ):
            raise DomainError(
                INVALID_INPUT, fields={"credit_code": [DUPLICATE_CREDIT_CODE]}
            ) from exc
        raise


def _listing_params(listing: Listing) -> dict[str, str | int]:
    """Notification parameters naming a listing (`marketplace.notification_verbs`)."""
    kind = "result" if isinstance(listing, ResearchResult) else "need"
    return {"listing": listing.pk, "kind": kind, "title": listing.title}
