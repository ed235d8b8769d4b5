"""Database ids that come in as text (query parameters, form fields, outside systems).

Database ids are positive 64-bit integers (BigAutoField; SQLite's INTEGER is 8 bytes too):
a larger number makes the database driver raise OverflowError, and Python's `int()` refuses
text of more than 4,300 digits (ValueError), leading zeros included. So text is read as an id
only when it is ASCII digits naming 1..`ID_MAX`.
"""

from __future__ import annotations

ID_MAX = 2**63 - 1


def id_from_text(text: str | None) -> int | None:
    """The id that `text` writes in ASCII digits (surrounding spaces and leading zeros
    allowed: " 007" → 7), or None: for text that is not ASCII digits ("٣", "９", "-1", "1e3",
    ""), 0, or a number past `ID_MAX`."""
    digits = (text or "").strip()
    if not (digits.isascii() and digits.isdigit()):
        return None
    digits = digits.lstrip("0")
    if not digits or len(digits) > len(str(ID_MAX)):
        return None
    number = int(digits)
    return number if number <= ID_MAX else None
