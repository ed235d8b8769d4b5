"""Small helpers shared by the API views and web pages of the `projects` feature packages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request

from projects.models import Roadshow, RoadshowSlot
from projects.permissions import is_host_staff, require_host_staff
from projects.roadshows.selectors import roadshow_get, slot_get


def validated(serializer_class: type[Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    """The request body validated by `serializer_class` (400 per field otherwise)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def request_roadshow(request: Request, pk: int) -> Roadshow:
    """The roadshow `pk` (404 when unknown)."""
    return roadshow_get(viewer=request.user, pk=pk)


def agenda_slot(roadshow: Roadshow, pk: int | None) -> RoadshowSlot | None:
    """The slot `pk` of `roadshow`'s agenda, None for None; 400 on ``slot`` otherwise."""
    if pk is None:
        return None
    try:
        return slot_get(roadshow=roadshow, pk=pk)
    except Http404:
        raise exceptions.ValidationError(
            {"slot": [_("This slot is not on the agenda of this roadshow.")]}
        ) from None


def staff_roadshow_api(request: Request, roadshow_id: int) -> Roadshow:
    """The roadshow for an API view of host staff: 404 when unknown, 403 for others."""
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    require_host_staff(user=request.user, roadshow=roadshow)
    return roadshow


def staff_roadshow_page(request: HttpRequest, roadshow_id: int) -> Roadshow:
    """The roadshow for a web page of host staff: 404 when unknown, 403 for others."""
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    if not is_host_staff(user=request.user, roadshow=roadshow):
        raise PermissionDenied
    return roadshow


def attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    """A download: `content` served as `media_type` with ``Content-Disposition: attachment``."""
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
