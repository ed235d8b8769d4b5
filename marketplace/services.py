"""Writes of the listings domain: organisations, research results, technology needs and their
moderation workflow.

Every service checks permissions (via `marketplace.roles`), normalises and validates its input
(`full_clean()`, so model and field validators run), writes inside `transaction.atomic` and
defers side effects (e-mail) to `transaction.on_commit`.

Errors:
- `DomainError` (HTTP 400) with per-field messages in `fields` for invalid input;
- `PermissionDeniedError` (403) when the actor may not do this;
- `ConflictError` (409) for a transition the listing's current status does not allow.

Listing workflow (status codes of `marketplace.choices.ListingStatus`)::

    draft --submit--> pending_review --approve (broker)--> published --archive--> archived
      ^                     |                                  |  \\--renew (owner): renewed_at=now
      +----reject (broker, reason)                             +--close (need owner)--> closed

A published listing stays in search until `renewed_at + LISTING_RENEWAL_DAYS` (and, for a need,
until its deadline): see `Listing.expires_at`.

Edits of published listings: what the public sees has been reviewed. When a member of the owner
organisation who is not a broker changes a published listing's public content (any field but
`confidential_details`, which only owners and brokers see), the listing goes back to
pending_review -- out of search until a broker approves it again -- and the brokers are notified
(verb ``listing_changed``). A broker's own edits keep the status (the broker is the reviewer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.cells import split_items
from marketplace import roles
from marketplace.choices import ListingStatus, OrganizationKind, Role, TransferMode
from marketplace.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.listing_records import ipc_symbols
from marketplace.locking import lock_row
from marketplace.models import (
    Listing,
    Membership,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.notifications import notify
from marketplace.selectors import organization_members
from marketplace.validators import normalize_patent_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ListingT = TypeVar("ListingT", ResearchResult, TechnologyNeed)

INVALID_INPUT = _("Some fields are not valid.")

ORGANIZATION_FIELDS = frozenset(
    {
        "kind",
        "legal_name",
        "name_en",
        "credit_code",
        "province",
        "city",
        "region_code",
        "address",
        "website",
        "contact_email",
        "contact_phone",
    }
)
_LISTING_COMMON_FIELDS = frozenset(
    {
        "source_id",
        "title",
        "title_en",
        "field",
        "keywords",
        "ipc",
        "trl",
        "province",
        "city",
        "region_code",
        "confidential_details",
        "source_url",
        "source_date",
    }
)
RESEARCH_RESULT_FIELDS = _LISTING_COMMON_FIELDS | {
    "summary",
    "stage",
    "ip_type",
    "patent_no",
    "transfer_modes",
    "asking_price_cny",
}
TECHNOLOGY_NEED_FIELDS = _LISTING_COMMON_FIELDS | {
    "description",
    "cooperation_modes",
    "budget_min_cny",
    "budget_max_cny",
    "deadline",
}
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


# --- helpers ---------------------------------------------------------------------------------


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
        raise PermissionDeniedError(
            _("Only members of the owner organisation can do this.")
        )


def _require_broker(actor: User) -> None:
    if not roles.is_broker(actor):
        raise PermissionDeniedError(_("Only brokers can review listings."))


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


def _brokers() -> QuerySet[User]:
    """Active users who moderate listings (`roles.is_broker`): broker or admin members, staff
    and superusers."""
    return (
        get_user_model()
        .objects.filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(memberships__role__in=[Role.BROKER, Role.ADMIN])
        )
        .filter(is_active=True)
        .distinct()
    )


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
        if organization.credit_code and Organization.objects.filter(
            credit_code=organization.credit_code
        ).exclude(pk=organization.pk).exists():
            raise DomainError(
                INVALID_INPUT, fields={"credit_code": [DUPLICATE_CREDIT_CODE]}
            ) from exc
        raise


def _listing_params(listing: Listing) -> dict[str, str | int]:
    """Notification parameters naming a listing (`marketplace.notification_verbs`)."""
    kind = "result" if isinstance(listing, ResearchResult) else "need"
    return {"listing": listing.pk, "kind": kind, "title": listing.title}


# --- organisations ---------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, actor: User, data: Mapping[str, Any]) -> Organization:
    """Create an organisation from `data` (keys: `ORGANIZATION_FIELDS`; `kind` and
    `legal_name` required).

    Any signed-in user may create a university, research institute, association or enterprise
    and becomes its member (researcher, or enterprise member for an enterprise). Only brokers
    create transfer centres; a broker creating an organisation does not become its member.
    `verified` is never set here (see `organization_verify`). A `credit_code` already used by
    another organisation is a `DomainError` on `credit_code`.
    """
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to create an organisation."))
    _check_unknown(data, ORGANIZATION_FIELDS)
    is_broker = roles.is_broker(actor)
    kind = data.get("kind", "")
    if not is_broker and kind == OrganizationKind.TRANSFER_CENTRE:
        raise PermissionDeniedError(_("Only brokers can register a transfer centre."))
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    organization = Organization(**cleaned)
    errors: dict[str, list[str | Promise]] = {}
    _check_credit_code_unique(organization, errors)
    _full_clean(organization, errors)
    _save_organization(organization)
    if not is_broker:
        Membership.objects.create(
            user=actor, organization=organization, role=_CREATOR_ROLE.get(kind, Role.RESEARCHER)
        )
        for attr in ("_keqiao_roles", "_keqiao_org_ids"):
            actor.__dict__.pop(attr, None)
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: User, data: Mapping[str, Any]
) -> Organization:
    """Change an organisation's details (members of it or brokers).

    `data` keys: `ORGANIZATION_FIELDS`; only brokers may change `kind`. Raises
    `PermissionDeniedError` or `DomainError` (per-field messages; a `credit_code` used by another
    organisation is an error on `credit_code`).
    """
    is_broker = roles.is_broker(actor)
    if not (is_broker or roles.is_member(actor, organization)):
        raise PermissionDeniedError(
            _("Only members of this organisation or brokers can change it.")
        )
    _check_unknown(data, ORGANIZATION_FIELDS)
    if "kind" in data and data["kind"] != organization.kind and not is_broker:
        raise PermissionDeniedError(_("Only brokers can change the type of an organisation."))
    for name, value in data.items():
        setattr(organization, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str | Promise]] = {}
    _check_credit_code_unique(organization, errors)
    _full_clean(organization, errors)
    _save_organization(organization)
    return organization


@transaction.atomic
def organization_verify(
    *, organization: Organization, actor: User, verified: bool = True
) -> Organization:
    """Set or clear the `verified` badge (brokers and admins only)."""
    if not roles.is_broker(actor):
        raise PermissionDeniedError(_("Only brokers can verify organisations."))
    organization.verified = verified
    organization.save(update_fields=["verified"])
    return organization


# --- listings: content -----------------------------------------------------------------------


def _listing_create(
    model: type[ListingT],
    allowed: frozenset[str],
    *,
    actor: User,
    owner: Organization | None,
    data: Mapping[str, Any],
) -> ListingT:
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to create a listing."))
    _check_unknown(data, allowed)
    resolved_owner = _resolve_owner(actor=actor, owner=owner)
    errors: dict[str, list[str | Promise]] = {}
    cleaned = _normalize_listing_data(data, errors)
    listing = model(**cleaned, owner=resolved_owner, created_by=actor,
                    status=ListingStatus.DRAFT)
    _full_clean(listing, errors)
    listing.save()
    return listing


# Fields only owner members and brokers see: changing them does not need a new review.
PRIVATE_LISTING_FIELDS = frozenset({"confidential_details"})


def _listing_update(
    listing: ListingT, allowed: frozenset[str], *, actor: User, data: Mapping[str, Any]
) -> ListingT:
    _require_listing_editor(listing=listing, actor=actor)
    _check_unknown(data, allowed)
    listing = lock_row(listing)
    _require_status(listing, *EDITABLE_STATUSES)
    errors: dict[str, list[str | Promise]] = {}
    cleaned = _normalize_listing_data(data, errors)
    public = [name for name in cleaned if name not in PRIVATE_LISTING_FIELDS]
    before = {name: getattr(listing, name) for name in public}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    _full_clean(listing, errors)  # also converts the values to their Python types
    changed = [name for name in public if getattr(listing, name) != before[name]]
    needs_review = (
        listing.status == ListingStatus.PUBLISHED and bool(changed) and not roles.is_broker(actor)
    )
    if needs_review:
        listing.status = ListingStatus.PENDING_REVIEW
    listing.save()
    if needs_review:
        notify(users=_brokers(), verb="listing_changed", params=_listing_params(listing))
    return listing


@transaction.atomic
def research_result_create(
    *, actor: User, data: Mapping[str, Any], owner: Organization | None = None
) -> ResearchResult:
    """Create a draft research result.

    `data` keys: `RESEARCH_RESULT_FIELDS` (`title` required; `asking_price_cny` a Decimal CNY;
    `ipc` a list of IPC symbols and `patent_no` a CNIPA number, both normalised; `trl` 1-9,
    GB/T 22900). `owner` defaults to the actor's primary organisation; a non-broker must be a
    member of it. Raises `DomainError` (fields) or `PermissionDeniedError`.
    """
    return _listing_create(
        ResearchResult, RESEARCH_RESULT_FIELDS, actor=actor, owner=owner, data=data
    )


@transaction.atomic
def research_result_update(
    *, research_result: ResearchResult, actor: User, data: Mapping[str, Any]
) -> ResearchResult:
    """Change a research result's content (owner members or brokers), in draft, pending review
    or published state; archived results are read-only (`ConflictError`).

    When an owner member who is not a broker changes the public content of a published result
    (any field but `confidential_details`), it goes back to pending_review (out of search until
    a broker approves it again) and the brokers are notified; brokers' edits keep the status.
    `data` keys: `RESEARCH_RESULT_FIELDS`."""
    return _listing_update(research_result, RESEARCH_RESULT_FIELDS, actor=actor, data=data)


@transaction.atomic
def technology_need_create(
    *, actor: User, data: Mapping[str, Any], owner: Organization | None = None
) -> TechnologyNeed:
    """Create a draft technology need.

    `data` keys: `TECHNOLOGY_NEED_FIELDS` (`title` required; budgets Decimal CNY with
    min <= max; `deadline` a date). Same owner and error rules as `research_result_create`.
    """
    return _listing_create(
        TechnologyNeed, TECHNOLOGY_NEED_FIELDS, actor=actor, owner=owner, data=data
    )


@transaction.atomic
def technology_need_update(
    *, technology_need: TechnologyNeed, actor: User, data: Mapping[str, Any]
) -> TechnologyNeed:
    """Change a technology need's content (owner members or brokers); archived and closed
    needs are read-only (`ConflictError`).

    Same review rule as `research_result_update`: an owner member's (non-broker's) change to
    the public content of a published need sends it back to pending_review and notifies the
    brokers; brokers' edits keep the status. `data` keys: `TECHNOLOGY_NEED_FIELDS`."""
    return _listing_update(technology_need, TECHNOLOGY_NEED_FIELDS, actor=actor, data=data)


# --- listings: workflow ----------------------------------------------------------------------


@transaction.atomic
def listing_submit(*, listing: ListingT, actor: User) -> ListingT:
    """Send a draft for review: draft -> pending_review (owner members or brokers).

    Only complete listings can be submitted (`Listing.missing_for_submission`); otherwise a
    `DomainError` lists each missing field. Clears an earlier rejection reason.
    """
    _require_listing_editor(listing=listing, actor=actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.DRAFT)
    missing = listing.missing_for_submission()
    if missing:
        raise DomainError(
            _("Complete the listing before submitting it for review."),
            code="incomplete",
            fields={name: [_("This field is required before submission.")] for name in missing},
        )
    listing.status = ListingStatus.PENDING_REVIEW
    listing.rejection_reason = ""
    listing.save(update_fields=["status", "rejection_reason", "updated_at"])
    return listing


@transaction.atomic
def listing_approve(*, listing: ListingT, actor: User) -> ListingT:
    """Publish a listing after review: pending_review -> published (brokers only).

    Sets `published_at` and `renewed_at` to now (UTC), records the reviewer, and notifies the
    owner organisation's members (in-app and e-mail on commit).
    """
    _require_broker(actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PENDING_REVIEW)
    now = timezone.now()
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = now
    listing.renewed_at = now
    listing.reviewed_by = actor
    listing.reviewed_at = now
    listing.rejection_reason = ""
    listing.save()
    notify(
        users=organization_members(listing.owner_id),
        verb="listing_approved",
        params=_listing_params(listing),
    )
    return listing


@transaction.atomic
def listing_reject(*, listing: ListingT, actor: User, reason: str) -> ListingT:
    """Send a listing back to its owner: pending_review -> draft (brokers only).

    `reason` is required (stored in `rejection_reason`, shown to the owner) and the owner
    organisation's members are notified.
    """
    _require_broker(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give a reason for the rejection."),
            code="reason_required",
            fields={"reason": [_("Give a reason for the rejection.")]},
        )
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PENDING_REVIEW)
    listing.status = ListingStatus.DRAFT
    listing.rejection_reason = reason
    listing.reviewed_by = actor
    listing.reviewed_at = timezone.now()
    listing.save()
    notify(
        users=organization_members(listing.owner_id),
        verb="listing_rejected",
        params={**_listing_params(listing), "reason": reason},
    )
    return listing


@transaction.atomic
def listing_archive(*, listing: ListingT, actor: User) -> ListingT:
    """Take a listing off the market: published -> archived (owner members or brokers)."""
    _require_listing_editor(listing=listing, actor=actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PUBLISHED)
    listing.status = ListingStatus.ARCHIVED
    listing.save(update_fields=["status", "updated_at"])
    return listing


@transaction.atomic
def need_close(*, need: TechnologyNeed, actor: User) -> TechnologyNeed:
    """Mark a need as solved or withdrawn: published -> closed (members of the owner only)."""
    _require_owner_member(listing=need, actor=actor)
    need = lock_row(need)
    _require_status(need, ListingStatus.PUBLISHED)
    need.status = ListingStatus.CLOSED
    need.save(update_fields=["status", "updated_at"])
    return need


@transaction.atomic
def listing_renew(*, listing: ListingT, actor: User) -> ListingT:
    """Keep a published listing in search for another `LISTING_RENEWAL_DAYS` (365) days from
    now: sets `renewed_at` to now, UTC (members of the owner only). A need still leaves search at
    its deadline."""
    _require_owner_member(listing=listing, actor=actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PUBLISHED)
    listing.renewed_at = timezone.now()
    listing.save(update_fields=["renewed_at", "updated_at"])
    return listing
