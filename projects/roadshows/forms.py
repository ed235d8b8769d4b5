"""Forms of the roadshow web pages: the question box of the audience page (live.js sends its
value to the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.roadshows.live.services import QUESTION_MAX_CHARS


class QuestionForm(forms.Form):
    """Ask a question about the project now presenting (≤ 500 characters)."""

    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": QUESTION_MAX_CHARS}),
    )
