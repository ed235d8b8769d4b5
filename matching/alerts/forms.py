"""Forms of the saved-search and alert pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.alerts.models import EmailMode

from .services import NAME_MAX


class SavedSearchNameForm(forms.Form):
    """The name of a saved search (new or renamed)."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class AlertSettingsForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mail me about alerts"), choices=EmailMode.choices, widget=forms.RadioSelect
    )


class FollowForm(forms.Form):
    """Turn the alerts of one of my organisations' listings on or off."""

    kind = forms.ChoiceField(choices=[("result", "result"), ("need", "need")])
    object_id = forms.IntegerField(min_value=1)
    follow = forms.BooleanField(required=False)
