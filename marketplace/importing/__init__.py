"""Import research results and technology needs from JSON, CSV or XLSX files.

Used by ``manage.py import_listings`` (and usable from code and tests). One job: read a file,
validate every row, then write the valid rows in one transaction.

Formats
-------
* JSON: a list of records as in ``data/results.json`` / ``data/needs.json``. Nested objects are
  flattened to dotted columns (``{"region": {"city": "衡水"}}`` -> ``region.city``).
* CSV (UTF-8, with or without BOM; GB18030 is accepted as a fallback because Excel on Chinese
  Windows saves "CSV" in that encoding) and XLSX (first worksheet): a header row with the same key
  names, nested values flattened (``region.province``, ``region.city``, ``budget_cny.min``,
  ``budget_cny.max``). List values (keywords, ipc, transfer_modes, cooperation_modes) are
  separated by ``;`` ``；`` ``,`` ``，`` or ``、``.

A file must hold at least one record (an empty list or a header without rows is a file error,
so an empty export never "succeeds" silently). A CSV/XLSX header may not name a column twice,
and a row may not have values in cells without a column name (row error). JSON may nest objects
at most ``MAX_JSON_DEPTH`` levels (deeper files are a file error, deeper records a row error).

The kind (``result`` or ``need``) is detected from the columns: ``summary``/``owner_org`` mean
research results, ``description``/``enterprise`` mean technology needs; pass ``kind`` to force it.
Unknown columns are ignored and listed in :attr:`ImportReport.ignored_columns`.

Rules (each row, each column; every problem is reported, not just the first)
---------------------------------------------------------------------------
* ``id`` (-> ``source_id``), ``title`` and the organisation name (``owner_org`` / ``enterprise``)
  are required; an id may appear only once per file.
* ``field``, ``stage``, ``ip_type`` and the modes are given as codes, Chinese words (新能源, 中试,
  发明专利, 合作开发) or English labels (:func:`marketplace.choices.choice_from_label`); unknown
  values are errors.
The rules of each column are those of the listing record parser
(:mod:`marketplace.listing_records`); the readers are :mod:`kernel.tabular`'s:

* Text: control characters (NUL etc.) and lone surrogates (broken UTF-16, e.g. ``"\ud800"``
  in JSON) are row errors in every column. Tabs and line breaks are kept in the long texts
  (``summary``, ``description``) and turned into single spaces in one-line columns.
* ``trl``: a whole number 1-9 (GB/T 22900-2022). Money (``asking_price_cny``,
  ``budget_cny.min``/``max``): CNY >= 0, 2 places, below 10^12 (``MAX_AMOUNT_CNY``, what the
  database column holds); ``500000``, ``1,000,000``, ``50万`` and ``1.2亿`` are understood;
  ``1e300``, infinities and NaN are row errors; the minimum budget must not exceed the maximum.
* ``ipc``: normalised with :func:`~marketplace.validators.normalize_ipc_symbol` (spaces dropped,
  upper-cased first); ``patent_no`` is stored in its canonical form
  (:func:`~marketplace.patent_numbers.canonical_patent_number`): the usual forms are
  understood (``ZL``/``CN`` before an application number, spaces, full-width characters, a
  missing check character, which is then computed), anything else is a row error saying what
  is wrong (CNIPA ZC 0006-2003 / ZC 0007-2012).
* ``source_date``: ``YYYY-MM`` or ``YYYY-MM-DD``; ``deadline``: an ISO date ``YYYY-MM-DD``.
* ``region.province`` / ``region.city``: names; ``region_code`` (GB/T 2260) is derived with
  :func:`~marketplace.regions.city_code_for` / :func:`~marketplace.regions.province_code_for`.
  A name without a code is not an error (the code stays blank).
* Then the model's own validators run (``full_clean`` without the owner, which does not exist yet).

Writing
-------
Nothing is written when a row is invalid, unless ``skip_invalid``; then the valid rows are written
and the invalid ones reported. The write is one ``transaction.atomic``. Listings are matched by
``source_id`` (re-imports update, never duplicate). Organisations are ``get_or_create``-d by
``legal_name``; their kind is guessed from the name (:func:`guess_organization_kind`).

An import never changes a listing's owner: a row whose id is already used by a listing of
another organisation (by legal name) is a row error ("source id R0001 belongs to A; the import
names B"), because moving it would hand A's confidential details to B.

Status: new listings get ``status``: published (the importing broker vouches for them) or
draft. On re-import, ``status="published"`` publishes the existing listings too (keeping their
first ``published_at``), while ``status="draft"`` applies to new listings only: existing
listings keep their status and dates, so a draft re-import never unpublishes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kernel.cells import printable
from kernel.tabular import MAX_JSON_DEPTH, RowError, Table, TableFileError, read_table
from marketplace.choices import ListingStatus
from marketplace.importing.organizations import guess_organization_kind
from marketplace.importing.report import ImportReport, format_error_table
from marketplace.importing.rows import ValidRow, validate_row
from marketplace.importing.writing import owner_conflicts, progress_bar, write
from marketplace.listing_records import KIND_NEED, KIND_RESULT, KINDS, SPECS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "IMPORT_STATUSES",
    "KINDS",
    "KIND_NEED",
    "KIND_RESULT",
    "MAX_JSON_DEPTH",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "format_error_table",
    "guess_organization_kind",
    "import_listings",
]

IMPORT_STATUSES = (ListingStatus.DRAFT.value, ListingStatus.PUBLISHED.value)


class ImportFileError(Exception):
    """The file as a whole cannot be imported: missing, unreadable, unknown format, malformed
    or too deeply nested JSON, no header, a column named twice, no rows, or kind not
    detectable. The message is user-facing (translated)."""


def _read(path: Path) -> Table:
    try:
        return read_table(path)
    except TableFileError as exc:
        raise ImportFileError(str(exc)) from None


def _detect_kind(columns: Iterable[str]) -> str:
    names = set(columns)
    is_result = bool(names & {"summary", "owner_org"})
    is_need = bool(names & {"description", "enterprise"})
    if is_result and not is_need:
        return KIND_RESULT
    if is_need and not is_result:
        return KIND_NEED
    raise ImportFileError(
        _(
            "Cannot tell whether the file holds research results or technology needs; "
            "use --kind result or --kind need."
        )
    )


def import_listings(
    *,
    path: Path,
    kind: str | None = None,
    status: str = ListingStatus.PUBLISHED,
    skip_invalid: bool = False,
    actor: User | None = None,
    progress: bool = False,
) -> ImportReport:
    """Validate every row of `path`, then create or update the listings in one transaction.

    `kind` is ``"result"`` or ``"need"`` (None: detect from the columns). `status` is
    ``"published"`` (new and existing listings are published: published_at and renewed_at set
    to now, published_at kept if the listing was already published) or ``"draft"`` (new
    listings are drafts; existing listings keep their status and dates). A row whose id belongs
    to a listing of another organisation is a row error: the import never changes an owner.
    `actor` (a User or None) becomes ``created_by`` of new listings and ``reviewed_by`` of
    published ones. `progress` shows a tqdm bar on stderr when stderr is a terminal.

    Row problems never raise: they are in ``report.errors`` and, without `skip_invalid`,
    nothing is written (``report.imported`` is False). Raises :class:`ImportFileError` when
    the file cannot be read at all, and ``ValueError`` for a bad `kind` or `status`.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if status not in IMPORT_STATUSES:
        raise ValueError(f"status must be one of {IMPORT_STATUSES}, not {status!r}")
    table = _read(Path(path))
    spec = SPECS[kind or _detect_kind(table.columns)]
    known = spec.known_columns()
    report = ImportReport(
        kind=spec.kind,
        ignored_columns=[printable(name) for name in table.columns if name not in known],
    )

    valid: list[ValidRow] = []
    seen_ids: dict[str, int] = {}
    rows = table.rows
    for source in progress_bar(rows, enabled=progress, total=len(rows), desc="validating"):
        row, errors = validate_row(spec, source, seen_ids)
        report.errors.extend(errors)
        if row is not None:
            valid.append(row)

    owner_errors = owner_conflicts(spec, valid)
    if owner_errors:
        report.errors.extend(owner_errors)
        report.errors.sort(key=lambda error: error.row)
        conflicting = {error.row for error in owner_errors}
        valid = [row for row in valid if row.number not in conflicting]

    if report.errors and not skip_invalid:
        return report
    report.skipped = report.invalid_rows
    write(spec, valid, report, status=status, actor=actor, progress=progress)
    report.imported = True
    return report
