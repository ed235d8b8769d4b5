"""Test data builders (factory_boy) for the listings domain and its users."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from marketplace.choices import (
    Field,
    ListingStatus,
    OrganizationKind,
    Role,
    Stage,
    TransferMode,
    VerificationStatus,
)
from marketplace.models import Membership, Organization, ResearchResult, TechnologyNeed

User = get_user_model()
PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.UNIVERSITY
    legal_name = factory.Sequence(lambda n: f"测试机构{n}")
    province = "北京"
    city = "北京"
    region_code = "110000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@org.example.com")
    contact_phone = "010-00000000"
    verified = False
    # The badge and the review state go together (constraint); factory organisations are
    # "unreviewed" (put here as by a broker) unless made verified or given a state.
    verification_status = factory.LazyAttribute(
        lambda o: VerificationStatus.VERIFIED if o.verified else VerificationStatus.UNREVIEWED
    )


class ResearchResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchResult

    title = factory.Sequence(lambda n: f"储能电池热管理技术{n}")
    summary = "一种用于锂离子储能电池的热管理系统，提高安全性。"
    field = Field.NEW_ENERGY
    keywords = factory.LazyFunction(lambda: ["储能", "电池", "热管理"])
    trl = 6
    stage = Stage.PILOT
    transfer_modes = factory.LazyFunction(lambda: [TransferMode.LICENCE])
    owner = factory.SubFactory(OrganizationFactory)
    province = "北京"
    city = "北京"
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    renewed_at = factory.LazyFunction(timezone.now)
    confidential_details = "内部工艺参数：秘密"


class TechnologyNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnologyNeed

    title = factory.Sequence(lambda n: f"储能系统安全技术需求{n}")
    description = "企业需要提升储能电站电池的安全性和寿命。"
    field = Field.NEW_ENERGY
    keywords = factory.LazyFunction(lambda: ["储能", "安全"])
    cooperation_modes = factory.LazyFunction(lambda: [TransferMode.JOINT_DEVELOPMENT])
    budget_min_cny = Decimal("100000.00")
    budget_max_cny = Decimal("500000.00")
    owner = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.ENTERPRISE)
    province = "河北"
    city = "衡水"
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    renewed_at = factory.LazyFunction(timezone.now)
    confidential_details = "预算审批文件：秘密"


def member(role: str, kind: str, organization: Organization | None = None) -> User:  # type: ignore[valid-type]
    """A user with one membership of `role` in an organisation of `kind`."""
    user = UserFactory()
    org = organization or OrganizationFactory(kind=kind)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def researcher(organization: Organization | None = None) -> User:  # type: ignore[valid-type]
    return member(Role.RESEARCHER, OrganizationKind.UNIVERSITY, organization)


def enterprise_member(organization: Organization | None = None) -> User:  # type: ignore[valid-type]
    return member(Role.ENTERPRISE_MEMBER, OrganizationKind.ENTERPRISE, organization)


def broker(organization: Organization | None = None) -> User:  # type: ignore[valid-type]
    return member(Role.BROKER, OrganizationKind.TRANSFER_CENTRE, organization)


def admin() -> User:  # type: ignore[valid-type]
    user = member(Role.ADMIN, OrganizationKind.TRANSFER_CENTRE)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def login(user: User) -> Client:  # type: ignore[valid-type]
    """A Django test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def administered_organization(user: User) -> Organization:  # type: ignore[valid-type]
    """`user`'s (only) organisation, `user` made its administrator (who may change its details)."""
    membership = Membership.objects.get(user=user)
    membership.is_administrator = True
    membership.save(update_fields=["is_administrator"])
    return membership.organization
