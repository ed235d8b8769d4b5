"""Forms of the registration pages: the register button's POST."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.choices import AttendeeKind


class RegisterForm(forms.Form):
    """Register for a roadshow. `kind` is optional: the service derives it from the user's
    memberships (enterprise member, researcher, else guest)."""

    kind = forms.ChoiceField(label=_("I attend as"), choices=AttendeeKind.choices, required=False)
