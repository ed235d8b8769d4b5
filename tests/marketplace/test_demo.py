"""load_demo: bundled listings, one demo user per role, idempotent, refuses without a
password when DEBUG is off."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from marketplace.choices import ListingStatus, OrganizationKind, Role
from marketplace.models import Membership, Organization, ResearchResult, TechnologyNeed


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # pytest-django runs tests with DEBUG off; the run command serves with DEBUG on.
    settings.DEBUG = True


@pytest.mark.django_db
def test_load_demo_creates_listings_and_one_user_per_role_and_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    first = (ResearchResult.objects.count(), TechnologyNeed.objects.count(),
             Organization.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (ResearchResult.objects.count(), TechnologyNeed.objects.count(),
            Organization.objects.count()) == first
    assert ResearchResult.objects.filter(status=ListingStatus.PUBLISHED).count() >= 181
    assert TechnologyNeed.objects.filter(status=ListingStatus.PUBLISHED).count() >= 84

    expected = {
        "researcher": (Role.RESEARCHER, OrganizationKind.UNIVERSITY),
        "enterprise": (Role.ENTERPRISE_MEMBER, OrganizationKind.ENTERPRISE),
        "broker": (Role.BROKER, OrganizationKind.TRANSFER_CENTRE),
        "admin": (Role.ADMIN, OrganizationKind.TRANSFER_CENTRE),
    }
    for username, (role, kind) in expected.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password("keqiao-demo")
        membership = Membership.objects.get(user=user)
        assert (membership.role, membership.organization.kind) == (role, kind)
        assert membership.organization.is_demo
        assert "演示" in membership.organization.legal_name
    researcher_org = Membership.objects.get(user__username="researcher").organization
    assert researcher_org.researchresults.filter(status=ListingStatus.PUBLISHED).exists()


@pytest.mark.django_db
def test_load_demo_uses_password_from_environment_setting(settings):
    settings.KEQIAO_DEMO_PASSWORD = "another-secret-42"
    call_command("load_demo", stdout=StringIO())
    assert get_user_model().objects.get(username="broker").check_password("another-secret-42")


@pytest.mark.django_db
def test_load_demo_refuses_with_debug_off_and_no_password(settings):
    settings.DEBUG = False
    settings.KEQIAO_DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="KEQIAO_DEMO_PASSWORD"):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="researcher").exists()


@pytest.mark.django_db
def test_running_load_demo_again_keeps_the_demo_users_logged_in(client):
    call_command("load_demo", stdout=StringIO())
    client.force_login(get_user_model().objects.get(username="enterprise"))
    assert client.get("/dashboard/").status_code == 200
    call_command("load_demo", stdout=StringIO())
    assert client.get("/dashboard/").status_code == 200, "the session survives"


@pytest.mark.django_db
def test_load_demo_leaves_imported_organisations_claimable_by_the_demo_broker(settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace import selectors, services
    from marketplace.models import OrganizationClaim

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_demo", stdout=StringIO())
    imported = Organization.objects.filter(is_demo=False, researchresults__isnull=False).distinct()
    assert imported.exists()
    assert not Membership.objects.filter(organization__in=imported).exists()
    organization = imported.first()
    assert organization is not None and selectors.is_unclaimed(organization)

    claimant = get_user_model().objects.create_user("claimant", "claimant@example.com", "pw-12345")
    claim = services.claim_create(
        actor=claimant, organization=organization,
        upload=SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    demo_broker = get_user_model().objects.get(username="broker")
    services.claim_approve(claim=claim, actor=demo_broker)
    assert OrganizationClaim.objects.get(pk=claim.pk).status == "approved"
    assert Membership.objects.get(user=claimant, organization=organization).is_administrator
