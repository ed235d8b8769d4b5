"""Highlights of the embedded backend: snippets of a listing's stored text with the matched
terms in `<mark>`…`</mark>` (pure functions; the text is HTML-escaped)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.html import escape

from matching.search import segment

_LATIN_WORD = re.compile(r"[0-9A-Za-z]+")


def listing_highlights(
    stored: Mapping[str, Any], marks: set[str], size: int
) -> dict[str, list[str]]:
    """Field name → snippets of the stored text of a listing ("title", "title_en", "body":
    one each; "keywords": one per matching keyword); fields without a match left out."""
    result: dict[str, list[str]] = {}
    for name in ("title", "title_en", "body"):
        snippet = highlight(str(stored.get(name) or ""), marks, size)
        if snippet:
            result[name] = [snippet]
    keywords = [
        snippet
        for keyword in stored.get("keywords") or []
        if (snippet := highlight(str(keyword), marks, size))
    ]
    if keywords:
        result["keywords"] = keywords
    return result


def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of `terms` in `text`: Chinese terms as substrings (case-insensitive),
    Latin terms as whole words compared in normalised (lower-case, stemmed) form."""
    lower = text.lower() if len(text.lower()) == len(text) else text
    found: list[tuple[int, int]] = []
    latin = set()
    for term in terms:
        if not term:
            continue
        if segment.is_cjk(term):
            start = lower.find(term)
            while start >= 0:
                found.append((start, start + len(term)))
                start = lower.find(term, start + 1)
        else:
            latin.add(term)
    if latin:
        for m in _LATIN_WORD.finditer(text):
            if segment.normalize(m.group()) in latin:
                found.append(m.span())
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """The [start, end) of at most `size` characters holding the most spans."""
    if length <= size:
        return 0, length
    best = (0, -1)
    for span_start, _ in spans:
        start = max(0, min(span_start - 20, length - size))
        inside = sum(1 for s, e in spans if s >= start and e <= start + size)
        if inside > best[1]:
            best = (start, inside)
    return best[0], best[0] + size


def highlight(text: str, terms: Iterable[str], size: int = 120) -> str | None:
    """A snippet of `text` (≤ `size` characters plus ellipses) around the matched `terms`,
    HTML-escaped, with matches wrapped in <mark>…</mark>; None when nothing matches."""
    spans = _spans(text, terms)
    if not spans:
        return None
    start, end = _window(spans, len(text), size)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[cursor:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
