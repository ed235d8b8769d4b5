"""The Elasticsearch index: its analysis, mapping and documents.

- `title`, `title_en`, `keywords`, `body`, `owner_name`: the original text, analysed with the
  stock `cjk` analyzer (character bigrams). Used for highlighting; `title`, `keywords` and
  `body` are also copied into `grams`, the bigram field (low weight), so that any two-character
  term is found inside unknown compounds — the embedded backend's "grams".
- `seg.title`, `seg.title_en`, `seg.keywords`, `seg.body` (+ `seg_all`, their copy for
  cross-field matching): the SAME segmentation as the embedded backend. We segment with
  `matching.search.segment.index_terms` (jieba search mode, normalised, stemmed) and send the
  terms joined by spaces; queries are segmented the same way by us. Each term is sent in a
  form that the stock `standard` tokenizer keeps as one token: plain `[a-z0-9]+` terms as
  they are, every other term as its code points (`储能` → `_50a8_80fd`, `li-ion` →
  `_6c_69_2d_69_6f_6e`). The development node has no `whitespace` tokenizer (it lives in the
  `analysis-common` module), and this encoding works unchanged on every Elasticsearch 8/9.
- keyword fields for filters and facets (`kind`, `field`, `province`, `city`, `stage`,
  `modes`, `ipc`, `owner_name.keyword`, `title.keyword`), numbers and dates (`trl`, prices in
  CNY as double, `expires_at`, `published_at`), and `suggest`, a completion field fed with the
  title (weight 3), English title (2) and keywords (1) for autocomplete.
- `terms`: the index terms of `TERM_FIELDS` as a plain list, kept in the stored source only
  (not indexed, no doc values), so that the matcher reads a candidate's terms back
  (`SearchHit.terms`) instead of segmenting its text again. The `seg.*` texts themselves are
  left out of the stored source.
- `embedding`: the listing's stored vector (`IndexDocument.embedding`, made by the configured
  embedder, `matching.semantic`) as a `dense_vector` with cosine similarity, indexed for kNN
  as an HNSW graph over int8-quantised copies (`int8_hnsw`; searches rescore the best with the
  float vectors, `queries.knn_clause`); `dims` is the embedder's (none without one: the first
  vector fixes it). Left out of the stored source like `seg.*` (nothing reads it back); a
  document without a vector simply lacks the field.
- `_meta.mapping_version` (`MAPPING_VERSION`): 2 since `embedding`. Writes refuse an index of
  another version (`lifecycle`): `manage.py update_index` builds a current one.
- Synonyms: the analysed rules of the synonym file (`matching.search.analysis.synonyms`), each
  term tuple encoded as above, passed inline to two search-time `synonym_graph` filters:
  `keqiao_seg_syn_eq` (equivalence lines) and `keqiao_seg_syn` (all lines, one-way "=>" rules
  included). Extending the file and running `manage.py update_index` (a new index) makes a
  new synonym effective.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from elasticsearch.dsl import (
    Boolean,
    Completion,
    Date,
    DenseVector,
    Document,
    Double,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    Mapping,
    Object,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)
from elasticsearch.dsl.document_base import MetaField

from matching.search.analysis import WORD_FIELDS, SynonymTable, document_terms
from matching.search.backends.base import TERM_FIELDS, IndexDocument

#: The version of the mapping below, kept in the index's `_meta`: 1 before `embedding`.
MAPPING_VERSION = 2
EMBEDDING_FIELD = "embedding"
SEG_FIELDS: tuple[str, ...] = ("title", "title_en", "keywords", "body")
SEG_ANALYZER = "keqiao_seg"
SYN_EQ_ANALYZER = "keqiao_seg_syn_eq"
SYN_ALL_ANALYZER = "keqiao_seg_syn"

#: The standard tokenizer keeps a [a-z0-9]+ run, and one joined by "_", as one token.
_term_tokenizer = tokenizer("keqiao_terms", "standard", max_token_length=255)
seg_analyzer = analyzer("keqiao_seg", tokenizer=_term_tokenizer, filter=["lowercase"])
suggest_analyzer = "simple"  # core: letters, lower-cased (Chinese runs stay whole)

_PLAIN_TERM = re.compile(r"[a-z0-9]+")


def encode_term(term: str) -> str:
    """The token form of one segmented term: `[a-z0-9]+` as is, anything else as its code
    points joined by "_" (储能 → "_50a8_80fd"), which the standard tokenizer keeps whole."""
    if _PLAIN_TERM.fullmatch(term):
        return term
    return "_" + "_".join(f"{ord(char):x}" for char in term)


def decode_term(token: str) -> str:
    """The inverse of `encode_term`."""
    if not token.startswith("_"):
        return token
    try:
        return "".join(chr(int(code, 16)) for code in token[1:].split("_"))
    except ValueError:
        return token


def seg_text(terms: Iterable[str]) -> str:
    """Terms as the text of a segmented field or query (encoded, space-separated)."""
    return " ".join(encode_term(term) for term in terms)


# --- synonyms ------------------------------------------------------------------------------
def synonym_lines(table: SynonymTable) -> tuple[list[str], list[str]]:
    """(equivalence lines, all lines) of `table`'s rules in Solr format and token form, for
    the two synonym_graph filters (a line without two terms to relate is left out)."""
    equivalent: list[str] = []
    every: list[str] = []
    for rule in table.rules:
        left = ", ".join(seg_text(phrase) for phrase in rule.left)
        if rule.right is None:
            if len(rule.left) < 2:
                continue
            equivalent.append(left)
            every.append(left)
        elif rule.left and rule.right:
            every.append(left + " => " + ", ".join(seg_text(phrase) for phrase in rule.right))
    return equivalent, every


def synonym_analyzers(table: SynonymTable) -> list[Any]:
    """The two search-time analyzers: equivalences only, and all rules."""
    out = []
    equivalent, every = synonym_lines(table)
    for name, lines in ((SYN_EQ_ANALYZER, equivalent), (SYN_ALL_ANALYZER, every)):
        # synonym_graph needs at least one rule; a rule mapping a token of nothing to itself
        # keeps an empty synonym file valid.
        synonyms = list(lines) or ["_0, _0"]
        graph = token_filter(
            f"{name}_filter", "synonym_graph", synonyms=synonyms, lenient=True, expand=True
        )
        out.append(analyzer(name, tokenizer=_term_tokenizer, filter=["lowercase", graph]))
    return out


# --- the mapping ---------------------------------------------------------------------------
class SegmentedText(InnerDoc):
    """Our jieba segmentation of each text field (encoded terms, space-separated)."""

    title = Text(analyzer=seg_analyzer, copy_to="seg_all")
    title_en = Text(analyzer=seg_analyzer, copy_to="seg_all")
    keywords = Text(analyzer=seg_analyzer, copy_to="seg_all")
    body = Text(analyzer=seg_analyzer, copy_to="seg_all")


class ListingDocument(Document):
    """One published listing (research result or technology need); id "<kind>-<object_id>".

    A `tombstone` document only marks a deletion made while its index was being built."""

    kind = Keyword()
    object_id = Long()
    title = Text(analyzer="cjk", copy_to="grams", fields={"keyword": Keyword(ignore_above=256)})
    title_en = Text(analyzer="cjk")
    keywords = Text(analyzer="cjk", copy_to="grams")
    body = Text(analyzer="cjk", copy_to="grams")
    grams = Text(analyzer="cjk")
    seg = Object(SegmentedText)
    seg_all = Text(analyzer=seg_analyzer)
    terms = Keyword(index=False, doc_values=False)
    ipc = Keyword()
    field = Keyword()
    province = Keyword()
    city = Keyword()
    stage = Keyword()
    modes = Keyword()
    trl = Integer()
    price_min_cny = Double()
    price_max_cny = Double()
    owner_name = Text(analyzer="cjk", fields={"keyword": Keyword(ignore_above=256)})
    expires_at = Date()
    published_at = Date()
    suggest = Completion(analyzer=suggest_analyzer)
    tombstone = Boolean()

    class Meta:
        dynamic = MetaField("strict")
        source = MetaField(excludes=["seg.*", EMBEDDING_FIELD])
        meta = MetaField({"mapping_version": MAPPING_VERSION})


def embedding_mapping(dimensions: int | None) -> Mapping:
    """The `embedding` field: `dimensions` floats (None: as many as the first vector has),
    cosine similarity, an int8-quantised HNSW graph for approximate kNN (named rather than
    left to the node's default, so that every Elasticsearch version builds the same)."""
    params: dict[str, Any] = {
        "similarity": "cosine",
        "index": True,
        "index_options": {"type": "int8_hnsw"},
    }
    if dimensions:
        params["dims"] = dimensions
    return Mapping().field(EMBEDDING_FIELD, DenseVector(**params))


def mapping_version(mapping: dict[str, Any]) -> int:
    """The `_meta.mapping_version` of an index's mapping as Elasticsearch returns it (1 when
    absent: indices made before it was kept)."""
    meta = mapping.get("_meta") or {}
    try:
        return int(meta.get("mapping_version", 1))
    except (TypeError, ValueError):
        return 1


def document_id(kind: str, object_id: int) -> str:
    return f"{kind}-{object_id}"


def _iso(value: object | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _price(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


_CONTROL = re.compile(r"[\x00-\x1f]")


def _suggest_inputs(document: IndexDocument) -> list[dict[str, Any]]:
    inputs: list[dict[str, Any]] = []
    for weight, texts in (
        (3, [document.title]),
        (2, [document.title_en]),
        (1, list(document.keywords)),
    ):
        clean = [t for t in (_CONTROL.sub(" ", text).strip() for text in texts) if t]
        if clean:
            inputs.append({"input": clean, "weight": weight})
    return inputs


def source_for(document: IndexDocument) -> dict[str, Any]:
    """The stored source of a searchable document (see ListingDocument)."""
    terms = document_terms(document)
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "title": document.title,
        "title_en": document.title_en,
        "keywords": list(document.keywords),
        "body": document.body,
        "seg": {name: seg_text(terms[name]) for name in WORD_FIELDS},
        "terms": sorted({term for name in TERM_FIELDS for term in terms[name]}),
        "ipc": list(document.ipc),
        "field": document.field or None,
        "province": document.province or None,
        "city": document.city or None,
        "stage": document.stage or None,
        "modes": list(dict.fromkeys(document.modes)),
        "trl": document.trl,
        "price_min_cny": _price(document.price_min_cny),
        "price_max_cny": _price(document.price_max_cny),
        "owner_name": document.owner_name,
        "expires_at": _iso(document.expires_at),
        "published_at": _iso(document.published_at),
        "suggest": _suggest_inputs(document),
        **({EMBEDDING_FIELD: list(document.embedding)} if document.embedding else {}),
    }


def tombstone(kind: str, object_id: int) -> dict[str, Any]:
    return {"kind": kind, "object_id": object_id, "tombstone": True}
