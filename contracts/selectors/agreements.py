"""Agreement reads, with visibility applied for the viewer.

Who sees what: members of party A's or party B's organisation and brokers (and admins) see an
agreement, its versions, audit trail and sealed PDF; everyone else gets 404 (`agreement_get`
raises Http404, lists are empty). `parties_of`, `next_signature_for` and `is_turn` say what a
user may do in an agreement they see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from contracts.choices import EventKind, Party
from contracts.diffing import SectionDiff, diff_versions
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementSignature,
    AgreementVersion,
)
from marketplace import roles
from marketplace.roles import AnyUser
from marketplace.selectors import visible_to_parties

#: The stored PDFs of an agreement and its frozen version (the sealed PDF, the signing
#: preview, hundreds of kB each): reads of the terms leave them in the database. A joined
#: version (``select_related``) does not go through its manager, which defers the preview.
PDF_COLUMNS = ("sealed_pdf", "frozen_version__preview_pdf")


def _visible(viewer: AnyUser) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related(
        "party_a", "party_b", "research_result", "match_request", "frozen_version", "amends"
    ).defer(*PDF_COLUMNS, "amends__sealed_pdf")
    return visible_to_parties(qs, viewer=viewer, parties=("party_a", "party_b"))


def agreement_list(
    *, viewer: AnyUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Agreement]:
    """Agreements the viewer may see, newest first. `filters` (optional, validated): `status`,
    `contract_type`, `match_request` (id)."""
    qs = _visible(viewer)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("contract_type"):
        qs = qs.filter(contract_type=filters["contract_type"])
    if filters.get("match_request"):
        qs = qs.filter(match_request_id=filters["match_request"])
    # The list shows each agreement's latest version number: one aggregate, not a query a row.
    # Meta.ordering is dropped from aggregate (GROUP BY) queries, so the order is explicit.
    return qs.annotate(latest_version_number=Max("versions__number")).order_by(
        "-created_at", "-id"
    )


def agreement_get(*, viewer: AnyUser, pk: int, with_pdf: bool = False) -> Agreement:
    """One agreement the viewer may see; Http404 when it does not exist or is hidden.
    `with_pdf` loads the sealed PDF bytes too (deferred otherwise)."""
    qs = _visible(viewer)
    if with_pdf:
        qs = qs.defer(None)
    try:
        return qs.get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404("agreement") from None


def agreement_versions(*, agreement: Agreement) -> QuerySet[AgreementVersion]:
    """The versions, oldest first, without their signing previews' bytes (read only by
    `contracts.services.preview`)."""
    return (
        agreement.versions.select_related("author").prefetch_related("approvals")
        .defer("preview_pdf").order_by("number")
    )


def agreement_version_notes(*, agreement: Agreement) -> dict[int, str]:
    """{version number: its note for display, in the active language}: the note saved with the
    version; for a version started by reopening an approved one without a reason (its note is
    empty), "Reopened from v<n>", taken from the `reopened` event."""
    notes = dict(agreement.versions.values_list("number", "note"))
    reopened = agreement.events.filter(kind=EventKind.REOPENED).values_list("details", flat=True)
    for details in reopened:
        new, old = details.get("new_version"), details.get("version")
        if new in notes and not notes[new] and old:
            notes[new] = _("Reopened from v%(number)s") % {"number": old}
    return notes


def agreement_version_get(*, agreement: Agreement, number: int) -> AgreementVersion:
    try:
        return agreement_versions(agreement=agreement).get(number=number)
    except AgreementVersion.DoesNotExist:
        raise Http404("version") from None


def agreement_version_diff(*, version: AgreementVersion) -> list[SectionDiff]:
    """The readable diff of `version` against the previous one (v1: against nothing)."""
    previous = (
        AgreementVersion.objects.filter(agreement=version.agreement, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return diff_versions(previous, version)


def agreement_events(*, agreement: Agreement) -> QuerySet[AgreementEvent]:
    return agreement.events.select_related("actor").order_by("created_at", "id")


def agreement_signatures(*, agreement: Agreement) -> QuerySet[AgreementSignature]:
    return agreement.signatures.select_related("organization", "signer").order_by(
        "position", "party"
    )


def agreement_for_match_request(*, viewer: AnyUser, match_request_id: int) -> Agreement | None:
    """The newest agreement drafted from the match request that the viewer may see (amendments
    excluded, they point to the agreement they amend), or None."""
    return (
        _visible(viewer)
        .filter(match_request_id=match_request_id, amends__isnull=True)
        .order_by("-pk")
        .first()
    )


def parties_of(agreement: Agreement, user: AnyUser) -> list[str]:
    """The parties ("a", "b") whose organisation `user` is a member of."""
    result = []
    if roles.is_member(user, agreement.party_a_id):
        result.append(Party.A.value)
    if roles.is_member(user, agreement.party_b_id):
        result.append(Party.B.value)
    return result


def next_signature_for(agreement: Agreement, user: AnyUser) -> AgreementSignature | None:
    """The unsigned slot `user` could sign (of their party), or None."""
    parties = parties_of(agreement, user)
    return (
        agreement.signatures.filter(party__in=parties, signed_at__isnull=True)
        .order_by("position", "party")
        .first()
    )


def is_turn(agreement: Agreement, slot: AgreementSignature) -> bool:
    """True when every slot before `slot` (lower position) is signed."""
    return not agreement.signatures.filter(
        position__lt=slot.position, signed_at__isnull=True
    ).exists()


def has_signed_an_agreement(user: AnyUser) -> bool:
    """Whether `user` has signed an agreement: the name on record is then the name a signed
    agreement carries (typed to sign it, `contracts.services.signing.name_on_record`)."""
    return bool(user.is_authenticated and AgreementSignature.objects.filter(
        signer_id=user.pk, signed_at__isnull=False).exists())

