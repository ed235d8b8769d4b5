"""Match requests carried by the transfer centre: a request to an organisation without
members goes to the brokers' queue; brokers record outcomes, invite to claim, accept or
decline on its behalf; unanswered requests are escalated once, after N days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.models import Notification
from matching.match_requests import selectors, services
from matching.mediation import escalation
from matching.mediation.models import MediationAction, MediationReason
from matching.models import MatchRequest, MatchRequestMediationEvent, MatchRequestStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def unclaimed_result(db):
    """A published result of an imported organisation nobody on Keqiao belongs to."""
    return factories.ResearchResultFactory(owner=factories.OrganizationFactory())


@pytest.fixture
def mediated(enterprise_user, unclaimed_result, broker):
    return services.match_request_create(
        actor=enterprise_user, research_result=unclaimed_result, message="请介绍。"
    )


def _verbs(user):
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


def test_request_to_member_less_organisation_lands_in_queue_and_brokers_are_notified(
    admin_user, broker, mediated
):
    assert mediated.handled_by_transfer_centre
    assert mediated.mediation_reason == MediationReason.NO_MEMBERS
    assert _verbs(broker) == ["match_request.mediated"]
    assert _verbs(admin_user) == ["match_request.mediated"]
    event = MatchRequestMediationEvent.objects.get(match_request=mediated)
    assert (event.action, event.actor) == (MediationAction.MEDIATED, None)


def test_request_to_organisation_with_members_is_not_mediated(enterprise_user, result, broker):
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    assert not match_request.handled_by_transfer_centre
    assert _verbs(broker) == []


def test_sender_sees_handled_by_transfer_centre_on_page_and_in_api(mediated, enterprise_user):
    page = factories.login(enterprise_user).get(f"/requests/{mediated.pk}/")
    assert "Handled by the transfer centre" in page.content.decode()
    data = factories.login(enterprise_user).get(f"/api/v1/match-requests/{mediated.pk}/").json()
    assert data["handled_by_transfer_centre"] is True
    assert data["mediation_reason"] == "no_members"


def test_broker_accept_on_behalf_notifies_sender_and_reveals_contacts_as_any_acceptance(
    mediated, broker, enterprise_user
):
    services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note="电话确认")
    mediated.refresh_from_db()
    assert mediated.status == MatchRequestStatus.ACCEPTED
    assert "match_request.accepted" in _verbs(enterprise_user)
    assert selectors.visible_contact_sides(enterprise_user, mediated) == {selectors.ADDRESSEE}
    event = mediated.mediation_events.get(action=MediationAction.ACCEPTED)
    assert (event.actor, event.note) == (broker, "电话确认")


def test_broker_decline_on_behalf_notifies_sender_with_the_note(mediated, broker, enterprise_user):
    services.match_request_decline_on_behalf(match_request=mediated, actor=broker, note="无意向")
    mediated.refresh_from_db()
    assert (mediated.status, mediated.decline_text) == (MatchRequestStatus.DECLINED, "无意向")
    assert "match_request.declined" in _verbs(enterprise_user)


def test_decline_on_behalf_needs_a_note(mediated, broker):
    with pytest.raises(DomainError) as caught:
        services.match_request_decline_on_behalf(match_request=mediated, actor=broker, note=" ")
    assert "note" in caught.value.fields


def test_cannot_accept_twice(mediated, broker):
    services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note="电话确认")
    with pytest.raises(ConflictError):
        services.match_request_accept_on_behalf(
            match_request=mediated, actor=broker, note="电话确认"
        )


def test_non_broker_cannot_act_on_a_mediated_request(mediated, enterprise_user):
    with pytest.raises(PermissionDeniedError):
        services.match_request_mediation_outcome(
            match_request=mediated, actor=enterprise_user, outcome="reached"
        )


def test_outcome_is_audited_and_unknown_outcome_is_a_field_error(mediated, broker):
    with pytest.raises(DomainError) as caught:
        services.match_request_mediation_outcome(match_request=mediated, actor=broker,
                                                 outcome="maybe")
    assert "outcome" in caught.value.fields
    event = services.match_request_mediation_outcome(
        match_request=mediated, actor=broker, outcome="no_answer", note="两次无人接听"
    )
    assert (event.action, event.outcome, event.actor) == ("outcome", "no_answer", broker)


def test_invite_to_claim_emails_an_absolute_link_to_the_organisation_page(
    mediated, broker, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://keqiao.example.org"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.match_request_invite_to_claim(match_request=mediated, actor=broker)
    addressee = mediated.addressee
    assert event.emailed_to == addressee.contact_email
    (message,) = mail.outbox
    assert message.to == [addressee.contact_email]
    assert f"https://keqiao.example.org/organizations/{addressee.pk}/" in message.body


def test_invite_to_claim_without_contact_email_sends_nothing(mediated, broker):
    mediated.addressee.contact_email = ""
    mediated.addressee.save()
    mail.outbox.clear()
    event = services.match_request_invite_to_claim(match_request=mediated, actor=broker)
    assert event.emailed_to == "" and mail.outbox == []


def _age(match_request, days):
    MatchRequest.objects.filter(pk=match_request.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_escalation_after_n_days_happens_once_and_tells_sender_and_brokers(
    enterprise_user, result, researcher, broker, settings
):
    settings.REQUEST_ESCALATION_DAYS = 7
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    _age(match_request, 8)
    assert services.match_requests_escalate() == [match_request.pk]
    assert services.match_requests_escalate() == []
    assert services.match_requests_escalate(now=timezone.now() + timedelta(days=30)) == []
    match_request.refresh_from_db()
    assert match_request.mediation_reason == MediationReason.UNANSWERED
    assert match_request.escalated_at is not None
    assert _verbs(broker) == ["match_request.escalated"]
    assert _verbs(enterprise_user) == ["match_request.escalated"]
    sender_note = Notification.objects.get(recipient=enterprise_user)
    assert sender_note.params["variant"] == "sender"
    assert sender_note.url == f"/requests/{match_request.pk}/"


def test_not_escalated_before_n_days(enterprise_user, result, settings):
    settings.REQUEST_ESCALATION_DAYS = 7
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    _age(match_request, 6)
    assert services.match_requests_escalate() == []
    match_request.refresh_from_db()
    fixed_now = match_request.created_at + timedelta(days=7)
    assert services.match_requests_escalate(now=fixed_now - timedelta(seconds=1)) == []
    assert services.match_requests_escalate(now=fixed_now + timedelta(days=1)) == [
        match_request.pk
    ]


def test_request_answered_after_the_due_list_was_read_is_not_escalated(
    enterprise_user, result, researcher, broker, monkeypatch
):
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    _age(match_request, 30)
    lock_row_in = escalation.lock_row_in

    def answered_first(queryset, pk, **kwargs):
        MatchRequest.objects.filter(pk=pk).update(status=MatchRequestStatus.ACCEPTED)
        return lock_row_in(queryset, pk, **kwargs)

    monkeypatch.setattr(escalation, "lock_row_in", answered_first)
    assert services.match_requests_escalate() == []
    match_request.refresh_from_db()
    assert match_request.escalated_at is None
    assert _verbs(broker) == []


def test_answered_requests_are_not_escalated(enterprise_user, result, researcher):
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    services.match_request_accept(match_request=match_request, actor=researcher)
    _age(match_request, 30)
    assert services.match_requests_escalate() == []


def _broker_reads(queries):
    """The queries that read the brokers (`roles.brokers`: a user filter on is_superuser)."""
    return [q for q in queries if "is_superuser" in q["sql"].partition("WHERE")[2]]


def test_escalation_reads_the_brokers_once_however_many_requests_are_due(
    enterprise_user, result, broker, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REQUEST_ESCALATION_DAYS = 7
    reads = []
    for count in (1, 3):
        for _n in range(count):
            match_request = services.match_request_create(
                actor=enterprise_user, message="请介绍。",
                research_result=factories.ResearchResultFactory(owner=result.owner),
            )
            _age(match_request, 8)
        with CaptureQueriesContext(connection) as queries:
            assert len(services.match_requests_escalate()) == count
        reads.append(len(_broker_reads(queries.captured_queries)))
    assert reads == [1, 1]
    assert _verbs(broker) == ["match_request.escalated"] * 4


def test_require_broker_is_the_one_broker_check_for_services_and_pages(broker, researcher):
    from django.core.exceptions import PermissionDenied

    from marketplace import roles

    roles.require_broker(broker, "brokers only")
    with pytest.raises(PermissionDeniedError) as caught:
        roles.require_broker(researcher, "brokers only")
    assert caught.value.message == "brokers only" and caught.value.code == "permission_denied"
    # Also Django's PermissionDenied, so a page's own check gives the 403 page.
    assert isinstance(caught.value, PermissionDenied)
    for page in ("/mediation/", "/moderation/", "/organizations/claims/",
                 "/organizations/review/"):
        assert factories.login(researcher).get(page).status_code == 403
        assert factories.login(broker).get(page).status_code == 200
