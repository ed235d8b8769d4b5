"""API tokens (django-rest-knox): issue, revoke one, revoke all.

- ``POST /api/v1/auth/token/ {"username", "password"}`` -> ``{"token", "expiry"}``
  (``username`` may also be the account's e-mail address, as on the log-in page). Send the
  token as ``Authorization: Token <token>``. It expires ``settings.API_TOKEN_TTL_HOURS`` hours
  after issue (environment ``KEQIAO_API_TOKEN_TTL_HOURS``, default 24; ``expiry``, ISO 8601
  UTC); an expired or revoked token is answered 401. Only a hash of the
  token is stored. Wrong credentials: 400 (code ``authorization``); after repeated failures
  per username or per IP address: 429 (code ``locked_out``, `accounts.lockout`).
- ``POST /api/v1/auth/token/revoke/`` with the token: revokes that token (204).
- ``POST /api/v1/auth/token/revoke-all/`` with a token or a session: revokes every token of
  the user (204).
- A new password revokes every token of the user (`revoke_tokens_when_password_changes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from knox.views import LogoutAllView, LogoutView
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.serializers import TokenOutputSerializer

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class TokenObtainApi(APIView):
    """Exchange username and password for an expiring token (see the module docstring)."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(description="Wrong username or password (code authorization)."),
            429: OpenApiResponse(
                description="Locked after repeated failed log-ins (code locked_out), with "
                "Retry-After."
            ),
        },
        summary="Exchange username and password for a token",
    )
    def post(self, request: Request) -> Response:
        # The Django request, not DRF's wrapper: django-axes marks it when the log-in is locked
        # out, and its middleware turns the mark into the 429 answer.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(TokenOutputSerializer({"token": token, "expiry": instance.expiry}).data)


@extend_schema(
    request=None,
    responses={204: OpenApiResponse(description="The token is revoked.")},
    summary="Revoke the token this request is sent with",
)
class TokenRevokeApi(LogoutView):
    """Revoke the token this request is authenticated with (204); later calls with it get
    401."""


@extend_schema(
    request=None,
    responses={204: OpenApiResponse(description="Every token of the user is revoked.")},
    summary="Revoke every token of the signed-in user",
)
class TokenRevokeAllApi(LogoutAllView):
    """Revoke every API token of the signed-in user (204), authenticated with a token or a
    browser session."""

    # Also from a browser session, e.g. after losing a token.
    # (knox leaves the attribute unannotated, so mypy infers a one-element tuple for it.)
    authentication_classes = (  # type: ignore[assignment]
        *LogoutAllView.authentication_classes,
        SessionAuthentication,
    )


def revoke_tokens_when_password_changes(
    sender: type[User], instance: User, update_fields: frozenset[str] | None = None, **_kwargs: Any
) -> None:
    """``pre_save`` receiver on the user model: a new password (changed, reset or set by
    staff) revokes every API token of that user once the save commits, as Django's own
    session-hash check ends the user's other browser sessions. A token stolen before the
    change must not outlive it."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = type(instance).objects.filter(pk=instance.pk).values_list("password", flat=True)
    if stored.first() in (None, instance.password):
        return
    user_pk = instance.pk
    transaction.on_commit(lambda: AuthToken.objects.filter(user_id=user_pk).delete())
