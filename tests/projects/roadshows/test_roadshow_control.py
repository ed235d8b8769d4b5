"""Live control (host staff only), advance semantics, questions and intents."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from projects.models import Intent, Question, QuestionVote, Roadshow
from projects.roadshows.live import services as live_services
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, register, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadshow(broker):
    return make_roadshow(broker, projects=3)


@pytest.fixture
def slots(roadshow):
    return list(roadshow.slots.order_by("order"))


@pytest.fixture
def attendee(roadshow, enterprise_user):
    register(roadshow, enterprise_user)
    return enterprise_user


@pytest.fixture
def live(roadshow, broker):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    return roadshow


def current(roadshow: Roadshow) -> int | None:
    return Roadshow.objects.get(pk=roadshow.pk).current_slot_id


# --- permissions --------------------------------------------------------------------------------


def test_attendee_cannot_advance_slots(live, attendee, slots):
    response = client_for(attendee).post(url("advance", live), {"to": "next"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert current(live) == slots[0].pk


def test_host_staff_can_advance_slots(live, broker, slots):
    response = client_for(broker).post(url("advance", live), {"to": "next"}, format="json")
    assert response.status_code == 200
    assert response.json()["current_slot"]["id"] == slots[1].pk
    assert current(live) == slots[1].pk


def test_broker_of_another_centre_cannot_control_the_event(roadshow):
    stranger = factories.broker()
    for name in ("go-live", "end", "cancel", "questions-open"):
        assert client_for(stranger).post(url(name, roadshow)).status_code == 403
    assert Roadshow.objects.get(pk=roadshow.pk).status == "scheduled"


def test_site_admin_may_control_any_event(live, admin_user, slots):
    response = client_for(admin_user).post(url("advance", live), {"to": slots[2].pk}, format="json")
    assert response.status_code == 200 and current(live) == slots[2].pk


# --- advance semantics --------------------------------------------------------------------------


def test_go_live_presents_the_first_slot_and_only_once(roadshow, broker, slots):
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    assert (roadshow.status, roadshow.current_slot_id) == ("live", slots[0].pk)
    with pytest.raises(ConflictError):
        live_services.roadshow_go_live(roadshow=roadshow, actor=broker)


def test_cannot_go_live_with_an_empty_agenda(broker):
    empty = make_roadshow(broker, projects=0)
    with pytest.raises(DomainError):
        live_services.roadshow_go_live(roadshow=empty, actor=broker)


def test_next_at_the_last_slot_is_refused_and_changes_nothing(live, broker, slots):
    live_services.roadshow_advance(roadshow=live, actor=broker, to=slots[-1].pk)
    version = Roadshow.objects.get(pk=live.pk).live_version
    response = client_for(broker).post(url("advance", live), {"to": "next"}, format="json")
    assert response.status_code == 409
    live.refresh_from_db()
    assert (live.current_slot_id, live.live_version) == (slots[-1].pk, version)


def test_previous_at_the_first_slot_is_refused(live, broker, slots):
    with pytest.raises(ConflictError):
        live_services.roadshow_advance(roadshow=live, actor=broker, to="previous")
    assert current(live) == slots[0].pk


def test_next_previous_and_jump_move_through_the_agenda(live, broker, slots):
    live_services.roadshow_advance(roadshow=live, actor=broker, to="next")
    live_services.roadshow_advance(roadshow=live, actor=broker, to="next")
    assert current(live) == slots[2].pk
    live_services.roadshow_advance(roadshow=live, actor=broker, to="previous")
    assert current(live) == slots[1].pk
    live_services.roadshow_advance(roadshow=live, actor=broker, to=slots[0].pk)
    assert current(live) == slots[0].pk


def test_jump_to_the_current_slot_changes_nothing(live, broker, slots):
    version = Roadshow.objects.get(pk=live.pk).live_version
    live_services.roadshow_advance(roadshow=live, actor=broker, to=slots[0].pk)
    assert Roadshow.objects.get(pk=live.pk).live_version == version


@pytest.mark.parametrize(
    "to", [999999, "sideways", None, True, 1.5, "9" * 5000, "0" * 5000 + "999999", "1" + "0" * 19]
)
def test_jump_to_a_slot_not_on_this_agenda_is_400_on_to(live, broker, to):
    response = client_for(broker).post(url("advance", live), {"to": to}, format="json")
    assert response.status_code == 400
    assert "to" in response.json()["fields"]


def test_jump_to_a_slot_of_another_roadshow_is_400(live, broker):
    other = make_roadshow(broker, projects=1)
    foreign = other.slots.get()
    response = client_for(broker).post(url("advance", live), {"to": foreign.pk}, format="json")
    assert response.status_code == 400 and "to" in response.json()["fields"]


def test_cannot_advance_before_going_live_or_after_the_end(roadshow, broker):
    with pytest.raises(ConflictError):
        live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    live_services.roadshow_end(roadshow=roadshow, actor=broker)
    assert (roadshow.status, roadshow.current_slot_id) == ("ended", None)
    with pytest.raises(ConflictError):
        live_services.roadshow_advance(roadshow=roadshow, actor=broker, to="next")


# --- questions ----------------------------------------------------------------------------------


def test_questions_can_be_asked_only_while_open(live, broker, attendee):
    with pytest.raises(ConflictError):
        live_services.question_ask(roadshow=live, actor=attendee, text="能否小批量试用？")
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    response = client_for(attendee).post(
        url("questions", live), {"text": "  能否   小批量试用？ "}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["text"] == "能否 小批量试用？"
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=False)
    with pytest.raises(ConflictError):
        live_services.question_ask(roadshow=live, actor=attendee, text="还有问题")


def test_only_attendees_and_staff_may_ask(live, broker, outsider):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    response = client_for(outsider).post(url("questions", live), {"text": "?"}, format="json")
    assert response.status_code == 403
    assert not Question.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_blank_or_overlong_question_is_400(live, broker, attendee, text):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    response = client_for(attendee).post(url("questions", live), {"text": text}, format="json")
    assert response.status_code == 400 and "text" in response.json()["fields"]


@pytest.mark.parametrize(
    "again", ["能否小批量试用？", "  能否小批量试用? ", "\u3000能否小批量试用？\u3000"]
)
def test_the_same_question_from_the_same_person_is_refused_in_both_languages(
    live, broker, attendee, again
):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    client = client_for(attendee)
    assert client.post(
        url("questions", live), {"text": "能否小批量试用？"}, format="json"
    ).status_code == 201
    english = client.post(
        url("questions", live), {"text": again}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    chinese = client.post(
        url("questions", live), {"text": again}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    for response in (english, chinese):
        assert response.status_code == 409
        assert set(response.json()) == {"message", "code", "fields"}
        assert response.json()["code"] == "duplicate_question"
    assert english.json()["message"] == "You have already asked this question."
    assert chinese.json()["message"] == "您已经提过这个问题。"
    assert Question.objects.filter(author=attendee).count() == 1


def test_case_and_full_width_letters_make_no_new_question(live, broker, attendee):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    live_services.question_ask(roadshow=live, actor=attendee, text="CO2 捕集成本？")
    with pytest.raises(ConflictError):
        live_services.question_ask(roadshow=live, actor=attendee, text="ｃｏ２ 捕集成本？")
    assert Question.objects.count() == 1


def test_the_same_text_from_another_person_or_about_another_slot_is_a_new_question(
    live, broker, attendee, slots
):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    live_services.question_ask(roadshow=live, actor=attendee, text="转让价格？")
    live_services.question_ask(roadshow=live, actor=broker, text="转让价格？")
    live_services.roadshow_advance(roadshow=live, actor=broker, to="next")
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    live_services.question_ask(roadshow=live, actor=attendee, text="转让价格？")
    assert Question.objects.filter(text="转让价格？").count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only  # threads share one database
def test_concurrent_double_submits_make_one_question(broker, enterprise_user):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("an in-memory SQLite database is not shared safely between threads")
    roadshow = make_roadshow(broker, projects=1)
    register(roadshow, enterprise_user)
    live_services.roadshow_go_live(roadshow=roadshow, actor=broker)
    live_services.roadshow_questions_set(roadshow=roadshow, actor=broker, open=True)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def ask() -> None:
        barrier.wait()
        try:
            statuses.append(
                client_for(enterprise_user)
                .post(url("questions", roadshow), {"text": "能否试用？"}, format="json")
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert Question.objects.filter(author=enterprise_user).count() == 1


def test_a_user_upvotes_a_question_once(live, broker, attendee):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    question = live_services.question_ask(roadshow=live, actor=broker, text="转让价格？")
    client = client_for(attendee)
    first = client.post(url("question-upvote", live, question_pk=question.pk))
    second = client.post(url("question-upvote", live, question_pk=question.pk))
    assert (first.status_code, first.json()["votes"]) == (201, 1)
    assert (second.status_code, second.json()["votes"]) == (200, 1)
    assert QuestionVote.objects.filter(question=question).count() == 1


def test_live_questions_are_ordered_by_votes_and_hidden_ones_left_out(live, broker, attendee):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    quiet = live_services.question_ask(roadshow=live, actor=attendee, text="第一个问题")
    popular = live_services.question_ask(roadshow=live, actor=attendee, text="第二个问题")
    spam = live_services.question_ask(roadshow=live, actor=attendee, text="广告")
    live_services.question_upvote(question=popular, actor=attendee)
    live_services.question_upvote(question=popular, actor=broker)
    live_services.question_upvote(question=quiet, actor=broker)
    response = client_for(broker).post(url("question-hide", live, question_pk=spam.pk))
    assert response.status_code == 200 and response.json()["hidden"] is True
    state = client_for(attendee).get(url("live", live)).json()
    assert [(q["id"], q["votes"]) for q in state["questions"]] == [(popular.pk, 2), (quiet.pk, 1)]
    assert state["questions_open"] is True
    staff_list = client_for(broker).get(url("questions", live)).json()
    assert spam.pk in [q["id"] for q in staff_list]
    attendee_list = client_for(attendee).get(url("questions", live)).json()
    assert spam.pk not in [q["id"] for q in attendee_list]


@pytest.mark.parametrize("slot", ["9" * 5000, "0" * 5000 + "999999", "1" + "0" * 19, "x"])
def test_questions_of_a_slot_that_cannot_exist_are_400_on_slot_not_a_server_error(
    live, broker, slot
):
    response = client_for(broker).get(url("questions", live), {"slot": slot})
    assert response.status_code == 400 and "slot" in response.json()["fields"]


def test_only_host_staff_hide_or_answer(live, broker, attendee):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    question = live_services.question_ask(
        roadshow=live, actor=attendee, text="可以合作开发吗？"
    )
    client = client_for(attendee)
    assert client.post(url("question-hide", live, question_pk=question.pk)).status_code == 403
    assert client.post(url("question-answer", live, question_pk=question.pk)).status_code == 403
    response = client_for(broker).post(
        url("question-answer", live, question_pk=question.pk), {"answer": "可以"}, format="json"
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.answered, question.answer, question.hidden) == (True, "可以", False)
    state = client.get(url("live", live)).json()
    assert state["questions"][0] | {"votes": 0} == {
        "id": question.pk, "slot": question.slot_id, "text": "可以合作开发吗？", "votes": 0,
        "answered": True, "answer": "可以",
    }


# --- intents ------------------------------------------------------------------------------------


def test_intent_is_recorded_once_per_slot_and_offers_a_match_request(live, attendee, slots):
    client = client_for(attendee)
    first = client.post(url("intents", live), {}, format="json")
    assert first.status_code == 201
    body = first.json()
    assert body["intent"]["slot"] == slots[0].pk and body["created"] is True
    draft = body["match_request"]
    assert draft["method"] == "POST" and draft["url"] == "/api/v1/match-requests/"
    assert draft["payload"]["research_result"] == slots[0].research_result_id
    assert draft["payload"]["technology_need"] is None
    assert slots[0].research_result.title in draft["payload"]["message"]
    again = client.post(url("intents", live), {"slot": slots[0].pk}, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert Intent.objects.filter(user=attendee).count() == 1
    other = client.post(url("intents", live), {"slot": slots[1].pk}, format="json")
    assert other.status_code == 201
    assert [i["slot"] for i in client.get(url("intents", live)).json()] == [
        slots[1].pk, slots[0].pk,
    ]


def test_the_prefilled_match_request_can_be_posted_as_is(live, attendee):
    draft = client_for(attendee).post(url("intents", live), {}, format="json").json()
    request = draft["match_request"]
    response = client_for(attendee).post(request["url"], request["payload"], format="json")
    assert response.status_code == 201, response.json()


def test_only_confirmed_attendees_record_intents(live, outsider, broker):
    assert client_for(outsider).post(url("intents", live), {}, format="json").status_code == 403
    assert client_for(broker).post(url("intents", live), {}, format="json").status_code == 403
    assert not Intent.objects.exists()


def test_intent_needs_a_presenting_slot(roadshow, attendee):
    with pytest.raises(ConflictError):
        live_services.intent_record(roadshow=roadshow, actor=attendee)


def test_outsider_cannot_upvote(live, broker, outsider):
    live_services.roadshow_questions_set(roadshow=live, actor=broker, open=True)
    question = live_services.question_ask(roadshow=live, actor=broker, text="问题")
    with pytest.raises(PermissionDeniedError):
        live_services.question_upvote(question=question, actor=outsider)
