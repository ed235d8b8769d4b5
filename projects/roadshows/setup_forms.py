"""Forms of the roadshow set-up pages (host staff): the event, an agenda slot, the listing
search of the agenda page and the agenda import. They check the shape of the input (each
field's type and bounds, times entered in Beijing time, ``TIME_ZONE``); the rules are the
services' (`projects.roadshows.services`), whose per-field errors land on these fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kernel.local_time import datetime_local_widget
from marketplace.models import Organization
from projects.models import validate_stream_url
from projects.roadshows.agenda_import import MAX_FILE_BYTES

_DATETIME_WIDGET = datetime_local_widget()
_LOCAL_TIME_HELP = _("Beijing time (UTC+8).")
#: The id of the agenda page's list of organisation names suggested for a slot's presenter.
PRESENTER_SUGGESTIONS = "presenter-organisations"


class RoadshowForm(forms.Form):
    """The event's fields (`projects.roadshows.services.EDITABLE_FIELDS`); on the new-roadshow
    page also the host, one of the transfer centres the user is host staff of."""

    host = forms.ModelChoiceField(
        label=_("Host organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        # Its own msgid: the listings' "Description" is a technology need's (需求描述).
        label=pgettext_lazy("roadshow", "Description"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=_DATETIME_WIDGET, help_text=_LOCAL_TIME_HELP
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=_DATETIME_WIDGET, help_text=_LOCAL_TIME_HELP
    )
    venue = forms.CharField(label=_("Venue"), required=False, max_length=300)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100000)
    ticket_price_cny = forms.DecimalField(
        label=_("Ticket price (CNY)"), min_value=Decimal("0"), max_digits=10, decimal_places=2,
        initial=Decimal("0"), help_text=_("0 for a free event."),
    )
    stream_embed_url = forms.CharField(
        label=_("Online stream link"), required=False, max_length=500,
        validators=[validate_stream_url],
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text=_("The player address of the live stream (https, allowed hosts only)."),
    )

    def __init__(
        self, *args: Any, hosts: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if hosts is None:
            del self.fields["host"]
        else:
            field = self.fields["host"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = hosts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class SlotForm(forms.Form):
    """One agenda slot: who presents (an organisation's legal name, empty: the listing's
    owner), the planned start (Beijing time, optional) and the minutes (1–480)."""

    presenter = forms.CharField(
        label=_("Presenter organisation"), max_length=200, required=False,
        # Suggestions: the agenda page's <datalist id="presenter-organisations">.
        widget=forms.TextInput(attrs={"list": PRESENTER_SUGGESTIONS, "autocomplete": "off"}),
        help_text=_("The organisation that presents this project, by its exact legal name "
                    "(suggestions appear as you type). Empty: the listing's owner."),
    )
    planned_start = forms.DateTimeField(
        label=_("Planned start"), widget=_DATETIME_WIDGET, required=False,
        help_text=_LOCAL_TIME_HELP,
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=480)

    def clean_presenter(self) -> Organization | None:
        name = str(self.cleaned_data.get("presenter") or "").strip()
        if not name:
            return None
        found = Organization.objects.filter(legal_name=name).first()
        if found is None:
            raise forms.ValidationError(_("No organisation has this name."))
        return found


class ListingSearchForm(forms.Form):
    """Published listings to add to the agenda, by title or keyword."""

    q = forms.CharField(label=_("Title or keyword"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False,
        choices=[("", _("Research results and technology needs")),
                 ("result", _("Research results")), ("need", _("Technology needs"))],
    )


class AddListingForm(forms.Form):
    """The listing to append: ``result:<id>`` or ``need:<id>``."""

    listing = forms.RegexField(regex=r"^(result|need):[0-9]{1,18}$", label=_("Listing"))


class ReorderForm(forms.Form):
    """Either the whole new order (``slot_ids``, from dragging) or one step of one slot
    (``move`` and ``direction``, from the up and down buttons)."""

    slot_ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    move = forms.IntegerField(required=False, min_value=1)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False)

    def __init__(self, *args: Any, slot_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = slot_ids
        field = self.fields["slot_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(pk), str(pk)) for pk in slot_ids]

    def new_order(self) -> list[int]:
        """The slot ids in their new order (call after `is_valid`)."""
        data = self.cleaned_data
        if data.get("slot_ids"):
            return list(data["slot_ids"])
        order = list(self.current)
        move, direction = data.get("move"), data.get("direction")
        if move in order and direction:
            index = order.index(move)
            other = index - 1 if direction == "up" else index + 1
            if 0 <= other < len(order):
                order[index], order[other] = order[other], order[index]
        return order

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("slot_ids") and not (data.get("move") and data.get("direction")):
            raise forms.ValidationError(_("Say how to reorder the agenda."))
        return data


class AgendaImportForm(forms.Form):
    """An XLSX agenda (`projects.roadshows.agenda_import`)."""

    file = forms.FileField(
        label=_("Agenda (XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                   ".spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
