"""Elasticsearch highlights in the embedded backend's form, and hits from its answers.

The text fields are highlighted with a highlight query of the plan's words, their synonyms,
the typed text and sub-words (HTML-escaped by Elasticsearch's `html` encoder, `<mark>` around
matches); `normalise_snippet` then brings the fragments to the embedded backend's form.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch.dsl import Q, Search

from matching.search.analysis import Group
from matching.search.backends.base import SearchHit

HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "title_en", "body", "keywords")


def with_highlights(search: Search, groups: Sequence[Group], snippet_chars: int) -> Search:
    """`search` asking for highlights of the groups' words, surface text, sub-words and
    synonyms in the text fields (a body fragment of at most `snippet_chars` characters)."""
    phrases: dict[str, None] = {}
    for group in groups:
        if group.word:
            phrases[" ".join(group.word)] = None
            for expansion in group.expansions:
                phrases[" ".join(expansion.terms)] = None
        if group.raw:
            phrases[group.raw] = None
        if group.surface:
            phrases[group.surface] = None
        for part in group.parts:
            phrases[part.term] = None
    highlight_query = Q(
        "bool",
        should=[
            Q("multi_match", query=phrase, type="phrase", fields=list(HIGHLIGHT_FIELDS))
            for phrase in phrases
        ],
    )
    search = search.highlight_options(
        pre_tags=["<mark>"],
        post_tags=["</mark>"],
        encoder="html",
        require_field_match=True,
        highlight_query=highlight_query.to_dict(),
    )
    search = search.highlight("title", number_of_fragments=0)
    search = search.highlight("title_en", number_of_fragments=0)
    search = search.highlight("keywords", number_of_fragments=0)
    return search.highlight(
        "body", fragment_size=snippet_chars, number_of_fragments=1, no_match_size=0
    )


def hit_from(hit: Any, *, scored: bool) -> SearchHit:
    """A SearchHit of one Elasticsearch hit (score 0 when the query was not scored). Its
    `terms` are the source's `terms` when the request asked for them, else None."""
    source = hit.to_dict()
    score = float(hit.meta.score or 0.0) if scored else 0.0
    highlights: dict[str, list[str]] = {}
    found = getattr(hit.meta, "highlight", None)
    if found is not None:
        for name in HIGHLIGHT_FIELDS:
            snippets = list(getattr(found, name, []) or [])
            if snippets:
                highlights[name] = [normalise_snippet(s, source, name) for s in snippets]
    return SearchHit(
        kind=source["kind"],
        object_id=int(source["object_id"]),
        score=round(score, 6),
        highlights=highlights,
        terms=frozenset(source["terms"]) if "terms" in source else None,
    )


def normalise_snippet(snippet: str, source: Mapping[str, Any], name: str) -> str:
    """Elasticsearch's snippet in the embedded backend's form: adjacent marks merged, "/"
    not escaped (Lucene's HTML encoder writes &#x2F;), "…" where text was cut."""
    text = snippet.replace("</mark><mark>", "").replace("&#x2F;", "/")
    if name != "body":
        return text
    plain = html.unescape(text.replace("<mark>", "").replace("</mark>", "")).strip()
    whole = str(source.get("body") or "").strip()
    if plain and plain != whole:
        if not whole.startswith(plain):
            text = "…" + text
        if not whole.endswith(plain):
            text = text + "…"
    return text
