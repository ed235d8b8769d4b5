"""Registration check (技术合同认定登记预审): what would make a technology contract refused at
registration, found before anyone signs.

`check_agreement` returns a `CheckReport` of `Finding`s. Each finding has a stable `code`, a
severity (`error` blocks signing, `warning` is shown), the `field` path it concerns (e.g.
``parties.a.credit_code``, ``clauses.subject``, ``payment.schedule.1.amount_cny``) and its
message in Chinese and English (`message_zh`, `message_en`; `message(language)` picks one).

Grounds and their sources:
- parties unclear — missing legal name, unified social credit code (GB 32100, check character
  verified), address; the same organisation on both sides (技术合同认定规则: 当事人不明确的不予
  登记); missing GB/T 2260 region code only warns (the registration form asks for it), a code
  that is not in use (unknown, or retired: its successor is named) blocks;
- subject unclear — missing project name, an empty or near-empty subject clause, a required
  Art. 845 clause left empty, a 【待填写】 placeholder left anywhere;
- price or fee missing or inconsistent (Art. 846) — no total, instalments not summing to the
  total, bad amounts or dates, royalty without base or with a rate outside (0, 100] %, a
  technology-transaction amount above the total;
- patent particulars missing when a patent is the subject (Art. 845 third paragraph) — name,
  patentee/applicant and a patent or application number block; a malformed number blocks; an
  expired patent blocks; application date, application number and term only warn (they can be
  looked up from the publication number); a patentee who is not party B warns;
- signing date and validity — no end date, an end before the start or in the past block; a
  missing signing place and payment dates outside the validity warn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language

from contracts.choices import PATENT_SUBTYPES, ContractSubtype, PaymentMethod
from contracts.clauses import PATENT_FIELDS, PLACEHOLDER, template_for
from contracts.identifiers import PATENT_NUMBER_FIELDS, identifier_problem
from contracts.models import Agreement, AgreementVersion
from kernel.money import CENT, stored_amount
from marketplace.validators import validate_credit_code

ERROR = "error"
WARNING = "warning"

#: Minimum length (characters) of a subject clause that says what the technology is.
SUBJECT_MIN_LENGTH = 15

_PARTY = {"a": ("甲方", "Party A"), "b": ("乙方", "Party B")}

#: code -> (severity, Chinese message, English message). Messages take str.format names
#: `party_zh`/`party_en`, `title_zh`/`title_en`, `n`, `sum`, `total`.
GROUNDS: dict[str, tuple[str, str, str]] = {
    "party_legal_name_missing": (
        ERROR, "{party_zh}名称缺失。", "{party_en}: the legal name is missing."
    ),
    "party_credit_code_missing": (
        ERROR,
        "{party_zh}统一社会信用代码缺失。",
        "{party_en}: the unified social credit code is missing.",
    ),
    "party_credit_code_invalid": (
        ERROR,
        "{party_zh}统一社会信用代码无效（GB 32100 校验码不符）。",
        "{party_en}: the unified social credit code is not valid (GB 32100 check character).",
    ),
    "party_address_missing": (
        ERROR, "{party_zh}住所（地址）缺失。", "{party_en}: the address is missing."
    ),
    "party_region_code_missing": (
        WARNING,
        "{party_zh}行政区划代码（GB/T 2260）缺失，登记表需要填写。",
        "{party_en}: the administrative division code (GB/T 2260) is missing; the registration "
        "form asks for it.",
    ),
    "party_region_code_invalid": (
        ERROR,
        "{party_zh}行政区划代码无效：{reason_zh}",
        "{party_en}: the administrative division code is not valid: {reason_en}",
    ),
    "parties_identical": (
        ERROR,
        "甲方和乙方是同一主体，合同当事人不明确。",
        "Party A and party B are the same organisation.",
    ),
    "project_name_missing": (ERROR, "项目名称缺失。", "The project name is missing."),
    "subject_unclear": (
        ERROR,
        "标的的内容、范围和要求不明确。",
        "The content, scope and requirements of the subject are unclear.",
    ),
    "clause_missing": (
        ERROR, "条款“{title_zh}”缺失。", "The clause “{title_en}” is missing."
    ),
    "clause_empty": (
        WARNING, "条款“{title_zh}”为空。", "The clause “{title_en}” is empty."
    ),
    "placeholder_left": (
        ERROR,
        "“{title_zh}”中仍有【待填写】内容。",
        "“{title_en}” still contains a 【待填写】 (to be filled in) placeholder.",
    ),
    "payment_method_invalid": (
        ERROR, "支付方式缺失或无效。", "The payment method is missing or not valid."
    ),
    "price_missing": (
        ERROR,
        "合同价款（成交额）缺失或不大于零。",
        "The contract price (total) is missing or not above zero.",
    ),
    "entry_fee_missing": (
        ERROR, "入门费缺失或不大于零。", "The entry fee is missing or not above zero."
    ),
    "schedule_missing": (
        ERROR, "分期支付缺少支付计划。", "Payment in instalments needs a schedule."
    ),
    "schedule_entry_invalid": (
        ERROR,
        "支付计划第{n}期的日期或金额无效。",
        "Instalment {n} of the payment schedule has an invalid date or amount.",
    ),
    "instalments_mismatch": (
        ERROR,
        "分期金额合计 {sum} 元与合同总价 {total} 元不一致。",
        "The instalments add up to CNY {sum}, not the total of CNY {total}.",
    ),
    "payment_due_date_missing": (
        WARNING, "未约定付款日期。", "No payment date is agreed."
    ),
    "payment_after_validity": (
        WARNING,
        "支付计划第{n}期的日期晚于合同有效期。",
        "Instalment {n} falls due after the agreement ends.",
    ),
    "royalty_base_missing": (
        ERROR, "提成支付未约定提成基数。", "The royalty has no base."
    ),
    "royalty_rate_invalid": (
        ERROR,
        "提成比例缺失或不在 0–100% 之间。",
        "The royalty rate is missing or not between 0 and 100 %.",
    ),
    "technology_amount_exceeds_total": (
        ERROR,
        "技术交易额不得大于合同成交额。",
        "The technology-transaction amount exceeds the contract total.",
    ),
    "patent_details_missing": (
        ERROR,
        "标的涉及专利，“{title_zh}”缺失。",
        "A patent is the subject: “{title_en}” is missing.",
    ),
    "patent_number_invalid": (
        ERROR,
        "“{title_zh}”无效：{reason_zh}",
        "“{title_en}” is not a valid Chinese patent number: {reason_en}",
    ),
    "patent_expired": (
        ERROR, "专利权有效期限已届满。", "The patent term has ended."
    ),
    "patent_details_incomplete": (
        WARNING,
        "标的涉及专利，建议注明“{title_zh}”。",
        "A patent is the subject: “{title_en}” should be stated.",
    ),
    "patentee_not_party_b": (
        WARNING,
        "专利权人（申请人）不是乙方，应附专利权人的授权或权属证明。",
        "The patentee (applicant) is not party B; attach the patentee's authorisation.",
    ),
    "validity_missing": (
        ERROR, "合同有效期限缺失。", "The agreement's term of validity is missing."
    ),
    "validity_invalid": (
        ERROR,
        "合同有效期限无效（终止日期早于开始日期或已过期）。",
        "The term of validity is not valid (ends before it starts, or has ended).",
    ),
    "signing_place_missing": (
        WARNING, "未填写签订地点。", "The place of signing is missing."
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message_zh: str
    message_en: str

    def message(self, language: str | None = None) -> str:
        language = language or get_language() or "zh-hans"
        return self.message_en if language.startswith("en") else self.message_zh

    def as_dict(self, language: str | None = None) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message(language),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when nothing blocks signing."""
        return not self.errors

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def add(self, code: str, path: str, **params: Any) -> None:
        severity, zh, en = GROUNDS[code]
        self.findings.append(
            Finding(code, severity, path, zh.format(**params), en.format(**params))
        )


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _check_parties(report: CheckReport, parties: dict[str, Any]) -> None:
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for party in ("a", "b"):
        data = parties.get(party) or {}
        zh, en = _PARTY[party]
        labels = {"party_zh": zh, "party_en": en}
        name = _text(data.get("legal_name"))
        if not name:
            report.add("party_legal_name_missing", f"parties.{party}.legal_name", **labels)
        names[party] = name
        code = _text(data.get("credit_code"))
        if not code:
            report.add("party_credit_code_missing", f"parties.{party}.credit_code", **labels)
        else:
            try:
                validate_credit_code(code)
            except ValidationError:
                report.add("party_credit_code_invalid", f"parties.{party}.credit_code", **labels)
            codes[party] = code
        if not _text(data.get("address")):
            report.add("party_address_missing", f"parties.{party}.address", **labels)
        region_code = _text(data.get("region_code"))
        if not region_code:
            report.add("party_region_code_missing", f"parties.{party}.region_code", **labels)
        elif (problem := identifier_problem("region_code", region_code)) is not None:
            report.add(
                "party_region_code_invalid",
                f"parties.{party}.region_code",
                reason_zh=problem[0],
                reason_en=problem[1],
                **labels,
            )
    same_name = names["a"] and names["a"] == names["b"]
    same_code = codes.get("a") and codes.get("a") == codes.get("b")
    if same_name or same_code:
        report.add("parties_identical", "parties")


def _check_clauses(report: CheckReport, agreement: Agreement, clauses: dict[str, Any]) -> None:
    template = template_for(agreement.contract_type, agreement.subtype)
    for clause in template.clauses:
        text = _text(clauses.get(clause.key))
        path = f"clauses.{clause.key}"
        titles = {"title_zh": clause.title_zh, "title_en": clause.title_en}
        if clause.key == "project_name" and not text:
            report.add("project_name_missing", path)
        elif clause.key == "subject" and len(text) < SUBJECT_MIN_LENGTH:
            report.add("subject_unclear", path)
        elif not text:
            report.add("clause_missing" if clause.required else "clause_empty", path, **titles)
        if PLACEHOLDER in text:
            report.add("placeholder_left", path, **titles)


def _check_payment(
    report: CheckReport, payment: dict[str, Any], valid_until: date | None
) -> None:
    method = payment.get("method")
    if method not in PaymentMethod.values:
        report.add("payment_method_invalid", "payment.method")
        return
    total = stored_amount(payment.get("total_cny"))
    royalty_only = method == PaymentMethod.ROYALTY
    if not royalty_only and (total is None or total <= 0):
        report.add("price_missing", "payment.total_cny")
    schedule = payment.get("schedule") or []
    schedule_sum = Decimal("0")
    schedule_ok = True
    for index, entry in enumerate(schedule, start=1):
        amount = stored_amount((entry or {}).get("amount_cny"))
        due = _date((entry or {}).get("due_date"))
        if amount is None or amount <= 0 or ((entry or {}).get("due_date") and due is None):
            report.add("schedule_entry_invalid", f"payment.schedule.{index}", n=index)
            schedule_ok = False
            continue
        schedule_sum += amount
        if due is None:
            report.add("payment_due_date_missing", f"payment.schedule.{index}.due_date")
        elif valid_until is not None and due > valid_until:
            report.add("payment_after_validity", f"payment.schedule.{index}.due_date", n=index)
    if method == PaymentMethod.INSTALMENTS and not schedule:
        report.add("schedule_missing", "payment.schedule")
    elif method == PaymentMethod.LUMP_SUM and not schedule:
        report.add("payment_due_date_missing", "payment.schedule")
    if (
        method in (PaymentMethod.LUMP_SUM, PaymentMethod.INSTALMENTS)
        and schedule
        and schedule_ok
        and total is not None
        and schedule_sum.quantize(CENT) != total.quantize(CENT)
    ):
        report.add(
            "instalments_mismatch",
            "payment.schedule",
            sum=f"{schedule_sum.quantize(CENT)}",
            total=f"{total.quantize(CENT)}",
        )
    if method in (PaymentMethod.ROYALTY, PaymentMethod.ROYALTY_WITH_ENTRY_FEE):
        royalty = payment.get("royalty") or {}
        if not _text(royalty.get("base")):
            report.add("royalty_base_missing", "payment.royalty.base")
        rate = stored_amount(royalty.get("rate_percent"))
        if rate is None or rate <= 0 or rate > 100:
            report.add("royalty_rate_invalid", "payment.royalty.rate_percent")
        if method == PaymentMethod.ROYALTY_WITH_ENTRY_FEE:
            fee = stored_amount(royalty.get("entry_fee_cny"))
            if fee is None or fee <= 0:
                report.add("entry_fee_missing", "payment.royalty.entry_fee_cny")
    technology = stored_amount(payment.get("technology_amount_cny"))
    if technology is not None and total is not None and technology > total:
        report.add("technology_amount_exceeds_total", "payment.technology_amount_cny")


def _check_patent(
    report: CheckReport,
    agreement: Agreement,
    patent: dict[str, Any],
    parties: dict[str, Any],
    today: date,
) -> None:
    titles = {f.key: {"title_zh": f.title_zh, "title_en": f.title_en} for f in PATENT_FIELDS}
    for key in ("invention_name", "patentee"):
        if not _text(patent.get(key)):
            report.add("patent_details_missing", f"patent.{key}", **titles[key])
    # A granted patent is identified by its number; a patent application by its application
    # number (the right to apply is what an application assignment transfers).
    application = agreement.subtype == ContractSubtype.PATENT_APPLICATION_ASSIGNMENT
    identifier = "application_no" if application else "patent_no"
    if not _text(patent.get(identifier)):
        report.add("patent_details_missing", f"patent.{identifier}", **titles[identifier])
    for key in PATENT_NUMBER_FIELDS:
        value = _text(patent.get(key))
        if value and (problem := identifier_problem(key, value)) is not None:
            report.add(
                "patent_number_invalid",
                f"patent.{key}",
                reason_zh=problem[0],
                reason_en=problem[1],
                **titles[key],
            )
    optional = ["application_date", "application_no", "valid_until"]
    if application:
        optional.remove("valid_until")
    for key in optional:
        if key == identifier:
            continue
        if not _text(patent.get(key)):
            report.add("patent_details_incomplete", f"patent.{key}", **titles[key])
    valid_until = _date(patent.get("valid_until"))
    if valid_until is not None and valid_until < today:
        report.add("patent_expired", "patent.valid_until")
    patentee = _text(patent.get("patentee"))
    party_b = _text((parties.get("b") or {}).get("legal_name"))
    if patentee and party_b and patentee != party_b:
        report.add("patentee_not_party_b", "patent.patentee")
    for key, value in patent.items():
        if PLACEHOLDER in _text(value):
            title = titles.get(key, {"title_zh": key, "title_en": key})
            report.add("placeholder_left", f"patent.{key}", **title)


def _check_validity(report: CheckReport, validity: dict[str, Any], today: date) -> date | None:
    start = _date(validity.get("valid_from"))
    end = _date(validity.get("valid_until"))
    if not validity.get("valid_until"):
        report.add("validity_missing", "validity.valid_until")
    elif end is None or (start is not None and end < start) or end < today:
        report.add("validity_invalid", "validity.valid_until")
    if validity.get("valid_from") and start is None:
        report.add("validity_invalid", "validity.valid_from")
    if not _text(validity.get("place")):
        report.add("signing_place_missing", "validity.place")
    return end


def check_agreement(
    *,
    agreement: Agreement,
    version: AgreementVersion | None = None,
    today: date | None = None,
) -> CheckReport:
    """Check `version` (default: the frozen version, else the latest) of `agreement`.

    `today` (a Beijing-time calendar date by default) decides whether the validity or the patent
    term has ended. Reads only; never raises for bad content (bad content is a finding).
    """
    version = version or agreement.frozen_version or agreement.latest_version()
    today = today or timezone.localdate()
    report = CheckReport()
    if version is None:
        report.add("subject_unclear", "clauses.subject")
        return report
    _check_parties(report, version.parties or {})
    _check_clauses(report, agreement, version.clauses or {})
    valid_until = _check_validity(report, version.validity or {}, today)
    _check_payment(report, version.payment or {}, valid_until)
    if agreement.subtype in PATENT_SUBTYPES:
        _check_patent(report, agreement, version.patent or {}, version.parties or {}, today)
    return report


__all__ = [
    "ERROR",
    "GROUNDS",
    "WARNING",
    "CheckReport",
    "Finding",
    "check_agreement",
]
