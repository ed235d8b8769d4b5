"""Agreement reads (selectors), with visibility applied for the viewer:

- `agreements`: lists, one agreement (404 when hidden), versions and their notes and diffs,
  events, signatures; what a user may do (`parties_of`, `next_signature_for`, `is_turn`).
- `display`: term keys and codes for people (web pages), in Chinese or English.
- `pdf`: the context of the PDF template (`agreement_pdf_context`, and of the signing preview
  `agreement_preview_context`) and the parties' roles.
"""

from contracts.selectors.agreements import (
    agreement_events,
    agreement_for_match_request,
    agreement_get,
    agreement_list,
    agreement_signatures,
    agreement_version_diff,
    agreement_version_get,
    agreement_version_notes,
    agreement_versions,
    has_signed_an_agreement,
    is_turn,
    next_signature_for,
    parties_of,
)
from contracts.selectors.display import (
    TERM_KEY_LABELS,
    signing_order_display,
    term_line_display,
)
from contracts.selectors.pdf import (
    agreement_pdf_context,
    agreement_preview_context,
    party_roles_zh,
)

__all__ = [
    "TERM_KEY_LABELS",
    "agreement_events",
    "agreement_for_match_request",
    "agreement_get",
    "agreement_list",
    "agreement_pdf_context",
    "agreement_preview_context",
    "agreement_signatures",
    "agreement_version_diff",
    "agreement_version_get",
    "agreement_version_notes",
    "agreement_versions",
    "has_signed_an_agreement",
    "is_turn",
    "next_signature_for",
    "parties_of",
    "party_roles_zh",
    "signing_order_display",
    "term_line_display",
]
