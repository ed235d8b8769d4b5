"""Chinese patent numbers in one canonical form.

Rules and sources:

* Application numbers (申请号) — CNIPA 《专利申请号标准》 ZC 0006-2003, in force since
  2003-10-01: 12 digits ``YYYY T NNNNNNN`` (filing year, application type, serial), then a dot
  and a check character. Type: 1 invention, 2 utility model, 3 design, 8 PCT invention and
  9 PCT utility model entering the national phase. The check character is the sum of the
  digits weighted 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5 from the left, modulo 11; 10 is written
  ``X``. Applications filed before 2003-10-01 have 8 digits ``YY T NNNNN`` (1985-2003) with the
  same check (weights 2-9). A patent number (专利号) is ``ZL`` + the application number.
* Publication and grant numbers (公布号 / 公告号) — CNIPA 《专利文献号标准》 ZC 0007-2012
  (numbers since 2007-07-01): ``CN`` + a 9-digit document number whose first digit is the
  type (1 invention, 2 utility model, 3 design) + a kind code (专利文献种类标识代码): A
  invention application published, B invention patent granted, C invention patent after
  partial invalidation, U utility model granted, Y utility model after partial invalidation,
  S design granted; a following 8 or 9 marks a corrected document (e.g. ``A8``, ``B9``).

Canonical forms (what Keqiao stores):

* an application number without prefixes, with its check character after one ASCII dot:
  ``202110123456.7`` (``ZL202110123456.7``, ``CN 2021 1 0123456.7``, ``202110123456·7``,
  ``2021101234567`` all become this);
* a publication number as ``CN`` + 9 digits + kind code: ``CN112345678A``.

Input may have spaces, lower case, full-width characters and a ``ZL``/``CN`` prefix on an
application number. Everything else is refused with a `ValidationError` that says what is
wrong (its ``code`` names the fault).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Application type digit (ZC 0006-2003).
APPLICATION_TYPES = {"1": "invention", "2": "utility model", "3": "design",
                     "8": "PCT invention", "9": "PCT utility model"}
#: First digit of a publication number -> the kind codes that may follow it (ZC 0007-2012).
KIND_CODES_BY_TYPE = {"1": frozenset("ABC"), "2": frozenset("UY"), "3": frozenset("S")}
KIND_CODES = frozenset("ABCUYS")
#: 12-digit application numbers since 2003-10-01; 8-digit ones from 1985 until then.
NEW_SCHEME_FIRST_YEAR = 2003
OLD_SCHEME_FIRST_YEAR = 1985

_PUBLICATION = re.compile(r"CN(?P<digits>[0-9]+)(?P<kind>[A-Z])(?P<correction>[0-9]?)")
_APPLICATION = re.compile(r"(?P<body>[0-9]+)(?:\.(?P<check>[0-9A-Z])|(?P<x>X))?")
_DOTS = str.maketrans({"·": ".", "。": ".", "．": ".", "•": "."})

_MESSAGES = {
    "not_a_patent_number": _(
        "%(value)s is not a Chinese patent number: enter an application number such as "
        "202110123456.7 or a publication number such as CN112345678A."
    ),
    "application_length": _(
        "%(value)s: an application number has 12 digits (8 for applications filed before "
        "2003-10-01) before its check character; this one has %(count)s."
    ),
    "application_check_missing": _(
        "%(value)s: the check character is missing; write it after a dot, as in "
        "202110123456.7."
    ),
    "application_check_wrong": _(
        "%(value)s: the check character %(check)s does not match the digits before it; one of "
        "them is mistyped."
    ),
    "application_type": _(
        "%(value)s: the application type digit %(type)s is unknown (1 invention, 2 utility "
        "model, 3 design, 8 and 9 PCT)."
    ),
    "application_year": _(
        "%(value)s: the filing year %(year)s is not possible for an application number of this "
        "length."
    ),
    "publication_length": _(
        "%(value)s: a publication number has CN, 9 digits and a kind code (e.g. CN112345678A); "
        "this one has %(count)s digits."
    ),
    "publication_kind": _(
        "%(value)s: the kind code %(kind)s is unknown; use A, B or C (invention), U or Y "
        "(utility model) or S (design), optionally followed by 8 or 9 (corrected)."
    ),
    "publication_kind_mismatch": _(
        "%(value)s: the kind code %(kind)s does not fit a number starting with %(type)s "
        "(1 invention: A, B, C; 2 utility model: U, Y; 3 design: S)."
    ),
    "not_canonical": _("%(value)s is not in canonical form; store it as %(canonical)s."),
}


def _error(code: str, **params: object) -> ValidationError:
    return ValidationError(_MESSAGES[code], code=f"patent_{code}", params=params)


def check_character(body: str) -> str:
    """The check character of a 12- or 8-digit application number body (ZC 0006-2003):
    ``check_character("202110123456")`` -> ``"7"``."""
    total = sum(int(digit) * (2 + index % 8) for index, digit in enumerate(body))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _publication(text: str, shown: str) -> str:
    match = _PUBLICATION.fullmatch(text)
    if match is None:
        raise _error("not_a_patent_number", value=shown)
    digits, kind, correction = match["digits"], match["kind"], match["correction"]
    if len(digits) != 9:
        raise _error("publication_length", value=shown, count=len(digits))
    if kind not in KIND_CODES or correction not in ("", "8", "9"):
        raise _error("publication_kind", value=shown, kind=kind + correction)
    if kind not in KIND_CODES_BY_TYPE.get(digits[0], frozenset()):
        raise _error("publication_kind_mismatch", value=shown, kind=kind, type=digits[0])
    return f"CN{digits}{kind}{correction}"


def _application(text: str, shown: str, *, complete_check: bool) -> str:
    match = _APPLICATION.fullmatch(text.removesuffix("."))  # a dot without its character
    if match is None:
        raise _error("not_a_patent_number", value=shown)
    body, check = match["body"], match["check"] or match["x"]
    if check is None and len(body) in (13, 9):  # the check digit written without its dot
        body, check = body[:-1], body[-1]
    if len(body) not in (12, 8):
        raise _error("application_length", value=shown, count=len(body))
    if len(body) == 12:
        year, kind = int(body[:4]), body[4]
        first, last = NEW_SCHEME_FIRST_YEAR, timezone.localdate().year
    else:
        short, kind = int(body[:2]), body[2]
        year = 1900 + short if short >= 85 else 2000 + short
        first, last = OLD_SCHEME_FIRST_YEAR, NEW_SCHEME_FIRST_YEAR
    if not first <= year <= last:
        raise _error("application_year", value=shown, year=year)
    if kind not in APPLICATION_TYPES:
        raise _error("application_type", value=shown, type=kind)
    expected = check_character(body)
    if check is None:
        if not complete_check:
            raise _error("application_check_missing", value=shown)
        check = expected
    if check != expected:
        raise _error("application_check_wrong", value=shown, check=check)
    return f"{body}.{check}"


def canonical_patent_number(value: object, *, complete_check: bool = False) -> str:
    """The canonical form of a Chinese patent application or publication number (see the
    module docstring): ``"ZL 2021 1 0123456.7"`` -> ``"202110123456.7"``,
    ``"cn112345678a"`` -> ``"CN112345678A"``.

    `complete_check`: accept an application number without its check character and add it
    (for importing listings that omit it; the check then catches no typing error). Raises
    `ValidationError` whose message says what is wrong and whose code is one of
    ``patent_not_a_patent_number``, ``patent_application_length``,
    ``patent_application_check_missing``, ``patent_application_check_wrong``,
    ``patent_application_type``, ``patent_application_year``, ``patent_publication_length``,
    ``patent_publication_kind``, ``patent_publication_kind_mismatch``.
    """
    if not isinstance(value, str):
        raise _error("not_a_patent_number", value=str(value))
    shown = value.strip()
    text = "".join(unicodedata.normalize("NFKC", value).translate(_DOTS).split()).upper()
    text = text.replace("-", "")
    if not text:
        raise _error("not_a_patent_number", value=shown)
    publication = re.fullmatch(r"CN([0-9]+)([A-Z])[0-9]?", text)
    if publication and not (publication[2] == "X" and len(publication[1]) in (12, 8)):
        return _publication(text, shown)
    for prefix in ("CNZL", "ZLCN", "ZL", "CN"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return _application(text, shown, complete_check=complete_check)


def validate_patent_number(value: str) -> None:
    """Model-field validator: `value` must already be canonical (`canonical_patent_number`).
    Raises its `ValidationError`s, or ``patent_not_canonical`` naming the canonical form."""
    canonical = canonical_patent_number(value)
    if canonical != value:
        raise _error("not_canonical", value=value, canonical=canonical)


def is_application_number(canonical: str) -> bool:
    """True for a canonical application number, False for a publication number."""
    return not canonical.startswith("CN")


__all__ = [
    "canonical_patent_number",
    "check_character",
    "is_application_number",
    "validate_patent_number",
]
