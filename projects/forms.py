"""Forms of the roadshow web pages: the question box of the audience page (live.js sends its
value to the API) and the register button's POST."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.choices import AttendeeKind
from projects.services import QUESTION_MAX_CHARS


class QuestionForm(forms.Form):
    """Ask a question about the project now presenting (≤ 500 characters)."""

    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": QUESTION_MAX_CHARS}),
    )


class RegisterForm(forms.Form):
    """Register for a roadshow. `kind` is optional: the service derives it from the user's
    memberships (enterprise member, researcher, else guest)."""

    kind = forms.ChoiceField(label=_("I attend as"), choices=AttendeeKind.choices, required=False)
