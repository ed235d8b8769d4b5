"""Roadshow API (/api/v1/roadshows/): thin views over `projects.services` and
`projects.selectors`. Errors leave through the shared handler as
``{"message", "code", "fields"}`` (400 per field, 403, 404, 409, 503).

Events and agenda (read: anyone; write: host staff)
  GET/POST   roadshows/                        list / create {title, host, starts_at, ...}
  GET/PATCH  roadshows/{id}/                   detail (+ "agenda", "viewer") / edit
  GET/POST   roadshows/{id}/slots/             agenda / add {research_result | technology_need,
                                               presenter?, planned_start?, minutes?}
  PATCH      roadshows/{id}/slots/{slot}/      edit {presenter?, planned_start?, minutes?}
  DELETE     roadshows/{id}/slots/{slot}/      remove
  POST       roadshows/{id}/slots/reorder/     {"slot_ids": [...]} (every slot once)
  POST       roadshows/{id}/slots/import/      multipart "file" (XLSX): 201 report, or 400
                                               with fields {"rows": {"<n>": {"<col>": [..]}}}
Live (host staff control; confirmed attendees and staff read)
  GET        roadshows/{id}/live/              live state with ETag; 304 on If-None-Match
  POST       roadshows/{id}/go-live/ | end/ | cancel/
  POST       roadshows/{id}/advance/           {"to": "next" | "previous" | slot id}
  POST       roadshows/{id}/questions/open/    {"slot"?: id} (default: now presenting)
  POST       roadshows/{id}/questions/close/   {"slot"?: id}
  GET        roadshows/{id}/questions/         list (?slot=; staff also see hidden ones)
  POST       roadshows/{id}/questions/         ask {text, slot?}
  POST       roadshows/{id}/questions/{q}/upvote/ | hide/ {hidden?} | answer/ {answer?}
  GET        roadshows/{id}/intents/           the viewer's intents
  POST       roadshows/{id}/intents/           record {slot?} -> 201 (200 when repeated):
                                               {"intent", "created", "match_request"}
Registrations
  GET        roadshows/{id}/registrations/     all registrations (host staff)
  POST       roadshows/{id}/registrations/     register {kind?} -> 201, with "checkout_url"
                                               for a paid ticket (null when confirmed)
  POST       roadshows/{id}/registrations/{r}/cancel/   attendee (before start) or staff
  GET        roadshows/my-registrations/       the viewer's tickets

Control actions (go-live, advance, end, questions open/close) answer with the live state.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.pagination import PageNumberPagination
from marketplace.errors import PermissionDeniedError
from projects import selectors, services
from projects.agenda_import import AgendaImportFileError
from projects.models import Roadshow
from projects.serializers import (
    AdvanceInputSerializer,
    AgendaImportInputSerializer,
    AgendaImportReportSerializer,
    AnswerInputSerializer,
    HideInputSerializer,
    IntentOutputSerializer,
    IntentRecordOutputSerializer,
    LiveStateSerializer,
    QuestionInputSerializer,
    QuestionOutputSerializer,
    QuestionVoteOutputSerializer,
    RegistrationInputSerializer,
    RegistrationOutputSerializer,
    ReorderInputSerializer,
    RoadshowInputSerializer,
    RoadshowOutputSerializer,
    SlotChoiceSerializer,
    SlotInputSerializer,
    SlotOutputSerializer,
    SlotUpdateSerializer,
)

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


def _actor(request: Request) -> User:
    return cast("User", request.user)


def _valid(serializer_class: type[Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _roadshow(request: Request, pk: int) -> Roadshow:
    return selectors.roadshow_get(viewer=request.user, pk=pk)


def _page_url(request: Request, roadshow: Roadshow, query: str) -> str:
    """Absolute URL of the roadshow's web page (route ``roadshow-detail`` when the pages are
    installed, else ``/roadshows/<id>/``) with `query`."""
    try:
        path = reverse("roadshow-detail", kwargs={"pk": roadshow.pk})
    except NoReverseMatch:
        path = f"/roadshows/{roadshow.pk}/"
    return request.build_absolute_uri(f"{path}?{query}")


def _if_none_match(request: Request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return {t[2:] if t.startswith("W/") else t for t in tags}


def _live_response(roadshow: Roadshow, *, status_code: int = status.HTTP_200_OK) -> Response:
    roadshow = Roadshow.objects.get(pk=roadshow.pk)
    state = selectors.roadshow_live_state(roadshow=roadshow)
    etag = selectors.live_etag(
        roadshow_id=roadshow.pk, live_version=state["version"], language=get_language()
    )
    return Response(
        state,
        status=status_code,
        headers={"ETag": etag, "Cache-Control": LIVE_CACHE_CONTROL, "Vary": LIVE_VARY},
    )


def _slot(roadshow: Roadshow, pk: int | None) -> Any:
    if pk is None:
        return None
    try:
        return selectors.slot_get(roadshow=roadshow, pk=pk)
    except Http404:
        raise exceptions.ValidationError(
            {"slot": [_("This slot is not on the agenda of this roadshow.")]}
        ) from None


# --- events -----------------------------------------------------------------------------------


class RoadshowListApi(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the list takes no filter parameters
    serializer_class = RoadshowOutputSerializer

    @extend_schema(
        tags=TAG, operation_id="roadshow_list", responses=RoadshowOutputSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.roadshow_list(viewer=request.user))
        return self.get_paginated_response(RoadshowOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_create",
        request=RoadshowInputSerializer,
        responses={201: RoadshowOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(RoadshowInputSerializer, request)
        roadshow = services.roadshow_create(actor=_actor(request), **data)
        return Response(RoadshowOutputSerializer(roadshow).data, status=status.HTTP_201_CREATED)


def _detail(request: Request, roadshow: Roadshow) -> dict[str, Any]:
    data = dict(RoadshowOutputSerializer(roadshow).data)
    data["agenda"] = SlotOutputSerializer(
        selectors.roadshow_slots(roadshow=roadshow), many=True
    ).data
    registration = selectors.registration_active(roadshow=roadshow, user=request.user)
    data["viewer"] = {
        "is_host_staff": selectors.is_host_staff(user=request.user, roadshow=roadshow),
        "registration": RegistrationOutputSerializer(registration).data if registration else None,
    }
    return data


class RoadshowDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(tags=TAG, operation_id="roadshow_detail", responses=RoadshowOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, _roadshow(request, pk)))

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_update",
        request=RoadshowInputSerializer,
        responses=RoadshowOutputSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        data = _valid(RoadshowInputSerializer, request, partial=True)
        if "host" in data and data.pop("host").pk != roadshow.host_id:
            raise exceptions.ValidationError(
                {"host": [_("The host of a roadshow cannot be changed.")]}
            )
        services.roadshow_update(roadshow=roadshow, actor=_actor(request), data=data)
        return Response(_detail(request, roadshow))


# --- agenda -----------------------------------------------------------------------------------


class SlotListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAG, operation_id="roadshow_slot_list", responses=SlotOutputSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        slots = selectors.roadshow_slots(roadshow=roadshow)
        return Response(SlotOutputSerializer(slots, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_slot_add",
        request=SlotInputSerializer,
        responses={201: SlotOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(SlotInputSerializer, request)
        slot = services.roadshow_slot_add(roadshow=roadshow, actor=_actor(request), **data)
        slot = selectors.slot_get(roadshow=roadshow, pk=slot.pk)
        return Response(SlotOutputSerializer(slot).data, status=status.HTTP_201_CREATED)


class SlotDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(tags=TAG, operation_id="roadshow_slot_detail", responses=SlotOutputSerializer)
    def get(self, request: Request, pk: int, slot_pk: int) -> Response:
        slot = selectors.slot_get(roadshow=_roadshow(request, pk), pk=slot_pk)
        return Response(SlotOutputSerializer(slot).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_slot_update",
        request=SlotUpdateSerializer,
        responses=SlotOutputSerializer,
    )
    def patch(self, request: Request, pk: int, slot_pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        slot = selectors.slot_get(roadshow=roadshow, pk=slot_pk)
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(SlotUpdateSerializer, request)
        services.roadshow_slot_update(slot=slot, actor=_actor(request), data=data)
        slot = selectors.slot_get(roadshow=roadshow, pk=slot_pk)
        return Response(SlotOutputSerializer(slot).data)

    @extend_schema(tags=TAG, operation_id="roadshow_slot_remove", responses={204: None})
    def delete(self, request: Request, pk: int, slot_pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        slot = selectors.slot_get(roadshow=roadshow, pk=slot_pk)
        services.roadshow_slot_remove(slot=slot, actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SlotReorderApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_slots_reorder",
        request=ReorderInputSerializer,
        responses=SlotOutputSerializer(many=True),
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(ReorderInputSerializer, request)
        slots = services.roadshow_slots_reorder(
            roadshow=roadshow, actor=_actor(request), slot_ids=data["slot_ids"]
        )
        return Response(SlotOutputSerializer(slots, many=True).data)


class AgendaImportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_agenda_import",
        request={"multipart/form-data": AgendaImportInputSerializer},
        responses={201: AgendaImportReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(AgendaImportInputSerializer, request)
        try:
            report = services.roadshow_agenda_import(
                roadshow=roadshow, actor=_actor(request), content=data["file"].read()
            )
        except AgendaImportFileError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        if report.errors:
            rows: dict[str, dict[str, list[str]]] = {}
            for error in report.errors:
                rows.setdefault(str(error.row), {}).setdefault(error.column or "row", []).append(
                    error.message
                )
            raise exceptions.ValidationError({"rows": rows})
        slots = selectors.roadshow_slots(roadshow=roadshow).filter(pk__in=report.slot_ids)
        return Response(
            {
                "rows": report.rows,
                "created": report.created,
                "slots": SlotOutputSerializer(slots, many=True).data,
            },
            status=status.HTTP_201_CREATED,
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
        head = selectors.live_head(viewer=request.user, pk=pk)
        if head is None:
            raise exceptions.NotFound()
        if not head.allowed:
            raise PermissionDeniedError(
                _("Only registered attendees and host staff can follow the roadshow.")
            )
        etag = selectors.live_etag(
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
        roadshow = _roadshow(request, pk)
        self.act(request, roadshow)
        return _live_response(roadshow)


def _control_schema(operation_id: str, request: Any = None) -> Any:
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
        services.roadshow_go_live(roadshow=roadshow, actor=_actor(request))


@_control_schema("roadshow_end")
class EndApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        services.roadshow_end(roadshow=roadshow, actor=_actor(request))


@_control_schema("roadshow_cancel")
class CancelApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        services.roadshow_cancel(roadshow=roadshow, actor=_actor(request))


@_control_schema("roadshow_advance", AdvanceInputSerializer)
class AdvanceApi(_ControlApi):
    def act(self, request: Request, roadshow: Roadshow) -> None:
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(AdvanceInputSerializer, request)
        services.roadshow_advance(roadshow=roadshow, actor=_actor(request), to=data["to"])


class _QuestionsSwitchApi(_ControlApi):
    open = True

    def act(self, request: Request, roadshow: Roadshow) -> None:
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = _valid(SlotChoiceSerializer, request)
        services.roadshow_questions_set(
            roadshow=roadshow,
            actor=_actor(request),
            open=self.open,
            slot=_slot(roadshow, data.get("slot")),
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
    throttle_scope = "question"  # POST only (marketplace.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_list",
        responses=QuestionOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        staff = selectors.is_host_staff(user=request.user, roadshow=roadshow)
        if not staff and not selectors.is_confirmed_attendee(roadshow=roadshow, user=request.user):
            raise PermissionDeniedError(
                _("Only registered attendees and host staff can follow the roadshow.")
            )
        questions = selectors.question_list(roadshow=roadshow, include_hidden=staff)
        slot = request.query_params.get("slot")
        if slot:
            slot_id = int(slot) if slot.isascii() and slot.isdigit() else 0
            questions = questions.filter(slot=_slot(roadshow, slot_id))
        return Response(QuestionOutputSerializer(questions[:500], many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_question_ask",
        request=QuestionInputSerializer,
        responses={201: QuestionOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        data = _valid(QuestionInputSerializer, request)
        slot = _slot(roadshow, data.get("slot"))
        question = services.question_ask(
            roadshow=roadshow, actor=_actor(request), text=data["text"], slot=slot
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
        question = selectors.question_get(roadshow=_roadshow(request, pk), pk=question_pk)
        votes, created = services.question_upvote(question=question, actor=_actor(request))
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
        question = selectors.question_get(roadshow=_roadshow(request, pk), pk=question_pk)
        data = _valid(HideInputSerializer, request)
        services.question_hide(question=question, actor=_actor(request), hidden=data["hidden"])
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
        question = selectors.question_get(roadshow=_roadshow(request, pk), pk=question_pk)
        data = _valid(AnswerInputSerializer, request)
        services.question_answer(question=question, actor=_actor(request), answer=data["answer"])
        return Response(QuestionOutputSerializer(question).data)


# --- intents ----------------------------------------------------------------------------------


class IntentApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "intent"  # POST only (marketplace.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_intent_list",
        responses=IntentOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        intents = selectors.intent_list_own(roadshow=_roadshow(request, pk), user=request.user)
        return Response(IntentOutputSerializer(intents, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_intent_record",
        request=SlotChoiceSerializer,
        responses={200: IntentRecordOutputSerializer, 201: IntentRecordOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        data = _valid(SlotChoiceSerializer, request)
        intent, created = services.intent_record(
            roadshow=roadshow, actor=_actor(request), slot=_slot(roadshow, data.get("slot"))
        )
        return Response(
            {
                "intent": IntentOutputSerializer(intent).data,
                "created": created,
                "match_request": services.intent_match_request_draft(intent=intent),
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- registrations ----------------------------------------------------------------------------


class RegistrationListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the list takes no filter parameters
    serializer_class = RegistrationOutputSerializer

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_registration_list",
        responses=RegistrationOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        if not selectors.is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        page = self.paginate_queryset(selectors.registration_list(roadshow=roadshow))
        return self.get_paginated_response(RegistrationOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_register",
        request=RegistrationInputSerializer,
        responses={201: RegistrationOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        data = _valid(RegistrationInputSerializer, request)
        outcome = services.registration_create(
            roadshow=roadshow,
            user=_actor(request),
            kind=data.get("kind"),
            success_url=_page_url(request, roadshow, "payment=done"),
            cancel_url=_page_url(request, roadshow, "payment=cancelled"),
        )
        body = dict(RegistrationOutputSerializer(outcome.registration).data)
        body["checkout_url"] = outcome.checkout_url
        return Response(body, status=status.HTTP_201_CREATED)


class MyRegistrationsApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the list takes no filter parameters
    serializer_class = RegistrationOutputSerializer

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_my_registrations",
        responses=RegistrationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.registration_list_own(user=request.user))
        return self.get_paginated_response(RegistrationOutputSerializer(page, many=True).data)


class RegistrationCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_registration_cancel",
        request=None,
        responses=RegistrationOutputSerializer,
    )
    def post(self, request: Request, pk: int, registration_pk: int) -> Response:
        roadshow = _roadshow(request, pk)
        registration = selectors.registration_get(pk=registration_pk)
        if registration.roadshow_id != roadshow.pk:
            raise exceptions.NotFound()
        if registration.user_id != request.user.pk and not selectors.is_host_staff(
            user=request.user, roadshow=roadshow
        ):
            raise exceptions.NotFound()
        registration = services.registration_cancel(
            registration=registration, actor=_actor(request)
        )
        return Response(RegistrationOutputSerializer(registration).data)



