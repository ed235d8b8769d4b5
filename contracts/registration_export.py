"""Export of the 技术合同登记表 fields as XLSX and PDF.

The technology-contract registration form (技术合同认定登记, rules: 《技术合同认定登记管理办法》
and 《技术合同认定规则》, 科技部 2000) asks for: contract number and name, contract type and
sub-type, the parties (seller = technology provider, buyer = technology recipient) with their
unified social credit codes (GB 32100) and administrative division codes (GB/T 2260), 成交额
(the contract value) and 技术交易额 (the part paid for the technology itself), the signing
date, the validity period, the technical field and the type of intellectual property.

`RegistrationForm` is a plain dataclass so that the exports do not depend on model details;
`registration_form_for` builds it from an `Agreement` (the frozen version's party snapshots,
payment and validity; parties A = buyer, B = seller as in DESIGN.md's glossary).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.utils import translation

from contracts.choices import zh_label
from contracts.identifiers import identifier_problem, region_display_name
from contracts.models import Agreement, beijing_time
from kernel.money import format_amount, stored_amount
from kernel.spreadsheets import spreadsheet_text
from marketplace.choices import Field, IpType

PDF_TEMPLATE = "contracts/pdf/registration.html"


@dataclass(frozen=True)
class RegistrationParty:
    """One party: role ("卖方（技术提供方）" / "买方（技术需求方）"), legal name, credit code,
    GB/T 2260 region code and its full name (``"北京市东城区"``; for a code not in use, which
    the registration check blocks, the reason it is not valid), address."""

    role: str
    legal_name: str
    credit_code: str
    region_code: str
    region_name: str
    address: str


@dataclass(frozen=True)
class RegistrationForm:
    """The fields of the registration form. Money: Decimal CNY (2 places) or None when not
    agreed (a pure royalty); dates: `datetime.date` (signing date in Beijing time)."""

    contract_number: str
    contract_name: str
    contract_type: str  # Chinese label, e.g. "技术转让合同"
    contract_subtype: str  # e.g. "专利权转让"
    parties: list[RegistrationParty]
    contract_amount_cny: Decimal | None  # 成交额
    technology_amount_cny: Decimal | None  # 技术交易额
    signing_date: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    technical_field: str  # Chinese label of marketplace.choices.Field
    ip_type: str  # Chinese label of marketplace.choices.IpType
    payment_method: str = ""
    signing_place: str = ""
    notes: list[str] = field(default_factory=list)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def registration_rows(form: RegistrationForm) -> list[tuple[str, str]]:
    """The form as (Chinese label, value) rows, in the order of the registration form; both
    exports print exactly these rows."""
    rows: list[tuple[str, str]] = [
        ("合同编号", form.contract_number),
        ("项目（合同）名称", form.contract_name),
        ("合同类型", form.contract_type),
        ("合同子类", form.contract_subtype),
    ]
    for party in form.parties:
        rows += [
            (f"{party.role}名称", party.legal_name),
            (f"{party.role}统一社会信用代码", party.credit_code),
            (f"{party.role}所在地区代码（GB/T 2260）", party.region_code),
            (f"{party.role}所在地区", party.region_name),
            (f"{party.role}地址", party.address),
        ]
    rows += [
        ("成交额（元）", format_amount(form.contract_amount_cny)),
        ("技术交易额（元）", format_amount(form.technology_amount_cny)),
        ("支付方式", form.payment_method),
        ("签订日期", _date(form.signing_date)),
        ("签订地点", form.signing_place),
        ("有效期限起", _date(form.valid_from)),
        ("有效期限止", _date(form.valid_until)),
        ("技术领域", form.technical_field),
        ("知识产权类型", form.ip_type),
    ]
    return rows


def registration_xlsx(form: RegistrationForm) -> bytes:
    """An XLSX workbook with one sheet "技术合同登记表": a header row (字段, 内容) and one row
    per field of `registration_rows`; amounts are also written as numbers in column C."""
    # Imported here, as by the other XLSX writers: openpyxl takes about 0.16 s to import,
    # which every start of the site paid before its first answer (the URLs import this).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "技术合同登记表"
    sheet.append(["字段", "内容", "数值"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    amounts = {
        "成交额（元）": form.contract_amount_cny,
        "技术交易额（元）": form.technology_amount_cny,
    }
    for label, value in registration_rows(form):
        number = amounts.get(label)
        sheet.append(
            [label, spreadsheet_text(value), float(number) if number is not None else None]
        )
        if number is not None:
            sheet.cell(row=sheet.max_row, column=3).number_format = "#,##0.00"
    for column, width in ((1, 34), (2, 60), (3, 16)):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def registration_pdf(form: RegistrationForm) -> bytes:
    """The same rows as a one-page PDF (Chinese) through the shared locked-down renderer."""
    from kernel.pdf.render import render_pdf  # WeasyPrint is loaded only when a PDF is asked for

    return render_pdf(
        template_name=PDF_TEMPLATE,
        context={"form": form, "rows": registration_rows(form)},
    )


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _zh_choice(choices: type[Field] | type[IpType], code: str) -> str:
    if not code or code not in choices.values:
        return ""
    with translation.override("zh-hans"):
        return str(choices(code).label)


ROLE_BUYER = "买方（技术需求方）"
ROLE_SELLER = "卖方（技术提供方）"


def _region_name(code: str) -> str:
    """The full name of a GB/T 2260 code; for a code not in use (stored before codes were
    validated; the registration check blocks it) the reason in Chinese, never an empty name."""
    if not code:
        return ""
    name = region_display_name(code)
    if name:
        return name
    problem = identifier_problem("region_code", code)
    return f"无效代码：{problem[0]}" if problem else ""


def registration_form_for(agreement: Agreement) -> RegistrationForm:
    """Adapter from the model: the frozen (else latest) version's party snapshots, payment
    ({"total_cny", "technology_amount_cny", "method"}) and validity ({"valid_from",
    "valid_until", "place"}); the signing date is the last signature's date in Beijing time.
    Party B (owner of the technology) is the seller, party A the buyer."""
    version = agreement.frozen_version or agreement.latest_version()
    parties_data = (version.parties if version else None) or {}
    payment = (version.payment if version else None) or {}
    validity = (version.validity if version else None) or {}
    parties = []
    for code, role, organization in (
        ("b", ROLE_SELLER, agreement.party_b),
        ("a", ROLE_BUYER, agreement.party_a),
    ):
        data = parties_data.get(code) or {}
        region_code = str(data.get("region_code") or organization.region_code or "")
        parties.append(
            RegistrationParty(
                role=role,
                legal_name=str(data.get("legal_name") or organization.legal_name),
                credit_code=str(data.get("credit_code") or organization.credit_code or ""),
                region_code=region_code,
                region_name=_region_name(region_code),
                address=str(data.get("address") or organization.address or ""),
            )
        )
    method = str(payment.get("method") or "")
    return RegistrationForm(
        contract_number=agreement.number,
        contract_name=str((version.clauses or {}).get("project_name", "")) if version else "",
        contract_type=zh_label(agreement.contract_type),
        contract_subtype=zh_label(agreement.subtype),
        parties=parties,
        contract_amount_cny=stored_amount(payment.get("total_cny"), places=2),
        technology_amount_cny=stored_amount(payment.get("technology_amount_cny"), places=2),
        signing_date=beijing_time(agreement.signed_at).date() if agreement.signed_at else None,
        valid_from=_parse_date(validity.get("valid_from")),
        valid_until=_parse_date(validity.get("valid_until")),
        technical_field=_zh_choice(Field, agreement.field),
        ip_type=_zh_choice(IpType, agreement.ip_type),
        payment_method=zh_label(method) if method else "",
        signing_place=str(validity.get("place") or ""),
    )
