"""Drafting an agreement (version 1) from an accepted match request.

Party A (甲方) is the organisation that asked for the technology (the transferee/licensee,
usually the enterprise), party B (乙方) the result's side (the transferor/licensor): B is the
addressee of a NEED_TO_RESULT request and the requester of a RESULT_TO_NEED one. Parties,
technology (clauses, patent particulars) and price are filled in from the organisations, the
research result and the need. One agreement per match request (409 for a second); changes after
signing go through amendments (`contracts.services.amendments`).

Also the two writes every draft makes, here and in the amendments: `save_version` (a version
of the terms with its SHA-256) and `create_numbered` (a new agreement with its number).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import (
    SUBTYPES,
    ContractSubtype,
    ContractType,
    EventKind,
    PaymentMethod,
    SigningMode,
)
from contracts.clauses import PATENT_FIELDS, is_valid_pair, template_for
from contracts.models import Agreement, AgreementVersion
from contracts.services.audit import ClientInfo, agreement_event_record
from contracts.services.notifying import notify_parties
from kernel.errors import ConflictError, PermissionDeniedError, field_error
from kernel.locking import lock_row
from kernel.money import CENT
from marketplace import roles
from marketplace.choices import IpType, TransferMode
from marketplace.models import Organization, ResearchResult
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_CREATED = "agreement.created"

_MODE_TO_TYPE: dict[str, str] = {
    TransferMode.ASSIGNMENT: ContractType.TRANSFER,
    TransferMode.LICENCE: ContractType.LICENCE,
    TransferMode.JOINT_DEVELOPMENT: ContractType.DEVELOPMENT,
    TransferMode.COMMISSIONED_DEVELOPMENT: ContractType.DEVELOPMENT,
    TransferMode.TECHNICAL_SERVICE: ContractType.SERVICE,
    TransferMode.EQUITY: ContractType.COOPERATION,
}
_PATENT_IP_TYPES = {IpType.INVENTION_PATENT, IpType.UTILITY_MODEL, IpType.DESIGN_PATENT}


# --- what every draft writes (also `contracts.services.amendments`) ----------------------------


def save_version(
    agreement: Agreement, *, number: int, author: User, content: dict[str, Any], note: str
) -> AgreementVersion:
    """Store version `number` of the terms `content` (the sections of `AgreementVersion`)
    with its SHA-256."""
    version = AgreementVersion(
        agreement=agreement, number=number, author=author, note=note, **content
    )
    version.sha256 = version.compute_sha256()
    version.save()
    return version


def create_numbered(**fields: Any) -> Agreement:
    """Create an agreement with `fields` and give it its number, KQ-<year>-<id, 6 digits>
    (year in the site's time zone; a unique placeholder until the id is known)."""
    agreement = Agreement.objects.create(number=f"TMP-{uuid.uuid4().hex[:24]}", **fields)
    agreement.number = f"KQ-{timezone.localdate().year}-{agreement.pk:06d}"
    agreement.save(update_fields=["number"])
    return agreement


# --- drafting from a match request -----------------------------------------------------------


def infer_contract_type(match_request: MatchRequest) -> tuple[str, str]:
    """(type, sub-type) suggested by the transfer modes both sides accept (the result's modes,
    narrowed by the need's cooperation modes when there is a need) and the result's IP: a
    patent (a patent number or a patent IP type) makes a transfer or licence a patent one."""
    result = match_request.research_result
    modes = list(result.transfer_modes or [])
    need = match_request.technology_need
    if need is not None and need.cooperation_modes:
        common = [m for m in modes if m in need.cooperation_modes]
        modes = common or modes or list(need.cooperation_modes)
    mode = next((m for m in modes if m in _MODE_TO_TYPE), TransferMode.ASSIGNMENT)
    contract_type = _MODE_TO_TYPE[mode]
    patent = bool(result.patent_no) or result.ip_type in _PATENT_IP_TYPES
    if contract_type == ContractType.TRANSFER:
        sub = ContractSubtype.PATENT_ASSIGNMENT if patent else ContractSubtype.KNOW_HOW_TRANSFER
    elif contract_type == ContractType.LICENCE:
        sub = ContractSubtype.PATENT_LICENCE if patent else ContractSubtype.KNOW_HOW_LICENCE
    elif contract_type == ContractType.DEVELOPMENT:
        sub = (
            ContractSubtype.COMMISSIONED_DEVELOPMENT
            if mode == TransferMode.COMMISSIONED_DEVELOPMENT
            else ContractSubtype.JOINT_DEVELOPMENT
        )
    else:
        sub = ContractSubtype.GENERAL
    return str(contract_type), str(sub)


def _party_snapshot(organization: Organization) -> dict[str, str]:
    return {
        "legal_name": organization.legal_name,
        "credit_code": organization.credit_code,
        "address": organization.address,
        "region_code": organization.region_code,
        "representative": "",
        "contact": "",
    }


def _sides(match_request: MatchRequest) -> tuple[Organization, Organization]:
    """(party A, party B): A asks for the technology, B offers the research result."""
    if match_request.direction == MatchRequestDirection.RESULT_TO_NEED:
        return match_request.addressee, match_request.requester
    return match_request.requester, match_request.addressee


def _draft_content(
    match_request: MatchRequest,
    contract_type: str,
    subtype: str,
    party_a: Organization,
    party_b: Organization,
) -> dict[str, Any]:
    result: ResearchResult = match_request.research_result
    template = template_for(contract_type, subtype)
    summary = (result.summary or "").strip()
    context = {
        "project_name": result.title,
        "result_title": result.title,
        "result_summary": summary[:2000],
        "party_a": party_a.legal_name,
        "party_b": party_b.legal_name,
        "patent_no": result.patent_no,
    }
    price = result.asking_price_cny
    need = match_request.technology_need
    if price is None and need is not None:
        price = need.budget_max_cny or need.budget_min_cny
    total = str(price.quantize(CENT)) if price is not None else ""
    patent: dict[str, str] = {}
    if template.patent_subject:
        patent = {f.key: "" for f in PATENT_FIELDS}
        patent.update(
            invention_name=result.title,
            patentee=result.owner.legal_name,
            patent_no=result.patent_no,
        )
    return {
        "parties": {"a": _party_snapshot(party_a), "b": _party_snapshot(party_b)},
        "clauses": template.default_clauses(context),
        "patent": patent,
        "payment": {
            "method": PaymentMethod.LUMP_SUM.value,
            "total_cny": total,
            "technology_amount_cny": total,
            "schedule": [],
            "royalty": {},
        },
        "validity": {"valid_from": "", "valid_until": "", "place": ""},
        "signing": {"mode": SigningMode.SEQUENTIAL.value, "order": ["a", "b"]},
    }


def _lock_match_request(match_request: MatchRequest, actor: User) -> MatchRequest:
    """The match request, locked, once the actor may draft from it (403) and it is accepted
    and has no agreement yet (409)."""
    locked = lock_row(
        match_request,
        related=("requester", "addressee", "research_result__owner", "technology_need"),
    )
    if not (
        roles.is_member(actor, locked.requester_id)
        or roles.is_member(actor, locked.addressee_id)
        or roles.is_broker(actor)
    ):
        raise PermissionDeniedError(
            _("Only the two organisations of the match request or a broker can draft an agreement.")
        )
    if locked.status != MatchRequestStatus.ACCEPTED:
        raise ConflictError(
            _("An agreement can only be drafted from an accepted match request."),
            code="match_request_not_accepted",
        )
    if Agreement.objects.filter(match_request=locked, amends__isnull=True).exists():
        raise ConflictError(
            _("This match request already has an agreement."), code="agreement_exists"
        )
    return locked


def _chosen_type(
    match_request: MatchRequest, contract_type: str | None, subtype: str | None
) -> tuple[str, str]:
    """(type, sub-type): the given ones, or those `infer_contract_type` suggests; 400 for an
    unknown type or a sub-type of another type."""
    inferred_type, inferred_subtype = infer_contract_type(match_request)
    contract_type = contract_type or inferred_type
    if contract_type not in ContractType.values:
        raise field_error("contract_type", _("Choose a valid contract type."))
    if not subtype:
        subtype = (
            inferred_subtype if contract_type == inferred_type else SUBTYPES[contract_type][0]
        )
    if not is_valid_pair(contract_type, subtype):
        raise field_error("subtype", _("Choose a sub-type of the chosen contract type."))
    return contract_type, subtype


@transaction.atomic
def agreement_create_from_match_request(
    *,
    match_request: MatchRequest,
    actor: User,
    client: ClientInfo,
    contract_type: str | None = None,
    subtype: str | None = None,
) -> Agreement:
    """Draft an agreement (version 1) from an ACCEPTED match request.

    Who: members of the requester or addressee, or brokers (403 otherwise). `contract_type` and
    `subtype` default to `infer_contract_type`; an unknown pair is 400. A request that is not
    accepted is 409 (`match_request_not_accepted`), as is a second agreement for the same
    request (`agreement_exists`; amend the existing one instead).
    """
    locked = _lock_match_request(match_request, actor)
    contract_type, subtype = _chosen_type(locked, contract_type, subtype)
    party_a, party_b = _sides(locked)
    result = locked.research_result
    agreement = create_numbered(
        contract_type=contract_type,
        subtype=subtype,
        match_request=locked,
        research_result=result,
        party_a=party_a,
        party_b=party_b,
        field=result.field,
        ip_type=result.ip_type,
        created_by=actor,
    )
    content = _draft_content(locked, contract_type, subtype, party_a, party_b)
    version = save_version(agreement, number=1, author=actor, content=content, note="")
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.CREATED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": 1, "match_request": locked.pk},
    )
    notify_parties(agreement, actor=actor, verb=VERB_CREATED, params={"result": result.title})
    return agreement
