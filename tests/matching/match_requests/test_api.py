"""Match-request API (/api/v1/match-requests/): the workflow end to end, error
statuses (400 per field, 403, 404, 409), contact visibility, the thread, notifications."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import include, path, reverse
from drf_spectacular.generators import SchemaGenerator

from marketplace import roles
from marketplace.choices import ListingStatus
from marketplace.models import Notification
from matching.models import MatchRequest, MatchRequestStatus
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/match-requests/"


def url(name: str, pk: int) -> str:
    return reverse(f"api-match-request-{name}", kwargs={"pk": pk})


@pytest.fixture
def result(researcher):
    return factories.ResearchResultFactory(owner=roles.primary_organization(researcher))


@pytest.fixture
def need(enterprise_user):
    return factories.TechnologyNeedFactory(owner=roles.primary_organization(enterprise_user))



def as_user(client, user):
    client.force_authenticate(user)
    return client


def create(client, user, result, **extra):
    body = {"research_result": result.pk, "message": "请求对接", **extra}
    return as_user(client, user).post(LIST, body, format="json")


def test_whole_match_request_workflow(
    api_client, enterprise_user, researcher, result, need, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = create(api_client, enterprise_user, result, technology_need=need.pk)
    assert response.status_code == 201, response.data
    created = response.data
    assert created["direction"] == "need_to_result"
    assert created["status"] == "open"
    assert created["technology_need"] == {"id": need.pk, "title": need.title}
    assert created["addressee_contacts"] is None and created["requester_contacts"] is None
    assert "confidential_details" not in str(created)
    assert [m.to for m in mail.outbox] == [[researcher.email]]
    pk = created["id"]

    # The researcher finds it among the received requests.
    as_user(api_client, researcher)
    received = api_client.get(LIST, {"role": "received"}).data
    assert [r["id"] for r in received["results"]] == [pk]
    assert api_client.get(LIST, {"role": "sent"}).data["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_client.post(url("accept", pk))
    assert accepted.status_code == 200
    assert accepted.data["status"] == "accepted"
    enterprise = roles.primary_organization(enterprise_user)
    assert accepted.data["requester_contacts"]["contact_email"] == enterprise.contact_email
    assert accepted.data["addressee_contacts"] is None
    assert mail.outbox[-1].to == [enterprise_user.email]

    posted = api_client.post(url("messages", pk), {"body": "欢迎来实验室参观。"}, format="json")
    assert posted.status_code == 201
    assert posted.data["author"] == researcher.username

    as_user(api_client, enterprise_user)
    detail = api_client.get(url("detail", pk)).data
    assert detail["addressee_contacts"]["contact_email"] == result.owner.contact_email
    assert detail["addressee_contacts"]["contact_phone"] == result.owner.contact_phone
    assert detail["requester_contacts"] is None
    assert [m["body"] for m in detail["messages"]] == ["欢迎来实验室参观。"]
    reply = api_client.post(url("messages", pk), {"body": "好的"}, format="json")
    assert reply.status_code == 201
    thread = api_client.get(url("messages", pk)).data
    assert [m["body"] for m in thread] == ["欢迎来实验室参观。", "好的"]
    assert Notification.objects.filter(recipient=researcher, verb="match_request.message").exists()


def test_researcher_posting_result_with_need_proposes_it(api_client, researcher, result, need):
    response = create(api_client, researcher, result, technology_need=need.pk)
    assert response.status_code == 201
    assert response.data["direction"] == "result_to_need"
    assert response.data["addressee"]["id"] == need.owner_id


def test_second_open_request_is_409(api_client, enterprise_user, result):
    assert create(api_client, enterprise_user, result).status_code == 201
    second = create(api_client, enterprise_user, result)
    assert second.status_code == 409
    assert second.data["code"] == "match_request_exists"
    assert MatchRequest.objects.count() == 1


def test_cannot_accept_match_request_twice(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    as_user(api_client, researcher)
    assert api_client.post(url("accept", pk)).status_code == 200
    again = api_client.post(url("accept", pk))
    assert again.status_code == 409
    assert set(again.data) == {"message", "code", "fields"}


def test_requester_cannot_accept_403(api_client, enterprise_user, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    response = api_client.post(url("accept", pk))
    assert response.status_code == 403
    assert MatchRequest.objects.get(pk=pk).status == MatchRequestStatus.OPEN


def test_outsider_gets_404_on_actions_as_on_reads(
    api_client, enterprise_user, outsider, result
):
    """A request the viewer cannot see is a 404 for every method, so its existence is not
    revealed (visible = members of the two organisations and brokers)."""
    pk = create(api_client, enterprise_user, result).data["id"]
    as_user(api_client, outsider)
    responses = [
        api_client.post(url("accept", pk)),
        api_client.post(url("decline", pk), {"reason": "price"}, format="json"),
        api_client.post(url("withdraw", pk)),
        api_client.post(url("messages", pk), {"body": "hi"}, format="json"),
        api_client.get(url("detail", pk)),
        api_client.get(url("messages", pk)),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.data["code"] == "not_found"
    unknown = api_client.post(url("accept", pk + 1000))
    assert (unknown.status_code, unknown.data) == (404, responses[0].data)  # indistinguishable
    assert api_client.get(LIST).data["count"] == 0
    assert MatchRequest.objects.get(pk=pk).status == MatchRequestStatus.OPEN


def test_party_acting_out_of_turn_still_gets_403(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    # the requester may not accept or decline its own request
    assert api_client.post(url("accept", pk)).status_code == 403
    assert (
        api_client.post(url("decline", pk), {"reason": "price"}, format="json").status_code == 403
    )
    # the addressee may not withdraw it
    as_user(api_client, researcher)
    assert api_client.post(url("withdraw", pk)).status_code == 403
    assert MatchRequest.objects.get(pk=pk).status == MatchRequestStatus.OPEN


def test_anonymous_user_gets_401_with_a_token_challenge(api_client, enterprise_user, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    api_client.force_authenticate(None)
    for response in (api_client.get(LIST), api_client.post(url("accept", pk))):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert MatchRequest.objects.get(pk=pk).status == MatchRequestStatus.OPEN


def test_unknown_decline_reason_is_400_per_field(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    as_user(api_client, researcher)
    response = api_client.post(url("decline", pk), {"reason": "boring"}, format="json")
    assert response.status_code == 400
    assert list(response.data["fields"]) == ["reason"]


def test_decline_reason_other_requires_text(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    as_user(api_client, researcher)
    response = api_client.post(url("decline", pk), {"reason": "other"}, format="json")
    assert response.status_code == 400
    assert list(response.data["fields"]) == ["text"]
    ok = api_client.post(url("decline", pk), {"reason": "other", "text": "已转让"}, format="json")
    assert ok.status_code == 200
    assert (ok.data["status"], ok.data["decline_reason"], ok.data["decline_text"]) == (
        "declined",
        "other",
        "已转让",
    )
    assert ok.data["requester_contacts"] is None


def test_requester_withdraws(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    response = api_client.post(url("withdraw", pk))
    assert response.status_code == 200
    assert response.data["status"] == "withdrawn"
    assert Notification.objects.filter(
        recipient=researcher, verb="match_request.withdrawn"
    ).exists()
    assert api_client.post(url("withdraw", pk)).status_code == 409


def test_messages_only_after_acceptance(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    early = api_client.post(url("messages", pk), {"body": "hello?"}, format="json")
    assert early.status_code == 409
    as_user(api_client, researcher)
    api_client.post(url("accept", pk))
    assert api_client.post(url("messages", pk), {"body": "hello"}, format="json").status_code == 201


def test_blank_message_body_is_400(api_client, enterprise_user, researcher, result):
    pk = create(api_client, enterprise_user, result).data["id"]
    as_user(api_client, researcher)
    api_client.post(url("accept", pk))
    response = api_client.post(url("messages", pk), {"body": "  "}, format="json")
    assert response.status_code == 400
    assert "body" in response.data["fields"]


def test_create_validates_fields(api_client, enterprise_user, researcher, result):
    draft = factories.ResearchResultFactory(status=ListingStatus.DRAFT)
    response = create(api_client, enterprise_user, draft)
    assert response.status_code == 400
    assert "research_result" in response.data["fields"]
    missing = as_user(api_client, enterprise_user).post(LIST, {"message": "x"}, format="json")
    assert missing.status_code == 400
    assert "research_result" in missing.data["fields"]
    blank = create(api_client, enterprise_user, result, message="")
    assert blank.status_code == 400
    assert "message" in blank.data["fields"]
    own = create(api_client, researcher, result)
    assert own.status_code == 400
    assert "research_result" in own.data["fields"]
    assert not MatchRequest.objects.exists()


def test_list_filters_are_validated(api_client, enterprise_user):
    response = as_user(api_client, enterprise_user).get(LIST, {"status": "nope", "role": "x"})
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"status", "role"}


def test_broker_sees_all_and_may_accept_on_behalf(
    api_client, enterprise_user, researcher, broker, result, outsider
):
    first = create(api_client, enterprise_user, result).data["id"]
    second = create(api_client, outsider, factories.ResearchResultFactory()).data["id"]
    as_user(api_client, broker)
    listed = api_client.get(LIST).data
    assert {r["id"] for r in listed["results"]} == {first, second}
    accepted = api_client.post(url("accept", first))
    assert accepted.status_code == 200
    assert accepted.data["requester_contacts"] is not None
    assert accepted.data["addressee_contacts"] is not None
    assert len(accepted.data["messages"]) == 1  # the "on behalf of" note
    as_user(api_client, enterprise_user)
    assert api_client.get(LIST).data["count"] == 1


def test_match_request_api_is_documented():
    generator = SchemaGenerator(patterns=[path("api/v1/", include("matching.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    paths = schema["paths"]
    assert set(paths["/api/v1/match-requests/"]) == {"get", "post"}
    assert "post" in paths["/api/v1/match-requests/{id}/decline/"]
    assert set(paths["/api/v1/match-requests/{id}/messages/"]) == {"get", "post"}


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("name", ["research_result", "technology_need"])
@pytest.mark.parametrize("value", [HUGE, "1e30", "1.5", "0", str(2**63)])
def test_list_filter_ids_outside_the_id_range_are_a_400_on_the_parameter(
    api_client, enterprise_user, name, value
):
    response = as_user(api_client, enterprise_user).get(LIST, {name: value})
    assert response.status_code == 400, response.content
    assert list(response.data["fields"]) == [name]


@pytest.mark.parametrize("value", [int(HUGE), "1e30", 2**63, True])
def test_create_with_an_id_outside_the_range_is_a_400_per_field(
    api_client, enterprise_user, result, value
):
    response = as_user(api_client, enterprise_user).post(
        LIST, {"research_result": value, "message": "请求对接"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.data["fields"]) == ["research_result"]
    assert not MatchRequest.objects.exists()


def test_a_fractional_id_is_refused_not_truncated(api_client, enterprise_user, result):
    response = as_user(api_client, enterprise_user).post(
        LIST, {"research_result": result.pk + 0.5, "message": "请求对接"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.data["fields"]) == ["research_result"]
    assert not MatchRequest.objects.exists()


def test_another_organisations_draft_answers_as_an_id_that_does_not_exist(
    api_client, enterprise_user, researcher, result
):
    draft = factories.ResearchResultFactory(
        owner=roles.primary_organization(researcher), status=ListingStatus.DRAFT
    )
    missing = factories.ResearchResultFactory(owner=roles.primary_organization(researcher))
    missing_pk = missing.pk
    missing.delete()
    drafted = create(api_client, enterprise_user, draft).json()
    unknown = as_user(api_client, enterprise_user).post(
        LIST, {"research_result": missing_pk, "message": "请求对接"}, format="json"
    )
    assert unknown.status_code == 400
    assert drafted["fields"]["research_result"] == [
        message.replace(str(missing_pk), str(draft.pk))
        for message in unknown.json()["fields"]["research_result"]
    ]
    other_need = factories.TechnologyNeedFactory(status=ListingStatus.DRAFT)
    refused = create(api_client, enterprise_user, result, technology_need=other_need.pk).json()
    assert "technology_need" in refused["fields"]
    assert str(other_need.pk) in refused["fields"]["technology_need"][0]
