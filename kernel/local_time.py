"""Beijing time, the time people type and read on Keqiao (``settings.TIME_ZONE``; stored times
are aware UTC datetimes): the zone and the form widget of a date and time typed in it.

A `forms.DateTimeField` with `datetime_local_widget` reads ``YYYY-MM-DDTHH:MM`` (what a
browser's ``<input type="datetime-local">`` sends) in the current time zone, Beijing time unless
a view activates another, and shows an initial aware datetime in it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms

#: China Standard Time (UTC+8, no daylight saving), the IANA zone Asia/Shanghai.
BEIJING = ZoneInfo("Asia/Shanghai")


def datetime_local_widget() -> forms.DateTimeInput:
    """A date-and-time input (``type="datetime-local"``) with the value in the format it
    takes, ``YYYY-MM-DDTHH:MM``."""
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


__all__ = ["BEIJING", "datetime_local_widget"]
