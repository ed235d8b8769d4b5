"""The demo agreement for `manage.py load_demo`.

`create_demo_agreement()` makes one 技术转让 (专利权转让) agreement between the demo enterprise
(【演示】科桥示范科技有限公司, party A, transferee) and the demo university (【演示】科桥示范大学,
party B, transferor) about a real bundled research result that carries a patent number (the
first published one by source id), and takes it through the whole flow with the real services:
an accepted match request, a draft, an edit with complete terms, approval by both, the
registration check, signatures in order (enterprise, then university) with the demo password,
and — after that transaction commits — the sealed PDF. Idempotent: an existing demo agreement
for that result is returned as is (sealed first if its seal is still pending).

Demo-only facts, labelled as such: the organisations' unified social credit codes (valid check
characters, "KQDEM" in the body), the price and payment dates. The patent particulars come from
the bundled record (title, owner as patentee, publication number); its application number,
application date and term are not in the data and are left empty, which the registration check
reports as warnings — as it reports that the patentee is not party B.

Must run after `marketplace.demo.load_bundled_listings` and `create_demo_accounts`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contracts import services
from contracts.choices import AgreementStatus, ContractSubtype, ContractType
from contracts.clauses import template_for
from contracts.models import Agreement
from contracts.services.audit import ClientInfo
from contracts.services.sealing import agreement_seal
from marketplace.choices import ListingStatus
from marketplace.demo import demo_password
from marketplace.models import Organization, ResearchResult
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus

ENTERPRISE = "【演示】科桥示范科技有限公司"
UNIVERSITY = "【演示】科桥示范大学"
DEMO_CREDIT_CODES = {ENTERPRISE: "91110108KQDEM0001T", UNIVERSITY: "12110000KQDEM0002A"}
DEMO_PRICE = "200000.00"
CLIENT = ClientInfo(ip_address="127.0.0.1", user_agent="keqiao load_demo")


class DemoDataMissing(Exception):
    """The demo accounts or the bundled listings are not loaded yet."""


def _demo_result() -> ResearchResult:
    result = (
        ResearchResult.objects.filter(status=ListingStatus.PUBLISHED)
        .exclude(patent_no="")
        .exclude(source_id__startswith="DEMO")
        .select_related("owner")
        .order_by("source_id", "id")
        .first()
    )
    if result is None:
        raise DemoDataMissing("no published research result with a patent number")
    return result


def _party(org: Organization) -> dict[str, str]:
    return {
        "legal_name": org.legal_name,
        "credit_code": org.credit_code or DEMO_CREDIT_CODES[org.legal_name],
        "address": org.address or "北京市海淀区（演示地址）",
        "region_code": org.region_code or "110000",
        "representative": "（演示）授权代表",
        "contact": "",
    }


def _terms(agreement: Agreement, result: ResearchResult) -> dict[str, Any]:
    today = timezone.localdate()
    template = template_for(agreement.contract_type, agreement.subtype)
    summary = (result.summary or "").strip()
    clauses = template.default_clauses(
        {
            "project_name": result.title,
            "result_title": result.title,
            "result_summary": summary[:2000],
            "performance_days": "30",
            "performance_place": "甲方住所地",
            "acceptance_days": "30",
            "acceptance_standard": "本合同附件所列技术资料清单及专利权转让登记完成情况",
        }
    )
    clauses["subject"] = (
        f"乙方将“{result.title}”（公告号 {result.patent_no}）的专利权及与之有关的全部技术资料转让给"
        f"甲方。{summary[:1000]}（演示合同）"
    )
    return {
        "parties": {"a": _party(agreement.party_a), "b": _party(agreement.party_b)},
        "clauses": clauses,
        "patent": {
            "invention_name": result.title,
            "patentee": result.owner.legal_name,
            "patent_no": result.patent_no,
        },
        "payment": {
            "method": "instalments",
            "total_cny": DEMO_PRICE,
            "technology_amount_cny": DEMO_PRICE,
            "schedule": [
                {
                    "due_date": (today + timedelta(days=30)).isoformat(),
                    "amount_cny": "60000.00",
                    "note": "合同生效后30日内（演示）",
                },
                {
                    "due_date": (today + timedelta(days=180)).isoformat(),
                    "amount_cny": "140000.00",
                    "note": "专利权转让登记完成后（演示）",
                },
            ],
        },
        "validity": {
            "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 5).isoformat(),
            "place": "北京市海淀区",
        },
        "signing": {"mode": "sequential", "order": ["a", "b"]},
    }


class DemoSealFailed(Exception):
    """The demo agreement is signed but its PDF could not be rendered and sealed."""


def create_demo_agreement() -> Agreement:
    """Create (or return) the signed, sealed demo agreement. Raises DemoDataMissing when the
    demo accounts or bundled listings are missing, DemoSealFailed when the PDF cannot be sealed
    (the cause, e.g. a missing font, is in the message).

    The terms and signatures are written in one transaction; the seal runs after it commits,
    like every agreement's (`contracts.services.sealing`). An existing demo agreement that is still
    waiting for its seal is sealed now."""
    agreement = _signed_demo_agreement()
    agreement.refresh_from_db()  # the seal scheduled on commit may have run meanwhile
    if agreement.sealed_at is None:
        outcome = agreement_seal(agreement_id=agreement.pk, client=CLIENT, ignore_backoff=True)
        agreement.refresh_from_db()
        if agreement.sealed_at is None:
            raise DemoSealFailed(
                f"The demo agreement {agreement.number} is signed but not sealed: "
                f"{outcome.error or outcome.result}"
            )
    return agreement


@transaction.atomic
def _signed_demo_agreement() -> Agreement:
    users = get_user_model().objects
    try:
        enterprise_org = Organization.objects.get(legal_name=ENTERPRISE)
        university_org = Organization.objects.get(legal_name=UNIVERSITY)
        enterprise_user = users.get(username="enterprise")
        researcher = users.get(username="researcher")
    except (Organization.DoesNotExist, users.model.DoesNotExist) as exc:
        raise DemoDataMissing("run create_demo_accounts first") from exc
    result = _demo_result()
    existing = Agreement.objects.filter(
        party_a=enterprise_org,
        party_b=university_org,
        research_result=result,
        amends__isnull=True,
    ).first()
    if existing is not None:
        return existing
    # The bundled result belongs to its real owner, not the demo university; the demo request
    # is recorded directly (the request services would address the real owner).
    now = timezone.now()
    match_request, _ = MatchRequest.objects.get_or_create(
        direction=MatchRequestDirection.NEED_TO_RESULT,
        research_result=result,
        requester=enterprise_org,
        addressee=university_org,
        defaults={
            "created_by": enterprise_user,
            "message": "（演示）我公司希望受让该专利技术。",
            "status": MatchRequestStatus.ACCEPTED,
            "decided_by": researcher,
            "decided_at": now,
        },
    )
    agreement = services.agreement_create_from_match_request(
        match_request=match_request,
        actor=enterprise_user,
        client=CLIENT,
        contract_type=ContractType.TRANSFER,
        subtype=ContractSubtype.PATENT_ASSIGNMENT,
    )
    services.agreement_version_create(
        agreement=agreement,
        actor=researcher,
        client=CLIENT,
        changes=_terms(agreement, result),
        note="完善合同条款（演示）",
    )
    services.agreement_approve(agreement=agreement, actor=enterprise_user, client=CLIENT)
    services.agreement_approve(agreement=agreement, actor=researcher, client=CLIENT)
    services.agreement_check(agreement=agreement, actor=researcher, client=CLIENT)
    # What the signing page shows and the signers approve (rendered in a child process).
    preview = services.preview_sha256(agreement=agreement)
    for user in (enterprise_user, researcher):
        services.agreement_sign(
            agreement=agreement,
            actor=user,
            client=CLIENT,
            password=demo_password(),
            typed_name=user.get_full_name() or "演示用户",
            document_sha256=agreement.document_sha256,
            preview_sha256=preview,
        )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    return agreement
