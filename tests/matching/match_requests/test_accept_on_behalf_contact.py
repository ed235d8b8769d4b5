"""Accepting on an organisation's behalf leaves the requester with someone to contact: the
broker's message to the requester (required) is in the thread and in the requester's
notification, and where the organisation has no contact details the request page shows the
transfer centre (the broker who acted and the centre's public contact). The same message
reaches the requester of a 1:1 meeting request accepted on behalf."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kernel.errors import DomainError
from marketplace.models import Membership, Notification
from marketplace.notifications import notification_text
from matching.match_requests import services
from projects.meetings import mediation as meeting_mediation
from tests import factories
from tests.projects.mediation.test_mediation_queue import event, meeting, unclaimed_slot  # noqa: F401

pytestmark = pytest.mark.django_db

NOTE = "已与对方成果转化办公室王老师电话确认，请通过技术转移中心联系。"


@pytest.fixture
def bare_org(db):
    """An imported organisation without members and without contact details."""
    return factories.OrganizationFactory(contact_email="", contact_phone="")


@pytest.fixture
def mediated(enterprise_user, bare_org, broker):
    result = factories.ResearchResultFactory(owner=bare_org)
    return services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )


def _last_text(user, language="zh-hans"):
    notification = Notification.objects.filter(recipient=user).order_by("-id").first()
    return notification_text(notification, language)


def test_accept_on_behalf_needs_a_note_to_the_requester(mediated, broker):
    with pytest.raises(DomainError) as caught:
        services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note=" ")
    assert "note" in caught.value.fields


def test_the_note_is_in_the_thread_and_the_requesters_notification(
    mediated, broker, enterprise_user
):
    services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note=NOTE)
    page = factories.login(enterprise_user).get(f"/requests/{mediated.pk}/")
    assert [m["body"] for m in page.context["thread"]][-1] == NOTE
    assert NOTE in _last_text(enterprise_user)
    assert NOTE in _last_text(enterprise_user, "en")


@override_settings(LANGUAGE_CODE="en")
def test_request_page_shows_the_transfer_centre_when_the_org_has_no_contact(
    mediated, broker, enterprise_user
):
    centre = Membership.objects.get(user=broker).organization
    services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note=NOTE)
    html = factories.login(enterprise_user).get(f"/requests/{mediated.pk}/").content.decode()
    assert "data-centre-contact" in html
    assert centre.legal_name in html and centre.contact_email in html
    assert broker.get_username() in html or broker.email in html


def test_request_page_shows_the_orgs_own_contact_when_it_has_one(enterprise_user, broker):
    result = factories.ResearchResultFactory(owner=factories.OrganizationFactory())
    mediated = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    services.match_request_accept_on_behalf(match_request=mediated, actor=broker, note=NOTE)
    html = factories.login(enterprise_user).get(f"/requests/{mediated.pk}/").content.decode()
    assert "data-centre-contact" not in html
    assert result.owner.contact_email in html


def test_meeting_accept_on_behalf_needs_a_note_and_tells_the_requester(event, meeting):  # noqa: F811
    broker = event.host_staff
    with pytest.raises(DomainError):
        meeting_mediation.meeting_request_accept_on_behalf(request=meeting, actor=broker)
    meeting_mediation.meeting_request_accept_on_behalf(request=meeting, actor=broker, note=NOTE)
    assert NOTE in _last_text(event.attendees[0])


def test_queue_page_accept_form_asks_for_the_note_to_the_requester(mediated, broker):
    client = factories.login(broker)
    item = f"match_request-{mediated.pk}"
    client.post(f"/mediation/{item}/accept/", {"note": ""})
    mediated.refresh_from_db()
    assert mediated.status == "open"
    html = client.get("/mediation/").content.decode()
    assert f'id="accept-note-{item}" name="note" rows="2" required' in html
