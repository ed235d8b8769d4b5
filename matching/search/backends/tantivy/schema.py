"""The Tantivy index's schema and documents: what a listing becomes in the embedded index.

Fields:

- `key` ("result:12"): the document's identity, for replacing and deleting it.
- Filters and facets, as fast fields (Tantivy's column store, read per hit, never per row):
  `kind`, `field`, `province`, `city`, `stage`, `modes` (raw strings, several modes per
  listing), `trl`, `price_min`/`price_max` (CNY as float), `expires` (UTC epoch seconds),
  and `recency` (the order of text-less searches). Empty values are left out, so
  facets never count "".
- Text: the segmented `WORD_FIELDS` and `GRAM_FIELD` of `analysis.document_terms`, each term
  one whitespace-separated token (the analysis ran in Python; Tantivy only splits on spaces),
  plus `words`, all word terms of the listing in one field for the match conditions of plans.
- Suggestions: `suggest_title`, `suggest_title_en`, `suggest_keyword` hold the texts
  NFKC-normalised and lower-cased, untokenised, for prefix queries.
- `stored`: the original texts and the word terms (JSON bytes, stored, not indexed) for
  highlights and the matcher.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import tantivy

from matching.search.analysis import GRAM_FIELD, WORD_FIELDS, document_terms
from matching.search.backends.base import IndexDocument, ListingKind

#: The analyser of the text fields: the terms were cut by `matching.search.segment`.
TERMS_TOKENIZER = "keqiao_terms"
#: Fields filtered with "any of" term sets; also the string facets.
STRING_FILTERS: tuple[str, ...] = ("kind", "field", "province", "city", "stage", "modes")
SUGGEST_FIELDS: tuple[str, ...] = ("suggest_title", "suggest_title_en", "suggest_keyword")
#: Fields whose values are bytes.
BYTES_FIELDS: tuple[str, ...] = ("stored",)

# `recency` orders newest first: publication second, then kind ("need" before "result", as
# Elasticsearch's sort), then the highest id: 32 bits of seconds (until 2106), 1 of kind and
# 26 of id fit an i64 (ids beyond 2**26 wrap, which only changes the order of equals).
_KIND_BIT = 1 << 26
_SECOND = 1 << 27


def build_schema() -> tantivy.Schema:
    """The schema of a new index (see the module docstring)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    for name in STRING_FILTERS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in ("trl", "expires", "recency"):
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in ("price_min", "price_max"):
        builder.add_float_field(name, indexed=True, fast=True)
    for name in (*WORD_FIELDS, GRAM_FIELD, "words"):
        builder.add_text_field(name, tokenizer_name=TERMS_TOKENIZER, index_option="freq")
    for name in SUGGEST_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("stored", stored=True, indexed=False)
    return builder.build()


SCHEMA = build_schema()


def register_tokenizers(index: tantivy.Index) -> None:
    """Register the analyser of the text fields on an opened index (needed per process)."""
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    index.register_tokenizer(TERMS_TOKENIZER, analyzer)


def document_key(kind: ListingKind | str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def suggest_text(text: str) -> str:
    """How suggestions compare text: NFKC, stripped, lower-cased."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def recency(document: IndexDocument) -> int:
    """The sort key of text-less searches (see `_SECOND`): larger is newer."""
    seconds = int(document.published_at.timestamp()) if document.published_at else 0
    kind = _KIND_BIT if document.kind == "need" else 0
    return max(seconds, 0) * _SECOND + kind + document.object_id % _KIND_BIT


def id_bits_of_recency(value: int) -> int:
    """The object id's low bits that `recency` carries: the id itself below `ID_BITS_LIMIT`."""
    return value % _KIND_BIT


#: Ids below this are whole in `recency` (its fast field gives them without a stored document).
ID_BITS_LIMIT = _KIND_BIT


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def fields_of(document: IndexDocument) -> dict[str, list[Any]]:
    """The field values of a searchable listing's index document (plain data, so that
    worker processes can prepare them: the segmentation is the costly part)."""
    terms = document_terms(document)
    fields: dict[str, list[Any]] = {
        "key": [document_key(document.kind, document.object_id)],
        "recency": [recency(document)],
    }
    for name, value in (
        ("kind", document.kind),
        ("field", document.field),
        ("province", document.province),
        ("city", document.city),
        ("stage", document.stage),
    ):
        if value:
            fields[name] = [value]
    optional: dict[str, list[Any]] = {
        "modes": list(dict.fromkeys(document.modes)),
        "trl": [] if document.trl is None else [document.trl],
        "expires": [] if document.expires_at is None else [epoch_seconds(document.expires_at)],
        "price_min": [] if document.price_min_cny is None else [float(document.price_min_cny)],
        "price_max": [] if document.price_max_cny is None else [float(document.price_max_cny)],
        "suggest_title": [suggest_text(document.title)],
        "suggest_title_en": [suggest_text(document.title_en)],
        "suggest_keyword": [suggest_text(keyword) for keyword in document.keywords],
    }
    fields.update({name: [v for v in values if v != ""] for name, values in optional.items()})
    for name in (*WORD_FIELDS, GRAM_FIELD):
        fields[name] = [" ".join(terms[name])]
    fields["words"] = [" ".join(t for name in WORD_FIELDS for t in terms[name])]
    stored = {
        "title": document.title,
        "title_en": document.title_en,
        "body": document.body,
        "keywords": list(document.keywords),
        "owner_name": document.owner_name,
        "terms": {name: sorted(set(terms[name])) for name in WORD_FIELDS},
    }
    fields["stored"] = [json.dumps(stored, ensure_ascii=False).encode()]
    return {name: values for name, values in fields.items() if values}


def to_tantivy(fields: dict[str, list[Any]]) -> tantivy.Document:
    """The Tantivy document of `fields_of(document)`."""
    return tantivy.Document.from_dict(fields, SCHEMA)


def stored_of(found: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The `stored` JSON of a fetched document (`Searcher.doc(...).to_dict()`)."""
    values = found.get("stored") or [b"{}"]
    loaded: dict[str, Any] = json.loads(bytes(values[0]))
    return loaded
