"""Export of the 技术合同登记表 fields as XLSX and PDF, and its permission-checked API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from contracts.registration_export import (
    RegistrationForm,
    RegistrationParty,
    registration_form_for,
    registration_pdf,
    registration_rows,
    registration_xlsx,
)
from tests import factories
from tests.contracts import support
from tests.contracts.pdf_inspect import pdf_fonts

FORM = RegistrationForm(
    contract_number="KQ-2025-000009",
    contract_name="一种高强度轻质铝合金的制备方法",
    contract_type="技术转让合同",
    contract_subtype="专利权转让",
    parties=[
        RegistrationParty("卖方（技术提供方）", "天津示例大学", "12120000401359321Q",
                          "120104", "南开区", "天津市南开区卫津路92号"),
        RegistrationParty("买方（技术需求方）", "北京示例新材料科技有限公司", "91110108MA01ABCD1X",
                          "110108", "海淀区", "北京市海淀区中关村大街1号"),
    ],
    contract_amount_cny=Decimal("1200000.00"),
    technology_amount_cny=Decimal("1100000.00"),
    signing_date=dt.date(2025, 3, 1),
    valid_from=dt.date(2025, 3, 1),
    valid_until=dt.date(2027, 2, 28),
    technical_field="新材料",
    ip_type="发明专利",
    payment_method="一次总算、分期支付",
    signing_place="北京市",
)

EXPECTED_VALUES = [
    "KQ-2025-000009", "一种高强度轻质铝合金的制备方法", "技术转让合同", "专利权转让",
    "天津示例大学", "12120000401359321Q", "120104", "南开区",
    "北京示例新材料科技有限公司", "91110108MA01ABCD1X", "110108", "海淀区",
    "1,200,000.00", "1,100,000.00", "2025-03-01", "2027-02-28", "新材料", "发明专利",
]


def test_rows_contain_every_registration_field():
    labels = [label for label, _ in registration_rows(FORM)]
    for label in ("合同类型", "合同子类", "成交额（元）", "技术交易额（元）", "签订日期",
                  "有效期限起", "有效期限止", "技术领域", "知识产权类型"):
        assert label in labels
    assert sum("统一社会信用代码" in label for label in labels) == 2
    assert sum("地区代码（GB/T 2260）" in label for label in labels) == 2
    values = [value for _, value in registration_rows(FORM)]
    for expected in EXPECTED_VALUES:
        assert expected in values, expected


def test_xlsx_contains_every_field_and_numeric_amounts():
    workbook = load_workbook(BytesIO(registration_xlsx(FORM)))
    sheet = workbook["技术合同登记表"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(label, value) for label, value, _ in rows] == registration_rows(FORM)
    numbers = {label: number for label, _, number in rows if number is not None}
    assert numbers == {"成交额（元）": 1200000.0, "技术交易额（元）": 1100000.0}


def test_pdf_contains_every_field_in_the_cjk_font():
    pdf = registration_pdf(FORM)
    assert pdf.startswith(b"%PDF-")
    mapped = "".join(f.unicode_text for f in pdf_fonts(pdf) if "Keqiao-CJK" in f.base_font)
    for label, value in registration_rows(FORM):
        assert set(label + value) - set(" ") <= set(mapped), label


@pytest.fixture
def signed(frozen, enterprise_user, researcher):
    for user, client in ((enterprise_user, support.CLIENT_A), (researcher, support.CLIENT_B)):
        support.sign(frozen, user, client, "签署人")
    frozen.refresh_from_db()
    return frozen


@pytest.mark.django_db
def test_adapter_fills_the_form_from_a_signed_agreement(signed):
    form = registration_form_for(signed)
    assert form.contract_number == signed.number
    assert form.contract_type == "技术转让合同"
    assert form.contract_subtype == "专利权转让"
    assert [p.credit_code for p in form.parties] == [support.CODE_B, support.CODE_A]
    assert all(p.region_code == "110108" and p.region_name for p in form.parties)
    assert form.contract_amount_cny == support.PRICE
    assert form.signing_date is not None
    assert form.ip_type  # copied from the research result (utility model)


@pytest.mark.django_db
def test_registration_api_is_for_parties_and_brokers_only(signed, enterprise_user, broker):
    from rest_framework.test import APIClient

    xlsx_url = f"/api/v1/agreements/{signed.pk}/registration.xlsx"
    pdf_url = f"/api/v1/agreements/{signed.pk}/registration.pdf"
    anonymous = APIClient()
    assert anonymous.get(xlsx_url).status_code == 401
    outsider = APIClient()
    outsider.force_authenticate(factories.enterprise_member())
    assert outsider.get(xlsx_url).status_code == 404
    for user in (enterprise_user, broker):
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(xlsx_url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        workbook = load_workbook(BytesIO(response.content))
        assert signed.number in [row[1] for row in workbook.active.iter_rows(values_only=True)]
        response = client.get(pdf_url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
