"""Template filters of the Keqiao site: labels for stored codes, one language of a bilingual
text, percentages, and query strings for facet links.

Usage: `{% load keqiao %}` then `{{ code|mode_label }}`, `{{ code|field_label }}`,
`{{ code|stage_label }}`, `{{ notification.message|one_language }}`, `{{ 0.734|percent }}`,
`{% query_with request "page" 2 %}`.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.http import HttpRequest
from django.utils.translation import get_language

from marketplace.choices import Field, IpType, Stage, TransferMode
from marketplace.web_helpers import split_bilingual

register = template.Library()


def _label(choices: type[models.TextChoices], code: Any) -> str:
    if code in (None, ""):
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


@register.filter
def mode_label(code: str) -> str:
    """A transfer/cooperation mode code → its label in the active language."""
    return _label(TransferMode, code)


@register.filter
def field_label(code: str) -> str:
    return _label(Field, code)


@register.filter
def stage_label(code: str) -> str:
    return _label(Stage, code)


@register.filter
def ip_type_label(code: str) -> str:
    return _label(IpType, code)


@register.filter
def one_language(text: str) -> str:
    """The active language's half of a notification stored as "zh / en"."""
    return split_bilingual(str(text or ""), get_language())


@register.filter
def percent(value: float | None) -> int:
    """0.734 → 73 (a 0–1 score as a whole percentage, clamped to 0–100)."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.simple_tag
def query_with(request: HttpRequest, *pairs: Any, toggle: str = "", value: Any = None) -> str:
    """The current query string with parameters replaced: `{% query_with request "page" 2 %}`
    sets page=2; `{% query_with request toggle="field" value=code %}` adds or removes one value of
    a multi-valued parameter. Changing anything other than the page resets the page."""
    query = request.GET.copy()
    keys = [str(k) for k in pairs[::2]]
    for key, val in zip(pairs[::2], pairs[1::2], strict=False):
        if val in (None, ""):
            query.pop(str(key), None)
        else:
            query[str(key)] = str(val)
    if toggle:
        values = query.getlist(toggle)
        if str(value) in values:
            values.remove(str(value))
        else:
            values.append(str(value))
        query.setlist(toggle, values)
    if keys != ["page"]:
        query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
