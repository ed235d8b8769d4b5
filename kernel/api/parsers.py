"""Request parsers that refuse input no database or response can hold."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: a lone UTF-16 surrogate anywhere in the document (e.g. the
    escape "\\ud800") is a 400 parse error. Such strings are valid JSON but not valid Unicode
    text: they cannot be stored or echoed back in an error message."""

    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            has_surrogate = _has_lone_surrogate(data)
        except RecursionError as exc:
            raise ParseError(_("JSON nested too deeply.")) from exc
        if has_surrogate:
            raise ParseError(_("Surrogate characters are not allowed."))
        return data
