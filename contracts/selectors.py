"""Agreement reads, with visibility applied for the viewer, and the PDF context.

Who sees what (issue 5): members of party A's or party B's organisation and brokers (and
admins) see an agreement, its versions, audit trail and sealed PDF; everyone else gets 404
(`agreement_get` raises Http404, lists are empty).

`agreement_pdf_context` is the context of the PDF template (`contracts/pdf/agreement.html`,
rendered by `marketplace.pdf.render_pdf`); its shape is documented in that template.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import (
    PATENT_SUBTYPES,
    ContractSubtype,
    ContractType,
    EventKind,
    Party,
    PaymentMethod,
    RoyaltyBase,
    SigningMode,
    zh_label,
)
from contracts.clauses import template_for
from contracts.diffing import SectionDiff, diff_versions
from contracts.identifiers import region_display_name
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementSignature,
    AgreementVersion,
)
from marketplace import roles

AnyUser = AbstractBaseUser | AnonymousUser


def _visible(viewer: AnyUser) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related(
        "party_a", "party_b", "research_result", "match_request", "frozen_version", "amends"
    ).defer("sealed_pdf")
    if not viewer.is_authenticated:
        return qs.none()
    if roles.is_broker(viewer):
        return qs
    org_ids = roles.organization_ids(viewer)
    if not org_ids:
        return qs.none()
    return qs.filter(Q(party_a_id__in=org_ids) | Q(party_b_id__in=org_ids))


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
    return agreement.versions.select_related("author").prefetch_related("approvals").order_by(
        "number"
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


# --- Display helpers (web pages) -----------------------------------------------------------------

#: Labels (zh, en) of the keys of the structured terms (parties, payment, validity, signing),
#: as flattened by `contracts.diffing` ("schedule.1.amount_cny: 100"). Unknown keys are shown
#: as they are.
TERM_KEY_LABELS: dict[str, tuple[str, str]] = {
    "legal_name": ("名称", "Legal name"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "address": ("住所", "Address"),
    "region_code": ("行政区划", "Region"),
    "representative": ("法定代表人", "Legal representative"),
    "contact": ("联系方式", "Contact"),
    "method": ("支付方式", "Payment method"),
    "total_cny": ("合同总价（元）", "Contract price (CNY)"),
    "technology_amount_cny": ("技术交易额（元）", "Technology-transaction amount (CNY)"),
    "schedule": ("分期支付", "Instalments"),
    "due_date": ("支付日期", "Due date"),
    "amount_cny": ("金额（元）", "Amount (CNY)"),
    "note": ("说明", "Note"),
    "royalty": ("提成", "Royalty"),
    "base": ("提成基数", "Royalty base"),
    "rate_percent": ("提成比例（%）", "Royalty rate (%)"),
    "entry_fee_cny": ("入门费（元）", "Entry fee (CNY)"),
    "valid_from": ("生效日期", "Valid from"),
    "valid_until": ("截止日期", "Valid until"),
    "place": ("签订地点", "Place of signing"),
    "mode": ("签署方式", "Signing mode"),
    "order": ("签署顺序", "Signing order"),
}

#: Keys whose values are vocabulary codes of `contracts.choices`.
_CODE_CHOICES: dict[str, Any] = {
    "method": PaymentMethod,
    "base": RoyaltyBase,
    "mode": SigningMode,
    "order": Party,
}


def _is_zh(language: str | None) -> bool:
    return not (language or "").startswith("en")


def _code_label(choices: Any, code: str, language: str | None) -> str:
    if code not in choices.values:
        return code
    return zh_label(code) if _is_zh(language) else str(choices(code).label)


def term_line_display(line: str, language: str | None) -> str:
    """One flattened term line ("schedule.1.amount_cny: 100", "method: lump_sum") for people:
    each key segment by its label in `TERM_KEY_LABELS` (numbers as 第1项 / #1), codes by their
    labels in `contracts.choices` (Chinese or English by `language`), an empty list or value as
    "—". Lines that are not "key: value" are returned unchanged."""
    body = line.rstrip("\n")
    ending = line[len(body):]
    path, separator, value = body.partition(": ")
    if not separator:
        return line
    zh = _is_zh(language)
    segments = path.split(".")
    labels: list[str] = []
    for segment in segments:
        if segment.isdigit():
            labels.append(f"第{segment}项" if zh else f"#{segment}")
        else:
            pair = TERM_KEY_LABELS.get(segment)
            labels.append((pair[0] if zh else pair[1]) if pair else segment)
    named = [s for s in segments if not s.isdigit()]
    choices = _CODE_CHOICES.get(named[-1]) if named else None
    if value in ("", "[]"):
        shown = "—"
    elif choices is not None:
        shown = _code_label(choices, value, language)
    elif named and named[-1] == "region_code":
        shown = f"{value} {region_display_name(value)}".strip()
    else:
        shown = value
    return f"{' · '.join(labels)}{'：' if zh else ': '}{shown}{ending}"


def signing_order_display(signing: Mapping[str, Any] | None) -> str:
    """The signing order for people, in the active language: "依次签署：甲方 → 乙方" /
    "Sequential: Party A → Party B"; "同时签署" / "In parallel"."""
    signing = signing or {}
    if signing.get("mode") == SigningMode.PARALLEL:
        return str(_("In parallel"))
    order = " → ".join(
        str(Party(code).label) if code in Party.values else str(code)
        for code in signing.get("order") or []
    )
    return str(_("Sequential: %(order)s") % {"order": order or "—"})


# --- PDF context ---------------------------------------------------------------------------------

#: Party roles per contract type, as the contract names them (甲方（受让方）...).
_ROLE_SUFFIX: dict[str, tuple[str, str]] = {
    ContractType.TRANSFER: ("受让方", "让与方"),
    ContractType.LICENCE: ("被许可方", "许可方"),
    ContractType.CONSULTING: ("委托方", "受托方"),
    ContractType.SERVICE: ("委托方", "受托方"),
}
_DEVELOPMENT_ROLES: dict[str, tuple[str, str]] = {
    ContractSubtype.COMMISSIONED_DEVELOPMENT: ("委托方", "研究开发方"),
    ContractSubtype.JOINT_DEVELOPMENT: ("合作方", "合作方"),
}


def party_roles_zh(agreement: Agreement) -> dict[str, str]:
    """{"a": "甲方（受让方）", "b": "乙方（让与方）"} for the agreement's type."""
    suffixes = _ROLE_SUFFIX.get(agreement.contract_type) or _DEVELOPMENT_ROLES.get(
        agreement.subtype
    )
    if suffixes is None:
        return {"a": "甲方", "b": "乙方"}
    return {"a": f"甲方（{suffixes[0]}）", "b": f"乙方（{suffixes[1]}）"}


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _iso_date(value: Any) -> date | str:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")


def agreement_pdf_context(*, agreement: Agreement) -> dict[str, Any]:
    """Context of the PDF template `contracts/pdf/agreement.html` (its header comment documents
    the shape: "agreement" with parties, patent, amounts and schedule; "clauses" as (heading,
    text) pairs in template order; "signers"; "audit"; "audit_omitted"; "hashes";
    "generated_at"). Built from the frozen version (the latest one before freezing).

    The audit rows are the agreement's creation and every event since the printed version was
    saved (its edit or reopening, approvals, checks, signatures): the history of the signed
    document, bounded whatever the number of earlier drafts. `audit_omitted` counts the earlier
    events (edits and approvals of superseded versions), which stay in the audit trail on
    record (API and web page). Times are aware UTC datetimes (the
    template shows Beijing time and UTC); amounts are Decimal CNY. All text is plain (the
    template escapes it).
    """
    version = agreement.frozen_version or agreement.latest_version()
    assert version is not None
    template = template_for(agreement.contract_type, agreement.subtype)
    roles_zh = party_roles_zh(agreement)
    parties = []
    for party in (Party.A.value, Party.B.value):
        data = (version.parties or {}).get(party) or {}
        code = str(data.get("region_code", ""))
        parties.append(
            {
                "role": roles_zh[party],
                "name": str(data.get("legal_name", "")),
                "credit_code": str(data.get("credit_code", "")),
                "address": str(data.get("address", "")),
                "region": f"{code} {region_display_name(code)}".strip() if code else "",
                "representative": str(data.get("representative", "")),
                "contact": str(data.get("contact", "")),
            }
        )
    clause_texts = version.clauses or {}
    clauses = [(c.title_zh, str(clause_texts.get(c.key, ""))) for c in template.clauses]
    patent: dict[str, Any] | None = None
    if agreement.subtype in PATENT_SUBTYPES:
        data = version.patent or {}
        application_date = data.get("application_date") or ""
        patent = {
            "invention_name": str(data.get("invention_name", "")),
            "patentee": str(data.get("patentee", "")),
            "application_date": _iso_date(application_date) if application_date else None,
            "application_number": str(data.get("application_no", "")),
            "patent_number": str(data.get("patent_no", "")),
            "term": f"至 {data['valid_until']}" if data.get("valid_until") else "",
        }
    payment = version.payment or {}
    method = str(payment.get("method", ""))
    royalty_data = payment.get("royalty") or {}
    royalty: dict[str, str] | None = None
    if method in (PaymentMethod.ROYALTY, PaymentMethod.ROYALTY_WITH_ENTRY_FEE):
        base = str(royalty_data.get("base", ""))
        rate = str(royalty_data.get("rate_percent", ""))
        royalty = {"base": zh_label(base) if base else "", "rate": f"{rate}%" if rate else ""}
    schedule = [
        {
            "label": f"第{index}期",
            "due_date": _iso_date(entry.get("due_date")) if entry.get("due_date") else "",
            "amount_cny": _decimal(entry.get("amount_cny")),
            "condition": str(entry.get("note", "")),
        }
        for index, entry in enumerate(payment.get("schedule") or [], start=1)
    ]
    if method == PaymentMethod.ROYALTY_WITH_ENTRY_FEE and royalty_data.get("entry_fee_cny"):
        schedule.insert(
            0,
            {
                "label": "入门费",
                "due_date": "",
                "amount_cny": _decimal(royalty_data.get("entry_fee_cny")),
                "condition": "",
            },
        )
    signers = [
        {
            "name": slot.signer.get_username() if slot.signer else "",
            "typed_name": slot.typed_name,
            "organization": slot.organization.legal_name,
            "role": roles_zh.get(slot.party, zh_label(slot.party)),
            "signed_at": slot.signed_at,
            "document_sha256": slot.document_sha256 or agreement.document_sha256,
        }
        for slot in agreement_signatures(agreement=agreement)
    ]
    events = list(agreement_events(agreement=agreement))
    printed = [
        event
        for index, event in enumerate(events)
        if index == 0 or event.created_at >= version.created_at
    ]
    audit = [
        {
            "at": event.created_at,
            "event": zh_label(event.kind),
            "actor": event.actor_name or "科桥平台",
            "ip_address": event.ip_address or "",
            "user_agent": event.user_agent,
            "document_sha256": event.document_sha256,
        }
        for event in printed
    ]
    type_label = zh_label(agreement.contract_type)
    project_name = str(clause_texts.get("project_name", ""))
    return {
        "agreement": {
            "id": agreement.pk,
            "number": agreement.number,
            "title": (
                f"《{project_name}》{template.title_zh}" if project_name else template.title_zh
            ),
            "contract_type": type_label.removesuffix("合同"),
            "sub_type": ""
            if agreement.subtype == ContractSubtype.GENERAL
            else zh_label(agreement.subtype),
            "project_name": project_name,
            "version": version.number,
            "frozen_at": agreement.approved_at,
            "amends": agreement.amends.number if agreement.amends_id else "",  # type: ignore[union-attr]
            "parties": parties,
            "patent": patent,
            "total_amount_cny": _decimal(payment.get("total_cny")),
            "technology_amount_cny": _decimal(payment.get("technology_amount_cny")),
            "payment_method": zh_label(method) if method in PaymentMethod.values else "",
            "royalty": royalty,
            "payment_schedule": schedule,
            "valid_from": str((version.validity or {}).get("valid_from", "")),
            "valid_until": str((version.validity or {}).get("valid_until", "")),
            "place": str((version.validity or {}).get("place", "")),
            "signing_mode": zh_label(
                str((version.signing or {}).get("mode", SigningMode.SEQUENTIAL))
            ),
        },
        "clauses": clauses,
        "signers": signers,
        "audit": audit,
        "audit_omitted": len(events) - len(printed),
        "hashes": {"document_sha256": agreement.document_sha256 or version.sha256,
                   "version": version.number},
        "generated_at": timezone.now(),
    }


__all__ = [
    "agreement_events",
    "agreement_get",
    "agreement_list",
    "agreement_pdf_context",
    "agreement_signatures",
    "agreement_version_diff",
    "agreement_version_get",
    "agreement_version_notes",
    "agreement_versions",
    "party_roles_zh",
]
