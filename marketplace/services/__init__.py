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
(verb ``listing.changed``). A broker's own edits keep the status (the broker is the reviewer).
"""

from __future__ import annotations

from marketplace.services.claims import claim_approve, claim_create, claim_reject
from marketplace.services.common import (
    DUPLICATE_CREDIT_CODE,
    EDITABLE_STATUSES,
    INVALID_INPUT,
    ORGANIZATION_FIELDS,
    RESEARCH_RESULT_FIELDS,
    TECHNOLOGY_NEED_FIELDS,
)
from marketplace.services.joining import (
    join_request_approve,
    join_request_create,
    join_request_reject,
)
from marketplace.services.listings import (
    research_result_create,
    research_result_update,
    technology_need_create,
    technology_need_update,
)
from marketplace.services.members import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    member_remove,
    member_set_role,
)
from marketplace.services.organizations import (
    organization_create,
    organization_evidence_add,
    organization_reject,
    organization_update,
    organization_verify,
)
from marketplace.services.workflow import (
    listing_approve,
    listing_archive,
    listing_reject,
    listing_renew,
    listing_submit,
    need_close,
)

__all__ = [
    "DUPLICATE_CREDIT_CODE",
    "EDITABLE_STATUSES",
    "INVALID_INPUT",
    "ORGANIZATION_FIELDS",
    "RESEARCH_RESULT_FIELDS",
    "TECHNOLOGY_NEED_FIELDS",
    "claim_approve",
    "claim_create",
    "claim_reject",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "join_request_approve",
    "join_request_create",
    "join_request_reject",
    "listing_approve",
    "listing_archive",
    "listing_reject",
    "listing_renew",
    "listing_submit",
    "member_remove",
    "member_set_role",
    "need_close",
    "organization_create",
    "organization_evidence_add",
    "organization_reject",
    "organization_update",
    "organization_verify",
    "research_result_create",
    "research_result_update",
    "technology_need_create",
    "technology_need_update",
]
