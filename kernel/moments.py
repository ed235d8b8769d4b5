"""Arithmetic on moments that never overflows, and the calendar range the site accepts.

`datetime + timedelta` raises OverflowError past year 9999 (and before year 1); a stored moment
near either end (an event saved before its times were bounded, a filter's date) must read as
"the end of time", not crash the page that adds a window to it (Python `datetime` docs:
"OverflowError is raised if the result is out of range").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

#: The dates a user may give: a technology-transfer event or report outside them is a typo.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

_LAST = datetime.max.replace(tzinfo=UTC)
_FIRST = datetime.min.replace(tzinfo=UTC)


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, or the last (first) representable moment when that overflows."""
    try:
        return moment + delta
    except OverflowError:
        return _LAST if delta > timedelta(0) else _FIRST


def date_in_range(day: date) -> bool:
    """Whether `day` lies within `EARLIEST_DATE`..`LATEST_DATE`."""
    return EARLIEST_DATE <= day <= LATEST_DATE


__all__ = ["EARLIEST_DATE", "LATEST_DATE", "date_in_range", "shifted"]
