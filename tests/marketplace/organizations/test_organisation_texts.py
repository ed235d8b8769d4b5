"""Organisation texts: no invisible or control characters; legal names compared in NFKC."""

from __future__ import annotations

import pytest

from marketplace.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_full_width_form_of_an_existing_legal_name_is_refused(api_client):
    factories.OrganizationFactory(legal_name="ABC大学")
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        "/api/v1/organizations/", {"kind": "university", "legal_name": "ＡＢＣ大学"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "legal_name" in response.json()["fields"]


def test_legal_name_is_stored_in_nfkc(api_client):
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        "/api/v1/organizations/", {"kind": "university", "legal_name": "ＸＹＺ研究院"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Organization.objects.get(pk=response.json()["id"]).legal_name == "XYZ研究院"


def test_the_registration_page_shows_the_invisible_character_on_its_field():
    client = factories.login(factories.UserFactory())
    response = client.post(
        "/organizations/new/",
        {"kind": "university", "legal_name": "浙江大学\u200b"},
    )
    assert response.status_code in (200, 400)
    form = response.context["form"]
    assert "U+200B" in " ".join(form.errors["legal_name"])


def test_a_join_request_message_refuses_a_right_to_left_override(api_client):
    from tests.marketplace.organizations.members_helpers import organization_with_administrator

    organization, _administrator = organization_with_administrator()
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        f"/api/v1/organizations/{organization.pk}/join/",
        {"message": "我是\u202e教授"}, format="json",
    )
    assert response.status_code == 400, response.json()
    assert "message" in response.json()["fields"]


def test_verify_refuses_unknown_fields(api_client, broker):
    organization = factories.OrganizationFactory()
    api_client.force_authenticate(broker)
    response = api_client.post(
        f"/api/v1/organizations/{organization.pk}/verify/",
        {"verified": True, "verification_status": "verified"}, format="json",
    )
    assert response.status_code == 400, response.json()
    assert "verification_status" in response.json()["fields"]
