"""Forms of the my-schedule page: asking a presenter for a 1:1 meeting and marking an
unavailable time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organization
from projects.meetings.services import REASON_MAX_CHARS
from projects.models import RoadshowSlot

_DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SlotChoiceField(forms.ModelChoiceField[RoadshowSlot]):
    """An agenda slot shown as ``"<order>. <project title> · <presenter>"``."""

    def label_from_instance(self, obj: RoadshowSlot) -> str:
        return f"{obj.order}. {obj.listing.title} · {obj.presenter.legal_name}"


class MeetingRequestForm(forms.Form):
    """Ask the presenter organisation of an agenda slot for a 1:1 meeting (洽谈).

    `slots`: the slots the viewer may ask about (the view leaves out their own
    organisations'). The reason is required (≤ 2000 characters); the service checks the rest
    (`projects.meetings.services.meeting_request_create`)."""

    slot = SlotChoiceField(label=_("Project"), queryset=RoadshowSlot.objects.none(),
                           empty_label=None)
    reason = forms.CharField(
        label=_("Why do you want to meet?"),
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_CHARS}),
    )

    def __init__(self, *args: Any, slots: QuerySet[RoadshowSlot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = slots


class UnavailabilityForm(forms.Form):
    """A time range (Beijing time, entered as ``YYYY-MM-DDTHH:MM``) when the viewer — or, if
    chosen, one of their organisations — cannot meet. The note is optional (≤ 200)."""

    starts_at = forms.DateTimeField(label=_("Unavailable from"), widget=_DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Unavailable until"), widget=_DATETIME_WIDGET)
    organization = forms.ModelChoiceField(
        label=_("Who is unavailable"), queryset=Organization.objects.none(), required=False,
        empty_label=_("Only me"),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if not organizations.exists():
            del self.fields["organization"]
