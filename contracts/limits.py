"""Length limits of an agreement's terms and history.

The agreement PDF (`templates/contracts/pdf/agreement.html`) prints every term and, on its
certificate page, the whole audit trail up to the seal. These limits bound that document: the
longest allowed agreement — every field at its maximum, made of unbreakable strings, the longest
clause template (13 clauses), the most instalments and versions — renders in under 5 s.
`benchmarks/agreement_render.py` measures it next to a typical agreement.

Lengths are in characters (Unicode code points) after stripping surrounding whitespace; the
services refuse longer values with 400 per field (`contracts.services`), the web form sets the
same `max_length`.
"""

from __future__ import annotations

#: One clause's text (about three A4 pages of Chinese).
CLAUSE_MAX_LENGTH = 4000

#: Party particulars (`AgreementVersion.parties["a"|"b"]`). Legal name and address match
#: `marketplace.models.Organization`, whose values are copied into a new draft.
PARTY_FIELD_MAX_LENGTH: dict[str, int] = {
    "legal_name": 200,
    "credit_code": 32,
    "address": 300,
    "region_code": 12,
    "representative": 100,
    "contact": 200,
}

#: Patent particulars (`AgreementVersion.patent`); dates are ISO YYYY-MM-DD.
PATENT_FIELD_MAX_LENGTH: dict[str, int] = {
    "invention_name": 300,
    "patentee": 200,
    "application_date": 10,
    "application_no": 32,
    "patent_no": 32,
    "valid_until": 10,
}

#: Instalments of the payment schedule, and the condition text of each.
SCHEDULE_MAX_ENTRIES = 24
SCHEDULE_NOTE_MAX_LENGTH = 200

#: Place of signing (`validity.place`).
PLACE_MAX_LENGTH = 200

#: Change note of a version, and the reason given when reopening an approved agreement.
NOTE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 500

#: The name a signer types.
TYPED_NAME_MAX_LENGTH = 100

#: Versions of one agreement (edits and reopenings each add one). Bounds the audit trail that
#: the certificate page prints: at most two approvals per version, and repeated registration
#: checks of an unchanged version are recorded once.
VERSIONS_MAX = 60

#: Default length of any other short text.
SHORT_TEXT_MAX_LENGTH = 200
