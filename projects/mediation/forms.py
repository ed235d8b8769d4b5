"""Forms of the mediation queue page: the filter and one form per brokers' action (the
services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.mediation.common import NOTE_MAX_LENGTH
from matching.mediation.models import MediationOutcome
from matching.models import DeclineReason
from projects.mediation.selectors import KINDS, STATUSES


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *STATUSES], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *KINDS], required=False)


def _note(required: bool = False) -> Any:
    return forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MediationOutcome.choices)
    note = _note()


class NoteForm(forms.Form):
    note = _note()


class AcceptForm(forms.Form):
    note = _note(required=True)


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason (match requests)"), choices=DeclineReason.choices, required=False,
        initial=DeclineReason.OTHER,
    )
    note = _note(required=True)


#: The form of each action of the page (the last part of its URL).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "outcome": OutcomeForm,
    "invite-to-claim": NoteForm,
    "accept": AcceptForm,
    "decline": DeclineForm,
}
