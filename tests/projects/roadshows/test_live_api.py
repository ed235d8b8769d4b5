"""GET /api/v1/roadshows/{id}/live/: shape, who may read it, ETag / 304, version bumps."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, register, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadshow(broker):
    return make_roadshow(broker, projects=3)


@pytest.fixture
def attendee(roadshow, enterprise_user):
    register(roadshow, enterprise_user)
    return enterprise_user


def test_live_state_has_the_documented_shape(roadshow, broker, attendee):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    response = client_for(attendee).get(url("live", roadshow))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "status", "version", "current_slot", "questions_open", "questions", "next_slot"
    }
    assert body["status"] == "live"
    slots = list(roadshow.slots.order_by("order"))
    assert body["current_slot"]["id"] == slots[0].pk
    assert body["next_slot"]["id"] == slots[1].pk
    card = body["current_slot"]["listing"]
    assert set(card) == {
        "type", "id", "title", "title_en", "field", "field_label", "trl", "owner", "summary",
        "url",
    }
    assert card["type"] == "result" and card["id"] == slots[0].research_result_id
    assert "秘密" not in response.content.decode()  # no confidential details
    assert body["questions_open"] is False and body["questions"] == []


def test_only_confirmed_attendees_and_host_staff_may_follow_the_live_state(
    roadshow, broker, attendee, outsider, api_client
):
    assert client_for(broker).get(url("live", roadshow)).status_code == 200
    assert client_for(attendee).get(url("live", roadshow)).status_code == 200
    response = client_for(outsider).get(url("live", roadshow))
    assert response.status_code == 403
    assert set(response.json()) == {"message", "code", "fields"}
    assert api_client.get(url("live", roadshow)).status_code in (401, 403)
    other_centre_broker = factories.broker()
    assert client_for(other_centre_broker).get(url("live", roadshow)).status_code == 403


def test_matching_etag_answers_304_with_one_query_and_no_body(roadshow, attendee):
    client = client_for(attendee)
    first = client.get(url("live", roadshow))
    etag = first["ETag"]
    assert etag.startswith('"') and "no-cache" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url("live", roadshow), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert len(queries) == 1


def test_every_live_change_bumps_the_version_and_the_etag(roadshow, broker, attendee):
    client = client_for(attendee)
    seen = [client.get(url("live", roadshow))["ETag"]]

    def changed() -> bool:
        response = client.get(url("live", roadshow), HTTP_IF_NONE_MATCH=seen[-1])
        if response.status_code == 200:
            seen.append(response["ETag"])
            return True
        return False

    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    assert changed()
    live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")
    assert changed()
    live_services.roadshow_questions_set(roadshow=roadshow, actor=broker, open=True)
    assert changed()
    question = live_services.question_ask(roadshow=roadshow, actor=attendee, text="价格多少？")
    assert changed()
    live_services.question_upvote(question=question, actor=attendee)
    assert changed()
    live_services.question_answer(question=question, actor=broker, answer="面议")
    assert changed()
    live_services.question_hide(question=question, actor=broker)
    assert changed()
    live_services.roadshow_end(roadshow=roadshow, actor=broker)
    assert changed()
    assert not changed()  # nothing happened since
    assert len(set(seen)) == len(seen)


def test_live_state_is_shared_through_the_database(roadshow, broker, attendee):
    """Another process sees the change: the state is read from the database each time."""
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    before = client_for(attendee).get(url("live", roadshow)).json()
    from projects.models import Roadshow

    fresh = Roadshow.objects.get(pk=roadshow.pk)  # as a second server process would load it
    live_services.roadshow_advance(roadshow=fresh, actor=broker, to="next")
    after = client_for(attendee).get(url("live", roadshow)).json()
    assert after["version"] > before["version"]
    assert after["current_slot"]["id"] == before["next_slot"]["id"]


def test_unknown_roadshow_is_404(attendee):
    response = client_for(attendee).get("/api/v1/roadshows/999999/live/")
    assert response.status_code == 404
