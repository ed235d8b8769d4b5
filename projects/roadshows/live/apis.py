"""Live roadshow API (/api/v1/roadshows/{id}/…): the live state, host-staff control, questions
and intents. Thin views over `projects.roadshows.live.services` and the selectors; errors as in
`projects.roadshows.apis`.

Live (host staff control; confirmed attendees and staff read)
  GET        roadshows/{id}/live/              live state with ETag; 304 on If-None-Match
  POST       roadshows/{id}/go-live/ | end/ | cancel/
  POST       roadshows/{id}/advance/           {"to": "next" | "previous" | slot id}
  POST       roadshows/{id}/questions/open/    {"slot"?: id} (default: now presenting)
  POST       roadshows/{id}/questions/close/   {"slot"?: id}
  GET        roadshows/{id}/questions/         list (?slot=; staff also see hidden ones)
  POST       roadshows/{id}/questions/         ask {text, slot?}
                                               (409 duplicate_question: asked before)
  POST       roadshows/{id}/questions/{q}/upvote/ | hide/ {hidden?} | answer/ {answer?}
  GET        roadshows/{id}/intents/           the viewer's intents
  POST       roadshows/{id}/intents/           record {slot?} -> 201 (200 when repeated):
                                               {"intent", "created", "match_request"}

Control actions (go-live, advance, end, questions open/close) answer with the live state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import PermissionDeniedError
from kernel.ids import id_from_text
from kernel.web import request_actor, validated
from projects.models import Roadshow
from projects.permissions import is_confirmed_attendee, is_host_staff
from projects.roadshow_access import agenda_slot, request_roadshow
from projects.roadshows.live import services
from projects.roadshows.live.selectors import live_etag, live_head, roadshow_live_state
from projects.roadshows.selectors import intent_list_own, question_get, question_list
from projects.roadshows.serializers import (
    AdvanceInputSerializer,
    AnswerInputSerializer,
    HideInputSerializer,
    IntentOutputSerializer,
    IntentRecordOutputSerializer,
    LiveStateSerializer,
    QuestionInputSerializer,
    QuestionOutputSerializer,
    QuestionVoteOutputSerializer,
    SlotChoiceSerializer,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from rest_framework import serializers

TAG = ["roadshows"]
LIVE_CACHE_CONTROL = "private, no-cache"
LIVE_VARY = "Accept-Language, Cookie, Authorization"
_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=True,
    description="Version tag of the live state (changes with it and with the language).",
)


def _if_none_match(request: Request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return {t[2:] if t.startswith("W/") else t for t in tags}


def _live_response(roadshow: Roadshow, *, status_code: int = status.HTTP_200_OK) -> Response:
    roadshow = Roadshow.objects.get(pk=roadshow.pk)
    state = roadshow_live_state(roadshow=roadshow)
    etag = live_etag(
        roadshow_id=roadshow.pk, live_version=state["version"], language=get_language()
    )
    return Response(
        state,
        status=status_code,
        headers={"ETag": etag, "Cache-Control": LIVE_CACHE_CONTROL, "Vary": LIVE_VARY},
    )


# --- live -------------------------------------------------------------------------------------


class RoadshowLiveApi(APIView):
    """The live state for confirmed attendees and host staff (403 for others). Answers 304
    to a matching If-None-Match after one indexed query, without building the body."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_live",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="ETag of a live state held: 304 without a body while it is current.",
            ),
            _ETAG,
        ],
        responses={
            200: LiveStateSerializer,
            304: OpenApiResponse(description="The live state named in If-None-Match is current."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        head = live_head(viewer=request.user, pk=pk)
        if head is None:
            raise exceptions.NotFound()
        if not head.allowed:
            raise PermissionDeniedError(
                _("Only registered attendees and host staff can follow the roadshow.")
            )
        etag = live_etag(
            roadshow_id=head.roadshow_id, live_version=head.live_version, language=get_language()
        )
        if etag in _if_none_match(request):
            return Response(
                status=status.HTTP_304_NOT_MODIFIED,
                headers={"ETag": etag, "Cache-Control": LIVE_CACHE_CONTROL, "Vary": LIVE_VARY},
            )
        return _live_response(Roadshow(pk=head.roadshow_id))


class _ControlApi(APIView):
    """A host-staff control action: answers with the live state (with its ETag)."""

    permission_classes = [IsAuthenticated]

    def act(self, request: Request, roadshow: Roadshow) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        self.act(request, roadshow)
        return _live_response(roadshow)


def _control_schema(
    operation_id: str, request: type[serializers.Serializer[Any]] | None = None
) -> Callable[[type[_ControlApi]], type[_ControlApi]]:
    return extend_schema_view(
        post=extend_schema(
            tags=TAG,
            operation_id=operation_id,
            request=request,
            parameters=[_ETAG],
            responses={200: LiveStateSerializer},
        )
    )


@_control_schema("roadshow_go_live")
class GoLiveApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        services.roadshow_go_live(roadshow=roadshow, actor=request_actor(request))


@_control_schema("roadshow_end")
class EndApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        services.roadshow_end(roadshow=roadshow, actor=request_actor(request))


@_control_schema("roadshow_cancel")
class CancelApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        services.roadshow_cancel(roadshow=roadshow, actor=request_actor(request))


@_control_schema("roadshow_advance", AdvanceInputSerializer)
class AdvanceApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(AdvanceInputSerializer, request)
        services.roadshow_advance(
            roadshow=roadshow, actor=request_actor(request), to=data["to"]
        )


class _QuestionsSwitchApi(_ControlApi):
    open = True

    def act(self, request: Request, roadshow: Roadshow) -> None:
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(SlotChoiceSerializer, request)
        services.roadshow_questions_set(
            roadshow=roadshow,
            actor=request_actor(request),
            open=self.open,
            slot=agenda_slot(roadshow, data.get("slot")),
        )


@_control_schema("roadshow_questions_open", SlotChoiceSerializer)
class QuestionsOpenApi(_QuestionsSwitchApi):
    open = True


@_control_schema("roadshow_questions_close", SlotChoiceSerializer)
class QuestionsCloseApi(_QuestionsSwitchApi):
    open = False


# --- questions --------------------------------------------------------------------------------


class QuestionListApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "question"  # POST only (kernel.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_list",
        responses=QuestionOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        staff = is_host_staff(user=request.user, roadshow=roadshow)
        if not staff and not is_confirmed_attendee(roadshow=roadshow, user=request.user):
            raise PermissionDeniedError(
                _("Only registered attendees and host staff can follow the roadshow.")
            )
        questions = question_list(roadshow=roadshow, include_hidden=staff)
        slot = request.query_params.get("slot")
        if slot:
            slot_id = id_from_text(slot) or 0  # 0: no slot (a 400 on slot)
            questions = questions.filter(slot=agenda_slot(roadshow, slot_id))
        return Response(QuestionOutputSerializer(questions[:500], many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_ask",
        request=QuestionInputSerializer,
        responses={201: QuestionOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        data = validated(QuestionInputSerializer, request)
        slot = agenda_slot(roadshow, data.get("slot"))
        question = services.question_ask(
            roadshow=roadshow, actor=request_actor(request), text=data["text"], slot=slot
        )
        return Response(QuestionOutputSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionUpvoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_upvote",
        request=None,
        responses={
            200: OpenApiResponse(QuestionVoteOutputSerializer, "Already upvoted: no change."),
            201: OpenApiResponse(QuestionVoteOutputSerializer, "Upvote recorded."),
        },
    )
    def post(self, request: Request, pk: int, question_pk: int) -> Response:
        question = question_get(roadshow=request_roadshow(request, pk), pk=question_pk)
        votes, created = services.question_upvote(
            question=question, actor=request_actor(request)
        )
        return Response(
            {"id": question.pk, "votes": votes, "voted": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QuestionHideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_hide",
        request=HideInputSerializer,
        responses=QuestionOutputSerializer,
    )
    def post(self, request: Request, pk: int, question_pk: int) -> Response:
        question = question_get(roadshow=request_roadshow(request, pk), pk=question_pk)
        data = validated(HideInputSerializer, request)
        services.question_hide(
            question=question, actor=request_actor(request), hidden=data["hidden"]
        )
        return Response(QuestionOutputSerializer(question).data)


class QuestionAnswerApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_answer",
        request=AnswerInputSerializer,
        responses=QuestionOutputSerializer,
    )
    def post(self, request: Request, pk: int, question_pk: int) -> Response:
        question = question_get(roadshow=request_roadshow(request, pk), pk=question_pk)
        data = validated(AnswerInputSerializer, request)
        services.question_answer(
            question=question, actor=request_actor(request), answer=data["answer"]
        )
        return Response(QuestionOutputSerializer(question).data)


# --- intents ----------------------------------------------------------------------------------


class IntentApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "intent"  # POST only (kernel.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_intent_list",
        responses=IntentOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        intents = intent_list_own(roadshow=request_roadshow(request, pk), user=request.user)
        return Response(IntentOutputSerializer(intents, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_intent_record",
        request=SlotChoiceSerializer,
        responses={200: IntentRecordOutputSerializer, 201: IntentRecordOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        data = validated(SlotChoiceSerializer, request)
        intent, created = services.intent_record(
            roadshow=roadshow,
            actor=request_actor(request),
            slot=agenda_slot(roadshow, data.get("slot")),
        )
        return Response(
            {
                "intent": IntentOutputSerializer(intent).data,
                "created": created,
                "match_request": services.intent_match_request_draft(intent=intent),
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
