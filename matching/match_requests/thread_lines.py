"""The lines the system writes into a match request's thread when a broker decides on the
addressee's behalf. They are stored in zh-Hans and en (`bilingual`: both sides may read
different languages, and a thread message is stored text), and shown in the reader's
language (`reader`), the stored text's other line left out."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.models import Organization

ACCEPTED = "accepted"
DECLINED = "declined"


def _accepted(organization: Organization) -> str:
    return _("A broker accepted this request on behalf of %(organization)s.") % {
        "organization": organization
    }


def _declined(organization: Organization) -> str:
    return _("A broker declined this request on behalf of %(organization)s.") % {
        "organization": organization
    }


_LINES: dict[str, Callable[[Organization], str]] = {ACCEPTED: _accepted, DECLINED: _declined}


def _in_both_languages(kind: str, organization: Organization) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = _LINES[kind](organization)
    with translation.override("en"):
        en = _LINES[kind](organization)
    return zh, en


def bilingual(kind: str, organization: Organization) -> str:
    """The stored body of the `kind` line (ACCEPTED or DECLINED): the zh-Hans line, then the
    en line (one line when both read the same)."""
    zh, en = _in_both_languages(kind, organization)
    return zh if zh == en else f"{zh}\n{en}"


def reader(organization: Organization) -> Callable[[str], str]:
    """A function giving a body in the active language when it is one of the stored system
    lines about `organization` (as `bilingual` wrote them), any other body unchanged. The
    stored forms are made once, for a whole thread."""
    stored = {bilingual(kind, organization): line for kind, line in _LINES.items()}

    def read(body: str) -> str:
        line = stored.get(body)
        return line(organization) if line is not None else body

    return read
