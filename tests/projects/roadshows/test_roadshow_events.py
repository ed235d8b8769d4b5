"""Roadshow create/edit and agenda building by host staff; the stream URL allow-list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace import roles
from marketplace.choices import ListingStatus
from projects.models import Roadshow, RoadshowSlot, validate_stream_url
from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, url

pytestmark = pytest.mark.django_db


def create_body(host_id: int, **extra):
    start = timezone.now() + timedelta(days=3)
    return {
        "title": "衡水技术转移中心北京发布会",
        "host": host_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=5)).isoformat(),
        "capacity": 120,
        "ticket_price_cny": "99.00",
        **extra,
    }


def test_host_broker_creates_a_roadshow(broker):
    host = roles.primary_organization(broker)
    response = client_for(broker).post("/api/v1/roadshows/", create_body(host.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "scheduled" and body["ticket_price_cny"] == "99.00"
    assert body["host"]["id"] == host.pk and body["is_free"] is False


def test_only_staff_of_the_host_create_roadshows(broker, enterprise_user):
    host = roles.primary_organization(broker)
    other_broker = factories.broker()
    for user in (enterprise_user, other_broker):
        response = client_for(user).post("/api/v1/roadshows/", create_body(host.pk), format="json")
        assert response.status_code == 403
    assert not Roadshow.objects.exists()


def test_host_must_be_a_transfer_centre(enterprise_user, admin_user):
    enterprise = roles.primary_organization(enterprise_user)
    response = client_for(admin_user).post(
        "/api/v1/roadshows/", create_body(enterprise.pk), format="json"
    )
    assert response.status_code == 400 and "host" in response.json()["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", 0), ("ticket_price_cny", "-1.00"), ("ticket_price_cny", "1.005")],
)
def test_bad_event_fields_are_400_per_field(broker, field, value):
    host = roles.primary_organization(broker)
    response = client_for(broker).post(
        "/api/v1/roadshows/", create_body(host.pk, **{field: value}), format="json"
    )
    assert response.status_code == 400 and field in response.json()["fields"]


def test_end_before_start_is_400(broker):
    host = roles.primary_organization(broker)
    body = create_body(host.pk)
    body["ends_at"] = body["starts_at"]
    response = client_for(broker).post("/api/v1/roadshows/", body, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()["fields"]


# --- stream URL allow-list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://player.bilibili.com/player.html?bvid=BV1xx&autoplay=0",
        "https://www.youtube-nocookie.com/embed/abc",
        "https://player.vimeo.com/video/1",
        "",
    ],
)
def test_stream_urls_from_allowed_hosts_are_accepted(value):
    validate_stream_url(value)


@pytest.mark.parametrize(
    "value",
    [
        "http://player.bilibili.com/player.html?bvid=BV1xx",
        "javascript:alert(1)",
        "JavaScript://player.bilibili.com/%0aalert(1)",
        "https://evil.example/player.html",
        "https://player.bilibili.com.evil.example/x",
        "https://evilplayer.bilibili.com/x",
        "https://user@player.bilibili.com/x",
        "https://player.bilibili.com:8443/x",
        "data:text/html,<script>alert(1)</script>",
        "//player.bilibili.com/x",
        "https://player.bilibili.com/x y",
    ],
)
def test_stream_urls_outside_the_allow_list_are_refused(value, broker):
    with pytest.raises(ValidationError):
        validate_stream_url(value)
    host = roles.primary_organization(broker)
    response = client_for(broker).post(
        "/api/v1/roadshows/", create_body(host.pk, stream_embed_url=value), format="json"
    )
    assert response.status_code == 400
    assert "stream_embed_url" in response.json()["fields"]


def test_allow_list_comes_from_the_setting(settings):
    settings.ROADSHOW_STREAM_HOSTS = ["stream.example.org"]
    validate_stream_url("https://stream.example.org/embed/1")
    with pytest.raises(ValidationError):
        validate_stream_url("https://player.bilibili.com/player.html")


def test_editing_the_stream_url_is_validated_too(broker):
    roadshow = make_roadshow(broker, projects=0)
    response = client_for(broker).patch(
        url("detail", roadshow), {"stream_embed_url": "http://live.bilibili.com/1"}, format="json"
    )
    assert response.status_code == 400
    response = client_for(broker).patch(
        url("detail", roadshow), {"stream_embed_url": "https://live.bilibili.com/1"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["stream_embed_url"] == "https://live.bilibili.com/1"


# --- agenda -------------------------------------------------------------------------------------


def test_staff_build_the_agenda_from_published_listings(broker):
    roadshow = make_roadshow(broker, projects=0)
    result = factories.ResearchResultFactory()
    need = factories.TechnologyNeedFactory()
    client = client_for(broker)
    first = client.post(url("slots", roadshow), {"research_result": result.pk}, format="json")
    second = client.post(
        url("slots", roadshow), {"technology_need": need.pk, "minutes": 20}, format="json"
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["listing"]["type"] == "result"
    assert first.json()["presenter"] == result.owner.legal_name
    assert second.json()["order"] == 2 and second.json()["minutes"] == 20
    twice = client.post(url("slots", roadshow), {"research_result": result.pk}, format="json")
    assert twice.status_code == 400
    both = client.post(
        url("slots", roadshow),
        {"research_result": factories.ResearchResultFactory().pk, "technology_need": need.pk},
        format="json",
    )
    assert both.status_code == 400


def test_unpublished_listing_cannot_be_added(broker):
    roadshow = make_roadshow(broker, projects=0)
    draft = factories.ResearchResultFactory(status=ListingStatus.DRAFT)
    response = client_for(broker).post(
        url("slots", roadshow), {"research_result": draft.pk}, format="json"
    )
    assert response.status_code == 400 and "research_result" in response.json()["fields"]


def test_attendee_cannot_change_the_agenda(broker, enterprise_user):
    roadshow = make_roadshow(broker, projects=1)
    slot = roadshow.slots.get()
    client = client_for(enterprise_user)
    result = factories.ResearchResultFactory()
    assert client.post(
        url("slots", roadshow), {"research_result": result.pk}, format="json"
    ).status_code == 403
    assert client.delete(url("slot-detail", roadshow, slot_pk=slot.pk)).status_code == 403
    assert RoadshowSlot.objects.count() == 1


def test_reorder_and_remove_keep_a_gapless_order(broker):
    roadshow = make_roadshow(broker, projects=3)
    a, b, c = roadshow.slots.order_by("order")
    client = client_for(broker)
    response = client.post(
        url("slots-reorder", roadshow), {"slot_ids": [c.pk, a.pk, b.pk]}, format="json"
    )
    assert [s["id"] for s in response.json()] == [c.pk, a.pk, b.pk]
    bad = client.post(url("slots-reorder", roadshow), {"slot_ids": [c.pk, a.pk]}, format="json")
    assert bad.status_code == 400 and "slot_ids" in bad.json()["fields"]
    assert client.delete(url("slot-detail", roadshow, slot_pk=a.pk)).status_code == 204
    assert list(roadshow.slots.order_by("order").values_list("pk", "order")) == [
        (c.pk, 1), (b.pk, 2),
    ]


def test_the_slot_now_presenting_cannot_be_removed(broker):
    roadshow = make_roadshow(broker, projects=2)
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    response = client_for(broker).delete(
        url("slot-detail", roadshow, slot_pk=roadshow.current_slot_id)
    )
    assert response.status_code == 409


def test_anyone_reads_the_roadshow_and_its_agenda(broker, api_client):
    roadshow = make_roadshow(broker, projects=2)
    response = api_client.get(url("detail", roadshow))
    assert response.status_code == 200
    body = response.json()
    assert len(body["agenda"]) == 2 and body["viewer"]["registration"] is None
    assert api_client.get("/api/v1/roadshows/").json()["count"] == 1
