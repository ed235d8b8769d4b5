"""Registration API (/api/v1/roadshows/…): thin views over `projects.registrations.services`
and `projects.registrations.selectors`; errors as in `projects.roadshows.apis`.

  GET        roadshows/{id}/registrations/     all registrations (host staff)
  POST       roadshows/{id}/registrations/     register {kind?} -> 201, with "checkout_url"
                                               for a paid ticket (null when confirmed)
  POST       roadshows/{id}/registrations/{r}/cancel/   attendee (before start) or staff
  GET        roadshows/my-registrations/       the viewer's tickets
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination
from kernel.errors import PermissionDeniedError
from kernel.web import request_actor, validated
from projects.models import Registration, Roadshow
from projects.permissions import is_host_staff
from projects.registrations.selectors import (
    registration_get,
    registration_list,
    registration_list_own,
)
from projects.registrations.serializers import (
    RegistrationInputSerializer,
    RegistrationOutputSerializer,
)
from projects.registrations.services import registration_cancel, registration_create
from projects.roadshow_access import request_roadshow

TAG = ["roadshows"]


def _page_url(request: Request, roadshow: Roadshow, query: str) -> str:
    """Absolute URL of the roadshow's web page (route ``roadshow-detail`` when the pages are
    installed, else ``/roadshows/<id>/``) with `query`."""
    try:
        path = reverse("roadshow-detail", kwargs={"pk": roadshow.pk})
    except NoReverseMatch:
        path = f"/roadshows/{roadshow.pk}/"
    return request.build_absolute_uri(f"{path}?{query}")


# --- registrations ----------------------------------------------------------------------------


# The endpoints that answer pages of registrations to signed-in users. (No docstring: the
# OpenAPI schema would take it as their description.)
class _RegistrationPageApi(GenericAPIView[Registration]):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the lists take no filter parameters
    serializer_class = RegistrationOutputSerializer


class RegistrationListApi(_RegistrationPageApi):
    @extend_schema(
        tags=TAG,
        operation_id="roadshow_registration_list",
        responses=RegistrationOutputSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        if not is_host_staff(user=request.user, roadshow=roadshow):
            raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
        page = self.paginate_queryset(registration_list(roadshow=roadshow))
        return self.get_paginated_response(RegistrationOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="roadshow_register",
        request=RegistrationInputSerializer,
        responses={201: RegistrationOutputSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        roadshow = request_roadshow(request, pk)
        data = validated(RegistrationInputSerializer, request)
        outcome = registration_create(
            roadshow=roadshow,
            user=request_actor(request),
            kind=data.get("kind"),
            success_url=_page_url(request, roadshow, "payment=done"),
            cancel_url=_page_url(request, roadshow, "payment=cancelled"),
        )
        body = dict(RegistrationOutputSerializer(outcome.registration).data)
        body["checkout_url"] = outcome.checkout_url
        return Response(body, status=status.HTTP_201_CREATED)


class MyRegistrationsApi(_RegistrationPageApi):
    @extend_schema(
        tags=TAG,
        operation_id="roadshow_my_registrations",
        responses=RegistrationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(registration_list_own(user=request.user))
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
        roadshow = request_roadshow(request, pk)
        registration = registration_get(pk=registration_pk)
        if registration.roadshow_id != roadshow.pk:
            raise exceptions.NotFound()
        if registration.user_id != request.user.pk and not is_host_staff(
            user=request.user, roadshow=roadshow
        ):
            raise exceptions.NotFound()
        registration = registration_cancel(
            registration=registration, actor=request_actor(request)
        )
        return Response(RegistrationOutputSerializer(registration).data)
