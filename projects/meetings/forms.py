"""Forms of the my-schedule page (asking a presenter for a 1:1 meeting, marking an
unavailable time) and of the meetings console (a meeting block, moving and swapping
meetings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kernel.local_time import datetime_local_widget
from marketplace.models import Organization
from projects.meetings.services import REASON_MAX_CHARS
from projects.models import RoadshowSlot

_DATETIME_WIDGET = datetime_local_widget()


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


class MeetingBlockForm(forms.Form):
    """A meeting block on the meetings console: its times (Beijing time), the minutes of one
    meeting and the rooms or tables, one per line (or separated by commas). The service checks
    the block's rules (`projects.meetings.services.clean_block`)."""

    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DATETIME_WIDGET)
    slot_minutes = forms.IntegerField(label=_("Minutes per meeting"), initial=20,
                                      widget=forms.NumberInput(attrs={"min": 5, "max": 240}))
    rooms = forms.CharField(
        label=_("Rooms or tables"), help_text=_("One per line, e.g. Table 1."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_rooms(self) -> list[str]:
        text = str(self.cleaned_data["rooms"]).replace("，", ",").replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]


class MeetingMoveForm(forms.Form):
    """Move a meeting: a meeting time of the blocks (value: its start, ISO 8601) and a room."""

    slot = forms.ChoiceField(label=_("Time"))
    room = forms.ChoiceField(label=_("Room"))

    def __init__(self, *args: Any, times: list[tuple[str, str]], rooms: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slot_field = self.fields["slot"]
        room_field = self.fields["room"]
        assert isinstance(slot_field, forms.ChoiceField)
        assert isinstance(room_field, forms.ChoiceField)
        slot_field.choices = times
        room_field.choices = [(r, r) for r in rooms]

    def clean_slot(self) -> datetime:
        return datetime.fromisoformat(str(self.cleaned_data["slot"]))


class MeetingSwapForm(forms.Form):
    """Swap a meeting's place with another meeting's."""

    other = forms.ChoiceField(label=_("Swap with"))

    def __init__(self, *args: Any, meetings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(pk), label) for pk, label in meetings]

    def clean_other(self) -> int:
        return int(self.cleaned_data["other"])
