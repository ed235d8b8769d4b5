"""Display helpers of agreement terms for web pages: labels of the structured terms' keys and
vocabulary codes, in Chinese or English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from contracts.choices import Party, PaymentMethod, RoyaltyBase, SigningMode, zh_label
from contracts.identifiers import region_display_name

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


def _code_label(choices: type[TextChoices], code: str, language: str | None) -> str:
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
