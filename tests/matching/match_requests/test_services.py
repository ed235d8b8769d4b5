"""Match-request services and selectors: who may ask, accept, decline, withdraw and
write; one open request per pair; contacts revealed on acceptance; notifications and e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.choices import ListingStatus
from marketplace.models import Notification
from matching.match_requests import selectors, services
from matching.match_requests.services import creation
from matching.models import (
    DeclineReason,
    MatchRequest,
    MatchRequestDirection,
    MatchRequestMessage,
    MatchRequestStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(enterprise_user, result):
    return services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍一下技术细节。"
    )


@pytest.fixture
def accepted_request(open_request, researcher):
    return services.match_request_accept(match_request=open_request, actor=researcher)


# --- creating ------------------------------------------------------------------------------


def test_enterprise_member_requests_introduction_to_result_owner(
    enterprise_user, researcher, result, enterprise, university
):
    request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="We would like a licence.", score=0.8
    )
    assert request.direction == MatchRequestDirection.NEED_TO_RESULT
    assert request.requester == enterprise
    assert request.addressee == university
    assert request.status == MatchRequestStatus.OPEN
    assert request.created_by == enterprise_user
    assert request.score == 0.8


def test_request_about_own_need_is_made_by_the_needs_organisation(enterprise_user, result, need):
    # The user also belongs to a second enterprise; the need decides who asks.
    other = factories.OrganizationFactory(kind="enterprise")
    factories.Membership.objects.create(
        user=enterprise_user, organization=other, role="enterprise_member"
    )
    need.owner = other
    need.save()
    request = services.match_request_create(
        actor=enterprise_user, research_result=result, technology_need=need, message="hi"
    )
    assert request.requester == other
    assert request.technology_need == need


def test_cannot_refer_to_another_organisations_need(enterprise_user, result):
    foreign_need = factories.TechnologyNeedFactory()
    with pytest.raises(DomainError) as exc:
        services.match_request_create(
            actor=enterprise_user,
            research_result=result,
            technology_need=foreign_need,
            message="hi",
        )
    assert "technology_need" in exc.value.fields
    assert not MatchRequest.objects.exists()


@pytest.mark.parametrize("message", ["", "   \n"])
def test_match_request_message_is_required(enterprise_user, result, message):
    with pytest.raises(DomainError) as exc:
        services.match_request_create(
            actor=enterprise_user, research_result=result, message=message
        )
    assert list(exc.value.fields) == ["message"]


def test_cannot_request_unpublished_result(enterprise_user, university):
    draft = factories.ResearchResultFactory(owner=university, status=ListingStatus.DRAFT)
    with pytest.raises(DomainError) as exc:
        services.match_request_create(actor=enterprise_user, research_result=draft, message="hi")
    assert "research_result" in exc.value.fields


def test_cannot_request_expired_result(enterprise_user, university):
    old = factories.ResearchResultFactory(
        owner=university, renewed_at=timezone.now() - timedelta(days=800)
    )
    with pytest.raises(DomainError):
        services.match_request_create(actor=enterprise_user, research_result=old, message="hi")


def test_cannot_request_own_organisations_result(researcher, result):
    with pytest.raises(DomainError) as exc:
        services.match_request_create(actor=researcher, research_result=result, message="hi")
    assert "research_result" in exc.value.fields


def test_user_without_organisation_cannot_request(result):
    loner = factories.UserFactory()
    with pytest.raises(PermissionDeniedError):
        services.match_request_create(actor=loner, research_result=result, message="hi")


def test_second_open_request_for_same_pair_is_a_conflict(enterprise_user, result, open_request):
    colleague = factories.enterprise_member(organization=open_request.requester)
    with pytest.raises(ConflictError):
        services.match_request_create(actor=colleague, research_result=result, message="again")
    assert MatchRequest.objects.count() == 1


def test_same_result_with_a_need_is_a_different_pair(enterprise_user, result, need, open_request):
    second = services.match_request_create(
        actor=enterprise_user, research_result=result, technology_need=need, message="about need"
    )
    assert second.pk != open_request.pk


def test_new_request_allowed_after_withdrawal(enterprise_user, result, open_request):
    services.match_request_withdraw(match_request=open_request, actor=enterprise_user)
    again = services.match_request_create(
        actor=enterprise_user, research_result=result, message="2"
    )
    assert again.status == MatchRequestStatus.OPEN


@pytest.mark.parametrize("with_need", [False, True])
def test_database_constraint_turns_a_race_into_a_conflict(
    monkeypatch, enterprise_user, result, need, with_need
):
    context = need if with_need else None
    services.match_request_create(
        actor=enterprise_user, research_result=result, technology_need=context, message="1"
    )
    # Simulate a concurrent request that passed the check: the unique constraint still holds.
    monkeypatch.setattr(creation, "_refuse_duplicate", lambda **kwargs: None)
    with pytest.raises(ConflictError):
        services.match_request_create(
            actor=enterprise_user, research_result=result, technology_need=context, message="2"
        )
    assert MatchRequest.objects.count() == 1


def test_researcher_proposes_result_to_need(researcher, result, need, university, enterprise):
    request = services.match_request_propose(
        actor=researcher, research_result=result, technology_need=need, message="Fits your need."
    )
    assert request.direction == MatchRequestDirection.RESULT_TO_NEED
    assert request.requester == university
    assert request.addressee == enterprise


def test_only_result_owner_members_can_propose(enterprise_user, outsider, result, need):
    with pytest.raises(PermissionDeniedError):
        services.match_request_propose(
            actor=outsider, research_result=result, technology_need=need, message="hi"
        )


def test_cannot_propose_to_unpublished_need(researcher, result, enterprise):
    draft = factories.TechnologyNeedFactory(owner=enterprise, status=ListingStatus.PENDING_REVIEW)
    with pytest.raises(DomainError) as exc:
        services.match_request_propose(
            actor=researcher, research_result=result, technology_need=draft, message="hi"
        )
    assert "technology_need" in exc.value.fields


def test_cannot_propose_to_own_organisations_need(researcher, result, university):
    own_need = factories.TechnologyNeedFactory(owner=university)
    with pytest.raises(DomainError):
        services.match_request_propose(
            actor=researcher, research_result=result, technology_need=own_need, message="hi"
        )


def test_submit_picks_direction_from_membership(researcher, enterprise_user, result, need):
    proposal = services.match_request_submit(
        actor=researcher, research_result=result, technology_need=need, message="p"
    )
    request = services.match_request_submit(
        actor=enterprise_user, research_result=result, technology_need=need, message="r"
    )
    assert proposal.direction == MatchRequestDirection.RESULT_TO_NEED
    assert request.direction == MatchRequestDirection.NEED_TO_RESULT


def test_creating_notifies_the_addressees_members_in_app_and_by_email(
    enterprise_user, researcher, result, django_capture_on_commit_callbacks
):
    colleague = factories.researcher(organization=result.owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_request_create(actor=enterprise_user, research_result=result, message="hi")
    notified = set(Notification.objects.values_list("recipient_id", flat=True))
    assert notified == {researcher.pk, colleague.pk}
    assert Notification.objects.filter(verb=services.VERB_CREATED).count() == 2
    assert result.title in Notification.objects.first().message
    assert sorted(m.to[0] for m in mail.outbox) == sorted([researcher.email, colleague.email])


# --- deciding ------------------------------------------------------------------------------


def test_addressee_accepts_and_requester_is_notified(
    open_request, researcher, enterprise_user, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.match_request_accept(match_request=open_request, actor=researcher)
    accepted.refresh_from_db()
    assert accepted.status == MatchRequestStatus.ACCEPTED
    assert accepted.decided_by == researcher
    assert accepted.decided_at is not None
    assert list(Notification.objects.values_list("recipient_id", "verb")) == [
        (enterprise_user.pk, services.VERB_ACCEPTED)
    ]
    assert [m.to for m in mail.outbox] == [[enterprise_user.email]]


def test_cannot_accept_match_request_twice(accepted_request, researcher):
    with pytest.raises(ConflictError):
        services.match_request_accept(match_request=accepted_request, actor=researcher)


def test_cannot_decline_an_accepted_request(accepted_request, researcher):
    with pytest.raises(ConflictError):
        services.match_request_decline(
            match_request=accepted_request, actor=researcher, reason=DeclineReason.PRICE, text=""
        )


def test_requester_cannot_accept_own_request(open_request, enterprise_user):
    with pytest.raises(PermissionDeniedError):
        services.match_request_accept(match_request=open_request, actor=enterprise_user)
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.OPEN


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw", "message"])
def test_outsider_cannot_touch_a_request(open_request, outsider, action):
    with pytest.raises(PermissionDeniedError):
        if action == "accept":
            services.match_request_accept(match_request=open_request, actor=outsider)
        elif action == "decline":
            services.match_request_decline(
                match_request=open_request, actor=outsider, reason=DeclineReason.PRICE
            )
        elif action == "withdraw":
            services.match_request_withdraw(match_request=open_request, actor=outsider)
        else:
            services.match_request_message_post(
                match_request=open_request, actor=outsider, body="x"
            )


def test_decline_stores_reason_and_notifies_requester(
    open_request, researcher, enterprise_user, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_request_decline(
            match_request=open_request,
            actor=researcher,
            reason=DeclineReason.TOO_EARLY,
            text="Later.",
        )
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.DECLINED
    assert open_request.decline_reason == DeclineReason.TOO_EARLY
    assert open_request.decline_text == "Later."
    note = Notification.objects.get()
    assert note.recipient == enterprise_user
    assert "Too early stage" in note.message
    assert len(mail.outbox) == 1


def test_decline_reason_must_be_from_the_list(open_request, researcher):
    with pytest.raises(DomainError) as exc:
        services.match_request_decline(
            match_request=open_request, actor=researcher, reason="boring"
        )
    assert list(exc.value.fields) == ["reason"]
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.OPEN


def test_decline_reason_other_needs_text(open_request, researcher):
    with pytest.raises(DomainError) as exc:
        services.match_request_decline(
            match_request=open_request, actor=researcher, reason=DeclineReason.OTHER, text="  "
        )
    assert list(exc.value.fields) == ["text"]
    declined = services.match_request_decline(
        match_request=open_request,
        actor=researcher,
        reason=DeclineReason.OTHER,
        text="Sold already.",
    )
    assert declined.status == MatchRequestStatus.DECLINED


def test_broker_accepts_on_behalf_noted_in_thread_and_both_sides_notified(
    open_request, broker, researcher, enterprise_user
):
    Notification.objects.all().delete()
    services.match_request_accept(match_request=open_request, actor=broker)
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.ACCEPTED
    assert open_request.decided_by == broker
    note = MatchRequestMessage.objects.get(match_request=open_request)
    assert note.author == broker
    assert "on behalf of" in note.body
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        researcher.pk,
        enterprise_user.pk,
    }


def test_broker_declines_on_behalf(open_request, broker):
    services.match_request_decline(
        match_request=open_request, actor=broker, reason=DeclineReason.ALREADY_IN_TALKS
    )
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.DECLINED
    assert MatchRequestMessage.objects.filter(match_request=open_request, author=broker).exists()


def test_requester_withdraws_and_addressee_is_notified(
    open_request, enterprise_user, researcher, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_request_withdraw(match_request=open_request, actor=enterprise_user)
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.WITHDRAWN
    assert Notification.objects.get().recipient == researcher
    assert [m.to for m in mail.outbox] == [[researcher.email]]


def test_addressee_cannot_withdraw(open_request, researcher):
    with pytest.raises(PermissionDeniedError):
        services.match_request_withdraw(match_request=open_request, actor=researcher)


def test_cannot_withdraw_a_decided_request(accepted_request, enterprise_user):
    with pytest.raises(ConflictError):
        services.match_request_withdraw(match_request=accepted_request, actor=enterprise_user)


# --- thread ----------------------------------------------------------------------------------


def test_parties_cannot_write_before_acceptance(open_request, enterprise_user, researcher):
    for user in (enterprise_user, researcher):
        with pytest.raises(ConflictError):
            services.match_request_message_post(
                match_request=open_request, actor=user, body="hello"
            )
    assert not MatchRequestMessage.objects.exists()


def test_parties_write_after_acceptance_and_other_side_is_notified(
    accepted_request, enterprise_user, researcher, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.match_request_message_post(
            match_request=accepted_request, actor=researcher, body="When can we meet?"
        )
    assert message.author == researcher
    note = Notification.objects.get()
    assert (note.recipient, note.verb) == (enterprise_user, services.VERB_MESSAGE)
    assert [m.to for m in mail.outbox] == [[enterprise_user.email]]
    services.match_request_message_post(
        match_request=accepted_request, actor=enterprise_user, body="Mon"
    )
    assert list(
        selectors.match_request_messages(match_request=accepted_request).values_list(
            "body", flat=True
        )
    ) == ["When can we meet?", "Mon"]


def test_broker_may_write_before_acceptance_and_both_sides_hear(
    open_request, broker, researcher, enterprise_user
):
    Notification.objects.all().delete()
    services.match_request_message_post(
        match_request=open_request, actor=broker, body="I can help."
    )
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        researcher.pk,
        enterprise_user.pk,
    }


def test_message_body_is_required(accepted_request, researcher):
    with pytest.raises(DomainError) as exc:
        services.match_request_message_post(
            match_request=accepted_request, actor=researcher, body=" "
        )
    assert list(exc.value.fields) == ["body"]


# --- selectors -------------------------------------------------------------------------------


def test_broker_sees_all_requests_parties_their_own_others_none(
    open_request, broker, researcher, enterprise_user, outsider
):
    other = services.match_request_create(
        actor=outsider, research_result=factories.ResearchResultFactory(), message="hi"
    )
    assert set(selectors.match_request_list(viewer=broker)) == {open_request, other}
    assert list(selectors.match_request_list(viewer=researcher)) == [open_request]
    assert list(selectors.match_request_list(viewer=enterprise_user)) == [open_request]
    assert list(selectors.match_request_list(viewer=outsider)) == [other]
    assert not selectors.match_request_list(viewer=factories.UserFactory()).exists()
    with pytest.raises(Http404):
        selectors.match_request_get(viewer=outsider, pk=open_request.pk)
    assert selectors.match_request_get(viewer=broker, pk=open_request.pk) == open_request


def test_list_filters_by_role_status_and_direction(open_request, researcher, enterprise_user, need):
    proposal = services.match_request_propose(
        actor=researcher,
        research_result=open_request.research_result,
        technology_need=need,
        message="p",
    )
    assert list(selectors.match_request_list(viewer=researcher, filters={"role": "sent"})) == [
        proposal
    ]
    assert list(selectors.match_request_list(viewer=researcher, filters={"role": "received"})) == [
        open_request
    ]
    assert list(
        selectors.match_request_list(
            viewer=enterprise_user, filters={"direction": MatchRequestDirection.RESULT_TO_NEED}
        )
    ) == [proposal]
    assert not selectors.match_request_list(
        viewer=enterprise_user, filters={"status": MatchRequestStatus.ACCEPTED}
    ).exists()


def test_contacts_hidden_before_acceptance_and_shown_to_other_side_after(
    open_request, researcher, enterprise_user, broker, outsider
):
    for viewer in (researcher, enterprise_user, broker, outsider):
        assert selectors.visible_contact_sides(viewer, open_request) == set()
        assert not selectors.contact_details_visible(viewer, open_request)
    services.match_request_accept(match_request=open_request, actor=researcher)
    open_request.refresh_from_db()
    assert selectors.visible_contact_sides(enterprise_user, open_request) == {"addressee"}
    assert selectors.visible_contact_sides(researcher, open_request) == {"requester"}
    assert selectors.visible_contact_sides(broker, open_request) == {"requester", "addressee"}
    assert selectors.visible_contact_sides(outsider, open_request) == set()
