"""The organisation edit page: its administrators and brokers, through organization_update
(a member's change of the name or code sends a verified organisation back to verification)."""

from __future__ import annotations

import pytest

from marketplace import services
from marketplace.choices import OrganizationKind, VerificationStatus
from marketplace.models import Organization
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    add_member,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


def _form_data(organization: Organization, **changes: str) -> dict[str, str]:
    data = {
        "kind": organization.kind, "legal_name": organization.legal_name,
        "name_en": organization.name_en, "credit_code": organization.credit_code,
        "province": organization.province, "city": organization.city,
        "region_code": organization.region_code, "address": organization.address,
        "website": organization.website, "contact_email": organization.contact_email,
        "contact_phone": organization.contact_phone,
    }
    data.update(changes)
    return data


def _url(organization: Organization) -> str:
    return f"/organizations/{organization.pk}/edit/"


def test_plain_member_and_outsider_get_403():
    organization, _administrator = organization_with_administrator()
    member, _membership = add_member(organization)
    for user in (member, factories.UserFactory()):
        client = factories.login(user)
        assert client.get(_url(organization)).status_code == 403
        assert client.post(_url(organization), _form_data(organization)).status_code == 403


def test_anonymous_is_sent_to_log_in():
    organization, _administrator = organization_with_administrator()
    from django.test import Client

    assert Client().get(_url(organization)).status_code == 302


def test_administrator_changes_the_address_and_keeps_the_verification(broker):
    organization, administrator = organization_with_administrator()
    services.organization_verify(organization=organization, actor=broker)
    client = factories.login(administrator)
    page = client.get(_url(organization))
    assert page.status_code == 200
    assert "back to verification" in page.content.decode()
    response = client.post(_url(organization), _form_data(organization, address="杭州市余杭区"))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.address == "杭州市余杭区"
    assert organization.verified


def test_administrator_renaming_sends_the_organisation_back_to_verification(broker):
    organization, administrator = organization_with_administrator()
    services.organization_verify(organization=organization, actor=broker)
    client = factories.login(administrator)
    response = client.post(
        _url(organization), _form_data(organization, legal_name="另一个名称"), follow=True
    )
    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.legal_name == "另一个名称"
    assert organization.verification_status == VerificationStatus.PENDING
    assert not organization.verified
    assert "goes back to verification" in response.content.decode()


def test_administrator_cannot_change_the_type():
    organization, administrator = organization_with_administrator()
    client = factories.login(administrator)
    response = client.post(
        _url(organization), _form_data(organization, kind=OrganizationKind.ENTERPRISE)
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.kind == OrganizationKind.UNIVERSITY


def test_broker_edits_the_type_and_name_and_keeps_the_verification(broker):
    organization, _administrator = organization_with_administrator()
    services.organization_verify(organization=organization, actor=broker)
    client = factories.login(broker)
    assert "back to verification" not in client.get(_url(organization)).content.decode()
    response = client.post(
        _url(organization),
        _form_data(organization, kind=OrganizationKind.ENTERPRISE, legal_name="经纪人改名"),
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.kind == OrganizationKind.ENTERPRISE
    assert organization.legal_name == "经纪人改名"
    assert organization.verified


def test_bad_input_shows_errors_on_their_fields():
    factories.OrganizationFactory(legal_name="已有机构")
    organization, administrator = organization_with_administrator()
    client = factories.login(administrator)
    response = client.post(
        _url(organization),
        _form_data(
            organization, legal_name="已有机构", credit_code="123",
            website="not a url", contact_phone="0571\u0007",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"legal_name", "credit_code", "website", "contact_phone"} <= set(errors)
    organization.refresh_from_db()
    assert organization.legal_name != "已有机构"


def test_a_clash_found_by_the_service_shows_on_its_field():
    """NFKC: the form sees another name, the service's normalised one clashes."""
    factories.OrganizationFactory(legal_name="ABC大学")
    organization, administrator = organization_with_administrator()
    client = factories.login(administrator)
    response = client.post(_url(organization), _form_data(organization, legal_name="ＡＢＣ大学"))
    assert response.status_code == 400
    assert "legal_name" in response.context["form"].errors


def test_the_organisation_page_links_the_edit_page_for_administrators_only():
    organization, administrator = organization_with_administrator()
    member, _membership = add_member(organization)
    edit = f'href="{_url(organization)}"'
    assert edit in factories.login(administrator).get(
        f"/organizations/{organization.pk}/"
    ).content.decode()
    assert edit not in factories.login(member).get(
        f"/organizations/{organization.pk}/"
    ).content.decode()
