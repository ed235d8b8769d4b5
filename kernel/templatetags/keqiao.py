"""Template filters of the Keqiao site, loaded by every app's templates: listing titles in the
active language, punctuation and list joining that follow the active language, CNY amounts,
percentages, and query strings for facet links. The kernel's, so they import no app: labels of
the listings' choices (`marketplace.choices.choice_label`) and a notification's text
(`marketplace.notifications.notification_text`) are given to templates by their views.

Usage: `{% load keqiao %}` then `{{ labels|join_list }}`,
`{{ listing|display_title }}` / `{{ listing|secondary_title }}`, `{{ amount|cny }}`,
`{{ count|parens }}`, `{% translate "Source" %}{% colon %}`, `{% list_comma %}`, `{% full_stop %}`,
`{{ 0.734|percent }}`,
`{% query_with request "page" 2 %}`, `{% return_path as back %}`,
`{% filter squash %}…{% endfilter %}`.

Chinese typography (GB/T 15834): in zh-Hans text the colon and brackets are full-width ("：",
"（…）") and items of a list are separated by the enumeration comma "、"; English uses ": ",
"(…)" and ", ".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

from kernel.money import CENT, format_amount
from kernel.web import MAX_RETURN_PATH

register = template.Library()


def _is_english(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("en")


@register.filter
def join_list(values: Iterable[Any] | None) -> str:
    """Items joined the way the active language writes a list: "合作开发、许可" in Chinese,
    "joint development, licence" in English. Empty items are skipped; None → ""."""
    items = [str(value) for value in values or [] if value not in (None, "")]
    return (", " if _is_english() else "、").join(items)


@register.filter(is_safe=True)
def squash(value: Any) -> str:
    """`value` with every run of white space made one space and none at either end (a page
    title put together from blocks spread over several lines)."""
    return " ".join(str(value).split())


@register.filter
def parens(value: Any) -> str:
    """A value in brackets of the active language: "(3)" in English, "（3）" in Chinese."""
    return f"({value})" if _is_english() else f"（{value}）"


@register.simple_tag
def colon() -> str:
    """The colon after a label: ": " in English, "：" (full-width, no space) in Chinese."""
    return ": " if _is_english() else "："


@register.simple_tag
def list_comma() -> str:
    """Between items of a list written out item by item (a template loop): ", " in English,
    "、" in Chinese, as `join_list`."""
    return ", " if _is_english() else "、"


@register.simple_tag
def full_stop() -> str:
    """The end of a sentence put together in a template: "." in English, "。" in Chinese."""
    return "." if _is_english() else "。"


@register.filter
def display_title(listing: Any) -> str:
    """The listing's title for the active language: the English title (`title_en`) on English
    pages when there is one, otherwise the (Chinese) title."""
    title = str(getattr(listing, "title", "") or "")
    title_en = str(getattr(listing, "title_en", "") or "").strip()
    if title_en and _is_english():
        return title_en
    return title


@register.filter
def secondary_title(listing: Any) -> str:
    """The listing's title in the other language, shown as a second line under
    `display_title`: the Chinese title on English pages, the English title on Chinese pages;
    "" when there is none or it is the same text."""
    title = str(getattr(listing, "title", "") or "")
    title_en = str(getattr(listing, "title_en", "") or "").strip()
    if not title_en or title_en == title:
        return ""
    return title if _is_english() else title_en


@register.filter
def secondary_title_lang(listing: Any) -> str:
    """The `lang` attribute value of `secondary_title`: "zh-Hans" on English pages, "en" on
    Chinese pages."""
    return "zh-Hans" if _is_english() else "en"


@register.filter
def cny(amount: Any) -> str:
    """A CNY amount as "¥500,000.00": two decimals and comma thousands separators in every
    language (money is Decimal with 2 places, DESIGN.md §4; more places are rounded half up).
    None/"" → ""; a value that is not a number is returned as text."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    if not value.is_finite():
        return str(amount)
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{format_amount(abs(value))}"


@register.filter
def percent(value: float | None) -> int:
    """0.734 → 73 (a 0–1 score as a whole percentage, clamped to 0–100)."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.simple_tag(takes_context=True)
def return_path(context: template.Context) -> str:
    """Where a link that leaves the page (log in, switch language) should return: the view's
    `return_path` when it gives one (the search page gives only the parameters it used), else
    the request's path and query; the path alone beyond `MAX_RETURN_PATH` characters, "" when
    the page was rendered without a request."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return ""
    given = str(context.get("return_path") or request.get_full_path())
    return given if len(given) <= MAX_RETURN_PATH else escape_uri_path(request.path)


@register.simple_tag
def query_with(
    request: HttpRequest, *pairs: Any, toggle: str = "", value: Any = None, keep: Any = None
) -> str:
    """The current query string with parameters replaced: `{% query_with request "page" 2 %}`
    sets page=2; `{% query_with request toggle="field" value=code %}` adds or removes one value of
    a multi-valued parameter. Changing anything other than the page resets the page. `keep`, a
    list or tuple of parameter names, leaves out every other parameter of the request (what
    the page does not read, however long, is not copied into its links)."""
    query = request.GET.copy()
    # A list, even empty; anything else (a template's undefined variable is "") keeps all.
    if isinstance(keep, list | tuple):
        for name in [name for name in query if name not in keep]:
            query.pop(name)
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
