"""Rate limits (kernel.api.throttling) on roadshow questions and intents: per user and
per IP address, 429 in the error shape with Retry-After."""

from __future__ import annotations

import pytest

from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, register, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(broker):
    roadshow = make_roadshow(broker, projects=3)
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    live_services.roadshow_questions_set(roadshow=roadshow, actor=broker, open=True)
    return roadshow


@pytest.fixture
def low_rates(settings):
    settings.THROTTLE_RATES = {
        "question": "2/min",
        "question_ip": "3/min",
        "intent": "2/min",
        "intent_ip": "100/min",
    }


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled" and set(body) == {"message", "code", "fields"}
    assert int(response["Retry-After"]) > 0


def test_questions_over_the_user_rate_answer_429(low_rates, live, enterprise_user):
    register(live, enterprise_user)
    client = client_for(enterprise_user)
    for text in ("第一个问题", "第二个问题"):
        assert client.post(url("questions", live), {"text": text}, format="json").status_code == 201
    _assert_throttled(client.post(url("questions", live), {"text": "第三个"}, format="json"))
    assert client.get(url("questions", live)).status_code == 200  # following is not limited


def test_questions_are_limited_per_address_across_accounts(low_rates, live):
    attendees = [factories.enterprise_member() for _ in range(4)]
    for user in attendees:
        register(live, user)
    codes = [
        client_for(user).post(url("questions", live), {"text": "问题"}, format="json").status_code
        for user in attendees
    ]
    assert codes == [201, 201, 201, 429]


def test_intents_over_the_user_rate_answer_429(low_rates, live, enterprise_user):
    register(live, enterprise_user)
    client = client_for(enterprise_user)
    slot = live.slots.first()
    assert client.post(url("intents", live), {"slot": slot.pk}, format="json").status_code == 201
    assert client.post(url("intents", live), {"slot": slot.pk}, format="json").status_code == 200
    _assert_throttled(client.post(url("intents", live), {"slot": slot.pk}, format="json"))
