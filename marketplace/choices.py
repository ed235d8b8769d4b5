"""Controlled vocabularies of the listings domain.

Codes are stored; labels are translatable English msgids (zh-Hans in locale/), shown with
`choice_label`. `ZH_ALIASES`
maps the Chinese words used in the source data and in transfer centres' spreadsheets to codes,
for the importer.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.cells import choice_code


class OrganizationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    TRANSFER_CENTRE = "transfer_centre", _("Transfer centre")
    ASSOCIATION = "association", _("Association")


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    ENTERPRISE_MEMBER = "enterprise_member", _("Enterprise member")
    BROKER = "broker", _("Broker")
    ADMIN = "admin", _("Administrator")


class VerificationStatus(models.TextChoices):
    """Where an organisation stands with the brokers' review of who it is.

    ``unreviewed``: put on the platform by a broker or an import, or registered before
    self-registration was reviewed; its members act as before (nothing to wait for).
    ``pending``: registered by one of its own people and waiting for a broker; ``rejected``:
    a broker turned it down (with a reason) -- in both, its members may draft listings but not
    publish them or send requests (`marketplace.roles.require_organization_in_good_standing`).
    ``verified``: a broker checked it; it carries the verified badge (`Organization.verified`).
    """

    UNREVIEWED = "unreviewed", _("Not reviewed")
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Verification rejected")


class JoinRequestStatus(models.TextChoices):
    """Where a request to join stands (`JoinRequest`). ``withdrawn``: the person deleted
    their account before it was answered."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClaimStatus(models.TextChoices):
    """Where a claim of an organisation stands (`OrganizationClaim`). ``closed``: another
    person's claim of the same organisation was approved first; ``withdrawn``: the claimant
    deleted their account before it was answered."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MemberRole(models.TextChoices):
    """A member's role within an organisation (`Membership.is_administrator`): administrators
    invite, answer join requests, change roles and remove members."""

    ADMINISTRATOR = "administrator", _("Administrator")
    MEMBER = "member", _("Member")


class InvitationStatus(models.TextChoices):
    """An invitation's state; a pending one past its `expires_at` is expired (not stored)."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class MembershipAction(models.TextChoices):
    """What a `MembershipEvent` (the audit trail of an organisation's members) records."""

    INVITED = "invited", _("Invited")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    ROLE_CHANGED = "role_changed", _("Role changed")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    MEMBER_LEFT = "member_left", _("Member left")
    JOIN_REQUEST_APPROVED = "join_request_approved", _("Request to join approved")
    CLAIM_APPROVED = "claim_approved", _("Claim approved")


class VerificationDecision(models.TextChoices):
    """What a broker decided about an organisation (`OrganizationDecision`, the audit trail)."""

    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Verification withdrawn")


class Field(models.TextChoices):
    """Technical fields of the bundled data (see data/README.md)."""

    NEW_MATERIALS = "new_materials", _("New materials")
    NEW_ENERGY = "new_energy", _("New energy")
    ENERGY_SAVING = "energy_saving", _("Energy saving and environmental protection")
    ELECTRONICS = "electronics", _("Electronic information")
    BIOMEDICINE = "biomedicine", _("Biomedicine")
    ADVANCED_EQUIPMENT = "advanced_equipment", _("Advanced equipment manufacturing")
    AGRICULTURE = "agriculture", _("Modern agriculture")
    CHEMICALS = "chemicals", _("Chemical industry")
    METALLURGY = "metallurgy", _("Metallurgy")
    CONSTRUCTION = "construction", _("Construction and building materials")
    MEDICAL_DEVICES = "medical_devices", _("Medical devices")
    FOOD = "food", _("Food")
    ENERGY_MINING = "energy_mining", _("Energy and mining")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """成熟度: the development stage of a research result."""

    LAB = "lab", _("Laboratory")
    BENCH = "bench", _("Bench scale")
    PILOT = "pilot", _("Pilot scale")
    INDUSTRIAL = "industrial", _("Industrial")


class IpType(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN_PATENT = "design_patent", _("Design patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    KNOW_HOW = "know_how", _("Know-how (technical secret)")
    OTHER = "other", _("Other")


class TransferMode(models.TextChoices):
    """How a technology changes hands: the transfer modes of a result and the cooperation
    modes a need accepts share one vocabulary so that they can be compared."""

    ASSIGNMENT = "assignment", _("Assignment")
    LICENCE = "licence", _("Licence")
    EQUITY = "equity", _("Equity contribution")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    COMMISSIONED_DEVELOPMENT = "commissioned_development", _("Commissioned development")
    TECHNICAL_SERVICE = "technical_service", _("Technical service")


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")
    CLOSED = "closed", _("Closed")  # technology needs only


class ListingType(models.TextChoices):
    """The two kinds of listing, as the API names them."""

    RESULT = "result", _("Research result")
    NEED = "need", _("Technology need")


ZH_ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    Field: {
        "新材料": Field.NEW_MATERIALS,
        "新能源": Field.NEW_ENERGY,
        "节能环保": Field.ENERGY_SAVING,
        "电子信息": Field.ELECTRONICS,
        "生物医药": Field.BIOMEDICINE,
        "高端装备制造": Field.ADVANCED_EQUIPMENT,
        "现代农业": Field.AGRICULTURE,
        "化工": Field.CHEMICALS,
        "冶金": Field.METALLURGY,
        "建筑建材": Field.CONSTRUCTION,
        "医疗器械": Field.MEDICAL_DEVICES,
        "食品": Field.FOOD,
        "能源矿业": Field.ENERGY_MINING,
        "其他": Field.OTHER,
    },
    Stage: {
        "实验室": Stage.LAB,
        "小试": Stage.BENCH,
        "中试": Stage.PILOT,
        "产业化": Stage.INDUSTRIAL,
    },
    IpType: {
        "发明专利": IpType.INVENTION_PATENT,
        "实用新型": IpType.UTILITY_MODEL,
        "外观设计": IpType.DESIGN_PATENT,
        "软件著作权": IpType.SOFTWARE_COPYRIGHT,
        "技术秘密": IpType.KNOW_HOW,
        "其他": IpType.OTHER,
    },
    TransferMode: {
        "转让": TransferMode.ASSIGNMENT,
        "技术转让": TransferMode.ASSIGNMENT,
        "许可": TransferMode.LICENCE,
        "技术许可": TransferMode.LICENCE,
        "作价入股": TransferMode.EQUITY,
        "合作开发": TransferMode.JOINT_DEVELOPMENT,
        "委托开发": TransferMode.COMMISSIONED_DEVELOPMENT,
        "技术服务": TransferMode.TECHNICAL_SERVICE,
        "技术咨询": TransferMode.TECHNICAL_SERVICE,
    },
    OrganizationKind: {
        "高校": OrganizationKind.UNIVERSITY,
        "大学": OrganizationKind.UNIVERSITY,
        "科研院所": OrganizationKind.RESEARCH_INSTITUTE,
        "企业": OrganizationKind.ENTERPRISE,
        "转化中心": OrganizationKind.TRANSFER_CENTRE,
        "协会": OrganizationKind.ASSOCIATION,
    },
}


def choice_label(choices: type[models.TextChoices], code: Any) -> str:
    """The label of the stored `code` in the active language: "" for None or "", the code as
    it is when `choices` has no such code."""
    if code in (None, ""):
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def choice_from_label(choices: type[models.TextChoices], value: str) -> str | None:
    """Return the code for `value`, given as a code, a Chinese alias or an English label.

    Returns None when nothing matches; callers turn that into a validation error.
    """
    return choice_code(choices, value, aliases=ZH_ALIASES.get(choices))
