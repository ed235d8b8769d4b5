"""The context of the agreement PDF template (`contracts/pdf/agreement.html`, rendered by
`kernel.pdf.render.render_pdf`); its shape is documented in that template."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts.choices import (
    PATENT_SUBTYPES,
    ContractSubtype,
    ContractType,
    Party,
    PaymentMethod,
    SigningMode,
    zh_label,
)
from contracts.clauses import template_for
from contracts.identifiers import region_display_name
from contracts.models import Agreement, AgreementVersion
from contracts.selectors.agreements import agreement_events, agreement_signatures
from kernel.money import stored_amount

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


def _iso_date(value: Any) -> date | str:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")


def _pdf_parties(version: AgreementVersion, roles_zh: dict[str, str]) -> list[dict[str, str]]:
    """Party A and B as printed: role, name, credit code, address, region, representative."""
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
    return parties


def _pdf_patent(agreement: Agreement, version: AgreementVersion) -> dict[str, Any] | None:
    """The patent particulars of a patent sub-type (dates as `date`), else None."""
    if agreement.subtype not in PATENT_SUBTYPES:
        return None
    data = version.patent or {}
    application_date = data.get("application_date") or ""
    return {
        "invention_name": str(data.get("invention_name", "")),
        "patentee": str(data.get("patentee", "")),
        "application_date": _iso_date(application_date) if application_date else None,
        "application_number": str(data.get("application_no", "")),
        "patent_number": str(data.get("patent_no", "")),
        "term": f"至 {data['valid_until']}" if data.get("valid_until") else "",
    }


def _pdf_royalty(payment: dict[str, Any]) -> dict[str, str] | None:
    """{"base", "rate"} for a royalty payment method, else None."""
    method = str(payment.get("method", ""))
    if method not in (PaymentMethod.ROYALTY, PaymentMethod.ROYALTY_WITH_ENTRY_FEE):
        return None
    royalty_data = payment.get("royalty") or {}
    base = str(royalty_data.get("base", ""))
    rate = str(royalty_data.get("rate_percent", ""))
    return {"base": zh_label(base) if base else "", "rate": f"{rate}%" if rate else ""}


def _pdf_schedule(payment: dict[str, Any]) -> list[dict[str, Any]]:
    """The instalments (amounts as Decimal CNY), led by the entry fee when there is one."""
    schedule = [
        {
            "label": f"第{index}期",
            "due_date": _iso_date(entry.get("due_date")) if entry.get("due_date") else "",
            "amount_cny": stored_amount(entry.get("amount_cny")),
            "condition": str(entry.get("note", "")),
        }
        for index, entry in enumerate(payment.get("schedule") or [], start=1)
    ]
    royalty_data = payment.get("royalty") or {}
    method = str(payment.get("method", ""))
    if method == PaymentMethod.ROYALTY_WITH_ENTRY_FEE and royalty_data.get("entry_fee_cny"):
        schedule.insert(
            0,
            {
                "label": "入门费",
                "due_date": "",
                "amount_cny": stored_amount(royalty_data.get("entry_fee_cny")),
                "condition": "",
            },
        )
    return schedule


def _pdf_signers(agreement: Agreement, roles_zh: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "name": slot.signer.get_username() if slot.signer else "",
            "typed_name": slot.typed_name,
            "organization": slot.organization.legal_name,
            "role": roles_zh.get(slot.party, zh_label(slot.party)),
            "signed_at": slot.signed_at,
            "document_sha256": slot.document_sha256 or agreement.document_sha256,
            "preview_sha256": slot.preview_sha256,
        }
        for slot in agreement_signatures(agreement=agreement)
    ]


def _preview_signers(
    agreement: Agreement, version: AgreementVersion, roles_zh: dict[str, str]
) -> list[dict[str, Any]]:
    """The signature blocks of the preview: each slot's role and the party's legal name as
    the version records it (never a live value: the preview is rendered once per version)."""
    names = version.parties or {}
    return [
        {
            "role": roles_zh.get(slot.party, zh_label(slot.party)),
            "organization": str((names.get(slot.party) or {}).get("legal_name", "")),
        }
        for slot in agreement_signatures(agreement=agreement)
    ]


def verify_url() -> str:
    """The public verification page's absolute address (SITE_URL + agreement-verify)."""
    return str(settings.SITE_URL).rstrip("/") + reverse("agreement-verify")


def _pdf_audit(
    agreement: Agreement, version: AgreementVersion
) -> tuple[list[dict[str, Any]], int]:
    """(audit rows, count of omitted earlier events): the creation and every event since
    `version` was saved."""
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
    return audit, len(events) - len(printed)


def _pdf_agreement(
    agreement: Agreement, version: AgreementVersion, roles_zh: dict[str, str]
) -> dict[str, Any]:
    """The "agreement" entry: number, title, type, parties, patent, amounts, schedule, validity."""
    template = template_for(agreement.contract_type, agreement.subtype)
    project_name = str((version.clauses or {}).get("project_name", ""))
    payment = version.payment or {}
    method = str(payment.get("method", ""))
    validity = version.validity or {}
    return {
        "id": agreement.pk,
        "number": agreement.number,
        "title": f"《{project_name}》{template.title_zh}" if project_name else template.title_zh,
        "contract_type": zh_label(agreement.contract_type).removesuffix("合同"),
        "sub_type": ""
        if agreement.subtype == ContractSubtype.GENERAL
        else zh_label(agreement.subtype),
        "project_name": project_name,
        "version": version.number,
        "frozen_at": agreement.approved_at,
        "amends": agreement.amends.number if agreement.amends is not None else "",
        "parties": _pdf_parties(version, roles_zh),
        "patent": _pdf_patent(agreement, version),
        "total_amount_cny": stored_amount(payment.get("total_cny")),
        "technology_amount_cny": stored_amount(payment.get("technology_amount_cny")),
        "payment_method": zh_label(method) if method in PaymentMethod.values else "",
        "royalty": _pdf_royalty(payment),
        "payment_schedule": _pdf_schedule(payment),
        "valid_from": str(validity.get("valid_from", "")),
        "valid_until": str(validity.get("valid_until", "")),
        "place": str(validity.get("place", "")),
        "signing_mode": zh_label(str((version.signing or {}).get("mode", SigningMode.SEQUENTIAL))),
    }


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
    clause_texts = version.clauses or {}
    audit, omitted = _pdf_audit(agreement, version)
    return {
        "agreement": _pdf_agreement(agreement, version, roles_zh),
        "clauses": [(c.title_zh, str(clause_texts.get(c.key, ""))) for c in template.clauses],
        "signers": _pdf_signers(agreement, roles_zh),
        "audit": audit,
        "audit_omitted": omitted,
        "hashes": {"document_sha256": agreement.document_sha256 or version.sha256,
                   "version": version.number},
        "generated_at": timezone.now(),
        "preview_sha256": version.preview_sha256,
        "verify_url": verify_url(),
    }


def agreement_preview_context(*, agreement: Agreement) -> dict[str, Any]:
    """Context of the signing preview (`contracts/pdf/agreement.html` without the signing
    record): the frozen version's terms and the parties' signature blocks, and nothing that
    changes after freezing (no time of rendering, signature, approval or audit event), so
    that every render of one version is the same bytes (`contracts.services.preview`)."""
    version = agreement.frozen_version
    assert version is not None
    template = template_for(agreement.contract_type, agreement.subtype)
    roles_zh = party_roles_zh(agreement)
    clause_texts = version.clauses or {}
    return {
        "agreement": {**_pdf_agreement(agreement, version, roles_zh), "frozen_at": None},
        "clauses": [(c.title_zh, str(clause_texts.get(c.key, ""))) for c in template.clauses],
        "signers": _preview_signers(agreement, version, roles_zh),
        "hashes": {"document_sha256": version.sha256, "version": version.number},
        "verify_url": verify_url(),
        "preview": True,
    }
