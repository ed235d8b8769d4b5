"""Writes of organisations: create, update, verify (brokers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError
from marketplace import roles
from marketplace.choices import OrganizationKind, Role
from marketplace.models import (
    Membership,
    Organization,
)
from marketplace.services.common import (
    _CREATOR_ROLE,
    ORGANIZATION_FIELDS,
    _check_credit_code_unique,
    _check_unknown,
    _full_clean,
    _save_organization,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
