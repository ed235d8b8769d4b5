"""Agreement services (writes), one module a step:

- `content`: validation and cleaning of a version's terms (400 per field).
- `drafting`: an agreement (version 1) from an ACCEPTED match request.
- `amendments`: new versions of a draft, reopening an approved agreement, amending a signed one.
- `approval`: both parties approve the latest version, which freezes it; the registration check.
- `preview`: the signing preview, the exact PDF a signer approves by its SHA-256 (rendered
  once per frozen version); the sealed PDF's first revision.
- `signing`: click-to-sign with password, the typed name on record and the preview's hash; the
  fully-signed hook.
- `sealing`: the SIGNED → sealed step after commit (worker `manage.py seal_agreements`), and
  the download of the sealed PDF.
- `audit`: `ClientInfo` and `agreement_event_record`, the one writer of the audit trail.
- `guards`: the checks the steps share (what a row lock reads, the actor's parties, whether
  the terms may change, a failed registration check); `notifying`: notifying the parties.

Every text is limited to its length in `contracts.limits`, so that the longest allowed agreement
renders quickly. Every event is recorded (`AgreementEvent`): created, edited, approved,
reopened, checked, signed, sealed, downloaded, verified, amended — with actor, UTC time, IP
address, user agent, document hash.

Errors: `DomainError` (400, per field), `PermissionDeniedError` (403), `ConflictError` (409),
`Http404` for a PDF that does not exist yet. Callers load agreements through
`contracts.selectors.agreement_get`, so invisible agreements are 404 before any service runs.
Callers use `from contracts import services` and `services.agreement_sign(...)`.
"""

from contracts.services.amendments import (
    agreement_amend,
    agreement_reopen,
    agreement_version_create,
)
from contracts.services.approval import agreement_approve, agreement_check
from contracts.services.audit import ClientInfo, agreement_event_record, client_info
from contracts.services.content import PARTY_FIELDS
from contracts.services.drafting import agreement_create_from_match_request, infer_contract_type
from contracts.services.preview import agreement_preview, preview_sha256
from contracts.services.sealing import agreement_pdf_download
from contracts.services.signing import agreement_on_fully_signed, agreement_sign

__all__ = [
    "PARTY_FIELDS",
    "ClientInfo",
    "agreement_amend",
    "agreement_approve",
    "agreement_check",
    "agreement_create_from_match_request",
    "agreement_event_record",
    "agreement_on_fully_signed",
    "agreement_pdf_download",
    "agreement_preview",
    "agreement_reopen",
    "agreement_sign",
    "agreement_version_create",
    "client_info",
    "infer_contract_type",
    "preview_sha256",
]
