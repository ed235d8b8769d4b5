"""Builders for contract tests: an accepted match request and an agreement drafted from it, with
terms complete enough to pass the registration check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contracts import services
from contracts.models import Agreement
from contracts.services.audit import ClientInfo
from marketplace.models import Organization
from matching.match_requests import services as match_services
from tests.factories import PASSWORD

CLIENT_A = ClientInfo(ip_address="203.0.113.10", user_agent="pytest-browser/1.0 (party A)")
CLIENT_B = ClientInfo(ip_address="203.0.113.20", user_agent="pytest-browser/1.0 (party B)")

CODE_A = "91110108MA01ABCDEN"
CODE_B = "12100000400000000W"


def accepted_request(*, enterprise_user: Any, researcher: Any, result: Any) -> Any:
    """An enterprise asks for the researcher's result; the researcher accepts."""
    request = match_services.match_request_create(
        actor=enterprise_user, research_result=result, message="我们希望受让这项专利技术。"
    )
    return match_services.match_request_accept(match_request=request, actor=researcher)


def complete_changes(agreement: Agreement) -> dict[str, Any]:
    """Terms that pass every blocking ground for any contract type (patent particulars for
    patent subjects, the patentee being party B)."""
    party_b_name = agreement.party_b.legal_name
    template_clauses = agreement.latest_version().clauses  # type: ignore[union-attr]
    clauses = {
        key: (text.replace("【待填写】", "双方约定的内容") if text else "双方约定的内容")
        for key, text in template_clauses.items()
    }
    clauses["subject"] = "乙方将其所有的储能电池热管理专利技术转让给甲方，包括全部技术资料。"
    return {
        "parties": {
            "a": {
                "credit_code": CODE_A,
                "address": "北京市海淀区中关村大街1号",
                "region_code": "110108",
            },
            "b": {
                "credit_code": CODE_B,
                "address": "北京市海淀区学院路2号",
                "region_code": "110108",
            },
        },
        "clauses": clauses,
        "patent": {
            "invention_name": "储能电池热管理系统",
            "patentee": party_b_name,
            "application_date": "2021-01-20",
            "application_no": "202110123456.7",
            "patent_no": "ZL202110123456.7",
            "valid_until": "2041-01-19",
        },
        "payment": {
            "method": "instalments",
            "total_cny": "300000.00",
            "technology_amount_cny": "300000.00",
            "schedule": [
                {"due_date": "2030-01-31", "amount_cny": "100000.00", "note": "合同生效后"},
                {"due_date": "2030-06-30", "amount_cny": "200000.00", "note": "验收合格后"},
            ],
        },
        "validity": {
            "valid_from": "2025-01-01",
            "valid_until": "2035-12-31",
            "place": "北京市海淀区",
        },
    }


def drafted(
    *, enterprise_user: Any, researcher: Any, result: Any, contract_type: str | None = None,
    subtype: str | None = None,
) -> Agreement:
    request = accepted_request(
        enterprise_user=enterprise_user, researcher=researcher, result=result
    )
    return services.agreement_create_from_match_request(
        match_request=request,
        actor=enterprise_user,
        client=CLIENT_A,
        contract_type=contract_type,
        subtype=subtype,
    )


def completed(
    *, enterprise_user: Any, researcher: Any, result: Any, signing: dict[str, Any] | None = None
) -> Agreement:
    """A patent-transfer draft whose latest version (v2) has complete terms: the registration
    check finds no blocking error, so it can be approved."""
    agreement = drafted(enterprise_user=enterprise_user, researcher=researcher, result=result)
    changes = complete_changes(agreement)
    if signing:
        changes["signing"] = signing
    services.agreement_version_create(
        agreement=agreement, actor=enterprise_user, client=CLIENT_A, changes=changes
    )
    return agreement


def ready_to_sign(
    *, enterprise_user: Any, researcher: Any, result: Any, signing: dict[str, Any] | None = None
) -> Agreement:
    """A patent-transfer agreement with complete terms, approved by both parties (frozen)."""
    agreement = completed(
        enterprise_user=enterprise_user, researcher=researcher, result=result, signing=signing
    )
    services.agreement_approve(agreement=agreement, actor=enterprise_user, client=CLIENT_A)
    services.agreement_approve(agreement=agreement, actor=researcher, client=CLIENT_B)
    agreement.refresh_from_db()
    return agreement


def organisation(user: Any) -> Organization:
    from marketplace import roles

    org = roles.primary_organization(user)
    assert org is not None
    return org


PRICE = Decimal("300000.00")


def with_name(user: Any, name: str) -> Any:
    """Record `name` as `user`'s name on record, the name a signer must type."""
    user.first_name, user.last_name = name, ""
    user.save(update_fields=["first_name", "last_name"])
    return user


def sign(agreement: Agreement, user: Any, client: ClientInfo, name: str, **kwargs: Any) -> Any:
    """Sign as `user` typing `name`, recorded first as the user's name on record, with the
    frozen version's signing preview hash (rendered if needed) unless given."""
    if name.strip():
        with_name(user, name)
    return services.agreement_sign(
        agreement=agreement,
        actor=user,
        client=client,
        password=kwargs.pop("password", PASSWORD),
        typed_name=name,
        document_sha256=kwargs.pop("document_sha256", agreement.document_sha256),
        preview_sha256=kwargs.pop("preview_sha256", None)
        or services.preview_sha256(agreement=agreement),
        **kwargs,
    )
