"""The roadshow (or agenda slot) a view addresses, with its access rule, for the API views and
web pages of every `projects` feature package:

- `request_roadshow`: a roadshow the viewer may see (404 otherwise);
- `staff_roadshow_api` / `staff_roadshow_page`: a roadshow of the viewer's host staff (404
  when unknown, 403 for others; `projects.permissions`);
- `agenda_slot`: a slot of the roadshow's agenda named in a request body (400 on ``slot``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request

from projects.models import Roadshow, RoadshowSlot
from projects.permissions import is_host_staff, require_host_staff
from projects.roadshows.selectors import roadshow_get, slot_get


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
