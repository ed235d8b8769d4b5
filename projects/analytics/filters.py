"""The filters of the deal funnel: one Django form read by the page, the exports and the API
(query parameters), so that every caller refuses the same bad values with the same messages
(the page shows them on the form with HTTP 400, the API answers 400 in the error shape).

Parameters (all optional): ``date_from`` / ``date_to`` (``YYYY-MM-DD``, days in Asia/Shanghai,
both included, from 1949-10-01 to 2099-12-31), ``field`` (a `marketplace.choices.Field`
code), ``region`` (a province-level division: its GB/T 2260 code ``PP0000`` or its name, full
or short: ``130000``, ``河北省``, ``河北``), ``organization`` and ``roadshow`` (ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kernel.local_time import BEIJING
from kernel.moments import EARLIEST_DATE, LATEST_DATE, date_in_range, shifted
from marketplace import roles
from marketplace.choices import Field
from marketplace.models import ID_MAX, Organization
from marketplace.regions import (
    province_code_for,
    province_label_lazy,
    province_short_name,
    region_name,
)
from projects.models import Roadshow
from projects.roadshows.selectors import roadshow_list

_PROVINCE_CODE = re.compile(r"[1-9][0-9]0000")


def province_choices() -> list[tuple[str, str]]:
    """The 34 province-level divisions as (``PP0000`` code, name), by code (GB/T 2260); the
    names in the language of the page that shows them (English on English pages)."""
    codes = (f"{prefix}0000" for prefix in range(10, 83))
    return [(code, province_label_lazy(name)) for code in codes if (name := region_name(code))]


@dataclass(frozen=True)
class FunnelFilters:
    """Validated filters; ``None`` / ``""`` means "not filtered". `region` is a ``PP0000``
    code."""

    date_from: date | None = None
    date_to: date | None = None
    field: str = ""
    region: str = ""
    organization: Organization | None = None
    roadshow: Roadshow | None = None

    def period(self) -> tuple[datetime | None, datetime | None]:
        """The period as aware datetimes ``[start, end)``: from 00:00 Beijing time of
        `date_from` to 00:00 of the day after `date_to`."""
        start = (datetime.combine(self.date_from, time.min, tzinfo=BEIJING)
                 if self.date_from else None)
        end = (shifted(datetime.combine(self.date_to, time.min, tzinfo=BEIJING),
                       timedelta(days=1))
               if self.date_to else None)
        return start, end

    def province_names(self) -> set[str]:
        """The names a listing's ``province`` may hold for `region`: full and short."""
        full = region_name(self.region) or ""
        return {full, province_short_name(full)} - {""}

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (those set only)."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "field": self.field,
            "region": self.region,
            "organization": str(self.organization.pk) if self.organization else "",
            "roadshow": str(self.roadshow.pk) if self.roadshow else "",
        }
        return {key: value for key, value in values.items() if value}


def _date_in_range(day: date | None) -> date | None:
    """`day` when it lies in the years the site accepts (`kernel.moments`): a period reaching
    year 1 or 9999 is a typo, and its bounds would not fit a datetime in UTC."""
    if day is not None and not date_in_range(day):
        raise forms.ValidationError(
            _("Give a date from %(earliest)s to %(latest)s.")
            % {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            code="date_out_of_range")
    return day


class FunnelFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Period from"), required=False, input_formats=["%Y-%m-%d"],
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Period to"), required=False, input_formats=["%Y-%m-%d"],
                              widget=forms.DateInput(attrs={"type": "date"}))
    field = forms.ChoiceField(label=_("Field"), required=False,
                              choices=[("", _("All fields")), *Field.choices])
    region = forms.CharField(label=_("Province"), required=False, max_length=20)
    organization = forms.IntegerField(label=_("Organisation"), required=False, min_value=1,
                                      max_value=ID_MAX)
    roadshow = forms.IntegerField(label=_("Roadshow"), required=False, min_value=1,
                                  max_value=ID_MAX)

    def __init__(self, *args: Any, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def offer_choices(self) -> FunnelFilterForm:
        """Give the page's drop-downs their choices (provinces, the viewer's organisations and
        roadshows): read only for a form that is shown, never for the exports or the API."""
        self.fields["region"].widget = forms.Select(
            choices=[("", _("All provinces")), *province_choices()])
        organizations = Organization.objects.order_by("legal_name")
        if self.viewer is not None and not roles.is_broker(self.viewer):
            organizations = organizations.filter(pk__in=roles.organization_ids(self.viewer))
        else:  # brokers: the organisations party to a match request
            organizations = organizations.filter(
                Q(match_requests_sent__isnull=False) | Q(match_requests_received__isnull=False)
            ).distinct()
        self.fields["organization"].widget = forms.Select(
            choices=[("", _("All organisations")),
                     *((o.pk, o.legal_name) for o in organizations)])
        self.fields["roadshow"].widget = forms.Select(
            choices=[("", _("All roadshows")),
                     *((r.pk, r.title) for r in self._roadshows().order_by("-starts_at", "-id"))])
        return self

    def _roadshows(self) -> QuerySet[Roadshow]:
        """The roadshows the viewer may see (`projects.roadshows.selectors.roadshow_list`)."""
        return roadshow_list(viewer=self.viewer or AnonymousUser())

    def clean_region(self) -> str:
        value: str = self.cleaned_data["region"].strip()
        if not value:
            return ""
        code = value if _PROVINCE_CODE.fullmatch(value) else province_code_for(value)
        if code is None or region_name(code) is None:
            raise forms.ValidationError(
                _("Not a province-level division: give its GB/T 2260 code (e.g. 130000) or its "
                  "name (e.g. 河北)."), code="invalid_region")
        return code

    def clean_organization(self) -> Organization | None:
        pk = self.cleaned_data["organization"]
        if pk is None:
            return None
        organization = Organization.objects.filter(pk=pk).first()
        if organization is None:
            raise forms.ValidationError(_("No such organisation."), code="unknown_organization")
        return organization

    def clean_roadshow(self) -> Roadshow | None:
        pk = self.cleaned_data["roadshow"]
        if pk is None:
            return None
        roadshow = self._roadshows().filter(pk=pk).first()
        if roadshow is None:
            raise forms.ValidationError(_("No such roadshow."), code="unknown_roadshow")
        return roadshow

    def clean_date_from(self) -> date | None:
        return _date_in_range(self.cleaned_data["date_from"])

    def clean_date_to(self) -> date | None:
        return _date_in_range(self.cleaned_data["date_to"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> FunnelFilters:
        """The validated filters (call after `is_valid()` returned True)."""
        data = self.cleaned_data
        return FunnelFilters(
            date_from=data.get("date_from"), date_to=data.get("date_to"),
            field=data.get("field") or "", region=data.get("region") or "",
            organization=data.get("organization"), roadshow=data.get("roadshow"),
        )


__all__ = ["BEIJING", "FunnelFilterForm", "FunnelFilters", "province_choices"]
