"""Sample contexts for the agreement PDF, in the shape documented at the top of
templates/contracts/pdf/agreement.html (and built by `contracts.selectors.agreement_pdf_context`).
Organisations are fictitious; no personal data beyond example.com accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

SAMPLE_SHA256 = "3f7a0c9e5d1b2a4c6e8f00112233445566778899aabbccddeeff001122334455"

#: (contract type label, sub-type label) of every type of Civil Code Art. 843 (+ 合作协议).
CONTRACT_TYPES = [
    ("技术开发", "委托开发"),
    ("技术开发", "合作开发"),
    ("技术转让", "专利权转让"),
    ("技术转让", "专利申请权转让"),
    ("技术转让", "技术秘密转让"),
    ("技术许可", "专利实施许可"),
    ("技术许可", "技术秘密许可"),
    ("技术咨询", ""),
    ("技术服务", ""),
    ("合作协议", ""),
]
PATENT_SUBTYPES = {"专利权转让", "专利申请权转让", "专利实施许可"}

CLAUSE_HEADINGS = [
    "项目名称",
    "标的的内容、范围和要求",
    "履行的计划、地点和方式",
    "技术信息和资料的保密",
    "技术成果的归属和收益的分成办法",
    "验收标准和方法",
    "名词和术语的解释",
    "违约金或者损失赔偿的计算方法",
    "争议的解决方法",
]


def agreement_context(
    *,
    agreement_id: int = 1,
    party_name: str = "北京示例新材料科技有限公司",
    clause_text: str | None = None,
    contract_type: tuple[str, str] = CONTRACT_TYPES[2],
) -> dict[str, Any]:
    """A complete context; `party_name` and `clause_text` let tests inject user text."""
    signed_a = dt.datetime(2025, 3, 1, 2, 15, 30, tzinfo=dt.UTC)
    signed_b = dt.datetime(2025, 3, 1, 6, 40, 5, tzinfo=dt.UTC)
    text = clause_text or (
        "乙方将其拥有的“一种高强度轻质铝合金的制备方法”发明专利权转让给甲方。\n"
        "甲方应按本合同约定支付转让费，乙方应在合同生效后三十日内办理专利权转让登记手续。"
    )
    type_label, subtype_label = contract_type
    patent = None
    if subtype_label in PATENT_SUBTYPES:
        patent = {
            "invention_name": "一种高强度轻质铝合金的制备方法",
            "patentee": "天津示例大学",
            "application_date": dt.date(2021, 5, 20),
            "application_number": "202110551234.5",
            "patent_number": "ZL202110551234.5",
            "term": "至 2041-05-19",
        }
    return {
        "agreement": {
            "id": agreement_id,
            "number": f"KQ-2025-{agreement_id:06d}",
            "title": f"《一种高强度轻质铝合金的制备方法》{type_label}合同".replace(
                "协议合同", "协议"
            ),
            "contract_type": type_label,
            "sub_type": subtype_label,
            "project_name": "一种高强度轻质铝合金的制备方法",
            "version": 3,
            "frozen_at": dt.datetime(2025, 2, 28, 9, 0, tzinfo=dt.UTC),
            "amends": "",
            "parties": [
                {"role": "甲方（受让方）", "name": party_name, "credit_code": "91110108MA01ABCD1X",
                 "address": "北京市海淀区中关村大街1号", "region": "110108 海淀区",
                 "representative": "", "contact": ""},
                {"role": "乙方（让与方）", "name": "天津示例大学",
                 "credit_code": "12120000401359321Q",
                 "address": "天津市南开区卫津路92号", "region": "120104 南开区",
                 "representative": "", "contact": ""},
            ],
            "patent": patent,
            "total_amount_cny": Decimal("1200000.00"),
            "technology_amount_cny": Decimal("1100000.00"),
            "payment_method": "一次总算、分期支付",
            "royalty": None,
            "payment_schedule": [
                {"label": "第1期", "due_date": dt.date(2025, 3, 31),
                 "amount_cny": Decimal("600000.00"), "condition": "合同生效后"},
                {"label": "第2期", "due_date": dt.date(2025, 9, 30),
                 "amount_cny": Decimal("600000.00"), "condition": "专利权转让登记完成后"},
            ],
            "valid_from": "2025-03-01",
            "valid_until": "2027-02-28",
            "place": "北京市",
            "signing_mode": "依次签署",
        },
        "clauses": [(heading, text) for heading in CLAUSE_HEADINGS],
        "signers": [
            {"name": "signer-a@example.com", "typed_name": "张三", "organization": party_name,
             "role": "甲方", "signed_at": signed_a, "document_sha256": SAMPLE_SHA256},
            {"name": "signer-b@example.com", "typed_name": "李四", "organization": "天津示例大学",
             "role": "乙方", "signed_at": signed_b, "document_sha256": SAMPLE_SHA256},
        ],
        "audit": [
            {"at": at, "event": event, "actor": actor, "ip_address": "192.0.2.10",
             "user_agent": "Mozilla/5.0", "document_sha256": SAMPLE_SHA256}
            for at, event, actor in [
                (signed_a - dt.timedelta(days=9), "创建", "signer-a@example.com"),
                (signed_a - dt.timedelta(days=1), "确认", "signer-a@example.com"),
                (signed_a - dt.timedelta(hours=20), "确认", "signer-b@example.com"),
                (signed_a, "签署", "signer-a@example.com"),
                (signed_b, "签署", "signer-b@example.com"),
            ]
        ],
        "hashes": {"document_sha256": SAMPLE_SHA256, "version": 3},
        "generated_at": signed_b + dt.timedelta(seconds=2),
    }
