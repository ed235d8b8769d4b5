"""Agreement API: the whole flow over HTTP, signing order with a copied link, wrong password,
freeze conflicts, download permissions and the audit trail's shape."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from contracts.models import Agreement
from tests import factories
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def client_for(user, ip="198.51.100.7", agent="api-test/1.0"):
    client = APIClient(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    client.force_authenticate(user)
    return client


def url(agreement, action=""):
    return f"/api/v1/agreements/{agreement.pk}/{action}"


@pytest.mark.django_db(transaction=True)
def test_full_flow_over_the_api(enterprise_user, researcher, patent_result):
    request = support.accepted_request(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )
    ent, uni = client_for(enterprise_user), client_for(researcher, ip="198.51.100.8")
    created = ent.post("/api/v1/agreements/", {"match_request": request.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["contract_type"] == "transfer" and body["subtype"] == "patent_assignment"
    agreement = Agreement.objects.get(pk=body["id"])

    changes = support.complete_changes(agreement)
    edited = uni.post(url(agreement, "versions/"), {**changes, "base_version": 1}, format="json")
    assert edited.status_code == 201, edited.json()
    assert edited.json()["number"] == 2 and edited.json()["author"] == researcher.username
    assert {d["key"] for d in edited.json()["diff"]} >= {"parties.a", "clauses.subject", "payment"}

    versions = ent.get(url(agreement, "versions/")).json()
    assert [v["number"] for v in versions] == [1, 2]
    assert ent.get(url(agreement, "versions/2/")).json()["diff"]

    assert ent.post(url(agreement, "approve/"), {"version": 2}, format="json").status_code == 200
    approved = uni.post(url(agreement, "approve/"), {"version": 2}, format="json").json()
    assert approved["status"] == "approved" and approved["frozen_version"] == 2

    check = ent.post(url(agreement, "check/")).json()
    assert check["ok"] is True

    state = ent.get(url(agreement, "signing/")).json()
    document = ent.get(url(agreement, "document/"))
    assert hashlib.sha256(document.content).hexdigest() == state["document_sha256"]
    assert state["my_party"] == "a" and state["my_turn"] is True
    preview = ent.get(state["preview_url"])
    assert preview["Content-Type"] == "application/pdf"
    assert hashlib.sha256(preview.content).hexdigest() == state["preview_sha256"]

    support.with_name(enterprise_user, "企业代表")
    support.with_name(researcher, "大学代表")
    sign = {
        "password": PASSWORD,
        "typed_name": "企业代表",
        "document_sha256": state["document_sha256"],
        "preview_sha256": state["preview_sha256"],
    }
    assert ent.post(url(agreement, "sign/"), sign, format="json").status_code == 200
    done = uni.post(url(agreement, "sign/"), {**sign, "typed_name": "大学代表"}, format="json")
    assert done.status_code == 200, done.json()
    # The seal ran when the signing transaction committed, before the response was built.
    assert done.json()["status"] == "signed" and done.json()["has_pdf"] is True
    assert done.json()["seal_pending"] is False

    pdf = uni.get(url(agreement, "pdf/"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == done.json()["sealed_pdf_sha256"]

    events = ent.get(url(agreement, "events/")).json()
    kinds = [e["kind"] for e in events]
    for kind in ("created", "edited", "approved", "checked", "signed", "sealed", "downloaded"):
        assert kind in kinds
    for event in events:
        assert event["at"]["utc"].endswith("+00:00") and event["at"]["beijing"].endswith("+08:00")
        assert len(event["document_sha256"]) == 64
    assert {e["ip_address"] for e in events if e["kind"] == "signed"} == {
        "198.51.100.7",
        "198.51.100.8",
    }

    # Signed: edits are 409 in the one error shape; amendments start a new agreement.
    late = ent.post(url(agreement, "versions/"), {"validity": {"place": "天津"}}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "agreement_signed"
    amendment = ent.post(url(agreement, "amend/"))
    assert amendment.status_code == 201 and amendment.json()["amends"] == agreement.pk


def test_later_signer_with_a_copied_link_cannot_sign_first(frozen, researcher):
    uni = client_for(researcher)
    sign = {
        "password": PASSWORD,
        "typed_name": "大学代表",
        "document_sha256": frozen.document_sha256,
        "preview_sha256": "0" * 64,
    }
    response = uni.post(url(frozen, "sign/"), sign, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_your_turn"
    state = uni.get(url(frozen, "signing/")).json()
    assert state["my_party"] == "b" and state["my_turn"] is False


def test_wrong_password_is_400_with_a_field_message(frozen, enterprise_user):
    response = client_for(enterprise_user).post(
        url(frozen, "sign/"),
        {"password": "wrong", "typed_name": "企业代表", "document_sha256": frozen.document_sha256,
         "preview_sha256": "0" * 64},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    assert "password" in response.json()["fields"]


def test_edit_after_freeze_is_409(frozen, researcher):
    response = client_for(researcher).post(
        url(frozen, "versions/"), {"validity": {"place": "天津"}}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "agreement_frozen"


def test_bad_amount_is_400_per_field(agreement, researcher):
    response = client_for(researcher).post(
        url(agreement, "versions/"), {"payment": {"total_cny": "abc"}}, format="json"
    )
    assert response.status_code == 400
    assert "payment.total_cny" in response.json()["fields"]


def test_drafting_from_an_open_request_is_409(enterprise_user, patent_result):
    from matching.match_requests import services as match_services

    request = match_services.match_request_create(
        actor=enterprise_user, research_result=patent_result, message="请介绍。"
    )
    response = client_for(enterprise_user).post(
        "/api/v1/agreements/", {"match_request": request.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "match_request_not_accepted"


def test_parties_and_brokers_may_download_others_get_404(signed, researcher, broker, outsider):
    assert client_for(researcher).get(url(signed, "pdf/")).status_code == 200
    assert client_for(broker).get(url(signed, "pdf/")).status_code == 200
    response = client_for(outsider).get(url(signed, "pdf/"))
    assert response.status_code == 404
    assert client_for(outsider).get(url(signed)).status_code == 404
    anonymous = APIClient().get(url(signed, "pdf/"))
    assert anonymous.status_code in (401, 403)
    downloads = signed.events.filter(kind="downloaded")
    assert downloads.count() == 2


def test_pdf_of_an_unsigned_agreement_is_404(frozen, enterprise_user):
    assert client_for(enterprise_user).get(url(frozen, "pdf/")).status_code == 404


def test_list_shows_only_visible_agreements(agreement, enterprise_user, outsider, broker):
    assert client_for(enterprise_user).get("/api/v1/agreements/").json()["count"] == 1
    assert client_for(broker).get("/api/v1/agreements/").json()["count"] == 1
    assert client_for(outsider).get("/api/v1/agreements/").json()["count"] == 0


def test_member_of_another_organisation_cannot_approve(agreement):
    stranger = factories.researcher()
    response = client_for(stranger).post(url(agreement, "approve/"))
    assert response.status_code == 404


def test_signing_attempts_are_rate_limited_so_the_password_check_is_no_oracle(
    frozen, enterprise_user, settings
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "sign": "3/hour", "sign_ip": "100/hour"}
    client = client_for(enterprise_user)
    body = {
        "password": "guess",
        "typed_name": "企业代表",
        "document_sha256": frozen.document_sha256,
        "preview_sha256": "0" * 64,
    }
    sign = url(frozen, "sign/")
    statuses = [client.post(sign, body, format="json").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    right = client.post(url(frozen, "sign/"), {**body, "password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert right.json()["code"] == "throttled" and int(right["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("version", "api_status"),
    [("9" * 5000, 400), ("0" * 5000 + "1", 400), ("abc", 400), ("1" + "0" * 19, 409)],
)
def test_approving_a_version_number_no_agreement_can_have_is_refused_not_a_server_error(
    complete, enterprise_user, version, api_status
):
    """A version that names no version approves nothing: the API refuses a value it cannot
    read as a number (400, DRF's IntegerField) and a number that is not the version to
    approve (409 stale version); the web page goes back to the agreement with the stale
    version's message. Never a server error or an overflow of the database's integer."""
    api = client_for(enterprise_user).post(
        url(complete, "approve/"), {"version": version}, format="json"
    )
    assert api.status_code == api_status, api.json()
    browser = factories.login(enterprise_user)
    web = browser.post(f"/agreements/{complete.pk}/approve/", {"version": version}, follow=True)
    assert web.redirect_chain[-1] == (f"/agreements/{complete.pk}/", 302)
    assert [m.level_tag for m in web.context["messages"]] == ["error"]
    assert not complete.approvals.exists()
