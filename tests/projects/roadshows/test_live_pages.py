"""Roadshow web pages: the list, the event page with its agenda and register button, the live
control room (host staff only) and the audience page (confirmed registrants and host staff).

Runs against the real roadshow services and API (projects.roadshows, projects.registrations)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import MatchRequest
from projects.choices import RegistrationStatus
from projects.models import Intent, Registration
from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.live_support import register, roadshow_with_agenda

pytestmark = pytest.mark.django_db

STREAM = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"


def _json_script(html: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


@pytest.fixture
def roadshow(broker):
    return roadshow_with_agenda(broker, titles=["固态电池电解质", "秸秆制生物炭", "盐碱地改良剂"])


@pytest.fixture
def attendee(roadshow):
    user = factories.enterprise_member()
    register(roadshow, user)
    return user


def test_list_and_event_page_are_public_and_show_the_agenda(client, roadshow):
    listing = client.get(reverse("roadshow-list"))
    assert listing.status_code == 200
    assert roadshow.title in listing.content.decode()

    page = client.get(reverse("roadshow-detail", args=[roadshow.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("固态电池电解质", "秸秆制生物炭", "盐碱地改良剂"):
        assert title in html
    assert html.index("固态电池电解质") < html.index("盐碱地改良剂")  # agenda order
    assert "Log in to register" in html
    assert reverse("roadshow-control", args=[roadshow.pk]) not in html


def test_unknown_roadshow_is_404(client):
    assert client.get(reverse("roadshow-detail", args=[999999])).status_code == 404


def test_register_button_confirms_a_free_ticket_and_opens_the_audience_page(roadshow):
    user = factories.enterprise_member()
    client = factories.login(user)
    page = client.get(reverse("roadshow-detail", args=[roadshow.pk])).content.decode()
    assert reverse("roadshow-register", args=[roadshow.pk]) in page

    response = client.post(reverse("roadshow-register", args=[roadshow.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("roadshow-live", args=[roadshow.pk])
    registration = Registration.objects.get(roadshow=roadshow, user=user)
    assert registration.status == RegistrationStatus.CONFIRMED
    page = client.get(reverse("roadshow-detail", args=[roadshow.pk])).content.decode()
    assert registration.ticket_code in page
    assert reverse("roadshow-live", args=[roadshow.pk]) in page


def test_registering_twice_shows_the_error_and_keeps_one_ticket(roadshow, attendee):
    client = factories.login(attendee)
    response = client.post(reverse("roadshow-register", args=[roadshow.pk]), follow=True)
    assert "already registered" in response.content.decode()
    assert Registration.objects.filter(roadshow=roadshow, user=attendee).count() == 1


def test_register_requires_login_and_post(client, roadshow):
    url = reverse("roadshow-register", args=[roadshow.pk])
    assert client.post(url)["Location"].startswith(reverse("login"))
    logged_in = factories.login(factories.enterprise_member())
    assert logged_in.get(url).status_code == 405
    assert not Registration.objects.filter(roadshow=roadshow).exists()


def test_control_room_is_for_host_staff_only(client, roadshow, attendee):
    url = reverse("roadshow-control", args=[roadshow.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert factories.login(attendee).get(url).status_code == 403
    other_centre_broker = factories.broker()
    assert factories.login(other_centre_broker).get(url).status_code == 403


def test_control_room_shows_controls_agenda_and_the_live_endpoints(broker, roadshow):
    response = factories.login(broker).get(reverse("roadshow-control", args=[roadshow.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for action in (
        "go-live",
        "next",
        "previous",
        "jump",
        "end",
        "questions-open",
        "questions-close",
    ):
        assert f'data-action="{action}"' in html
    assert html.count("data-slot-row=") == 3
    endpoints = _json_script(html, "live-endpoints")
    assert endpoints["live"] == f"/api/v1/roadshows/{roadshow.pk}/live/"
    assert endpoints["advance"] == f"/api/v1/roadshows/{roadshow.pk}/advance/"
    assert endpoints["hide"] == f"/api/v1/roadshows/{roadshow.pk}/questions/{{qid}}/hide/"
    initial = _json_script(html, "live-initial")
    assert initial["status"] == "scheduled"
    assert initial["next_slot"]["title"] == "固态电池电解质"
    assert "csrftoken" in response.cookies  # live.js reads it for its POSTs


def test_audience_page_sends_anonymous_users_to_login_and_others_to_register(client, roadshow):
    url = reverse("roadshow-live", args=[roadshow.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    stranger = factories.login(factories.enterprise_member())
    response = stranger.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("roadshow-detail", args=[roadshow.pk])


def test_a_pending_paid_registration_does_not_open_the_audience_page(broker):
    roadshow = roadshow_with_agenda(broker, projects=1)
    user = factories.enterprise_member()
    Registration.objects.create(
        roadshow=roadshow, user=user, kind="guest", status=RegistrationStatus.PENDING_PAYMENT
    )
    response = factories.login(user).get(reverse("roadshow-live", args=[roadshow.pk]))
    assert response.status_code == 302


def test_audience_page_shows_the_project_now_presenting(broker, roadshow, attendee):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")

    response = factories.login(attendee).get(reverse("roadshow-live", args=[roadshow.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-live="current-title"' in html
    current = html[html.index('data-live="current-title"') :]
    assert current.index("秸秆制生物炭") < current.index("</h2>")
    assert 'data-action="intent"' in html  # attendees may express interest
    assert 'data-action="ask"' in html
    state = _json_script(html, "live-initial")
    assert state["status"] == "live"
    assert state["current_slot"]["listing"]["title"] == "秸秆制生物炭"
    assert state["next_slot"]["title"] == "盐碱地改良剂"


def test_host_staff_may_open_the_audience_page_without_a_ticket(broker, roadshow):
    response = factories.login(broker).get(reverse("roadshow-live", args=[roadshow.pk]))
    assert response.status_code == 200
    assert 'data-action="intent"' not in response.content.decode()  # intents are attendees'


def test_stream_is_embedded_sandboxed_without_referrer(broker, settings):
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=STREAM)
    user = factories.enterprise_member()
    register(roadshow, user)
    html = factories.login(user).get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()
    iframe = re.search(r"<iframe[^>]*>", html).group(0)
    assert 'src="https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"' in iframe
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in iframe
    assert 'referrerpolicy="no-referrer"' in iframe


def test_stream_no_longer_allowed_is_not_embedded(broker, settings):
    roadshow = roadshow_with_agenda(broker, projects=1, stream_embed_url=STREAM)
    user = factories.enterprise_member()
    register(roadshow, user)
    settings.ROADSHOW_STREAM_HOSTS = ["www.youtube-nocookie.com"]  # bilibili taken off the list
    html = factories.login(user).get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()
    assert "<iframe" not in html
    assert "player.bilibili.com" not in html


def test_live_endpoint_of_the_page_answers_with_etag_and_304(broker, roadshow, attendee):
    client = factories.login(attendee)
    html = client.get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()
    live_url = _json_script(html, "live-endpoints")["live"]

    first = client.get(live_url)
    assert first.status_code == 200
    assert first.json()["status"] == "scheduled"
    etag = first["ETag"]
    assert client.get(live_url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    changed = client.get(live_url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["current_slot"]["title"] == "固态电池电解质"


def test_attendee_cannot_advance_with_the_pages_endpoint(broker, roadshow, attendee):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    client = factories.login(attendee)
    html = factories.login(broker).get(reverse("roadshow-control", args=[roadshow.pk]))
    advance = _json_script(html.content.decode(), "live-endpoints")["advance"]
    response = client.post(advance, {"to": "next"}, content_type="application/json")
    assert response.status_code == 403
    roadshow.refresh_from_db()
    assert roadshow.current_slot.research_result.title == "固态电池电解质"


def test_intent_then_prefilled_match_request_reaches_the_owner(broker, roadshow, attendee):
    """The audience page's "I'm interested": the intent API returns a draft message, which the
    page posts to the matching app's request form (match-request-create)."""
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    client = Client(enforce_csrf_checks=False)
    client.force_login(attendee)
    html = client.get(reverse("roadshow-live", args=[roadshow.pk])).content.decode()
    endpoints = _json_script(html, "live-endpoints")
    match_url_template = re.search(r'data-match-result-url="([^"]+)"', html).group(1)

    intent = client.post(endpoints["intent"], {}, content_type="application/json")
    assert intent.status_code == 201
    draft = intent.json()["match_request"]
    result_id = draft["payload"]["research_result"]
    form_url = match_url_template.replace("/987654321/", f"/{result_id}/")
    assert form_url == reverse("match-request-create", args=[result_id])

    response = client.post(form_url, {"message": draft["payload"]["message"]})

    assert response.status_code == 302
    created = MatchRequest.objects.get(research_result_id=result_id)
    assert "固态电池电解质" in created.message


def test_paid_ticket_without_a_payment_provider_shows_an_error_and_confirms_nothing(
    broker, settings
):
    settings.STRIPE_SECRET_KEY = ""
    roadshow = roadshow_with_agenda(broker, projects=1, price=Decimal("200.00"))
    user = factories.enterprise_member()
    client = factories.login(user)

    response = client.post(reverse("roadshow-register", args=[roadshow.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("roadshow-detail", args=[roadshow.pk])
    assert response.status_code == 200
    assert "Online payment is not configured" in response.content.decode()
    assert not Registration.objects.filter(
        roadshow=roadshow, user=user, status=RegistrationStatus.CONFIRMED
    ).exists()
    assert client.get(reverse("roadshow-live", args=[roadshow.pk])).status_code == 302


def test_control_room_buttons_name_projects_not_pages(broker, roadshow):
    client = factories.login(broker)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("roadshow-control", args=[roadshow.pk])).content.decode()
    assert "上一个项目" in html and "下一个项目" in html
    assert "上一页" not in html and "下一页" not in html


def test_header_links_to_the_roadshow_list(client):
    html = client.get(reverse("roadshow-list")).content.decode()
    assert f'<a href="{reverse("roadshow-list")}">Roadshows</a>' in html


def test_questions_stay_listed_on_the_live_pages_after_the_end(broker, roadshow, attendee):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    live_services.roadshow_questions_set(roadshow=roadshow, actor=broker, open=True)
    first = live_services.question_ask(roadshow=roadshow, actor=attendee, text="电解质成本多少？")
    spam = live_services.question_ask(roadshow=roadshow, actor=attendee, text="广告链接")
    live_services.question_hide(question=spam, actor=broker)
    live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")
    live_services.roadshow_questions_set(roadshow=roadshow, actor=broker, open=True)
    second = live_services.question_ask(roadshow=roadshow, actor=attendee, text="生物炭产能？")
    live_services.roadshow_end(roadshow=roadshow, actor=broker)

    for user, name in ((attendee, "roadshow-live"), (broker, "roadshow-control")):
        client = factories.login(user)
        client.cookies["django_language"] = "zh-hans"
        html = client.get(reverse(name, args=[roadshow.pk])).content.decode()
        assert "电解质成本多少？" in html and "生物炭产能？" in html
        assert "暂无提问" not in html and "广告链接" not in html
        state = _json_script(html, "live-initial")
        assert [q["id"] for q in state["questions"]] == [first.pk, second.pk]  # agenda order
    live = factories.login(attendee).get(f"/api/v1/roadshows/{roadshow.pk}/live/").json()
    assert live["status"] == "ended"
    assert [q["id"] for q in live["questions"]] == [first.pk, second.pk]


def _intent_button(html: str) -> str:
    return re.search(r'<button[^>]*data-action="intent".*?</button>', html, re.S).group(0)


def test_intent_button_shows_that_it_was_pressed(broker, roadshow, attendee):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    client = Client()
    client.force_login(attendee)
    client.cookies["django_language"] = "zh-hans"
    page = reverse("roadshow-live", args=[roadshow.pk])
    html = client.get(page).content.decode()
    assert 'aria-pressed="false"' in _intent_button(html)
    assert "有意向" in _intent_button(html) and _json_script(html, "live-intents") == []

    intent_url = _json_script(html, "live-endpoints")["intent"]
    assert client.post(intent_url, {}, content_type="application/json").status_code == 201
    assert client.post(intent_url, {}, content_type="application/json").status_code == 200
    assert Intent.objects.filter(user=attendee).count() == 1  # pressed twice, one intent

    html = client.get(page).content.decode()
    button = _intent_button(html)
    assert 'aria-pressed="true"' in button and "已表达意向" in button
    assert _json_script(html, "live-intents") == [roadshow.current_slot_id]
    strings = _json_script(html, "live-strings")
    assert (strings["intent"], strings["intent_pressed"]) == ("有意向", "已表达意向")

    live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")
    button = _intent_button(client.get(page).content.decode())
    assert 'aria-pressed="false"' in button  # the next project: not pressed yet
