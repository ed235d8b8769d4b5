"""Length limits of an agreement's terms and history.

The agreement PDF (`templates/contracts/pdf/agreement.html`) prints every term and, on its
certificate page, the whole audit trail up to the seal. These limits bound that document: the
longest allowed agreement — every field at its maximum, made of unbreakable strings, the longest
clause template (13 clauses), the most instalments — renders in under 5 s. The audit trail it
prints is bounded by `contracts.selectors.agreement_pdf_context` (the signed version's history),
whatever the number of drafts.
`benchmarks/agreement_render.py` measures it next to a typical agreement.

Lengths are in characters (Unicode code points) after stripping surrounding whitespace; the
services refuse longer values with 400 per field (`contracts.services`), the web form sets the
same `max_length`.
"""

from __future__ import annotations

#: One clause's text (about two A4 pages of Chinese).
CLAUSE_MAX_LENGTH = 3000
#: Clauses with a shorter limit: the project name is also the document's title and running
#: page header.
CLAUSE_MAX_LENGTH_BY_KEY: dict[str, int] = {"project_name": 200}


def clause_max_length(key: str) -> int:
    """The length limit of the clause `key` (characters)."""
    return CLAUSE_MAX_LENGTH_BY_KEY.get(key, CLAUSE_MAX_LENGTH)


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

#: Default length of any other short text.
SHORT_TEXT_MAX_LENGTH = 200
