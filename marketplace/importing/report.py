"""What an import reports: `ImportReport`, its row errors, and the plain-text error table."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kernel.cells import printable
from kernel.tabular import RowError


@dataclass
class ImportReport:
    """What an import did. ``imported`` is False when nothing was written because of invalid
    rows (then ``created == updated == 0``). ``skipped`` counts invalid rows left out with
    ``skip_invalid``."""

    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        """Number of distinct rows with at least one error."""
        return len({error.row for error in self.errors})


def display(value: Any, depth: int = 0) -> str:
    """A cell as printable text for the report (nesting cut off, unprintables escaped)."""
    if value is None:
        return ""
    if isinstance(value, list | dict) and depth >= 3:
        return "…"
    if isinstance(value, list):
        return "; ".join(display(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{printable(str(key))}: {display(item, depth + 1)}" for key, item in value.items()
        ) + "}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return printable(repr(value)) if isinstance(value, float) else _int_text(value)
    return printable(str(value))


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than Python converts to text
        return _("(a number with too many digits)")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if _width(text) <= limit:
        return text
    clipped = ""
    for char in text:
        if _width(clipped + char) > limit - 1:
            break
        clipped += char
    return clipped + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_error_table(errors: list[RowError], *, value_width: int = 30) -> str:
    """Render row errors as a plain-text table (row, id, column, value, message), aligned for
    terminals that show CJK characters two columns wide. Long values are clipped."""
    header = [_("Row"), _("ID"), _("Column"), _("Value"), pgettext("import report", "Message")]
    lines = [
        [str(e.row), e.record_id, e.column or "-", _clip(e.value, value_width), e.message]
        for e in errors
    ]
    widths = [max(_width(cells[i]) for cells in [header, *lines]) for i in range(4)]
    rendered = []
    for cells in [header, *lines]:
        rendered.append(
            "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(cells[:4])) + "  " + cells[4]
        )
    rendered.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * _width(header[4]))
    return "\n".join(line.rstrip() for line in rendered)
