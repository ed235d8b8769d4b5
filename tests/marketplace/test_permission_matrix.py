"""Every listings API endpoint x every role: the HTTP status each role gets, and that confidential
listing details and organisation contacts never appear in a response body for outsiders.

Roles: anonymous; owner_member (a researcher of the owning university for research results, a
member of the owning enterprise for needs and for the organisation endpoints the owning
university's researcher); other_researcher (a researcher of another university);
other_enterprise (a member of another enterprise); broker; admin (superuser, also a broker).

Expected statuses follow from three rules: writes (and private reads) need a signed-in user
(401 "not_authenticated" with a ``WWW-Authenticate: Token`` challenge, first), a listing the role
may not see is a 404, and a visible listing the role may not act on is a 403 (signed in but
forbidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from marketplace.choices import ListingStatus, OrganizationKind
from marketplace.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


ROLES = ["anonymous", "owner_member", "other_researcher", "other_enterprise", "broker", "admin"]
OUTSIDERS = {"anonymous", "other_researcher", "other_enterprise"}
SECRET = "CONFIDENTIAL-MARKER-7f3a 内部工艺参数"
SECRET_MARKER = "CONFIDENTIAL-MARKER-7f3a"
CONTACT_MARKER = "contact-marker-7f3a@org.example.com"


def codes(anonymous: int, owner: int, other_r: int, other_e: int, broker: int, admin: int):
    return dict(zip(ROLES, (anonymous, owner, other_r, other_e, broker, admin), strict=True))


@dataclass
class World:
    university: Organization
    enterprise: Organization
    users: dict[str, Any]  # role -> user (None for anonymous), per listing kind
    need_users: dict[str, Any]


@pytest.fixture
def world() -> World:
    university = factories.OrganizationFactory(
        kind=OrganizationKind.UNIVERSITY, contact_email=CONTACT_MARKER
    )
    enterprise = factories.OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, contact_email=CONTACT_MARKER.replace("7f3a", "7f3b")
    )
    owner_researcher = factories.researcher(university)
    owner_enterprise = factories.enterprise_member(enterprise)
    other_researcher = factories.researcher()
    other_enterprise = factories.enterprise_member()
    broker = factories.broker()
    admin = factories.admin()
    common = {
        "anonymous": None,
        "other_researcher": other_researcher,
        "other_enterprise": other_enterprise,
        "broker": broker,
        "admin": admin,
    }
    return World(
        university=university,
        enterprise=enterprise,
        users={**common, "owner_member": owner_researcher},
        need_users={**common, "owner_member": owner_enterprise},
    )


RESULT_BODY = {
    "title": "高安全固态电解质制备技术",
    "summary": "一种氧化物固态电解质的低温烧结工艺。",
    "field": "new_materials",
    "keywords": ["固态电解质"],
    "trl": 5,
    "province": "北京",
    "confidential_details": SECRET,
}
NEED_BODY = {
    "title": "储能电站热失控预警需求",
    "description": "需要一种早期热失控预警方案。",
    "field": "new_energy",
    "keywords": ["储能"],
    "province": "河北",
    "confidential_details": SECRET,
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    route: str  # suffix after the kind's route prefix, e.g. "list", "detail", "submit"
    state: str | None  # status of the target listing, None for collection routes
    expected: dict[str, int]
    body: str | None = None  # "listing" (a full listing body), "reason"


LISTING_CASES = [
    Case("list", "get", "list", None, codes(200, 200, 200, 200, 200, 200)),
    Case("detail-published", "get", "detail", "published", codes(200, 200, 200, 200, 200, 200)),
    Case("detail-draft", "get", "detail", "draft", codes(404, 200, 404, 404, 200, 200)),
    Case("create-for-owner", "post", "list", None, codes(401, 201, 403, 403, 201, 201), "listing"),
    Case("patch-published", "patch", "detail", "published", codes(401, 200, 403, 403, 200, 200),
         "listing"),
    Case("put-published", "put", "detail", "published", codes(401, 200, 403, 403, 200, 200),
         "listing"),
    Case("patch-draft", "patch", "detail", "draft", codes(401, 200, 404, 404, 200, 200),
         "listing"),
    Case("submit-draft", "post", "submit", "draft", codes(401, 200, 404, 404, 200, 200)),
    Case("approve-pending", "post", "approve", "pending_review",
         codes(401, 403, 404, 404, 200, 200)),
    Case("reject-pending", "post", "reject", "pending_review",
         codes(401, 403, 404, 404, 200, 200), "reason"),
    Case("archive-published", "post", "archive", "published", codes(401, 200, 403, 403, 200, 200)),
    Case("renew-published", "post", "renew", "published", codes(401, 200, 403, 403, 403, 403)),
]
NEED_ONLY_CASES = [
    Case("close-published", "post", "close", "published", codes(401, 200, 403, 403, 403, 403)),
]
KINDS = {
    "result": ("api-research-result", factories.ResearchResultFactory, RESULT_BODY),
    "need": ("api-need", factories.TechnologyNeedFactory, NEED_BODY),
}


def _client(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _assert_error_shape(response) -> None:
    """Errors come in the one shape; a 401 also carries the token challenge."""
    if response.status_code >= 400:
        assert set(response.json()) == {"message", "code", "fields"}
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["code"] == "not_authenticated"


def _assert_no_leak(role: str, content: str) -> None:
    if role in OUTSIDERS:
        assert SECRET_MARKER not in content
        assert "rejection_reason" not in content
        assert "contact-marker-7f3" not in content


def _listing_params() -> list[Any]:
    params = []
    for kind in KINDS:
        cases = LISTING_CASES + (NEED_ONLY_CASES if kind == "need" else [])
        for case in cases:
            for role in ROLES:
                params.append(pytest.param(kind, case, role, id=f"{kind}-{case.name}-{role}"))
    return params


@pytest.mark.parametrize(("kind", "case", "role"), _listing_params())
def test_listing_endpoint_status_and_no_confidential_leak(api_client, world, kind, case, role):
    prefix, factory, body_template = KINDS[kind]
    owner = world.university if kind == "result" else world.enterprise
    user = (world.users if kind == "result" else world.need_users)[role]
    # A published listing always exists so that lists have something to (not) leak.
    published = factory(owner=owner, confidential_details=SECRET, rejection_reason="旧原因")
    target = published
    if case.state not in (None, "published"):
        target = factory(owner=owner, status=case.state, confidential_details=SECRET)
    args = [] if case.route == "list" else [target.pk]
    url = reverse(f"{prefix}-{case.route}", args=args)
    body: dict[str, Any] = {}
    if case.body == "listing":
        body = {**body_template, "owner": owner.pk} if case.method == "post" else body_template
    elif case.body == "reason":
        body = {"reason": "资料不全"}

    response = getattr(_client(api_client, user), case.method)(url, body, format="json")

    assert response.status_code == case.expected[role], response.content.decode()
    content = response.content.decode()
    _assert_no_leak(role, content)
    _assert_error_shape(response)
    detail_route = case.route in ("detail", "submit", "archive")
    if response.status_code < 400 and role not in OUTSIDERS and detail_route:
        assert SECRET_MARKER in content  # owners and brokers do get the details


ORG_CASES = [
    Case("list", "get", "list", None, codes(200, 200, 200, 200, 200, 200)),
    Case("detail", "get", "detail", "x", codes(200, 200, 200, 200, 200, 200)),
    Case("create", "post", "list", None, codes(401, 201, 201, 201, 201, 201), "org"),
    # An organisation's details: its administrators (not a plain member) and brokers.
    Case("patch", "patch", "detail", "x", codes(401, 403, 403, 403, 200, 200), "org-patch"),
    Case("verify", "post", "verify", "x", codes(401, 403, 403, 403, 200, 200)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ORG_CASES, ids=lambda c: c.name)
def test_organization_endpoint_status_and_no_contact_leak(api_client, world, case, role):
    user = world.users[role]
    args = [] if case.route == "list" else [world.university.pk]
    url = reverse(f"api-organization-{case.route}", args=args)
    body: dict[str, Any] = {}
    if case.body == "org":
        body = {"kind": "university", "legal_name": f"新建大学-{role}"}
    elif case.body == "org-patch":
        body = {"address": "北京市海淀区"}
    response = getattr(_client(api_client, user), case.method)(url, body, format="json")
    assert response.status_code == case.expected[role], response.content.decode()
    _assert_no_leak(role, response.content.decode())
    _assert_error_shape(response)
    if response.status_code < 400 and role in ("owner_member", "broker") and case.route == "detail":
        assert CONTACT_MARKER in response.content.decode()


OTHER_CASES = [
    Case("moderation", "get", "api-moderation-queue", None, codes(401, 403, 403, 403, 200, 200)),
    Case("me", "get", "api-me", None, codes(401, 200, 200, 200, 200, 200)),
    Case("notifications-list", "get", "api-notifications", None,
         codes(401, 200, 200, 200, 200, 200)),
    Case("notifications-read", "post", "api-notifications", None,
         codes(401, 200, 200, 200, 200, 200), "all"),
    Case("token", "post", "api-auth-token", None, codes(400, 200, 200, 200, 200, 200), "token"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", OTHER_CASES, ids=lambda c: c.name)
def test_account_and_moderation_endpoint_status(api_client, world, case, role):
    user = world.users[role]
    # Pending listings with secrets, so the moderation queue has something to (not) leak.
    factories.ResearchResultFactory(
        owner=world.university, status=ListingStatus.PENDING_REVIEW, confidential_details=SECRET
    )
    body: dict[str, Any] = {}
    if case.body == "all":
        body = {"all": True}
    elif case.body == "token":
        body = {
            "username": user.username if user else "nobody",
            "password": factories.PASSWORD,
        }
        user = None  # the token endpoint is used without credentials
    response = getattr(_client(api_client, user), case.method)(
        reverse(case.route), body, format="json"
    )
    assert response.status_code == case.expected[role], response.content.decode()
    _assert_no_leak(role, response.content.decode())
    _assert_error_shape(response)
