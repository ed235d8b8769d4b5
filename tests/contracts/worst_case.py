"""The longest agreement the limits allow (`contracts.limits`), for the PDF layout test and
`benchmarks/agreement_render.py`.

- `max_length_changes(agreement, text)`: terms for `agreement_version_create` with every free
  text at its maximum length, made by `text(n)` (e.g. `unbreakable`), and every identifier,
  date and amount valid, so that the registration check finds no blocking error and the
  agreement can be approved, signed and sealed.
- `worst_case_context(text)`: the PDF template context of such an agreement for the clause
  template with the most clauses, with the longest schedule and the longest audit trail the
  limits allow (`AUDIT_ROWS_MAX`), in the shape of `contracts.selectors.agreement_pdf_context`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from contracts.clauses import TEMPLATES
from contracts.limits import (
    PARTY_FIELD_MAX_LENGTH,
    PATENT_FIELD_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    SCHEDULE_MAX_ENTRIES,
    SCHEDULE_NOTE_MAX_LENGTH,
    TYPED_NAME_MAX_LENGTH,
    clause_max_length,
)
from tests.contracts import support
from tests.contracts.samples import SAMPLE_SHA256, agreement_context

#: Letters and digits (a string of them has no line-break opportunity).
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
#: Usernames are at most 150 characters (Django's User.username).
USERNAME_MAX_LENGTH = 150
#: User agents are stored up to 500 characters; the certificate prints the first 80.
USER_AGENT_LENGTH = 500
#: Audit rows printed for the longest history (`agreement_pdf_context` prints the creation and
#: the signed version's events): creation, the edit that made the version, two approvals, two
#: signatures, the platform fee, and a recorded check after each of these (a check is recorded
#: again only after another event).
AUDIT_ROWS_MAX = 14


def unbreakable(length: int, offset: int = 0) -> str:
    """`length` letters and digits with no break opportunity at all."""
    return "".join(ALPHABET[(offset + i) % len(ALPHABET)] for i in range(length))


def chinese(length: int, offset: int = 0) -> str:
    """`length` Chinese characters and full-width commas (ordinary contract prose)."""
    prose = "甲乙双方就本合同项下技术成果的转让、许可、实施及收益分配等事项协商一致，订立本条款，"
    return "".join(prose[(offset + i) % len(prose)] for i in range(length))


Text = Callable[[int], str]


def max_length_changes(agreement: Any, text: Text = unbreakable) -> dict[str, Any]:
    """Every field of `agreement`'s terms at its maximum length (see the module docstring).
    Party B keeps its legal name (the patentee is compared with it only to warn)."""
    changes = support.complete_changes(agreement)
    for party in ("a", "b"):
        fields = changes["parties"][party]
        for key in ("legal_name", "address", "representative", "contact"):
            fields[key] = text(PARTY_FIELD_MAX_LENGTH[key])
    changes["parties"]["a"]["legal_name"] = "A" + text(PARTY_FIELD_MAX_LENGTH["legal_name"] - 1)
    changes["parties"]["b"]["legal_name"] = "B" + text(PARTY_FIELD_MAX_LENGTH["legal_name"] - 1)
    changes["clauses"] = {
        key: text(clause_max_length(key)) for key in agreement.latest_version().clauses
    }
    changes["patent"]["invention_name"] = text(PATENT_FIELD_MAX_LENGTH["invention_name"])
    changes["patent"]["patentee"] = text(PATENT_FIELD_MAX_LENGTH["patentee"])
    amount = Decimal("12500.00")
    changes["payment"] = {
        "method": "instalments",
        "total_cny": str(amount * SCHEDULE_MAX_ENTRIES),
        "technology_amount_cny": str(amount * SCHEDULE_MAX_ENTRIES),
        "schedule": [
            {
                "due_date": f"2030-{(index % 12) + 1:02d}-28",
                "amount_cny": str(amount),
                "note": text(SCHEDULE_NOTE_MAX_LENGTH),
            }
            for index in range(SCHEDULE_MAX_ENTRIES)
        ],
    }
    changes["validity"]["place"] = text(PLACE_MAX_LENGTH)
    return changes


def _longest_template() -> Any:
    return max(TEMPLATES.values(), key=lambda template: len(template.clauses))


def worst_case_context(text: Text = unbreakable) -> dict[str, Any]:
    """The agreement PDF context of the longest allowed agreement (module docstring)."""
    context = agreement_context()
    agreement = context["agreement"]
    template = _longest_template()
    agreement["title"] = f"《{text(clause_max_length('project_name'))}》{template.title_zh}"
    agreement["project_name"] = text(clause_max_length("project_name"))
    for party in agreement["parties"]:
        party.update(
            name=text(PARTY_FIELD_MAX_LENGTH["legal_name"]),
            credit_code="91110108MA01ABCDEN",
            address=text(PARTY_FIELD_MAX_LENGTH["address"]),
            region="110108 海淀区",
            representative=text(PARTY_FIELD_MAX_LENGTH["representative"]),
            contact=text(PARTY_FIELD_MAX_LENGTH["contact"]),
        )
    agreement["patent"] = {
        "invention_name": text(PATENT_FIELD_MAX_LENGTH["invention_name"]),
        "patentee": text(PATENT_FIELD_MAX_LENGTH["patentee"]),
        "application_date": dt.date(2021, 5, 20),
        "application_number": "202110551234.5",
        "patent_number": "ZL202110551234.5",
        "term": "至 2041-05-19",
    }
    agreement["place"] = text(PLACE_MAX_LENGTH)
    agreement["payment_schedule"] = [
        {
            "label": f"第{index}期",
            "due_date": dt.date(2030, (index % 12) + 1, 28),
            "amount_cny": Decimal("999999999.99"),
            "condition": text(SCHEDULE_NOTE_MAX_LENGTH),
        }
        for index in range(1, SCHEDULE_MAX_ENTRIES + 1)
    ]
    context["clauses"] = [
        (clause.title_zh, text(clause_max_length(clause.key))) for clause in template.clauses
    ]
    for signer in context["signers"]:
        signer.update(
            name=text(USERNAME_MAX_LENGTH),
            typed_name=text(TYPED_NAME_MAX_LENGTH),
            organization=text(PARTY_FIELD_MAX_LENGTH["legal_name"]),
        )
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    context["audit"] = [
        {
            "at": start + dt.timedelta(minutes=index),
            "event": "修改",
            "actor": text(USERNAME_MAX_LENGTH),
            "ip_address": "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
            "user_agent": "Mozilla/5.0" + unbreakable(USER_AGENT_LENGTH - 11),
            "document_sha256": SAMPLE_SHA256,
        }
        for index in range(AUDIT_ROWS_MAX)
    ]
    return context
