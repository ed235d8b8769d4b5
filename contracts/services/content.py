"""Validation and cleaning of an agreement version's content (the terms' JSON sections).

`apply_changes` merges a change set into a version's content, section by section, and refuses
bad input with 400 per field (`DomainError` with the field path, e.g. ``payment.total_cny``):
unknown sections or keys, text longer than its limit in `contracts.limits`, invisible or
direction-changing characters (`kernel.invisible_text`: what is signed must be what the
parties see), bad dates (YYYY-MM-DD), amounts (CNY, at most 2 decimal places) and percentages,
identifiers (`contracts.identifiers`). `clean_str` cleans one text value.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contracts.choices import PaymentMethod, RoyaltyBase, SigningMode
from contracts.clauses import PATENT_FIELDS, template_for
from contracts.identifiers import clean_party_region_code, clean_patent_number
from contracts.limits import (
    PARTY_FIELD_MAX_LENGTH,
    PATENT_FIELD_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    SCHEDULE_MAX_ENTRIES,
    SCHEDULE_NOTE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    clause_max_length,
)
from contracts.models import Agreement, AgreementVersion
from kernel.errors import field_error
from kernel.invisible_text import invisible_characters
from kernel.money import CENT, parse_amount

PARTY_FIELDS = ("legal_name", "credit_code", "address", "region_code", "representative", "contact")
PAYMENT_KEYS = ("method", "total_cny", "technology_amount_cny", "schedule", "royalty")
VALIDITY_KEYS = ("valid_from", "valid_until", "place")


def clean_str(value: Any, path: str, *, max_length: int = SHORT_TEXT_MAX_LENGTH) -> str:
    """`value` as stripped text ("" for None); 400 at `path` for a non-text value, more than
    `max_length` characters, or invisible/direction-changing characters."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
        raise field_error(path, _("Enter text."))
    text = str(value).strip()
    if len(text) > max_length:
        raise field_error(
            path, _("Enter at most %(max)d characters.") % {"max": max_length}
        )
    hidden = invisible_characters(text)
    if hidden:  # what is signed must be what the parties see (kernel.invisible_text)
        raise field_error(
            path,
            _("Remove the invisible or direction-changing characters (%(codes)s).")
            % {"codes": ", ".join(hidden)},
        )
    return text


def _clean_date(value: Any, path: str) -> str:
    text = clean_str(value, path)
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise field_error(path, _("Enter a date as YYYY-MM-DD.")) from None


def _clean_amount(value: Any, path: str) -> str:
    """A CNY amount as a string with 2 places ("" when empty), read by `kernel.money` ("50万",
    "1,200,000.50" and full-width digits too). Negative, non-numeric, too large or more than 2
    decimal places are 400."""
    try:
        amount = parse_amount(value, places=None)
    except ValidationError as exc:
        raise field_error(path, exc.messages[0]) from None
    if amount is None:
        return ""
    if amount != amount.quantize(CENT):
        raise field_error(path, _("Enter at most 2 decimal places."))
    return str(amount.quantize(CENT))


def _clean_percent(value: Any, path: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise field_error(path, _("Enter a percentage, e.g. 5 or 2.5.")) from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise field_error(path, _("Enter a percentage between 0 and 100."))
    return str(rate.quantize(Decimal("0.0001")).normalize())


def _require_dict(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise field_error(path, _("Expected an object."))
    return value


def _reject_unknown(data: dict[str, Any], allowed: Iterable[str], path: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise field_error(
            f"{path}.{unknown[0]}", _("Unknown item: %(name)s.") % {"name": unknown[0]}
        )


def _merge_parties(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "parties")
    _reject_unknown(changes, ("a", "b"), "parties")
    merged = {party: dict(current.get(party) or {}) for party in ("a", "b")}
    for party, data in changes.items():
        data = _require_dict(data, f"parties.{party}")
        _reject_unknown(data, PARTY_FIELDS, f"parties.{party}")
        for key, value in data.items():
            path = f"parties.{party}.{key}"
            merged[party][key] = clean_str(value, path, max_length=PARTY_FIELD_MAX_LENGTH[key])
            if key == "region_code":
                merged[party][key] = clean_party_region_code(merged[party][key], path=path)
    return merged


def _merge_clauses(agreement: Agreement, current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "clauses")
    template = template_for(agreement.contract_type, agreement.subtype)
    _reject_unknown(changes, template.clause_keys, "clauses")
    merged = dict(current)
    for key, value in changes.items():
        merged[key] = clean_str(value, f"clauses.{key}", max_length=clause_max_length(key))
    return merged


def _merge_patent(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "patent")
    kinds = {f.key: f.kind for f in PATENT_FIELDS}
    _reject_unknown(changes, kinds, "patent")
    merged = dict(current)
    for key, value in changes.items():
        path = f"patent.{key}"
        merged[key] = (
            _clean_date(value, path)
            if kinds[key] == "date"
            else clean_str(value, path, max_length=PATENT_FIELD_MAX_LENGTH[key])
        )
        merged[key] = clean_patent_number(key, merged[key], path=path)
    return merged


def _clean_schedule(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise field_error("payment.schedule", _("Expected a list of instalments."))
    if len(value) > SCHEDULE_MAX_ENTRIES:
        raise field_error(
            "payment.schedule",
            _("At most %(max)d instalments.") % {"max": SCHEDULE_MAX_ENTRIES},
        )
    schedule = []
    for index, entry in enumerate(value, start=1):
        path = f"payment.schedule.{index}"
        entry = _require_dict(entry, path)
        _reject_unknown(entry, ("due_date", "amount_cny", "note"), path)
        schedule.append(
            {
                "due_date": _clean_date(entry.get("due_date"), f"{path}.due_date"),
                "amount_cny": _clean_amount(entry.get("amount_cny"), f"{path}.amount_cny"),
                "note": clean_str(
                    entry.get("note"), f"{path}.note", max_length=SCHEDULE_NOTE_MAX_LENGTH
                ),
            }
        )
    return schedule


def _merge_payment(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "payment")
    _reject_unknown(changes, PAYMENT_KEYS, "payment")
    merged = dict(current)
    if "method" in changes:
        if changes["method"] not in PaymentMethod.values:
            raise field_error("payment.method", _("Choose a valid payment method."))
        merged["method"] = changes["method"]
    for key in ("total_cny", "technology_amount_cny"):
        if key in changes:
            merged[key] = _clean_amount(changes[key], f"payment.{key}")
    if "schedule" in changes:
        merged["schedule"] = _clean_schedule(changes["schedule"])
    if "royalty" in changes:
        royalty = _require_dict(changes["royalty"] or {}, "payment.royalty")
        _reject_unknown(royalty, ("base", "rate_percent", "entry_fee_cny"), "payment.royalty")
        cleaned = dict(merged.get("royalty") or {})
        if "base" in royalty:
            if royalty["base"] not in ("", None, *RoyaltyBase.values):
                raise field_error("payment.royalty.base", _("Choose a valid royalty base."))
            cleaned["base"] = royalty["base"] or ""
        if "rate_percent" in royalty:
            cleaned["rate_percent"] = _clean_percent(
                royalty["rate_percent"], "payment.royalty.rate_percent"
            )
        if "entry_fee_cny" in royalty:
            cleaned["entry_fee_cny"] = _clean_amount(
                royalty["entry_fee_cny"], "payment.royalty.entry_fee_cny"
            )
        merged["royalty"] = cleaned
    return merged


def _merge_validity(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "validity")
    _reject_unknown(changes, VALIDITY_KEYS, "validity")
    merged = dict(current)
    for key in ("valid_from", "valid_until"):
        if key in changes:
            merged[key] = _clean_date(changes[key], f"validity.{key}")
    if "place" in changes:
        merged["place"] = clean_str(
            changes["place"], "validity.place", max_length=PLACE_MAX_LENGTH
        )
    return merged


def _merge_signing(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "signing")
    _reject_unknown(changes, ("mode", "order"), "signing")
    merged = dict(current)
    if "mode" in changes:
        if changes["mode"] not in SigningMode.values:
            raise field_error("signing.mode", _("Choose sequential or parallel signing."))
        merged["mode"] = changes["mode"]
    if "order" in changes:
        order = changes["order"]
        if not isinstance(order, list) or sorted(order) != ["a", "b"]:
            raise field_error(
                "signing.order", _('Give the signing order as ["a", "b"] or ["b", "a"].')
            )
        merged["order"] = list(order)
    return merged


def apply_changes(
    agreement: Agreement, base: AgreementVersion, changes: dict[str, Any]
) -> dict[str, Any]:
    """The content of `base` with `changes` merged in, section by section (the shapes are in
    `agreement_version_create`); 400 per field for bad input."""
    _reject_unknown(changes, AgreementVersion.SECTIONS, "terms")
    content = base.content()
    if "parties" in changes:
        content["parties"] = _merge_parties(content["parties"], changes["parties"])
    if "clauses" in changes:
        content["clauses"] = _merge_clauses(agreement, content["clauses"], changes["clauses"])
    if "patent" in changes:
        content["patent"] = _merge_patent(content["patent"], changes["patent"])
    if "payment" in changes:
        content["payment"] = _merge_payment(content["payment"], changes["payment"])
    if "validity" in changes:
        content["validity"] = _merge_validity(content["validity"], changes["validity"])
    if "signing" in changes:
        content["signing"] = _merge_signing(content["signing"], changes["signing"])
    return content
