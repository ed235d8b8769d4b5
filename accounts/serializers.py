from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class SignupInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150, label=_("Username"))
    email = serializers.EmailField(max_length=254, label=_("E-mail address"))
    password = serializers.CharField(
        max_length=4096, write_only=True, trim_whitespace=False, label=_("Password")
    )


class SignupOutputSerializer(serializers.Serializer[Any]):
    """The same answer whether or not the address already had an account."""

    username = serializers.CharField()
    email = serializers.EmailField()
