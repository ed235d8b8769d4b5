"""Saved searches as search queries, and whether a new listing satisfies one.

A saved search keeps the home page's query string parameters (`SearchForm`'s names) as plain
JSON; `search_query` turns them back into the `SearchQuery` the search page would run.
`satisfies` is the backend-neutral check the alerts worker makes: the listing passes the
search's filters (compared with its index document), and, when the search has text, the
listing is on the search's page as it answers now: the configured search backend finds it
for that text (as typed, or with some of the words when no listing has them all) among the
listings that share its own filter values (so the listing is never crowded out of the page
by older hits), or, when the page answers by meaning, it is among the page's nearest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from matching.search.backends.base import BaseSearchBackend, IndexDocument, SearchQuery
from matching.search.fallback import MatchMode, answering_mode, by_meaning, meaning_limit
from matching.search.forms import DEFAULT_KIND, SearchForm

#: The saved parameters, the search form's: lists (its multiple choices) and single values;
#: the page number is never saved.
MULTIPLE = tuple(
    name
    for name, form_field in SearchForm.base_fields.items()
    if isinstance(form_field, forms.MultipleChoiceField)
)
SINGLE = tuple(name for name in SearchForm.base_fields if name not in (*MULTIPLE, "page"))
#: Hits read when checking a text search (among listings with the new listing's values).
CHECK_WINDOW = 200


def clean_params(form: SearchForm) -> dict[str, Any]:
    """The valid, non-empty parameters of a bound, validated search form, as plain JSON."""
    cleaned = getattr(form, "cleaned_data", {})
    params: dict[str, Any] = {}
    for name in SINGLE:
        value = cleaned.get(name)
        if name not in form.errors and value not in (None, ""):
            params[name] = value.strip() if isinstance(value, str) else value
    for name in MULTIPLE:
        values = cleaned.get(name) or []
        if name not in form.errors and values:
            params[name] = list(values)
    if params.get("q") == "":
        del params["q"]
    return params


def search_query(params: Mapping[str, Any]) -> SearchQuery:
    """The search page's `SearchQuery` for saved parameters (bad values are dropped, as the
    page drops them)."""
    data: MultiValueDict[str, str] = MultiValueDict()
    for name in SINGLE:
        if params.get(name) not in (None, ""):
            data[name] = str(params[name])
    for name in MULTIPLE:
        values = params.get(name) or []
        if isinstance(values, list):
            data.setlist(name, [str(value) for value in values])
    form = SearchForm(data)
    form.is_valid()
    return form.query()


def _passes_filters(query: SearchQuery, document: IndexDocument) -> bool:
    if (query.kind or "result") != document.kind:
        return False
    for name, accepted in query.value_filters():
        value = getattr(document, name)
        values = set(value) if isinstance(value, tuple) else {value}
        if not values & set(accepted):
            return False
    if query.trl_min is not None and (document.trl is None or document.trl < query.trl_min):
        return False
    return query.trl_max is None or (document.trl is not None and document.trl <= query.trl_max)


def satisfies(query: SearchQuery, document: IndexDocument, backend: BaseSearchBackend) -> bool:
    """Whether the search page of `query` shows the listing of `document` (which must be
    indexed and searchable), in the try that answers it now (`matching.search.fallback`):
    as typed, with some of the words, or among the nearest in meaning (the page's at most
    SEARCH_MEANING_LIMIT hits). Raises SearchUnavailable when the backend is down."""
    if not document.searchable or not _passes_filters(query, document):
        return False
    if not query.text:
        return True
    mode = answering_mode(query, backend)
    if mode == MatchMode.MEANING:
        page = dataclasses.replace(
            query, page=1, page_size=meaning_limit(), with_facets=False, with_highlights=False
        )
        found = by_meaning(backend, page)
        hits = found.hits if found is not None else []
        return any((h.kind, h.object_id) == (document.kind, document.object_id) for h in hits)
    narrowed = dataclasses.replace(
        query,
        relaxed=mode == MatchMode.SOME_WORDS,
        kind=document.kind,
        fields=(document.field,) if document.field else query.fields,
        provinces=(document.province,) if document.province else query.provinces,
        cities=(document.city,) if document.city else query.cities,
        stages=(document.stage,) if document.stage else query.stages,
        trl_min=document.trl if document.trl is not None else query.trl_min,
        trl_max=document.trl if document.trl is not None else query.trl_max,
        page=1,
        page_size=CHECK_WINDOW,
        with_facets=False,
        with_highlights=False,
    )
    hits = backend.search(narrowed).hits
    return any(hit.object_id == document.object_id for hit in hits)


def _checked_form(params: Mapping[str, Any]) -> tuple[SearchForm, dict[str, list[str]]]:
    """The search form bound to saved parameters, validated, and per-parameter messages for
    what it refuses (strictly, unlike the search page, which drops them): unknown names,
    wrong shapes, bad values, and unknown values of a list (which the form drops)."""
    errors: dict[str, list[str]] = {}
    data: MultiValueDict[str, str] = MultiValueDict()
    for name, value in params.items():
        if name not in SINGLE and name not in MULTIPLE:
            errors[name] = [str(_("Not a search parameter."))]
        elif name in MULTIPLE:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = [str(_("Give a list of values."))]
            else:
                data.setlist(name, value)
        elif value is not None and not isinstance(value, (str, int)):
            errors[name] = [str(_("Give one value."))]
        elif value is not None:
            data[name] = str(value)
    form = SearchForm(data)
    form.is_valid()
    for name, messages in form.errors.items():
        errors.setdefault(name, [str(message) for message in messages])
    for name, values in form.dropped.items():
        invalid = form.fields[name].error_messages["invalid_choice"]
        errors.setdefault(name, [str(invalid) % {"value": value} for value in values])
    return form, errors


def checked_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Saved parameters read once by the search form: (their canonical form, per-parameter
    messages for what the form refuses, strictly, unlike the search page, which drops it:
    unknown names, wrong shapes, bad values, unknown values of a list; {} when all is valid).

    The canonical form is the valid parameters as the search page reads them, so that one
    search is saved in one form: the text without surrounding or invisible characters, TRLs
    as numbers ("03" → 3), the province's short name ("北京市" → "北京"), each list's values
    once and sorted (a list filter means "any of"); empty ones and the page's default listing
    type (``kind`` "result", which the search page's own form always sends) left out."""
    form, errors = _checked_form(params)
    canonical = {
        name: sorted(value) if isinstance(value, list) else value
        for name, value in clean_params(form).items()
        if (name, value) != ("kind", DEFAULT_KIND)
    }
    return canonical, errors


def search_url(params: Mapping[str, Any]) -> str:
    """The search page's address for saved parameters."""
    pairs: list[tuple[str, Any]] = []
    for name, value in params.items():
        if name in MULTIPLE and isinstance(value, list):
            pairs += [(name, item) for item in value]
        else:
            pairs.append((name, value))
    return reverse("home") + ("?" + urlencode(pairs) if pairs else "")
