"""Agreement services: drafting from an accepted match request, versions, approval (freeze),
registration check, signing, sealing, downloads, amendments, and the audit trail.

Rules (issue 5):

- A draft is created from an ACCEPTED match request by a member of either organisation or a
  broker (`agreement_create_from_match_request`). Party A (甲方) is the organisation that asked
  for the technology (the transferee/licensee, usually the enterprise), party B (乙方) the
  result's side (the transferor/licensor): B is the addressee of a NEED_TO_RESULT request and the
  requester of a RESULT_TO_NEED one. Parties, technology (clauses, patent particulars) and price
  are filled in from the organisations, the research result and the need. One agreement per
  match request (409 for a second); changes after signing go through amendments.
- Members of either party edit terms; every edit is a new `AgreementVersion` with its author
  (`agreement_version_create`); a readable diff is in `contracts.diffing`.
- Both parties approve the latest version (`agreement_approve`); approval is refused (400
  `registration_check_failed`, the blocking findings per field) while the registration check
  (`contracts.checks`) finds blocking errors. The second approval freezes the version: its
  canonical JSON's SHA-256 becomes `Agreement.document_sha256` and the signing slots are
  created in the version's signing order. Any edit or approval after that is a 409; either
  party may reopen an approved, unsigned agreement to a draft (`contracts.reopening`).
- `agreement_check` runs the registration check and records it (a repeat of the last recorded
  check of an unchanged version is not recorded again). Signing runs it again and refuses
  while it finds blocking errors.
- `agreement_sign`: the signer re-enters their password, types their name and sends the
  SHA-256 they were shown (it must equal `document_sha256`). In sequential mode a slot may be
  signed only after all earlier ones (409 `not_your_turn`, checked on the server whatever link
  was used). The last signature moves the agreement to SIGNED and calls
  `agreement_on_fully_signed` (platform fee hook) in the signing transaction; the PDF is
  rendered and sealed after commit, outside the transaction and with a time limit
  (`contracts.sealing`: SIGNED → sealed, retried by `manage.py seal_agreements`).
- Every text is limited to its length in `contracts.limits`, so that the longest allowed
  agreement renders quickly.
- A signed agreement cannot be edited (409); `agreement_amend` starts a new draft linked to it.
- Every event is recorded (`AgreementEvent`): created, edited, approved, reopened, checked,
  signed, sealed, downloaded, verified, amended — with actor, UTC time, IP address, user agent,
  document hash.

Errors: `DomainError` (400, per field), `PermissionDeniedError` (403), `ConflictError` (409),
`Http404` for a PDF that does not exist yet. Callers load agreements through
`contracts.selectors.agreement_get`, so invisible agreements are 404 before any service runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.audit import ClientInfo
from contracts.checks import CheckReport, check_agreement
from contracts.choices import (
    SUBTYPES,
    AgreementStatus,
    ContractSubtype,
    ContractType,
    EventKind,
    Party,
    PaymentMethod,
    RoyaltyBase,
    SigningMode,
    zh_label,
)
from contracts.clauses import PATENT_FIELDS, is_valid_pair, template_for
from contracts.identifiers import clean_party_region_code, clean_patent_number
from contracts.limits import (
    NOTE_MAX_LENGTH,
    PARTY_FIELD_MAX_LENGTH,
    PATENT_FIELD_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    SCHEDULE_MAX_ENTRIES,
    SCHEDULE_NOTE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    TYPED_NAME_MAX_LENGTH,
    clause_max_length,
)
from contracts.models import (
    Agreement,
    AgreementApproval,
    AgreementEvent,
    AgreementSignature,
    AgreementVersion,
)
from contracts.sealing import agreement_seal_after_commit
from marketplace import roles
from marketplace.choices import IpType, TransferMode
from marketplace.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.invisible_text import invisible_characters
from marketplace.models import Organization, ResearchResult
from marketplace.notifications import notify
from marketplace.payments.fees import platform_fee_payment_create
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UserModel = get_user_model()

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")

PARTY_FIELDS = ("legal_name", "credit_code", "address", "region_code", "representative", "contact")
PAYMENT_KEYS = ("method", "total_cny", "technology_amount_cny", "schedule", "royalty")
VALIDITY_KEYS = ("valid_from", "valid_until", "place")

VERB_CREATED = "agreement.created"
VERB_EDITED = "agreement.edited"
VERB_APPROVED = "agreement.approved"
VERB_FROZEN = "agreement.frozen"
VERB_SIGNED = "agreement.signed"
VERB_SIGNED_BY_ALL = "agreement.signed_by_all"


# --- audit trail ----------------------------------------------------------------------------------


def agreement_event_record(
    *,
    agreement: Agreement,
    kind: str,
    actor: Any | None,
    client: ClientInfo,
    document_sha256: str = "",
    details: dict[str, Any] | None = None,
) -> AgreementEvent:
    """Append one event to the audit trail (times are aware UTC, `created_at_beijing` for
    display). `actor` may be None for the system or an anonymous verifier. Used by the
    verification module (pdf-seal) with kind=EventKind.VERIFIED as well."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AgreementEvent.objects.create(
        agreement=agreement,
        kind=kind,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated and actor is not None else "",
        ip_address=client.ip_address,
        user_agent=client.user_agent[:500],
        document_sha256=document_sha256,
        details=details or {},
    )


# --- helpers --------------------------------------------------------------------------------------


def _lock(agreement: Agreement) -> Agreement:
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b", "frozen_version", "amends")
        .get(pk=agreement.pk)
    )


def _copy_state(source: Agreement, target: Agreement) -> None:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def parties_of(agreement: Agreement, user: Any) -> list[str]:
    """The parties ("a", "b") whose organisation `user` is a member of."""
    result = []
    if roles.is_member(user, agreement.party_a_id):
        result.append(Party.A.value)
    if roles.is_member(user, agreement.party_b_id):
        result.append(Party.B.value)
    return result


def _require_party(agreement: Agreement, actor: Any) -> list[str]:
    parties = parties_of(agreement, actor)
    if not parties:
        raise PermissionDeniedError(
            _("Only members of the two parties' organisations can do this.")
        )
    return parties


def _require_editable(agreement: Agreement) -> None:
    if agreement.status == AgreementStatus.SIGNED:
        raise ConflictError(
            _("This agreement is signed and cannot be changed; start an amendment instead."),
            code="agreement_signed",
        )
    if agreement.status != AgreementStatus.DRAFT:
        raise ConflictError(
            _("Both parties approved this version; it is frozen and cannot be changed."),
            code="agreement_frozen",
        )


def _members(organizations: Iterable[Organization], *, exclude: Any = None) -> list[Any]:
    users = UserModel.objects.filter(
        memberships__organization__in=list(organizations), is_active=True
    ).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def agreement_url(agreement: Agreement) -> str:
    for name in ("agreement-detail", "api-agreement-detail"):
        try:
            return reverse(name, kwargs={"pk": agreement.pk})
        except NoReverseMatch:
            continue
    return ""


def _notify_parties(
    agreement: Agreement, *, actor: Any, verb: str, message_zh: str, message_en: str
) -> None:
    notify(
        users=_members([agreement.party_a, agreement.party_b], exclude=actor),
        verb=verb,
        message_zh=message_zh,
        message_en=message_en,
        url=agreement_url(agreement),
    )


def registration_check_error(report: CheckReport, message: str) -> DomainError:
    """400 `registration_check_failed`: `fields` maps each blocking finding's field path (e.g.
    ``parties.a.credit_code``) to its messages in the active language."""
    fields: dict[str, list[Any]] = {}
    for finding in report.errors:
        fields.setdefault(finding.field, []).append(finding.message())
    return DomainError(message, code="registration_check_failed", fields=fields)


def _field_error(path: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", fields={path: [message]})


# --- validation of version content ----------------------------------------------------------------


def _clean_str(value: Any, path: str, *, max_length: int = SHORT_TEXT_MAX_LENGTH) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
        raise _field_error(path, _("Enter text."))
    text = str(value).strip()
    if len(text) > max_length:
        raise _field_error(
            path, _("Enter at most %(max)d characters.") % {"max": max_length}
        )
    hidden = invisible_characters(text)
    if hidden:  # what is signed must be what the parties see (marketplace.invisible_text)
        raise _field_error(
            path,
            _("Remove the invisible or direction-changing characters (%(codes)s).")
            % {"codes": ", ".join(hidden)},
        )
    return text


def _clean_date(value: Any, path: str) -> str:
    text = _clean_str(value, path)
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise _field_error(path, _("Enter a date as YYYY-MM-DD.")) from None


def _clean_amount(value: Any, path: str) -> str:
    """A CNY amount as a string with 2 places ("" when empty). Negative, non-numeric or more
    than 2 decimal places are 400."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool | float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise _field_error(path, _("Enter an amount in CNY, e.g. 120000.00.")) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise _field_error(path, _("Enter an amount in CNY, e.g. 120000.00."))
    if amount != amount.quantize(CENT):
        raise _field_error(path, _("Enter at most 2 decimal places."))
    return str(amount.quantize(CENT))


def _clean_percent(value: Any, path: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise _field_error(path, _("Enter a percentage, e.g. 5 or 2.5.")) from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise _field_error(path, _("Enter a percentage between 0 and 100."))
    return str(rate.quantize(Decimal("0.0001")).normalize())


def _require_dict(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _field_error(path, _("Expected an object."))
    return value


def _reject_unknown(data: dict[str, Any], allowed: Iterable[str], path: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _field_error(
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
            merged[party][key] = _clean_str(value, path, max_length=PARTY_FIELD_MAX_LENGTH[key])
            if key == "region_code":
                merged[party][key] = clean_party_region_code(merged[party][key], path=path)
    return merged


def _merge_clauses(agreement: Agreement, current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "clauses")
    template = template_for(agreement.contract_type, agreement.subtype)
    _reject_unknown(changes, template.clause_keys, "clauses")
    merged = dict(current)
    for key, value in changes.items():
        merged[key] = _clean_str(value, f"clauses.{key}", max_length=clause_max_length(key))
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
            else _clean_str(value, path, max_length=PATENT_FIELD_MAX_LENGTH[key])
        )
        merged[key] = clean_patent_number(key, merged[key], path=path)
    return merged


def _clean_schedule(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _field_error("payment.schedule", _("Expected a list of instalments."))
    if len(value) > SCHEDULE_MAX_ENTRIES:
        raise _field_error(
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
                "note": _clean_str(
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
            raise _field_error("payment.method", _("Choose a valid payment method."))
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
                raise _field_error("payment.royalty.base", _("Choose a valid royalty base."))
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
        merged["place"] = _clean_str(
            changes["place"], "validity.place", max_length=PLACE_MAX_LENGTH
        )
    return merged


def _merge_signing(current: dict[str, Any], changes: Any) -> dict[str, Any]:
    changes = _require_dict(changes, "signing")
    _reject_unknown(changes, ("mode", "order"), "signing")
    merged = dict(current)
    if "mode" in changes:
        if changes["mode"] not in SigningMode.values:
            raise _field_error("signing.mode", _("Choose sequential or parallel signing."))
        merged["mode"] = changes["mode"]
    if "order" in changes:
        order = changes["order"]
        if not isinstance(order, list) or sorted(order) != ["a", "b"]:
            raise _field_error(
                "signing.order", _('Give the signing order as ["a", "b"] or ["b", "a"].')
            )
        merged["order"] = list(order)
    return merged


def _apply_changes(
    agreement: Agreement, base: AgreementVersion, changes: dict[str, Any]
) -> dict[str, Any]:
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


def _save_version(
    agreement: Agreement, *, number: int, author: Any, content: dict[str, Any], note: str
) -> AgreementVersion:
    version = AgreementVersion(
        agreement=agreement, number=number, author=author, note=note, **content
    )
    version.sha256 = version.compute_sha256()
    version.save()
    return version


# --- drafting -------------------------------------------------------------------------------------


_MODE_TO_TYPE: dict[str, str] = {
    TransferMode.ASSIGNMENT: ContractType.TRANSFER,
    TransferMode.LICENCE: ContractType.LICENCE,
    TransferMode.JOINT_DEVELOPMENT: ContractType.DEVELOPMENT,
    TransferMode.COMMISSIONED_DEVELOPMENT: ContractType.DEVELOPMENT,
    TransferMode.TECHNICAL_SERVICE: ContractType.SERVICE,
    TransferMode.EQUITY: ContractType.COOPERATION,
}
_PATENT_IP_TYPES = {IpType.INVENTION_PATENT, IpType.UTILITY_MODEL, IpType.DESIGN_PATENT}


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


def _new_number(agreement: Agreement) -> str:
    year = timezone.localdate().year
    return f"KQ-{year}-{agreement.pk:06d}"


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
    locked = (
        MatchRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "addressee", "research_result__owner", "technology_need")
        .get(pk=match_request.pk)
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
    inferred_type, inferred_subtype = infer_contract_type(locked)
    contract_type = contract_type or inferred_type
    if contract_type not in ContractType.values:
        raise _field_error("contract_type", _("Choose a valid contract type."))
    if not subtype:
        subtype = (
            inferred_subtype if contract_type == inferred_type else SUBTYPES[contract_type][0]
        )
    if not is_valid_pair(contract_type, subtype):
        raise _field_error("subtype", _("Choose a sub-type of the chosen contract type."))
    party_a, party_b = _sides(locked)
    result = locked.research_result
    agreement = Agreement.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:24]}",
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
    agreement.number = _new_number(agreement)
    agreement.save(update_fields=["number"])
    content = _draft_content(locked, contract_type, subtype, party_a, party_b)
    version = _save_version(agreement, number=1, author=actor, content=content, note="")
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.CREATED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": 1, "match_request": locked.pk},
    )
    _notify_parties(
        agreement,
        actor=actor,
        verb=VERB_CREATED,
        message_zh=f"已根据对接请求起草合同 {agreement.number}（{result.title}），"
        "请查看并修改条款。",
        message_en=f"Agreement {agreement.number} ({result.title}) was drafted from a match "
        "request. Please review and edit its terms.",
    )
    return agreement


# --- versions -------------------------------------------------------------------------------------


@transaction.atomic
def agreement_version_create(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    changes: dict[str, Any],
    note: str = "",
    base_version: int | None = None,
) -> AgreementVersion:
    """Edit the terms: a new version = the latest version with `changes` merged in.

    `changes` has any of the sections "parties" ({"a"|"b": {field: str}}), "clauses"
    ({clause key: str}), "patent" ({field: str, dates YYYY-MM-DD}), "payment" ({"method",
    "total_cny", "technology_amount_cny", "schedule": [{"due_date", "amount_cny", "note"}],
    "royalty": {"base", "rate_percent", "entry_fee_cny"}}), "validity" ({"valid_from",
    "valid_until", "place"}), "signing" ({"mode", "order"}); each given key replaces the old
    value. Amounts are CNY with at most 2 decimals.

    Who: members of either party (403). Errors: 400 per field (unknown clause, bad amount or
    date), 400 `no_changes` when nothing changes, 409 `stale_version` when `base_version` is not
    the latest, 409 when frozen or signed. Approvals of earlier versions stop counting.
    """
    locked = _lock(agreement)
    _require_party(locked, actor)
    _require_editable(locked)
    latest = locked.latest_version()
    assert latest is not None
    if base_version is not None and base_version != latest.number:
        raise ConflictError(
            _("Someone saved a newer version (v%(number)d) in the meantime; reload and edit it.")
            % {"number": latest.number},
            code="stale_version",
        )
    if not isinstance(changes, dict) or not changes:
        raise DomainError(_("Nothing was changed."), code="no_changes")
    content = _apply_changes(locked, latest, changes)
    if content == latest.content():
        raise DomainError(_("Nothing was changed."), code="no_changes")
    note = _clean_str(note, "note", max_length=NOTE_MAX_LENGTH)
    version = _save_version(
        locked, number=latest.number + 1, author=actor, content=content, note=note
    )
    locked.save(update_fields=["updated_at"])
    agreement_event_record(
        agreement=locked,
        kind=EventKind.EDITED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": version.number, "previous": latest.number, "note": note},
    )
    _notify_parties(
        locked,
        actor=actor,
        verb=VERB_EDITED,
        message_zh=f"合同 {locked.number} 有新版本 v{version.number}，请查看修改内容。",
        message_en=f"Agreement {locked.number} has a new version v{version.number}; please "
        "review the changes.",
    )
    _copy_state(locked, agreement)
    return version


# --- approval -------------------------------------------------------------------------------------


def _create_signature_slots(agreement: Agreement, version: AgreementVersion) -> None:
    signing = version.signing or {}
    order = signing.get("order") or ["a", "b"]
    sequential = signing.get("mode", SigningMode.SEQUENTIAL) == SigningMode.SEQUENTIAL
    for index, party in enumerate(order, start=1):
        AgreementSignature.objects.create(
            agreement=agreement,
            party=party,
            organization=agreement.organization_for(party),
            position=index if sequential else 1,
        )


@transaction.atomic
def agreement_approve(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    version_number: int | None = None,
) -> Agreement:
    """Approve the latest version for the actor's party. When both parties have approved the
    same version it is frozen: `frozen_version`, `document_sha256`, status APPROVED, and the
    signing slots are created.

    `version_number`, when given, must be the latest version (409 `stale_version`: the
    approver must have seen what they approve). Who: members of either party (403). A member of
    both organisations approves for both. 409 when frozen/signed or already approved by the
    party.
    """
    locked = _lock(agreement)
    parties = _require_party(locked, actor)
    _require_editable(locked)
    version = locked.latest_version()
    assert version is not None
    if version_number is not None and version_number != version.number:
        raise ConflictError(
            _("Version v%(number)d is not the latest; review the latest version first.")
            % {"number": version_number},
            code="stale_version",
        )
    approved = set(version.approvals.values_list("party", flat=True))
    pending = [p for p in parties if p not in approved]
    if not pending:
        raise ConflictError(
            _("Your party has already approved this version."), code="already_approved"
        )
    report = check_agreement(agreement=locked, version=version)
    if not report.ok:
        raise registration_check_error(
            report, _("The registration check found blocking errors; fix them before approving.")
        )
    for party in pending:
        AgreementApproval.objects.create(
            agreement=locked, version=version, party=party, user=actor
        )
    approved.update(pending)
    frozen = approved >= {Party.A.value, Party.B.value}
    if frozen:
        locked.status = AgreementStatus.APPROVED
        locked.frozen_version = version
        locked.document_sha256 = version.sha256
        locked.approved_at = timezone.now()
        locked.save(
            update_fields=[
                "status", "frozen_version", "document_sha256", "approved_at", "updated_at"
            ]
        )
        _create_signature_slots(locked, version)
    agreement_event_record(
        agreement=locked,
        kind=EventKind.APPROVED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": version.number, "parties": pending, "frozen": frozen},
    )
    if frozen:
        _notify_parties(
            locked,
            actor=actor,
            verb=VERB_FROZEN,
            message_zh=f"双方已确认合同 {locked.number} 的 v{version.number}，"
            "合同已定稿，可以签署。",
            message_en=f"Both parties approved v{version.number} of agreement {locked.number}; "
            "it is frozen and ready to sign.",
        )
    else:
        _notify_parties(
            locked,
            actor=actor,
            verb=VERB_APPROVED,
            message_zh=f"对方已确认合同 {locked.number} 的 v{version.number}，等待您方确认。",
            message_en=f"The other party approved v{version.number} of agreement "
            f"{locked.number}; your approval is awaited.",
        )
    _copy_state(locked, agreement)
    return agreement


# --- registration check ---------------------------------------------------------------------------


@transaction.atomic
def agreement_check(*, agreement: Agreement, actor: User, client: ClientInfo) -> CheckReport:
    """Run the registration check on the frozen version (or the latest draft version) and record
    it in the audit trail with the codes found. Who: party members and brokers (403)."""
    if not (parties_of(agreement, actor) or roles.is_broker(actor)):
        raise PermissionDeniedError(_("Only the parties and brokers can run the check."))
    version = agreement.frozen_version or agreement.latest_version()
    report = check_agreement(agreement=agreement, version=version)
    details = {
        "version": version.number if version else None,
        "errors": sorted({f.code for f in report.errors}),
        "warnings": sorted({f.code for f in report.warnings}),
    }
    last = agreement.events.order_by("-created_at", "-id").first()
    if last is not None and last.kind == EventKind.CHECKED and last.details == details:
        # The same result for the same version was the last thing recorded: recording it again
        # would only lengthen the audit trail printed in the sealed PDF.
        return report
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.CHECKED,
        actor=actor,
        client=client,
        document_sha256=version.sha256 if version else "",
        details=details,
    )
    return report


# --- signing --------------------------------------------------------------------------------------


def next_signature_for(agreement: Agreement, user: Any) -> AgreementSignature | None:
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


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    password: str,
    typed_name: str,
    document_sha256: str,
) -> Agreement:
    """Sign the frozen document for the actor's party.

    Checks, in order: the agreement is frozen and not fully signed (409 `not_frozen`,
    `agreement_signed`); the actor is a member of a party (403) whose slot is unsigned (409
    `already_signed`); it is that slot's turn (409 `not_your_turn`, sequential mode); the
    password is the actor's (400 `wrong_password`); a typed name (400); `document_sha256` is
    the frozen document's hash (409 `document_changed`); the registration check finds no
    blocking error (400 `registration_check_failed`, per field). The last signature renders,
    seals and stores the PDF (see module docstring) and calls `agreement_on_fully_signed`.
    """
    locked = _lock(agreement)
    if locked.status == AgreementStatus.SIGNED:
        raise ConflictError(_("This agreement is already signed."), code="agreement_signed")
    if locked.status == AgreementStatus.DRAFT or locked.frozen_version is None:
        raise ConflictError(
            _("Both parties must approve the final version before signing."), code="not_frozen"
        )
    _require_party(locked, actor)
    slot = next_signature_for(locked, actor)
    if slot is None:
        raise ConflictError(_("Your party has already signed."), code="already_signed")
    if not is_turn(locked, slot):
        raise ConflictError(
            _("It is not your turn to sign: the other party signs first."), code="not_your_turn"
        )
    if not password or not actor.check_password(password):
        raise DomainError(
            _("The password is not correct."),
            code="wrong_password",
            fields={"password": [_("The password is not correct.")]},
        )
    name = (typed_name or "").strip()
    if not name or len(name) > TYPED_NAME_MAX_LENGTH:
        raise DomainError(
            _("Type your full name to sign."),
            code="typed_name_required",
            fields={"typed_name": [_("Type your full name to sign.")]},
        )
    if (document_sha256 or "").strip().lower() != locked.document_sha256:
        raise ConflictError(
            _("The document you saw is not the frozen document; reload and check its hash."),
            code="document_changed",
        )
    report = check_agreement(agreement=locked, version=locked.frozen_version)
    if not report.ok:
        raise registration_check_error(
            report,
            _("The registration check found blocking errors; reopen the agreement to fix them."),
        )
    now = timezone.now()
    slot.signer = actor
    slot.typed_name = name
    slot.signed_at = now
    slot.document_sha256 = locked.document_sha256
    slot.ip_address = client.ip_address
    slot.user_agent = client.user_agent[:500]
    slot.save()
    agreement_event_record(
        agreement=locked,
        kind=EventKind.SIGNED,
        actor=actor,
        client=client,
        document_sha256=locked.document_sha256,
        details={"party": slot.party, "typed_name": name, "position": slot.position},
    )
    if locked.signatures.filter(signed_at__isnull=True).exists():
        locked.status = AgreementStatus.SIGNING
        locked.save(update_fields=["status", "updated_at"])
        _notify_parties(
            locked,
            actor=actor,
            verb=VERB_SIGNED,
            message_zh=f"{zh_label(slot.party)}已签署合同 {locked.number}，请您方签署。",
            message_en=f"{'Party A' if slot.party == Party.A else 'Party B'} signed agreement "
            f"{locked.number}; your signature is awaited.",
        )
    else:
        locked.status = AgreementStatus.SIGNED
        locked.signed_at = now
        locked.save(update_fields=["status", "signed_at", "updated_at"])
        agreement_on_fully_signed(agreement=locked, actor=actor, client=client)
        # The final render and seal run after commit, outside this transaction and its row
        # lock, with a time limit; `manage.py seal_agreements` retries what fails.
        agreement_seal_after_commit(agreement_id=locked.pk, client=client)
        _notify_parties(
            locked,
            actor=actor,
            verb=VERB_SIGNED_BY_ALL,
            message_zh=f"合同 {locked.number} 已由双方签署，平台正在加盖电子签章。",
            message_en=f"Agreement {locked.number} is signed by both parties; the platform is "
            "sealing its PDF.",
        )
    _copy_state(locked, agreement)
    return agreement


def agreement_on_fully_signed(*, agreement: Agreement, actor: Any, client: ClientInfo) -> None:
    """Hook called once, inside the signing transaction, right after the last signature
    (status SIGNED; the sealed PDF follows after commit, `contracts.sealing`).

    Platform fee (issue 5 item 10): when `settings.PLATFORM_FEE_PERCENT` > 0, a payment of that
    percentage of the contract value (`frozen_version.payment["total_cny"]`, CNY) is created
    through the payment-provider interface for the last signer to settle; it commits or rolls
    back with the signature. A pure royalty agreement has no fixed value and so no fee here.
    Raises `PaymentNotConfigured` (503) when a fee is due but no paying provider is configured:
    signing then fails as a whole rather than leaving an unbilled agreement.
    """
    version = agreement.frozen_version
    total = (version.payment or {}).get("total_cny") if version is not None else ""
    if not total:
        return
    payment = platform_fee_payment_create(
        reference=f"agreement:{agreement.pk}", contract_value_cny=Decimal(total), payer=actor
    )
    if payment is not None:
        agreement_event_record(
            agreement=agreement,
            kind=EventKind.PLATFORM_FEE,
            actor=actor,
            client=client,
            details={"payment_id": payment.pk, "amount_cny": str(payment.amount_cny)},
        )


# --- downloads and amendments ---------------------------------------------------------------------


@transaction.atomic
def agreement_pdf_download(*, agreement: Agreement, actor: Any, client: ClientInfo) -> bytes:
    """The sealed PDF bytes, recording a `downloaded` event. The caller has already applied
    visibility (`contracts.selectors.agreement_get`: parties and brokers, others 404). Raises
    ConflictError `seal_pending` (409) while it is signed but not sealed yet, Http404 while it
    is not signed."""
    if not agreement.sealed_pdf:
        if agreement.status == AgreementStatus.SIGNED:
            raise ConflictError(
                _("Both parties signed; the sealed PDF is being prepared. Try again shortly."),
                code="seal_pending",
            )
        raise Http404("no sealed PDF")
    data = bytes(agreement.sealed_pdf)
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.DOWNLOADED,
        actor=actor,
        client=client,
        document_sha256=agreement.sealed_pdf_sha256,
    )
    return data


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: User, client: ClientInfo) -> Agreement:
    """Start an amendment of a signed agreement: a new draft agreement linked to it (`amends`)
    whose version 1 copies the signed terms. The signed agreement itself never changes.

    Who: members of either party (403). 409 `not_signed` for an agreement that is not signed
    (edit it instead), 409 `amendment_open` while another amendment of it is unsigned.
    """
    locked = _lock(agreement)
    _require_party(locked, actor)
    if locked.status != AgreementStatus.SIGNED or locked.frozen_version is None:
        raise ConflictError(
            _("Only a signed agreement can be amended; edit the draft instead."),
            code="not_signed",
        )
    if locked.amendments.exclude(status=AgreementStatus.SIGNED).exists():
        raise ConflictError(
            _("An amendment of this agreement is already in progress."), code="amendment_open"
        )
    amendment = Agreement.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:24]}",
        contract_type=locked.contract_type,
        subtype=locked.subtype,
        match_request=locked.match_request,
        research_result=locked.research_result,
        party_a=locked.party_a,
        party_b=locked.party_b,
        field=locked.field,
        ip_type=locked.ip_type,
        amends=locked,
        created_by=actor,
    )
    amendment.number = _new_number(amendment)
    amendment.save(update_fields=["number"])
    version = _save_version(
        amendment,
        number=1,
        author=actor,
        content=locked.frozen_version.content(),
        note=f"amends {locked.number}",
    )
    agreement_event_record(
        agreement=locked,
        kind=EventKind.AMENDED,
        actor=actor,
        client=client,
        document_sha256=locked.document_sha256,
        details={"amendment": amendment.number},
    )
    agreement_event_record(
        agreement=amendment,
        kind=EventKind.CREATED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": 1, "amends": locked.number},
    )
    return amendment


__all__ = [
    "agreement_amend",
    "agreement_approve",
    "agreement_check",
    "agreement_create_from_match_request",
    "agreement_event_record",
    "agreement_on_fully_signed",
    "agreement_pdf_download",
    "agreement_sign",
    "agreement_url",
    "agreement_version_create",
    "infer_contract_type",
    "is_turn",
    "next_signature_for",
    "parties_of",
]
