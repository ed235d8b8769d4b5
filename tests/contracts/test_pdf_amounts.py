"""Amounts on the agreement PDF: figures with thousands separators and, for the contract's
totals, the amount in capital numerals (大写) beside them, as the People's Bank of China's
rules for writing amounts ask (`kernel.capital_numerals`)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pdfplumber
import pytest

from contracts.templatetags.contract_pdf import in_capitals, yuan
from kernel.capital_numerals import amount_in_capitals
from kernel.pdf.render import render_pdf
from tests.contracts.samples import agreement_context


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # the examples of 《正确填写票据和结算凭证的基本规定》
        ("1409.50", "人民币壹仟肆佰零玖元伍角"),
        ("6007.14", "人民币陆仟零柒元壹角肆分"),
        ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
        ("325.04", "人民币叁佰贰拾伍元零肆分"),
        ("0.05", "人民币伍分"),
        ("800000", "人民币捌拾万元整"),
        ("12.345", "人民币壹拾贰元叁角伍分"),  # rounded half up to the fen
    ],
)
def test_amounts_in_capitals_follow_the_payment_document_rules(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


def test_negative_or_non_finite_amounts_have_no_capitals():
    for bad in ("-1", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            amount_in_capitals(Decimal(bad))
    assert in_capitals("-1") == "" and in_capitals(None) == "" and in_capitals("x") == ""


def test_figures_have_thousands_separators():
    assert yuan(Decimal("800000")) == "800,000.00"
    assert yuan("1234567.5") == "1,234,567.50"
    assert yuan(None) == ""


def test_agreement_pdf_prints_totals_with_separators_and_in_capitals():
    pdf = render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())
    with pdfplumber.open(BytesIO(pdf)) as document:
        text = "".join((page.extract_text() or "") for page in document.pages).replace(" ", "")
    assert "人民币1,200,000.00元" in text
    assert "人民币壹佰贰拾万元整" in text and "人民币壹佰壹拾万元整" in text
    assert "600,000.00" in text  # the payment schedule
    assert "1200000.00" not in text


def test_certificate_page_carries_the_visible_platform_seal_image():
    from pyhanko.pdf_utils.reader import PdfFileReader

    pdf = render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())
    with pdfplumber.open(BytesIO(pdf)) as document:
        last = document.pages[-1] if "签署完成证明" in (document.pages[-1].extract_text() or "") \
            else next(p for p in document.pages if "签署完成证明" in (p.extract_text() or ""))
        (image,) = last.images
        assert 100 < image["width"] < 130  # 38 mm in points (107.7) on the page
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    assert int(reader.root["/Pages"]["/Count"]) >= 3
