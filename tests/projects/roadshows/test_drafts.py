"""Draft roadshows and publishing: one rule for the web and the API. A draft is seen by its
host staff alone (list, event page, live pages, API); publishing checks the title, the times
and the agenda; only a draft can be published, only by host staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace import roles
from projects.choices import RoadshowStatus
from projects.models import Roadshow
from projects.registrations import services as registration_services
from projects.roadshows import services
from tests import factories
from tests.projects.roadshow_support import BACK, OK, client_for

pytestmark = pytest.mark.django_db


def make_draft(broker, *, projects: int = 1) -> Roadshow:
    host = roles.primary_organization(broker)
    start = timezone.now() + timedelta(days=2)
    roadshow = services.roadshow_create(
        actor=broker, host=host, title="草稿推介会", starts_at=start,
        ends_at=start + timedelta(hours=3), capacity=50, draft=True,
    )
    owner = factories.OrganizationFactory()
    for _ in range(projects):
        result = factories.ResearchResultFactory(owner=owner)
        services.roadshow_slot_add(roadshow=roadshow, actor=broker, research_result=result)
    roadshow.refresh_from_db()
    return roadshow


def test_a_draft_is_seen_by_its_host_staff_alone(broker, enterprise_user):
    draft = make_draft(broker)
    assert draft.status == RoadshowStatus.DRAFT
    other_broker = factories.broker()
    for user in (enterprise_user, other_broker):
        api = client_for(user)
        assert draft.pk not in [r["id"] for r in api.get("/api/v1/roadshows/").json()["results"]]
        assert api.get(f"/api/v1/roadshows/{draft.pk}/").status_code == 404
        assert api.get(f"/api/v1/roadshows/{draft.pk}/live/").status_code in (403, 404)
        web = factories.login(user)
        assert draft.title not in web.get(reverse("roadshow-list")).content.decode()
        assert web.get(reverse("roadshow-detail", args=[draft.pk])).status_code == 404
        assert web.get(reverse("roadshow-live", args=[draft.pk])).status_code == 404
        assert web.post(reverse("roadshow-register", args=[draft.pk])).status_code == 404
    anonymous = client_for(enterprise_user)
    anonymous.force_authenticate(None)
    assert anonymous.get(f"/api/v1/roadshows/{draft.pk}/").status_code == 404
    staff = client_for(broker)
    assert staff.get(f"/api/v1/roadshows/{draft.pk}/").json()["status"] == "draft"
    page = factories.login(broker).get(reverse("roadshow-list")).content.decode()
    assert draft.title in page


def test_nobody_registers_for_a_draft(broker, enterprise_user):
    draft = make_draft(broker)
    with pytest.raises(DomainError):
        registration_services.registration_create(
            roadshow=draft, user=enterprise_user, success_url=OK, cancel_url=BACK
        )
    assert not draft.registrations.exists()


def test_publishing_checks_the_agenda_and_the_times(broker):
    empty = make_draft(broker, projects=0)
    with pytest.raises(DomainError) as caught:
        services.roadshow_publish(roadshow=empty, actor=broker)
    assert set(caught.value.fields) == {"agenda"}
    past = make_draft(broker)
    Roadshow.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    past.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.roadshow_publish(roadshow=past, actor=broker)
    assert set(caught.value.fields) == {"ends_at"}
    for roadshow in (empty, past):
        roadshow.refresh_from_db()
        assert roadshow.status == RoadshowStatus.DRAFT


def test_only_host_staff_publish_only_drafts(broker):
    draft = make_draft(broker)
    with pytest.raises(PermissionDeniedError):
        services.roadshow_publish(roadshow=draft, actor=factories.broker())
    services.roadshow_publish(roadshow=draft, actor=broker)
    draft.refresh_from_db()
    assert draft.status == RoadshowStatus.SCHEDULED
    with pytest.raises(ConflictError):
        services.roadshow_publish(roadshow=draft, actor=broker)


def test_publish_api(broker, enterprise_user):
    empty = make_draft(broker, projects=0)
    response = client_for(broker).post(f"/api/v1/roadshows/{empty.pk}/publish/")
    assert response.status_code == 400 and "agenda" in response.json()["fields"]
    draft = make_draft(broker)
    assert client_for(enterprise_user).post(
        f"/api/v1/roadshows/{draft.pk}/publish/"
    ).status_code == 404
    assert client_for(factories.broker()).post(
        f"/api/v1/roadshows/{draft.pk}/publish/"
    ).status_code == 404
    response = client_for(broker).post(f"/api/v1/roadshows/{draft.pk}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    assert client_for(broker).post(
        f"/api/v1/roadshows/{draft.pk}/publish/"
    ).status_code == 409
    assert client_for(enterprise_user).get(f"/api/v1/roadshows/{draft.pk}/").status_code == 200


def test_api_creates_a_draft_when_asked_and_never_drafts_by_patch(broker):
    host = roles.primary_organization(broker)
    start = timezone.now() + timedelta(days=3)
    body = {"title": "API 草稿", "host": host.pk, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "capacity": 10, "draft": True}
    api = client_for(broker)
    created = api.post("/api/v1/roadshows/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    response = api.patch(f"/api/v1/roadshows/{created.json()['id']}/", {"draft": False},
                         format="json")
    assert response.status_code == 400 and "draft" in response.json()["fields"]


def test_the_demo_roadshow_stays_published(settings):
    from projects.demo import create_demo_roadshow

    settings.DEBUG = True
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    roadshow = Roadshow.objects.get(is_demo=True)
    assert roadshow.status == RoadshowStatus.SCHEDULED
    assert create_demo_roadshow().status == RoadshowStatus.SCHEDULED


def test_the_live_api_of_a_draft_answers_404_as_every_other_route_of_it(broker,
                                                                         enterprise_user):
    # A draft is seen by its host staff alone: every other route of a draft answers 404 to
    # others (detail, slots, questions, meetings...); the live route answered 403 "Only
    # registered attendees and host staff can follow the roadshow", which told that the
    # draft exists (ids are sequential: a competitor counts the drafts being prepared).
    draft = make_draft(broker)
    api = client_for(enterprise_user)
    assert api.get(f"/api/v1/roadshows/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/roadshows/{draft.pk}/live/").status_code == 404
    assert api.get("/api/v1/roadshows/999999/live/").status_code == 404
    assert client_for(broker).get(f"/api/v1/roadshows/{draft.pk}/live/").status_code == 200


def test_publishing_never_shows_the_public_a_listing_that_is_no_longer_published(broker):
    # "Only published listings can be presented" was checked when a listing was added to the
    # draft's agenda, not when the draft is published: a listing archived by its owner
    # meanwhile was presented, its title on the public event page.
    from django.test import Client

    from marketplace.choices import ListingStatus
    from marketplace.models import ResearchResult
    from projects.models import RoadshowSlot

    draft = make_draft(broker)
    slot = RoadshowSlot.objects.get(roadshow=draft)
    ResearchResult.objects.filter(pk=slot.research_result_id).update(
        status=ListingStatus.ARCHIVED, title="撤回的保密项目")
    staff = Client()
    staff.force_login(broker)
    staff.post(reverse("roadshow-publish", args=[draft.pk]))
    public = Client().get(reverse("roadshow-detail", args=[draft.pk]))
    assert "撤回的保密项目" not in public.content.decode()
    assert services.publish_problems(draft)["agenda"] == [
        f"Agenda item {slot.order}, “撤回的保密项目”, is no longer published: remove it."]
