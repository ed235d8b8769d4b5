"""Controlled vocabularies of technology contracts (技术合同).

Codes are stored; labels are translatable English msgids for the web UI. Contract texts (the PDF,
the registration form) are always in Chinese, so every vocabulary also has a fixed Chinese label
in `ZH_LABELS` that does not depend on the active language.

Sources: Civil Code (《中华人民共和国民法典》) Art. 843 (the five contract types), Art. 851
(技术开发: 委托开发, 合作开发), Art. 862 (技术转让: 专利权转让, 专利申请权转让, 技术秘密转让;
技术许可: 专利实施许可, 技术秘密使用许可), Art. 878 (技术咨询, 技术服务), Art. 846 (payment).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractType(models.TextChoices):
    """Civil Code Art. 843 types, plus a general cooperation agreement (合作协议)."""

    DEVELOPMENT = "development", _("Technology development")
    TRANSFER = "transfer", _("Technology transfer")
    LICENCE = "licence", _("Technology licence")
    CONSULTING = "consulting", _("Technical consulting")
    SERVICE = "service", _("Technical service")
    COOPERATION = "cooperation", _("Cooperation agreement")


class ContractSubtype(models.TextChoices):
    """Sub-types of Art. 851 and Art. 862; consulting, service and cooperation have one
    general sub-type."""

    COMMISSIONED_DEVELOPMENT = "commissioned_development", _("Commissioned development")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    PATENT_ASSIGNMENT = "patent_assignment", _("Patent assignment")
    PATENT_APPLICATION_ASSIGNMENT = (
        "patent_application_assignment",
        _("Assignment of the right to apply for a patent"),
    )
    KNOW_HOW_TRANSFER = "know_how_transfer", _("Know-how transfer")
    PATENT_LICENCE = "patent_licence", _("Patent licence")
    KNOW_HOW_LICENCE = "know_how_licence", _("Know-how licence")
    GENERAL = "general", _("General")


#: Which sub-types each type allows (the first is the default).
SUBTYPES: dict[str, tuple[str, ...]] = {
    ContractType.DEVELOPMENT: (
        ContractSubtype.COMMISSIONED_DEVELOPMENT,
        ContractSubtype.JOINT_DEVELOPMENT,
    ),
    ContractType.TRANSFER: (
        ContractSubtype.PATENT_ASSIGNMENT,
        ContractSubtype.PATENT_APPLICATION_ASSIGNMENT,
        ContractSubtype.KNOW_HOW_TRANSFER,
    ),
    ContractType.LICENCE: (ContractSubtype.PATENT_LICENCE, ContractSubtype.KNOW_HOW_LICENCE),
    ContractType.CONSULTING: (ContractSubtype.GENERAL,),
    ContractType.SERVICE: (ContractSubtype.GENERAL,),
    ContractType.COOPERATION: (ContractSubtype.GENERAL,),
}

#: Sub-types whose subject is a patent or a patent application (Art. 845 third paragraph:
#: the contract must name the invention, patentee/applicant, dates, numbers and term).
PATENT_SUBTYPES: frozenset[str] = frozenset(
    {
        ContractSubtype.PATENT_ASSIGNMENT,
        ContractSubtype.PATENT_APPLICATION_ASSIGNMENT,
        ContractSubtype.PATENT_LICENCE,
    }
)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved (frozen)")
    SIGNING = "signing", _("Being signed")
    SIGNED = "signed", _("Signed")


class Party(models.TextChoices):
    """甲方 / 乙方. In a transfer or licence A is the transferee/licensee (the enterprise) and B
    the transferor/licensor (the owner of the research result); see DESIGN.md glossary."""

    A = "a", _("Party A")
    B = "b", _("Party B")


class SigningMode(models.TextChoices):
    SEQUENTIAL = "sequential", _("Sequential (in a fixed order)")
    PARALLEL = "parallel", _("Parallel (in any order)")


class PaymentMethod(models.TextChoices):
    """Civil Code Art. 846."""

    LUMP_SUM = "lump_sum", _("Lump sum, paid at once")
    INSTALMENTS = "instalments", _("Lump sum, paid in instalments")
    ROYALTY = "royalty", _("Royalty")
    ROYALTY_WITH_ENTRY_FEE = "royalty_with_entry_fee", _("Royalty with an advance entry fee")


class RoyaltyBase(models.TextChoices):
    """Art. 846: royalties as a share of the product price, of the output value or profit added
    by exploiting the patent or know-how, or of product sales."""

    PRODUCT_PRICE = "product_price", _("Product price")
    ADDED_OUTPUT = "added_output", _("Added output value")
    PROFIT = "profit", _("Profit")
    SALES = "sales", _("Product sales")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    APPROVED = "approved", _("Approved")
    REOPENED = "reopened", _("Reopened")
    CHECKED = "checked", _("Registration check")
    SIGNED = "signed", _("Signed")
    SIGNING_REFUSED = "signing_refused", _("Signing refused: wrong password")
    SEALED = "sealed", _("Sealed")
    DOWNLOADED = "downloaded", _("Downloaded")
    VERIFIED = "verified", _("Verified")
    AMENDED = "amended", _("Amended")
    PLATFORM_FEE = "platform_fee", _("Platform fee charged")


ZH_LABELS: dict[str, str] = {
    # ContractType
    ContractType.DEVELOPMENT: "技术开发合同",
    ContractType.TRANSFER: "技术转让合同",
    ContractType.LICENCE: "技术许可合同",
    ContractType.CONSULTING: "技术咨询合同",
    ContractType.SERVICE: "技术服务合同",
    ContractType.COOPERATION: "合作协议",
    # ContractSubtype
    ContractSubtype.COMMISSIONED_DEVELOPMENT: "委托开发",
    ContractSubtype.JOINT_DEVELOPMENT: "合作开发",
    ContractSubtype.PATENT_ASSIGNMENT: "专利权转让",
    ContractSubtype.PATENT_APPLICATION_ASSIGNMENT: "专利申请权转让",
    ContractSubtype.KNOW_HOW_TRANSFER: "技术秘密转让",
    ContractSubtype.PATENT_LICENCE: "专利实施许可",
    ContractSubtype.KNOW_HOW_LICENCE: "技术秘密许可",
    ContractSubtype.GENERAL: "一般",
    # Party
    Party.A: "甲方",
    Party.B: "乙方",
    # PaymentMethod
    PaymentMethod.LUMP_SUM: "一次总算、一次总付",
    PaymentMethod.INSTALMENTS: "一次总算、分期支付",
    PaymentMethod.ROYALTY: "提成支付",
    PaymentMethod.ROYALTY_WITH_ENTRY_FEE: "提成支付附加预付入门费",
    # RoyaltyBase
    RoyaltyBase.PRODUCT_PRICE: "产品价格",
    RoyaltyBase.ADDED_OUTPUT: "新增产值",
    RoyaltyBase.PROFIT: "利润",
    RoyaltyBase.SALES: "产品销售额",
    # SigningMode
    SigningMode.SEQUENTIAL: "依次签署",
    SigningMode.PARALLEL: "并行签署",
    # EventKind
    EventKind.CREATED: "创建",
    EventKind.EDITED: "修改",
    EventKind.APPROVED: "确认",
    EventKind.REOPENED: "退回修改",
    EventKind.CHECKED: "登记预审",
    EventKind.SIGNED: "签署",
    EventKind.SIGNING_REFUSED: "签署被拒（密码错误）",
    EventKind.SEALED: "平台电子签章",
    EventKind.DOWNLOADED: "下载",
    EventKind.VERIFIED: "验证",
    EventKind.AMENDED: "变更",
    EventKind.PLATFORM_FEE: "收取平台服务费",
}


def zh_label(code: str) -> str:
    """The fixed Chinese label of a contract vocabulary code (for contract texts)."""
    return ZH_LABELS.get(code, code)
