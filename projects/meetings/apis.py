"""1:1 meeting API under /api/v1/roadshows/{id}/: thin views over `projects.meetings.services`,
`projects.meetings.scheduling` and `projects.meetings.selectors`.

Routes (see `projects.api_urls`):

- ``GET|POST meetings/``: the viewer's visible requests / request a meeting (confirmed
  attendees; body ``{"slot", "reason", "organization"?}``).
- ``GET meetings/{pk}/``; ``POST meetings/{pk}/accept/``; ``POST meetings/{pk}/decline/``
  (``{"reason"}``; presenter organisation members).
- ``GET|POST meeting-blocks/`` (POST: host staff).
- ``GET|POST unavailability/``: the viewer's unavailable times / add one.
- ``POST schedule/`` (host staff; ``{"reschedule": bool}``): run the scheduler, returns the
  report ``{"placed": [...], "unplaced": [{"request", "reason", "message"}], "kept"}``.
- ``POST schedule/publish/`` (host staff): publish the schedule (participants see their
  meetings only from then on, and are notified).
- ``GET my-schedule/`` (JSON), ``my-schedule.csv``, ``my-schedule.ics`` (iCalendar).

Requests the viewer may not see answer 404; errors use the one shape of
`kernel.api.errors`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.web import attachment, request_actor
from projects.meetings import selectors
from projects.meetings import services as meetings
from projects.meetings.console import schedule_publish
from projects.meetings.export import schedule_csv, schedule_ics
from projects.meetings.scheduling import meetings_schedule
from projects.meetings.serializers import (
    MeetingBlockSerializer,
    MeetingRequestCreateSerializer,
    MeetingRequestDeclineSerializer,
    MeetingRequestSerializer,
    ScheduleRunSerializer,
    UnavailabilitySerializer,
)
from projects.models import Roadshow
from projects.permissions import is_host_staff, may_follow_live
from projects.roadshows.selectors import roadshow_get, slot_get

TAG = ["roadshow meetings"]


def _requests_out(roadshow: Roadshow, request: Request, found: Any, *, many: bool = False
                  ) -> Any:
    """Meeting requests as the viewer sees them: participants do not see a draft schedule
    (`MeetingRequestSerializer`, context ``draft_hidden``)."""
    hidden = not (is_host_staff(user=request.user, roadshow=roadshow)
                  or selectors.schedule_published(roadshow=roadshow))
    return MeetingRequestSerializer(found, many=many, context={"draft_hidden": hidden}).data


class MeetingRequestListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_list",
                   responses=MeetingRequestSerializer(many=True),
                   description="Meeting requests the viewer made or received (host staff: all).")
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        qs = selectors.meeting_request_list(roadshow=roadshow, viewer=request.user)
        return Response(_requests_out(roadshow, request, qs, many=True))

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_create",
                   request=MeetingRequestCreateSerializer,
                   responses={201: MeetingRequestSerializer},
                   description="Request a 1:1 meeting with a slot's presenter (confirmed "
                   "attendees; reason required). 409 when an open request exists.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = MeetingRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        slot = slot_get(roadshow=roadshow, pk=data["slot"])
        created = meetings.meeting_request_create(
            roadshow=roadshow, slot=slot, requester=request_actor(request), reason=data["reason"],
            requester_organization=data.get("organization"),
        )
        created = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user,
                                               pk=created.pk)
        return Response(_requests_out(roadshow, request, created), status=status.HTTP_201_CREATED)


class MeetingRequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_retrieve",
                   responses=MeetingRequestSerializer)
    def get(self, request: Request, roadshow_id: int, pk: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        found = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
        return Response(_requests_out(roadshow, request, found))


class MeetingRequestAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_accept", request=None,
                   responses=MeetingRequestSerializer,
                   description="Accept (presenter organisation members). 409 if answered.")
    def post(self, request: Request, roadshow_id: int, pk: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        found = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
        meetings.meeting_request_accept(request=found, actor=request_actor(request))
        found = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
        return Response(_requests_out(roadshow, request, found))


class MeetingRequestDeclineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_decline",
                   request=MeetingRequestDeclineSerializer, responses=MeetingRequestSerializer,
                   description="Decline with a reason (presenter organisation members).")
    def post(self, request: Request, roadshow_id: int, pk: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        found = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
        serializer = MeetingRequestDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meetings.meeting_request_decline(request=found, actor=request_actor(request),
                                         reason=serializer.validated_data["reason"])
        found = selectors.meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
        return Response(_requests_out(roadshow, request, found))


class MeetingBlockListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meeting_blocks_list",
                   responses=MeetingBlockSerializer(many=True))
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        qs = selectors.meeting_block_list(roadshow=roadshow)
        return Response(MeetingBlockSerializer(qs, many=True).data)

    @extend_schema(tags=TAG, operation_id="roadshow_meeting_blocks_create",
                   request=MeetingBlockSerializer, responses={201: MeetingBlockSerializer},
                   description="Add a block of meeting slots (host staff).")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = MeetingBlockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        block = meetings.meeting_block_create(
            roadshow=roadshow, actor=request_actor(request), starts_at=data["starts_at"],
            ends_at=data["ends_at"], rooms=data["rooms"], slot_minutes=data["slot_minutes"],
        )
        return Response(MeetingBlockSerializer(block).data, status=status.HTTP_201_CREATED)


class UnavailabilityListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_unavailability_list",
                   responses=UnavailabilitySerializer(many=True))
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        qs = selectors.unavailability_list(roadshow=roadshow, viewer=request.user)
        return Response(UnavailabilitySerializer(qs, many=True).data)

    @extend_schema(tags=TAG, operation_id="roadshow_unavailability_create",
                   request=UnavailabilitySerializer, responses={201: UnavailabilitySerializer},
                   description="Mark a time you (or your organisation) cannot meet.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = UnavailabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        row = meetings.unavailability_add(
            roadshow=roadshow, actor=request_actor(request), starts_at=data["starts_at"],
            ends_at=data["ends_at"], organization=data.get("organization"),
            note=data.get("note", ""),
        )
        return Response(UnavailabilitySerializer(row).data, status=status.HTTP_201_CREATED)


class ScheduleRunApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_schedule",
                   request=ScheduleRunSerializer, responses={200: dict},
                   description="Place accepted requests into meeting slots (host staff). "
                   "Returns {placed, unplaced (with reason and message), kept}.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        serializer = ScheduleRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = meetings_schedule(
            roadshow=roadshow, actor=request_actor(request),
            reschedule=serializer.validated_data["reschedule"],
        )
        return Response(report.as_dict())


class SchedulePublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_meetings_publish", request=None,
                   responses={201: dict},
                   description="Publish the meeting schedule (host staff): participants see "
                   "their meetings and are notified. Returns {published_at, published_by}; "
                   "409 when already published, 400 when no meeting is scheduled.")
    def post(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        publication = schedule_publish(roadshow=roadshow, actor=request_actor(request))
        return Response({"published_at": publication.published_at.isoformat(),
                         "published_by": publication.published_by_id},
                        status=status.HTTP_201_CREATED)


class MyScheduleApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_my_schedule", responses={200: dict},
                   description="The viewer's meetings: {roadshow, meetings: [{id, starts_at, "
                   "ends_at, room, project, role, with, reason}]}.")
    def get(self, request: Request, roadshow_id: int) -> Response:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        rows = selectors.schedule_rows(roadshow=roadshow, user=request.user)
        return Response({
            "roadshow": {"id": roadshow.pk, "title": roadshow.title, "venue": roadshow.venue},
            "may_follow_live": may_follow_live(roadshow=roadshow, user=request.user),
            "meetings": [
                {"id": r.meeting_id, "starts_at": r.starts_at.isoformat(),
                 "ends_at": r.ends_at.isoformat(), "room": r.room, "project": r.project,
                 "role": r.role, "with": r.with_whom, "reason": r.reason}
                for r in rows
            ],
        })


class MyScheduleCsvApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_my_schedule_csv",
                   responses={(200, "text/csv"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        rows = selectors.schedule_rows(roadshow=roadshow, user=request.user)
        return attachment(schedule_csv(rows), "text/csv; charset=utf-8",
                          f"roadshow-{roadshow.pk}-meetings.csv")


class MyScheduleIcsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="roadshow_my_schedule_ics",
                   responses={(200, "text/calendar"): bytes})
    def get(self, request: Request, roadshow_id: int) -> HttpResponse:
        roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
        rows = selectors.schedule_rows(roadshow=roadshow, user=request.user)
        return attachment(schedule_ics(roadshow=roadshow, rows=rows),
                          "text/calendar; charset=utf-8", f"roadshow-{roadshow.pk}-meetings.ics")
