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
    # No default reason: the page's empty first choice must be replaced by one. Only a match
    # request's form posts a reason (a meeting request's has none).
    reason = forms.ChoiceField(
        label=_("Reason (match requests)"),
        choices=[("", _("Choose a reason")), *DeclineReason.choices], required=False,
    )
    note = _note(required=True)

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data.get("reason", "")
        if "reason" in self.data and not reason:
            raise forms.ValidationError(_("Choose a reason for declining."))
        return reason


#: The form of each action of the page (the last part of its URL).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "outcome": OutcomeForm,
    "invite-to-claim": NoteForm,
    "accept": AcceptForm,
    "decline": DeclineForm,
}
