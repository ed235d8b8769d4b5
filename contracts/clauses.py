"""Clause templates per contract type and sub-type, as data.

Every template covers the content that Civil Code Art. 845 (first paragraph) says a technology
contract generally includes — 项目名称; 标的的内容、范围和要求; 履行的计划、进度、期限、地点、地域和
方式; 技术信息和资料的保密; 技术成果的归属和收益的分配办法; 验收标准和方法; 价款、报酬或者使用费及其
支付方式; 违约金或者损失赔偿的计算方法; 解决争议的方法; 名词和术语的解释 — plus the clauses
proper to its type (Art. 852–861 development, Art. 862–877 transfer and licence,
Art. 878–887 consulting and service). When a patent is the subject, Art. 845 (third
paragraph) requires the invention's name, the patentee/applicant, application date, application
number, patent number and the term of the patent right: `PATENT_FIELDS`. Payment follows
Art. 846 (`contracts.choices.PaymentMethod`, `RoyaltyBase`); its structured terms live in the
version's `payment`, not in clause text.

Default texts may contain the marker `PLACEHOLDER` (【待填写】) where only the parties can supply
the facts; the registration check (`contracts.checks`) refuses to sign while one is left.
Defaults are formatted with `str.format_map` over the drafting context: `project_name`,
`party_a`, `party_b`, `result_title`, `result_summary`, `patent_no`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.choices import PATENT_SUBTYPES, SUBTYPES, ContractSubtype, ContractType

PLACEHOLDER = "【待填写】"


@dataclass(frozen=True)
class Clause:
    """One clause: a stable `key` (the JSON key in `AgreementVersion.clauses`), its Chinese and
    English titles, the law it comes from, and a default Chinese text."""

    key: str
    title_zh: str
    title_en: str
    source: str
    default_zh: str
    #: Required clauses must not be empty when signing (blocking in the registration check);
    #: the others only warn when empty.
    required: bool = True

    def title(self, language: str | None) -> str:
        return self.title_en if (language or "").startswith("en") else self.title_zh


@dataclass(frozen=True)
class PatentField:
    key: str
    title_zh: str
    title_en: str
    #: Kind of value: "text" or "date" (ISO YYYY-MM-DD).
    kind: str = "text"

    def title(self, language: str | None) -> str:
        return self.title_en if (language or "").startswith("en") else self.title_zh


@dataclass(frozen=True)
class ContractTemplate:
    contract_type: str
    subtype: str
    title_zh: str
    clauses: tuple[Clause, ...]

    @property
    def patent_subject(self) -> bool:
        """True when a patent or patent application is the subject (Art. 845 third paragraph)."""
        return self.subtype in PATENT_SUBTYPES

    @property
    def clause_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.clauses)

    def clause(self, key: str) -> Clause | None:
        return next((c for c in self.clauses if c.key == key), None)

    def default_clauses(self, context: dict[str, Any]) -> dict[str, str]:
        """The default text of every clause, formatted with `context` (unknown names are left
        as the placeholder)."""
        values = _Defaults(context)
        return {c.key: c.default_zh.format_map(values) for c in self.clauses}


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return PLACEHOLDER


# --- Art. 845 clauses (every template) ----------------------------------------------------------

ART_845 = "民法典第八百四十五条"

#: Keys of the clauses Art. 845 lists, in the order of the article.
ART_845_CLAUSE_KEYS: tuple[str, ...] = (
    "project_name",
    "subject",
    "performance",
    "confidentiality",
    "ownership",
    "acceptance",
    "price",
    "breach",
    "dispute",
    "definitions",
)

_PROJECT_NAME = Clause(
    "project_name", "项目名称", "Project name", ART_845, "{project_name}"
)
_SUBJECT = Clause(
    "subject",
    "标的的内容、范围和要求",
    "Content, scope and requirements of the subject",
    ART_845,
    "本合同标的为乙方所有的科技成果“{result_title}”。{result_summary}",
)
_PERFORMANCE = Clause(
    "performance",
    "履行的计划、进度、期限、地点、地域和方式",
    "Plan, schedule, time limit, place, territory and manner of performance",
    ART_845,
    "乙方应于本合同生效后{performance_days}日内，在{performance_place}向甲方交付与标的有关的"
    "全部技术资料，并提供必要的技术指导。",
)
_CONFIDENTIALITY = Clause(
    "confidentiality",
    "技术信息和资料的保密",
    "Confidentiality of technical information and materials",
    ART_845,
    "双方对在订立和履行本合同过程中知悉的对方技术信息、技术资料和商业秘密负有保密义务，"
    "未经对方书面同意不得向第三方披露。保密期限自本合同生效之日起至相关信息依法公开之日止。",
)
_OWNERSHIP = Clause(
    "ownership",
    "技术成果的归属和收益的分配办法",
    "Ownership of results and sharing of revenue",
    ART_845 + "、第八百七十五条",
    "当事人一方利用标的技术所作的后续改进成果归作出改进的一方所有，由此产生的收益归该方享有；"
    "双方另有约定的除外。",
)
_ACCEPTANCE = Clause(
    "acceptance",
    "验收标准和方法",
    "Acceptance standards and method",
    ART_845,
    "甲方应在收到技术资料后{acceptance_days}日内，按照{acceptance_standard}组织验收，"
    "验收合格的，双方签署验收证明。",
)
_PRICE = Clause(
    "price",
    "价款、报酬或者使用费及其支付方式",
    "Price, remuneration or royalties and manner of payment",
    ART_845 + "、第八百四十六条",
    "价款、报酬或者使用费的金额、支付方式和支付时间，按本合同“支付”部分约定执行。",
)
_BREACH = Clause(
    "breach",
    "违约金或者损失赔偿的计算方法",
    "Liquidated damages or calculation of compensation for breach",
    ART_845,
    "任何一方违反本合同约定的，应当承担继续履行、采取补救措施或者赔偿损失等违约责任。"
    "迟延支付价款的，每日按迟延金额的万分之五支付违约金。",
)
_DISPUTE = Clause(
    "dispute",
    "解决争议的方法",
    "Dispute resolution",
    ART_845,
    "因本合同引起的或者与本合同有关的争议，双方应当协商解决；协商不成的，"
    "任何一方均可向甲方所在地有管辖权的人民法院提起诉讼。",
)
_DEFINITIONS = Clause(
    "definitions",
    "名词和术语的解释",
    "Definitions of terms",
    ART_845,
    "本合同所称“技术资料”，是指与标的有关的图纸、工艺文件、技术标准、试验数据及其他技术文档。",
    required=False,
)


def _art_845(*extra: Clause) -> tuple[Clause, ...]:
    """Art. 845 clauses in the article's order, the type's own clauses inserted before
    `price` (after the performance and acceptance matters they qualify)."""
    return (
        _PROJECT_NAME,
        _SUBJECT,
        _PERFORMANCE,
        _CONFIDENTIALITY,
        _OWNERSHIP,
        _ACCEPTANCE,
        *extra,
        _PRICE,
        _BREACH,
        _DISPUTE,
        _DEFINITIONS,
    )


# --- clauses of each type ---------------------------------------------------------------------

_RISK = Clause(
    "risk",
    "风险责任的承担",
    "Allocation of the risk of failure",
    "民法典第八百五十八条",
    "因出现无法克服的技术困难，致使研究开发失败或者部分失败的，风险由双方合理分担；"
    "发现该情形的一方应当及时通知另一方并采取适当措施减少损失。",
)
_COMMISSIONED_DUTIES = Clause(
    "obligations",
    "双方的主要义务",
    "Main obligations of the parties",
    "民法典第八百五十二条、第八百五十三条",
    "甲方（委托人）应当按照约定支付研究开发经费和报酬，提供技术资料，提出研究开发要求，"
    "完成协作事项，接受研究开发成果；乙方（研究开发人）应当按照约定制定和实施研究开发计划，"
    "合理使用研究开发经费，按期完成研究开发工作，交付研究开发成果，提供有关的技术资料和必要的"
    "技术指导。",
)
_JOINT_DUTIES = Clause(
    "contributions",
    "双方的投资、分工和协作",
    "Investment, division of work and cooperation of the parties",
    "民法典第八百五十五条",
    "双方应当按照约定进行投资（包括以技术进行投资），分工参与研究开发工作，协作配合研究开发工作。"
    "具体分工为：{work_split}。",
)
_DEV_OWNERSHIP_NOTE = Clause(
    "patent_rights",
    "研究开发成果的专利申请权",
    "Right to apply for patents on the results",
    "民法典第八百五十九条、第八百六十条",
    "除本合同另有约定外，委托开发完成的发明创造，申请专利的权利属于研究开发人；"
    "合作开发完成的发明创造，申请专利的权利属于合作开发的当事人共有。",
)
_WARRANTY = Clause(
    "warranty",
    "让与人或者许可人的保证",
    "Warranties of the transferor or licensor",
    "民法典第八百七十条",
    "乙方保证其是所提供技术的合法拥有者，并保证所提供的技术完整、无误、有效，能够达到约定的目标。",
)
_PATENT_MAINTENANCE = Clause(
    "patent_maintenance",
    "专利权的维持和无效宣告的处理",
    "Maintenance of the patent and handling of invalidation",
    "民法典第八百六十五条；专利法第十条",
    "本合同生效后，双方应共同向国务院专利行政部门办理专利权转让登记，转让自登记之日起生效。"
    "登记前的专利年费由乙方缴纳。",
)
_APPLICATION_REJECTION = Clause(
    "application_rejection",
    "专利申请被驳回的处理",
    "Handling of a rejected patent application",
    "民法典第八百六十二条；专利法第十条",
    "本合同生效后，双方应共同向国务院专利行政部门办理专利申请权转让登记。专利申请被驳回的，"
    "双方按照{rejection_terms}处理。",
)
_USE_SCOPE = Clause(
    "use_scope",
    "实施专利或者使用技术秘密的范围",
    "Scope of exploiting the patent or using the know-how",
    "民法典第八百六十四条",
    "甲方实施专利或者使用技术秘密的范围为：{use_scope}；但是不得限制技术竞争和技术发展。",
)
_LICENCE_SCOPE = Clause(
    "licence_scope",
    "许可方式、地域和期限",
    "Kind, territory and term of the licence",
    "民法典第八百六十四条、第八百六十六条、第八百六十七条",
    "乙方以{licence_kind}方式许可甲方在{licence_territory}范围内实施标的技术，"
    "许可期限自本合同生效之日起至{licence_until}止。",
)
_KNOW_HOW_USE = Clause(
    "know_how_duties",
    "技术秘密的使用和保密义务",
    "Use of the know-how and duty of confidentiality",
    "民法典第八百六十八条、第八百六十九条",
    "乙方应当按照约定提供技术资料，进行技术指导，保证技术的实用性、可靠性，承担保密义务；"
    "甲方应当按照约定使用技术，支付转让费或者使用费，承担保密义务。",
)
_CONSULTING_DUTIES = Clause(
    "obligations",
    "双方的主要义务",
    "Main obligations of the parties",
    "民法典第八百七十九条、第八百八十条",
    "甲方（委托人）应当阐明咨询的问题，提供技术背景材料及有关技术资料，接受受托人的工作成果，"
    "支付报酬；乙方（受托人）应当按照约定的期限完成咨询报告或者解答问题，提出的咨询报告应当达到"
    "约定的要求。",
)
_SERVICE_DUTIES = Clause(
    "obligations",
    "双方的主要义务",
    "Main obligations of the parties",
    "民法典第八百八十二条、第八百八十三条",
    "甲方（委托人）应当按照约定提供工作条件，完成配合事项，接受工作成果并支付报酬；"
    "乙方（受托人）应当按照约定完成服务项目，解决技术问题，保证工作质量，并传授解决技术问题的知识。",
)
_COOPERATION_DUTIES = Clause(
    "obligations",
    "合作内容和双方的权利义务",
    "Scope of cooperation and rights and obligations of the parties",
    "民法典第四百七十条",
    "双方在{cooperation_scope}方面开展合作，各自的权利义务为：{cooperation_duties}。",
)


def _template(contract_type: str, subtype: str, title_zh: str, *extra: Clause) -> ContractTemplate:
    return ContractTemplate(contract_type, subtype, title_zh, _art_845(*extra))


TEMPLATES: dict[tuple[str, str], ContractTemplate] = {
    (t.contract_type, t.subtype): t
    for t in (
        _template(
            ContractType.DEVELOPMENT,
            ContractSubtype.COMMISSIONED_DEVELOPMENT,
            "技术开发（委托）合同",
            _COMMISSIONED_DUTIES,
            _DEV_OWNERSHIP_NOTE,
            _RISK,
        ),
        _template(
            ContractType.DEVELOPMENT,
            ContractSubtype.JOINT_DEVELOPMENT,
            "技术开发（合作）合同",
            _JOINT_DUTIES,
            _DEV_OWNERSHIP_NOTE,
            _RISK,
        ),
        _template(
            ContractType.TRANSFER,
            ContractSubtype.PATENT_ASSIGNMENT,
            "技术转让（专利权）合同",
            _WARRANTY,
            _PATENT_MAINTENANCE,
        ),
        _template(
            ContractType.TRANSFER,
            ContractSubtype.PATENT_APPLICATION_ASSIGNMENT,
            "技术转让（专利申请权）合同",
            _WARRANTY,
            _APPLICATION_REJECTION,
        ),
        _template(
            ContractType.TRANSFER,
            ContractSubtype.KNOW_HOW_TRANSFER,
            "技术转让（技术秘密）合同",
            _WARRANTY,
            _USE_SCOPE,
            _KNOW_HOW_USE,
        ),
        _template(
            ContractType.LICENCE,
            ContractSubtype.PATENT_LICENCE,
            "技术许可（专利实施许可）合同",
            _WARRANTY,
            _LICENCE_SCOPE,
            _USE_SCOPE,
        ),
        _template(
            ContractType.LICENCE,
            ContractSubtype.KNOW_HOW_LICENCE,
            "技术许可（技术秘密使用许可）合同",
            _WARRANTY,
            _LICENCE_SCOPE,
            _KNOW_HOW_USE,
        ),
        _template(
            ContractType.CONSULTING, ContractSubtype.GENERAL, "技术咨询合同", _CONSULTING_DUTIES
        ),
        _template(
            ContractType.SERVICE, ContractSubtype.GENERAL, "技术服务合同", _SERVICE_DUTIES
        ),
        _template(
            ContractType.COOPERATION, ContractSubtype.GENERAL, "合作协议", _COOPERATION_DUTIES
        ),
    )
}

# Every (type, sub-type) pair of contracts.choices.SUBTYPES has a template.
assert set(TEMPLATES) == {(t, s) for t, subs in SUBTYPES.items() for s in subs}


#: Patent particulars, Civil Code Art. 845 third paragraph: 发明创造的名称、专利申请人和专利权人、
#: 申请日期、申请号、专利号以及专利权的有效期限. `patent_no` also accepts a CNIPA publication
#: (grant announcement) number such as CN218751475U.
PATENT_FIELDS: tuple[PatentField, ...] = (
    PatentField("invention_name", "发明创造名称", "Name of the invention"),
    PatentField("patentee", "专利权人或申请人", "Patentee or applicant"),
    PatentField("application_date", "申请日", "Application date", kind="date"),
    PatentField("application_no", "申请号", "Application number"),
    PatentField("patent_no", "专利号（公告号）", "Patent (publication) number"),
    PatentField("valid_until", "专利权有效期限至", "Patent term ends on", kind="date"),
)
PATENT_FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in PATENT_FIELDS)


def template_for(contract_type: str, subtype: str) -> ContractTemplate:
    """The template of a (type, sub-type) pair. Raises KeyError for an unknown pair; callers
    validate the pair against `contracts.choices.SUBTYPES` first."""
    return TEMPLATES[(contract_type, subtype)]


def is_valid_pair(contract_type: str, subtype: str) -> bool:
    return subtype in SUBTYPES.get(contract_type, ())


# ContractSubtype is re-exported for callers that build pairs.
__all__ = [
    "ART_845_CLAUSE_KEYS",
    "PATENT_FIELDS",
    "PATENT_FIELD_KEYS",
    "PLACEHOLDER",
    "TEMPLATES",
    "Clause",
    "ContractSubtype",
    "ContractTemplate",
    "PatentField",
    "is_valid_pair",
    "template_for",
]
