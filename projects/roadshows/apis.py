"""Roadshow API (/api/v1/roadshows/): events and their agendas, thin views over
`projects.roadshows.services` and `projects.roadshows.selectors`. Errors leave through the
shared handler as ``{"message", "code", "fields"}`` (400 per field, 403, 404, 409, 503). The
live endpoints are in `projects.roadshows.live.apis`, registrations in
`projects.registrations.apis`; the routes in `projects.api_urls`.

Events and agenda (read: anyone; write: host staff)
  GET/POST   roadshows/                        list / create {title, host, starts_at, ...}
  GET/PATCH  roadshows/{id}/                   detail (+ "agenda", "viewer") / edit
  GET/POST   roadshows/{id}/slots/             agenda / add {research_result | technology_need,
                                               presenter?, planned_start?, minutes?}
  PATCH      roadshows/{id}/slots/{slot}/      edit {presenter?, planned_start?, minutes?}
  DELETE     roadshows/{id}/slots/{slot}/      remove
  POST       roadshows/{id}/slots/reorder/     {"slot_ids": [...]} (every slot once)
  POST       roadshows/{id}/publish/           publish a draft: 200, 409 not a draft, 400 with
                                               fields {title?, ends_at?, agenda?} not ready
  POST       roadshows/{id}/slots/import/      multipart "file" (XLSX): 201 report, or 400
                                               with fields {"rows": {"<n>": {"<col>": [..]}}}
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination
from kernel.errors import PermissionDeniedError
from kernel.web import request_actor, validated
from projects.models import Roadshow
from projects.permissions import is_host_staff
from projects.registrations.selectors import registration_active
from projects.registrations.serializers import RegistrationOutputSerializer
from projects.roadshow_access import request_roadshow
from projects.roadshows.agenda_import import AgendaImportFileError
from projects.roadshows.selectors import roadshow_list, roadshow_slots, slot_get
from projects.roadshows.serializers import (
    AgendaImportInputSerializer,
    AgendaImportReportSerializer,
    ReorderInputSerializer,
    RoadshowInputSerializer,
    RoadshowOutputSerializer,
    SlotInputSerializer,
    SlotOutputSerializer,
    SlotUpdateSerializer,
)
from projects.roadshows.services import (
    roadshow_agenda_import,
    roadshow_create,
    roadshow_publish,
    roadshow_slot_add,
    roadshow_slot_remove,
    roadshow_slot_update,
    roadshow_slots_reorder,
    roadshow_update,
)

TAG = ["roadshows"]


# --- events -----------------------------------------------------------------------------------


class RoadshowListApi(GenericAPIView[Roadshow]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the list takes no filter parameters
    serializer_class = RoadshowOutputSerializer

    @extend_schema(
        tags=TAG, operation_id="roadshow_list", responses=RoadshowOutputSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(roadshow_list(viewer=request.user))
        return self.get_paginated_response(RoadshowOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_create",
        request=RoadshowInputSerializer,
        responses={201: RoadshowOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(RoadshowInputSerializer, request)
        roadshow = roadshow_create(actor=request_actor(request), **data)
        return Response(RoadshowOutputSerializer(roadshow).data, status=status.HTTP_201_CREATED)


def _detail(request: Request, roadshow: Roadshow) -> dict[str, Any]:
    data = dict(RoadshowOutputSerializer(roadshow).data)
    data["agenda"] = SlotOutputSerializer(
        roadshow_slots(roadshow=roadshow), many=True
    ).data
    registration = registration_active(roadshow=roadshow, user=request.user)
    data["viewer"] = {
        "is_host_staff": is_host_staff(user=request.user, roadshow=roadshow),
        "registration": RegistrationOutputSerializer(registration).data if registration else None,
    }
    return data


class RoadshowDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(tags=TAG, operation_id="roadshow_detail", responses=RoadshowOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, request_roadshow(request, pk)))

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_update",
        request=RoadshowInputSerializer,
        responses=RoadshowOutputSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        data = validated(RoadshowInputSerializer, request, partial=True)
        if "draft" in data:
            raise exceptions.ValidationError(
                {"draft": [_("Publish a draft with the publish action.")]}
            )
        if "host" in data and data.pop("host").pk != roadshow.host_id:
            raise exceptions.ValidationError(
                {"host": [_("The host of a roadshow cannot be changed.")]}
            )
        roadshow_update(roadshow=roadshow, actor=request_actor(request), data=data)
        return Response(_detail(request, roadshow))


class RoadshowPublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG, operation_id="roadshow_publish", request=None, responses=RoadshowOutputSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        roadshow_publish(roadshow=roadshow, actor=request_actor(request))
        return Response(_detail(request, roadshow))


# --- agenda -----------------------------------------------------------------------------------


class SlotListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAG, operation_id="roadshow_slot_list", responses=SlotOutputSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        slots = roadshow_slots(roadshow=roadshow)
        return Response(SlotOutputSerializer(slots, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_slot_add",
        request=SlotInputSerializer,
        responses={201: SlotOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(SlotInputSerializer, request)
        slot = roadshow_slot_add(roadshow=roadshow, actor=request_actor(request), **data)
        slot = slot_get(roadshow=roadshow, pk=slot.pk)
        return Response(SlotOutputSerializer(slot).data, status=status.HTTP_201_CREATED)


class SlotDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(tags=TAG, operation_id="roadshow_slot_detail", responses=SlotOutputSerializer)
    def get(self, request: Request, pk: int, slot_pk: int) -> Response:
        slot = slot_get(roadshow=request_roadshow(request, pk), pk=slot_pk)
        return Response(SlotOutputSerializer(slot).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_slot_update",
        request=SlotUpdateSerializer,
        responses=SlotOutputSerializer,
    )
    def patch(self, request: Request, pk: int, slot_pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        slot = slot_get(roadshow=roadshow, pk=slot_pk)
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(SlotUpdateSerializer, request)
        roadshow_slot_update(slot=slot, actor=request_actor(request), data=data)
        slot = slot_get(roadshow=roadshow, pk=slot_pk)
        return Response(SlotOutputSerializer(slot).data)

    @extend_schema(tags=TAG, operation_id="roadshow_slot_remove", responses={204: None})
    def delete(self, request: Request, pk: int, slot_pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        slot = slot_get(roadshow=roadshow, pk=slot_pk)
        roadshow_slot_remove(slot=slot, actor=request_actor(request))
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
        roadshow = request_roadshow(request, pk)
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(ReorderInputSerializer, request)
        slots = roadshow_slots_reorder(
            roadshow=roadshow, actor=request_actor(request), slot_ids=data["slot_ids"]
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
        roadshow = request_roadshow(request, pk)
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        data = validated(AgendaImportInputSerializer, request)
        try:
            report = roadshow_agenda_import(
                roadshow=roadshow, actor=request_actor(request), content=data["file"].read()
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
        slots = roadshow_slots(roadshow=roadshow).filter(pk__in=report.slot_ids)
        return Response(
            {
                "rows": report.rows,
                "created": report.created,
                "slots": SlotOutputSerializer(slots, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )
