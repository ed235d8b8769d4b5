"""Demo data for a fresh installation: the bundled real listings plus one demo user per role.

Idempotent: running it again updates the same rows (listings by source id, organisations by
legal name, users by username) and resets the demo users' passwords.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from marketplace import choices
from marketplace.importing import ImportReport, import_listings
from marketplace.models import Membership, Organization, ResearchResult, TechnologyNeed

DATA_DIR = Path(settings.BASE_DIR) / "data"
DEFAULT_DEMO_PASSWORD = "keqiao-demo"  # noqa: S105 (the published demo accounts' password)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str
    kind: str
    #: The name on record (姓名), labelled as a demo: no real person's name.
    name: str = ""


# Demo organisations are labelled 【演示】 and demo users' names 演示用户· so nobody mistakes
# them for real ones.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "researcher", choices.Role.RESEARCHER, "【演示】科桥示范大学",
        choices.OrganizationKind.UNIVERSITY,
        "演示用户·李研",
    ),
    DemoAccount(
        "enterprise", choices.Role.ENTERPRISE_MEMBER, "【演示】科桥示范科技有限公司",
        choices.OrganizationKind.ENTERPRISE,
        "演示用户·张工",
    ),
    DemoAccount(
        "broker", choices.Role.BROKER, "【演示】科桥技术转移中心",
        choices.OrganizationKind.TRANSFER_CENTRE,
        "演示用户·王经纪",
    ),
    DemoAccount(
        "admin", choices.Role.ADMIN, "【演示】科桥技术转移中心",
        choices.OrganizationKind.TRANSFER_CENTRE,
        "演示用户·赵管理",
    ),
)


def demo_password() -> str:
    return settings.KEQIAO_DEMO_PASSWORD or DEFAULT_DEMO_PASSWORD


def load_bundled_listings() -> list[ImportReport]:
    """Import data/results.json and data/needs.json as published listings."""
    return [
        import_listings(path=DATA_DIR / "results.json", kind="result"),
        import_listings(path=DATA_DIR / "needs.json", kind="need"),
    ]


@transaction.atomic
def create_demo_accounts() -> dict[str, Organization]:
    """One user per role, each in a demo organisation of the right type. Returns the
    organisations by username."""
    user_model = get_user_model()
    organizations: dict[str, Organization] = {}
    for account in DEMO_ACCOUNTS:
        org, _ = Organization.objects.update_or_create(
            legal_name=account.organization,
            defaults={
                "kind": account.kind,
                "name_en": f"Keqiao demo {account.kind.replace('_', ' ')}",
                "province": "北京",
                "city": "北京",
                "region_code": "110000",
                "address": "北京市海淀区（演示地址）",
                "contact_email": f"{account.username}@demo.keqiao.invalid",
                "contact_phone": "010-0000-0000（演示）",
                "is_demo": True,
                "verified": True,
                "verification_status": choices.VerificationStatus.VERIFIED,
            },
        )
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.email = f"{account.username}@demo.keqiao.invalid"
        user.first_name, user.last_name = account.name, ""
        user.is_staff = account.role == choices.Role.ADMIN
        user.is_superuser = account.role == choices.Role.ADMIN
        # Setting the same password again would end the users' sessions and API tokens on
        # every run of load_demo (Django ties both to the password hash).
        if not user.check_password(demo_password()):
            user.set_password(demo_password())
        user.save()
        # The researcher and the enterprise member administer their organisations (they answer
        # requests to join them); the transfer centre's people are brokers.
        administers = account.kind != choices.OrganizationKind.TRANSFER_CENTRE
        Membership.objects.update_or_create(
            user=user,
            organization=org,
            defaults={"role": account.role, "is_administrator": administers},
        )
        organizations[account.username] = org
    return organizations


@transaction.atomic
def create_demo_listings(organizations: dict[str, Organization]) -> None:
    """A demo research result of the researcher's university and a demo need of the demo
    enterprise, so the match-request flow can be tried end to end."""
    now = timezone.now()
    published = {
        "status": choices.ListingStatus.PUBLISHED,
        "published_at": now,
        "renewed_at": now,
        "province": "北京",
        "city": "北京",
        "region_code": "110000",
    }
    ResearchResult.objects.update_or_create(
        source_id="DEMO-R1",
        defaults={
            **published,
            "title": "【演示】储能电池热失控早期预警技术",
            "title_en": "[Demo] Early warning of thermal runaway in energy-storage batteries",
            "summary": "演示用科技成果：基于多传感器融合的锂离子储能电池热失控早期预警方法，"
            "可在热失控发生前数分钟发出预警，适用于储能电站和电动汽车电池包。",
            "field": choices.Field.NEW_ENERGY,
            "keywords": ["储能", "电池安全", "热失控", "预警"],
            "trl": 6,
            "stage": choices.Stage.PILOT,
            "ip_type": choices.IpType.KNOW_HOW,
            "transfer_modes": [
                choices.TransferMode.LICENCE,
                choices.TransferMode.JOINT_DEVELOPMENT,
            ],
            "asking_price_cny": Decimal("800000.00"),
            "owner": organizations["researcher"],
            "confidential_details": "演示：算法阈值与传感器布置方案仅对接后提供。",
        },
    )
    TechnologyNeed.objects.update_or_create(
        source_id="DEMO-N1",
        defaults={
            **published,
            "title": "【演示】储能电站电池安全监测需求",
            "title_en": "[Demo] Battery safety monitoring for an energy-storage station",
            "description": "演示用技术需求：企业建设的储能电站需要对电池热失控进行早期预警，"
            "希望引进成熟的监测与预警技术，合作开发或技术许可均可。",
            "field": choices.Field.NEW_ENERGY,
            "keywords": ["储能", "电池安全", "监测", "预警"],
            "trl": 5,
            "cooperation_modes": [
                choices.TransferMode.JOINT_DEVELOPMENT,
                choices.TransferMode.LICENCE,
            ],
            "budget_min_cny": Decimal("500000.00"),
            "budget_max_cny": Decimal("1000000.00"),
            "owner": organizations["enterprise"],
            "confidential_details": "演示：电站规模与供应商名单。",
        },
    )
