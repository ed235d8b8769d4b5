"""More inputs from a hostile tester: each must get a clear 4xx with a field message (never a
500) and write nothing; and edits of published listings must not skip the review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.choices import ListingStatus
from marketplace.models import Membership, Notification, Organization, ResearchResult
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
CREDIT_CODE = "914403001922038216"


def _org(user):
    return Membership.objects.get(user=user).organization


# --- ids too large for the database ----------------------------------------------------------


@pytest.mark.parametrize("route", ["api-research-result-list", "api-need-list"])
@pytest.mark.parametrize("value", [HUGE, "1e30", "1.5", "0", "-3", str(2**63)])
def test_owner_filter_outside_the_id_range_is_a_400_on_the_parameter(api_client, route, value):
    factories.ResearchResultFactory()
    factories.TechnologyNeedFactory()
    response = api_client.get(reverse(route), {"owner": value})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["owner"]


def test_owner_filter_accepts_the_largest_id(api_client):
    factories.ResearchResultFactory()
    response = api_client.get(reverse("api-research-result-list"), {"owner": str(2**63 - 1)})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("ids", [[int(HUGE)], [2**63], [0], [1.5], [True], ["1e30"]])
def test_notification_ids_outside_the_id_range_are_a_400(api_client, researcher, ids):
    api_client.force_authenticate(researcher)
    response = api_client.post(reverse("api-notifications"), {"ids": ids}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["ids"]


@pytest.mark.parametrize("owner", [int(HUGE), 182.5, "1e30", True])
def test_listing_owner_must_be_a_whole_id_in_range(api_client, broker, owner):
    api_client.force_authenticate(broker)
    response = api_client.post(
        reverse("api-need-list"), {"title": "需求", "owner": owner}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["owner"]
    assert not ResearchResult.objects.exists()


# --- published listings edited by their owners ---------------------------------------------------


def test_owner_edit_of_a_published_listing_is_hidden_until_a_broker_approves(
    api_client, researcher, broker
):
    result = factories.ResearchResultFactory(owner=_org(researcher), title="已审核的标题")
    detail = reverse("api-research-result-detail", args=[result.pk])
    api_client.force_authenticate(researcher)
    response = api_client.patch(detail, {"title": "未经审核的标题"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == ListingStatus.PENDING_REVIEW

    api_client.force_authenticate(None)
    assert api_client.get(detail).status_code == 404
    listed = api_client.get(reverse("api-research-result-list")).json()
    assert "未经审核的标题" not in str(listed)
    assert Notification.objects.filter(recipient=broker, verb="listing.changed").exists()

    api_client.force_authenticate(broker)
    approve = reverse("api-research-result-approve", args=[result.pk])
    assert api_client.post(approve).status_code == 200
    api_client.force_authenticate(None)
    assert api_client.get(detail).json()["title"] == "未经审核的标题"


def test_broker_edit_of_a_published_listing_stays_public(api_client, researcher, broker):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    api_client.force_authenticate(broker)
    response = api_client.patch(
        reverse("api-research-result-detail", args=[result.pk]), {"trl": 7}, format="json"
    )
    assert response.json()["status"] == ListingStatus.PUBLISHED


# --- duplicate unified social credit code ----------------------------------------------------


def test_duplicate_credit_code_on_create_is_a_credit_code_field_error(api_client, researcher):
    factories.OrganizationFactory(credit_code=CREDIT_CODE)
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-organization-list"),
        {"kind": "enterprise", "legal_name": "重复代码公司", "credit_code": CREDIT_CODE},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "credit_code": ["An organisation with this unified social credit code already exists."]
    }
    assert not Organization.objects.filter(legal_name="重复代码公司").exists()


def test_duplicate_credit_code_on_patch_is_a_credit_code_field_error(api_client, researcher):
    factories.OrganizationFactory(credit_code=CREDIT_CODE)
    organization = factories.administered_organization(researcher)
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-organization-detail", args=[organization.pk]),
        {"credit_code": CREDIT_CODE},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["credit_code"]
    assert "__all__" not in response.content.decode()


# --- unknown keys in JSON bodies -------------------------------------------------------------


@pytest.mark.parametrize("key", ["status", "id", "created_by", "source_id", "verified", "ttile"])
def test_unknown_key_in_a_listing_body_is_a_field_error(api_client, researcher, key):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"),
        {"title": "成果", key: "published"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {key: ["Unknown field."]}
    assert not ResearchResult.objects.exists()


def test_unknown_key_on_patch_is_reported_with_the_other_field_errors(api_client, researcher):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-research-result-detail", args=[result.pk]),
        {"status": "archived", "trl": "abc"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "trl"}
    result.refresh_from_db()
    assert result.status == ListingStatus.PUBLISHED


@pytest.mark.parametrize("key", ["verified", "id", "created_at"])
def test_unknown_key_in_an_organisation_body_is_a_field_error(api_client, researcher, key):
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-organization-detail", args=[_org(researcher).pk]),
        {"address": "北京市海淀区", key: True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {key: ["Unknown field."]}
    organization = _org(researcher)
    assert organization.address != "北京市海淀区" and not organization.verified

