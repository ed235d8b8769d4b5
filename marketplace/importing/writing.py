"""Writing an import: the owner check against the database, then one transaction that
creates or updates the listings and the organisations they name."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from kernel.tabular import RowError
from marketplace.choices import ListingStatus
from marketplace.importing.report import ImportReport
from marketplace.importing.rows import ValidRow
from marketplace.listing_records import ListingSpec
from marketplace.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def progress_bar(
    iterable: Iterable[Any], *, enabled: bool, total: int, desc: str
) -> Iterator[Any]:
    """`iterable`, with a tqdm bar on stderr when `enabled` and stderr is a terminal."""
    disable = not enabled or not sys.stderr.isatty()
    yield from tqdm(iterable, total=total, desc=desc, file=sys.stderr, disable=disable, leave=False)


def owner_conflicts(spec: ListingSpec, rows: list[ValidRow]) -> list[RowError]:
    """Row errors for rows whose source id is already used by a listing of another
    organisation (compared by legal name, as organisations are matched on import)."""
    owners: dict[str, str] = {}
    source_ids = [row.source_id for row in rows]
    manager = spec.model._default_manager
    for start in range(0, len(source_ids), 500):  # stay below SQLite's variable limit
        pairs = manager.filter(source_id__in=source_ids[start : start + 500]).values_list(
            "source_id", "owner__legal_name"
        )
        owners.update((str(source_id), str(name)) for source_id, name in pairs)
    errors: list[RowError] = []
    for row in rows:
        current = owners.get(row.source_id)
        if current is not None and current != row.owner_name:
            errors.append(
                RowError(
                    row.number,
                    row.source_id,
                    spec.owner_column,
                    row.owner_name,
                    _(
                        "Source id %(id)s belongs to %(owner)s; the import names %(other)s. "
                        "An import never changes a listing's owner."
                    )
                    % {"id": row.source_id, "owner": current, "other": row.owner_name},
                )
            )
    return errors


def write(
    spec: ListingSpec,
    rows: list[ValidRow],
    report: ImportReport,
    *,
    status: str,
    actor: User | None,
    progress: bool,
) -> None:
    """Create or update the listings of `rows` in one transaction, counting them in `report`
    (rules of `status` and `actor`: `marketplace.importing.import_listings`)."""
    now = timezone.now()
    manager = spec.model._default_manager
    with transaction.atomic():
        already_published = dict(
            manager.filter(
                source_id__in=[row.source_id for row in rows],
                status=ListingStatus.PUBLISHED,
                published_at__isnull=False,
            ).values_list("source_id", "published_at")
        )
        organizations: dict[str, Organization] = {}
        for row in progress_bar(rows, enabled=progress, total=len(rows), desc="importing"):
            organization = organizations.get(row.owner_name)
            if organization is None:
                organization, _created = Organization.objects.get_or_create(
                    legal_name=row.owner_name,
                    defaults={
                        "kind": row.owner_kind,
                        "province": row.fields.get("province", ""),
                        "city": row.fields.get("city", ""),
                        "region_code": row.fields.get("region_code", ""),
                    },
                )
                organizations[row.owner_name] = organization
            # Existing listings: content only (never the owner; the status only to publish).
            defaults: dict[str, Any] = dict(row.fields)
            if status == ListingStatus.PUBLISHED:
                defaults.update(
                    status=status,
                    published_at=already_published.get(row.source_id, now),
                    renewed_at=now,
                    rejection_reason="",
                )
                if actor is not None:
                    defaults.update(reviewed_by=actor, reviewed_at=now)
            create_defaults = {
                **defaults,
                "owner": organization,
                "status": status,
                "created_by": actor,
            }
            _listing, created = manager.update_or_create(
                source_id=row.source_id, defaults=defaults, create_defaults=create_defaults
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
