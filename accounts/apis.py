"""``POST /api/v1/auth/signup/ {"username", "email", "password"}`` -> 201 ``{"username",
"email"}``: signs up through allauth's sign-up form and flow (`accounts.services.sign_up`), as
the web page does. The account stays inactive until the address is verified through the link
in the e-mail; then it logs in on the web or gets a token at ``/api/v1/auth/token/``.

The answer never tells whether the address already has an account: that address's owner gets
an e-mail instead of a second account (allauth's ``ACCOUNT_PREVENT_ENUMERATION``). A username
already taken is answered 400, as on the web page (usernames are public). Invalid fields: 400
in the error shape, per field, in the request's language. Rate-limited (``signup``, ``signup_ip``
in THROTTLE_RATES): each sign-up sends an e-mail.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import SignupInputSerializer, SignupOutputSerializer
from accounts.services import sign_up
from kernel.web import validated


class SignupApi(APIView):
    """Sign up (see the module docstring)."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_scope = "signup"  # kernel.api.throttling

    @extend_schema(
        request=SignupInputSerializer,
        responses={
            201: OpenApiResponse(
                SignupOutputSerializer,
                description="A verification e-mail is on its way to the address (or, if the "
                "address already has an account, an e-mail saying so: the answer is the same).",
            ),
            400: OpenApiResponse(description="Invalid fields (code invalid), per field."),
        },
        summary="Sign up; the account is usable once its e-mail address is verified",
    )
    def post(self, request: Request) -> Response:
        data = validated(SignupInputSerializer, request)
        errors = sign_up(request._request, data)
        if errors:
            raise exceptions.ValidationError(errors)
        body = SignupOutputSerializer({"username": data["username"], "email": data["email"]})
        return Response(body.data, status=status.HTTP_201_CREATED)
