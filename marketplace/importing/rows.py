"""Validation of one import row: the listing record parser, then the model's own validators
and the organisation name, as row errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from kernel.tabular import RowError, SourceRow
from marketplace.importing.organizations import guess_organization_kind
from marketplace.importing.report import display
from marketplace.listing_records import ListingSpec, ParsedRecord, parse_listing_record
from marketplace.models import Organization


@dataclass
class ValidRow:
    """A row that passed every rule: the model field values to write and its organisation."""

    number: int
    source_id: str
    fields: dict[str, Any]
    owner_name: str
    owner_kind: str


class _RowErrors:
    """The errors of one row, in the order they are found."""

    def __init__(self, source: SourceRow) -> None:
        self.source = source
        self.record_id = display(source.values.get("id")).strip()
        self.errors: list[RowError] = []

    def add(self, column: str, messages: list[str]) -> None:
        value = display(self.source.values.get(column))
        for message in messages:
            self.errors.append(
                RowError(self.source.number, self.record_id, column, value, message)
            )


def _duplicate_id(parsed: ParsedRecord, number: int, seen_ids: dict[str, int]) -> list[str]:
    source_id = parsed.values.get("source_id")
    if not source_id:
        return []
    if source_id in seen_ids:
        return [_("Duplicate id: row %(row)d has the same id.") % {"row": seen_ids[source_id]}]
    seen_ids[source_id] = number
    return []


def _model_errors(spec: ListingSpec, parsed: ParsedRecord, found: _RowErrors) -> None:
    """The model's own validators, on the fields the import rules did not already reject."""
    listing = spec.model(**parsed.values)
    try:
        listing.full_clean(exclude=["owner", *parsed.failed_fields], validate_unique=False)
    except ValidationError as exc:
        for model_field, messages in exc.message_dict.items():
            column = "" if model_field == NON_FIELD_ERRORS else spec.column_for(model_field)
            found.add(column, messages)


def _organization_errors(owner_name: str, owner_kind: str) -> list[str]:
    organization = Organization(legal_name=owner_name, kind=owner_kind)
    exclude = [f.name for f in Organization._meta.get_fields() if f.name != "legal_name"]
    try:
        organization.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def validate_row(
    spec: ListingSpec, source: SourceRow, seen_ids: dict[str, int]
) -> tuple[ValidRow | None, list[RowError]]:
    """The row's values, or every problem in it (then None). `seen_ids` (source id -> row
    number) collects the ids of the rows validated so far, to refuse a repeated id."""
    found = _RowErrors(source)
    if source.problem:
        return None, [RowError(source.number, found.record_id, "", "", source.problem)]
    parsed = parse_listing_record(spec, source.values)
    found.add("id", _duplicate_id(parsed, source.number, seen_ids))
    for column, messages in parsed.errors.items():
        found.add(column, messages)
    _model_errors(spec, parsed, found)
    owner_kind = guess_organization_kind(parsed.owner_name, listing_kind=spec.kind)
    if parsed.owner_name:
        found.add(spec.owner_column, _organization_errors(parsed.owner_name, owner_kind))
    if found.errors:
        return None, found.errors
    return (
        ValidRow(
            source.number,
            parsed.values["source_id"],
            parsed.values,
            parsed.owner_name,
            owner_kind,
        ),
        [],
    )
