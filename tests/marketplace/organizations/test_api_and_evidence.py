"""The organisations API and private evidence: one error shape (400 per field, 403, 404, 409),
a permission matrix over the new endpoints, and evidence files that only the organisation's
members and brokers can fetch (never a public URL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplace import services
from marketplace.choices import OrganizationKind
from marketplace.models import JoinRequest, Membership
from tests import factories
from tests.marketplace.organizations.conftest import PDF, PNG

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_org_member", "member", "org_admin", "broker"]


def _assert_error_shape(response) -> None:
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"message", "code", "fields"}, body


@pytest.fixture
def world() -> dict[str, Any]:
    org_admin = factories.UserFactory()
    org = services.organization_create(
        actor=org_admin,
        data={
            "kind": OrganizationKind.UNIVERSITY, "legal_name": "示例大学", "region_code": "110000"
        },
    )
    member = factories.UserFactory()
    Membership.objects.create(user=member, organization=org, role="researcher")
    evidence = services.organization_evidence_add(
        organization=org, actor=org_admin,
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    users = {
        "anonymous": None,
        "other_org_member": factories.researcher(),
        "member": member,
        "org_admin": org_admin,
        "broker": factories.broker(),
    }
    return {"org": org, "evidence": evidence, "users": users}


def _client(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _join_request(org) -> JoinRequest:
    return services.join_request_create(actor=factories.UserFactory(), organization=org)


def codes(anonymous, other, member, admin, broker):
    return dict(zip(ROLES, (anonymous, other, member, admin, broker), strict=True))


# (name, method, url builder, body, expected status per role)
MATRIX = [
    ("join", "post", lambda w: reverse("api-organization-join", args=[w["org"].pk]), {},
     codes(401, 201, 409, 409, 201)),
    ("join-requests", "get",
     lambda w: reverse("api-organization-join-requests", args=[w["org"].pk]), None,
     codes(401, 403, 403, 200, 200)),
    ("approve", "post",
     lambda w: reverse("api-join-request-approve", args=[_join_request(w["org"]).pk]), {},
     codes(401, 404, 404, 200, 200)),
    ("reject-join", "post",
     lambda w: reverse("api-join-request-reject", args=[_join_request(w["org"]).pk]),
     {"reason": "不认识"}, codes(401, 404, 404, 200, 200)),
    ("verify", "post", lambda w: reverse("api-organization-verify", args=[w["org"].pk]), {},
     codes(401, 403, 403, 403, 200)),
    ("reject", "post", lambda w: reverse("api-organization-reject", args=[w["org"].pk]),
     {"reason": "执照过期"}, codes(401, 403, 403, 403, 200)),
    ("evidence-list", "get",
     lambda w: reverse("api-organization-evidence", args=[w["org"].pk]), None,
     codes(401, 200, 200, 200, 200)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c[0])
def test_permission_matrix_of_the_new_endpoints(api_client, world, case, role):
    _name, method, url_of, body, expected = case
    url = url_of(world)
    client = _client(api_client, world["users"][role])
    response = getattr(client, method)(url, body, format="json") if body is not None else \
        getattr(client, method)(url)
    assert response.status_code == expected[role], response.content.decode()
    _assert_error_shape(response)
    if _name == "evidence-list" and response.status_code == 200:
        names = [item["original_name"] for item in response.json()]
        assert names == (["licence.pdf"] if role in ("member", "org_admin", "broker") else [])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("other_org_member", 404), ("member", 200), ("org_admin", 200),
     ("broker", 200)],
)
def test_evidence_file_is_private_to_members_and_brokers(world, role, expected):
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    response = client.get(reverse("organization-evidence-download", args=[world["evidence"].pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    else:
        assert PDF not in response.content


def test_evidence_is_stored_outside_static_and_media(world, settings):
    path = world["evidence"].file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert "licence" not in world["evidence"].file.name  # random name, not the uploader's


@pytest.mark.parametrize(
    ("content", "name", "accepted"),
    [(PDF, "a.pdf", True), (PNG, "a.png", True), (b"MZ\x90\x00 not a pdf", "licence.pdf", False),
     (b"<html>hi</html>", "a.jpg", False)],
)
def test_evidence_type_is_read_from_the_content_not_the_name(api_client, world, content, name,
                                                              accepted):
    api_client.force_authenticate(world["users"]["org_admin"])
    url = reverse("api-organization-evidence", args=[world["org"].pk])
    response = api_client.post(url, {"file": SimpleUploadedFile(name, content)},
                               format="multipart")
    assert response.status_code == (201 if accepted else 400), response.content.decode()
    if not accepted:
        assert list(response.json()["fields"]) == ["file"]


def test_evidence_over_the_size_limit_is_a_field_error(api_client, world, settings):
    settings.ORGANIZATION_EVIDENCE_MAX_BYTES = 100
    api_client.force_authenticate(world["users"]["org_admin"])
    url = reverse("api-organization-evidence", args=[world["org"].pk])
    response = api_client.post(
        url, {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 200)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"


def test_other_organisation_members_cannot_upload_evidence(api_client, world):
    api_client.force_authenticate(world["users"]["other_org_member"])
    url = reverse("api-organization-evidence", args=[world["org"].pk])
    response = api_client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)},
                               format="multipart")
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_invalid_credit_code_and_region_are_400_per_field(api_client, language):
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        reverse("api-organization-list"),
        {"kind": "enterprise", "legal_name": "坏代码有限公司", "credit_code": "91110108MA01A2B3C5",
         "region_code": "999999"},
        format="json", HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.json()
    assert {"credit_code", "region_code"} <= set(body["fields"])
    _assert_error_shape(response)


def test_reject_without_a_reason_is_400_on_reason(api_client, world):
    api_client.force_authenticate(world["users"]["broker"])
    response = api_client.post(
        reverse("api-organization-reject", args=[world["org"].pk]), {}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]


def test_public_page_shows_verified_and_unclaimed_marks_and_hides_contacts(client, world):
    unclaimed = factories.OrganizationFactory(address="北京市海淀区", website="https://u.example.cn")
    factories.ResearchResultFactory(owner=unclaimed, title="公开的成果")
    page = client.get(reverse("organization-detail", args=[unclaimed.pk])).content.decode()
    assert "unclaimed" in page and "公开的成果" in page
    assert "北京市海淀区" in page and "https://u.example.cn" in page  # public facts
    assert unclaimed.contact_email not in page  # a contact detail
    api = client.get(reverse("api-organization-detail", args=[unclaimed.pk])).json()
    assert api["unclaimed"] is True and api["address"] == "北京市海淀区"
    assert "contact_email" not in api
    verified = factories.OrganizationFactory(verified=True)
    factories.researcher(verified)
    page = client.get(reverse("organization-detail", args=[verified.pk])).content.decode()
    assert "verified" in page and "unclaimed" not in page
