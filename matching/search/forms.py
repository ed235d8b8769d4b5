"""The home page's search form: free text, listing type, facet filters and the page number,
turned into a `SearchQuery` for the configured backend.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.invisible_text import without_invisible
from marketplace.choices import Field, Stage, TransferMode
from marketplace.regions import province_short_name
from matching.search.backends.base import ListingKind, SearchQuery
from matching.search.fallback import word_groups

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_QUERY_CHARS = 200

KIND_CHOICES = [("result", _("Research results")), ("need", _("Technology needs"))]
#: The listing type searched when the page does not say.
DEFAULT_KIND: ListingKind = "result"
NO_SEARCH_WORDS = _("“%(text)s” has no word that can be searched for.")
# Django's own wording reads "该变量" (this variable) in Chinese.
TOO_LONG = _("At most %(limit_value)d characters (%(show_value)d given).")
REVERSED_TRL = _("The maximum TRL must not be below the minimum TRL.")


def reversed_trl(low: int | None, high: int | None) -> bool:
    """Whether a TRL range's maximum is below its minimum (the search page and the search API
    refuse it alike)."""
    return low is not None and high is not None and low > high


#: The search form's filters: what the page's "Clear all" removes (the text and the listing
#: type stay).
FILTER_FIELDS = ("field", "province", "stage", "modes", "trl_min", "trl_max")


class SearchForm(forms.Form):
    """The home page's search: free text, listing type, facet filters (lists mean "any of")
    and the page number. Unknown or bad values are dropped rather than refused, so a mangled
    link still shows results; the page names what it ignored (`ignored`)."""

    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_CHARS,
        required=False,
        error_messages={"max_length": TOO_LONG},
    )
    kind = forms.ChoiceField(label=_("Listing type"), choices=KIND_CHOICES, required=False)
    field = forms.MultipleChoiceField(label=_("Field"), choices=Field.choices, required=False)
    province = forms.CharField(label=_("Province"), max_length=20, required=False)
    stage = forms.MultipleChoiceField(label=_("Stage"), choices=Stage.choices, required=False)
    modes = forms.MultipleChoiceField(
        label=_("Transfer / cooperation modes"), choices=TransferMode.choices, required=False
    )
    trl_min = forms.IntegerField(label=_("Minimum TRL"), min_value=1, max_value=9, required=False)
    trl_max = forms.IntegerField(label=_("Maximum TRL"), min_value=1, max_value=9, required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, data: MultiValueDict[str, str] | None = None) -> None:
        # A list filter keeps its known values: one unknown value (field=new_energy&field=x)
        # used to drop the whole filter while the sidebar still showed it ticked. Unknown
        # values are named by `ignored`; empty ones (a form's blank option) are no filter.
        self.dropped: dict[str, list[str]] = {}
        if data is not None:
            data = data.copy()
            for name, field in self.base_fields.items():
                if isinstance(field, forms.MultipleChoiceField) and name in data:
                    # Each value once: a value repeated 333 times in a 13 KB address was
                    # copied into every link and filter chip (a 12 MB page).
                    values = list(dict.fromkeys(v for v in data.getlist(name) if v.strip()))
                    data.setlist(name, [v for v in values if field.valid_value(v)])
                    if unknown := [v for v in values if not field.valid_value(v)]:
                        self.dropped[name] = unknown
        super().__init__(data)

    def clean_q(self) -> str:
        """The text, refused when no word of it can be searched for ("的", "a", "🔋"): it would
        list every listing as if each matched."""
        # Invisible and bidi control characters are no part of a search (a lone U+202E was
        # refused as “” and turned the page's title around).
        text = without_invisible(str(self.cleaned_data.get("q") or "")).strip()
        if text and word_groups(text) == 0:
            raise forms.ValidationError(NO_SEARCH_WORDS, params={"text": text})
        return text

    def clean_province(self) -> str:
        """The short name the listings store and the facets count ("北京市" → "北京")."""
        return province_short_name(self.cleaned_data.get("province") or "")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if reversed_trl(cleaned.get("trl_min"), cleaned.get("trl_max")):
            self.add_error("trl_max", REVERSED_TRL)
        return cleaned

    def ignored(self) -> list[str]:
        """What `query` leaves out, one line per error: "label: message" (call after
        `is_valid()`)."""
        messages = [
            (name, str(message)) for name, errors in self.errors.items() for message in errors
        ]
        for name, values in self.dropped.items():
            invalid = self.fields[name].error_messages["invalid_choice"]
            messages += [(name, str(invalid) % {"value": value}) for value in values]
        return [
            without_invisible(
                gettext("%(label)s: %(message)s") % {"label": self.fields[name].label, "message": m}
                if name in self.fields
                else m
            )
            for name, m in messages
        ]

    def query(self) -> SearchQuery:
        """The `SearchQuery` for the valid part of the input (call after `is_valid()`)."""
        data: dict[str, Any] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for name in self.fields:
            if name in cleaned and name not in self.errors:
                data[name] = cleaned[name]
        return SearchQuery(
            text=(data.get("q") or "").strip(),
            kind=data.get("kind") or DEFAULT_KIND,
            fields=tuple(data.get("field") or ()),
            provinces=(data["province"],) if data.get("province") else (),
            stages=tuple(data.get("stage") or ()),
            modes=tuple(data.get("modes") or ()),
            trl_min=data.get("trl_min"),
            trl_max=data.get("trl_max"),
            page=data.get("page") or 1,
            page_size=PAGE_SIZE,
        )
