"""The Elasticsearch search backend (selected when `ELASTICSEARCH_URL` is set).

The only module that imports the `elasticsearch` client (and `elasticsearch.dsl`). It answers
the same queries as the embedded backend (`backends/database.py`), with the same analysis:

**Index layout** (one index for both kinds; `kind` is a keyword field)

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
- Synonyms: `matching/search/synonyms.txt` (Solr format) is read when an index is created,
  each term analysed like a query (`segment.phrase_terms`) and encoded as above, and passed
  inline to two search-time `synonym_graph` filters: `keqiao_seg_syn_eq` (equivalence lines)
  and `keqiao_seg_syn` (all lines, one-way "=>" rules included). Extending the file and
  running `manage.py update_index` (a new index) makes a new synonym effective.

**Queries** mirror the embedded backend's groups (see its module docstring): the text is cut
into groups (a word, or a multi-word synonym entry); a group matches a listing when its terms
(or a synonym of them, or dictionary sub-words covering the word, or all the character
bigrams of the Chinese word) occur; the query needs all groups of a one- or two-group query
and half (rounded up) of a longer one (`bool.should` + `minimum_should_match`). Scores: a
`dis_max` of the word itself (weight 1), equivalent synonyms (`synonym_weight`) and one-way
synonyms (`related_weight`), each a `multi_match` (most_fields) over the segmented fields with
the embedded boosts (title 3, title_en 2.5, keywords 2, body 1), plus sub-words
(`sub_word_weight`) and bigrams (0.3). Elasticsearch scores with Lucene's BM25 (k1 1.2, b
0.75, the same formula without the constant (k1 + 1) factor), so raw scores differ from the
embedded backend's but rank alike.

**Index lifecycle**: versioned indices `<prefix>-listings-v<UTC timestamp>` behind the alias
`<prefix>-listings`. `rebuild()` creates a new index (marked with the alias
`<prefix>-listings-rebuilding`), bulk-loads it with `op_type=create`, refreshes, checks that
every document is there, then moves the alias in one atomic `_aliases` call and deletes the
old versions. Searches keep using the old index until the swap. Writes during a rebuild go to
the live index and to every index being built (a deletion leaves a tombstone there, so the
rebuild's older copy cannot bring the listing back; tombstones are never returned and are
removed after the swap). Every write uses `refresh="wait_for"` (param REFRESH), so the next
search sees it.

Errors: connection failures, timeouts, 429 and 5xx answers raise `SearchUnavailable`.
"""

from __future__ import annotations

import html
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.dsl import (
    Boolean,
    Completion,
    Date,
    Document,
    Double,
    Index,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)
from elasticsearch.dsl.document_base import MetaField
from elasticsearch.dsl.query import Query
from elasticsearch.helpers import bulk, streaming_bulk

from matching.search import segment
from matching.search.backends.base import (
    FACET_FIELDS,
    BaseSearchBackend,
    IndexDocument,
    ListingKind,
    ProgressCallback,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
)
from matching.search.backends.database import DEFAULTS as EMBEDDED_DEFAULTS

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "index_prefix": "keqiao",
    "timeout": 10.0,
    "max_retries": 2,
    "refresh": "wait_for",
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",
    "api_key": "",
    "synonyms_path": "",
    "bulk_chunk_size": 500,
    "facet_size": 1000,
    # Scoring and paging: the embedded backend's defaults, so both rank alike (parity tests).
    **{key: value for key, value in EMBEDDED_DEFAULTS.items() if key not in {"k1", "b"}},
}

SEG_FIELDS: tuple[str, ...] = ("title", "title_en", "keywords", "body")
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "title_en", "body", "keywords")
#: Facet name → indexed field.
FACET_SOURCES: dict[str, str] = {
    "kind": "kind",
    "field": "field",
    "province": "province",
    "city": "city",
    "stage": "stage",
    "modes": "modes",
    "trl": "trl",
}
#: Elasticsearch's default `index.max_result_window`: from + size may not exceed it.
MAX_RESULT_WINDOW = 10_000

SEG_ANALYZER = "keqiao_seg"
SYN_EQ_ANALYZER = "keqiao_seg_syn_eq"
SYN_ALL_ANALYZER = "keqiao_seg_syn"

# --- analysis ------------------------------------------------------------------------------
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
@dataclass(frozen=True)
class SynonymRules:
    """The synonym file, analysed like queries.

    `equivalent`/`all`: Solr lines in token form for the two synonym_graph filters (`all`
    includes the one-way "=>" lines). `keys`: term tuples that some rule expands (a query
    groups them greedily, longest first, as the embedded backend does). `targets`: key → the
    term tuples it also finds (for highlighting).
    """

    equivalent: tuple[str, ...]
    all: tuple[str, ...]
    keys: frozenset[tuple[str, ...]]
    max_len: int
    targets: Mapping[tuple[str, ...], tuple[tuple[str, ...], ...]]


def _synonym_line_terms(path: Path) -> Iterator[tuple[list[str], list[str] | None]]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            yield _split(left), _split(right)
        else:
            yield _split(line), None


def _split(text: str) -> list[str]:
    return [term.strip() for term in re.split(r"[,，]", text) if term.strip()]


def _phrases(terms: Iterable[str]) -> list[tuple[str, ...]]:
    found: dict[tuple[str, ...], None] = {}
    for term in terms:
        phrase = segment.phrase_terms(term)
        if phrase:
            found[phrase] = None
    return list(found)


@lru_cache(maxsize=8)
def _load_rules(path: str, mtime_ns: int, size: int) -> SynonymRules:
    equivalent: list[str] = []
    every: list[str] = []
    targets: dict[tuple[str, ...], dict[tuple[str, ...], None]] = {}
    for left, right in _synonym_line_terms(Path(path)):
        lhs = _phrases(left)
        if right is None:
            if len(lhs) < 2:
                continue
            line = ", ".join(seg_text(p) for p in lhs)
            equivalent.append(line)
            every.append(line)
            for source in lhs:
                targets.setdefault(source, {}).update(dict.fromkeys(p for p in lhs if p != source))
        else:
            rhs = _phrases(right)
            if not lhs or not rhs:
                continue
            every.append(
                ", ".join(seg_text(p) for p in lhs) + " => " + ", ".join(seg_text(p) for p in rhs)
            )
            for source in lhs:
                targets.setdefault(source, {}).update(dict.fromkeys(p for p in rhs if p != source))
    keys = frozenset(key for key, value in targets.items() if value)
    return SynonymRules(
        equivalent=tuple(equivalent),
        all=tuple(every),
        keys=keys,
        max_len=max((len(k) for k in keys), default=1),
        targets={key: tuple(value) for key, value in targets.items() if value},
    )


def load_synonym_rules(path: Path) -> SynonymRules:
    """The rules of the synonym file at `path` (re-read when the file changes)."""
    stat = path.stat()
    return _load_rules(str(path), stat.st_mtime_ns, stat.st_size)


def _synonym_analyzers(rules: SynonymRules) -> list[Any]:
    """The two search-time analyzers: equivalences only, and all rules."""
    out = []
    for name, lines in ((SYN_EQ_ANALYZER, rules.equivalent), (SYN_ALL_ANALYZER, rules.all)):
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
        source = MetaField(excludes=["seg.*"])


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
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "title": document.title,
        "title_en": document.title_en,
        "keywords": list(document.keywords),
        "body": document.body,
        "seg": {
            "title": seg_text(segment.index_terms(document.title)),
            "title_en": seg_text(segment.index_terms(document.title_en)),
            "keywords": seg_text(t for kw in document.keywords for t in segment.index_terms(kw)),
            "body": seg_text(segment.index_terms(document.body)),
        },
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
    }


def _tombstone(kind: str, object_id: int) -> dict[str, Any]:
    return {"kind": kind, "object_id": object_id, "tombstone": True}


# --- query model (the embedded backend's groups) --------------------------------------------
@dataclass(frozen=True)
class _Group:
    """One unit of a query: `terms` (empty for an unknown run of single characters, matched
    by its bigrams only), whether synonyms apply, dictionary sub-words of the word with their
    spans, the raw Chinese text and its bigrams, the surface text, and the group's weight."""

    terms: tuple[str, ...]
    synonyms: bool = False
    parts: tuple[tuple[str, int, int], ...] = ()
    raw: str = ""
    grams: tuple[str, ...] = ()
    surface: str = ""
    weight: float = 1.0

    def key(self) -> tuple[Any, ...]:
        return (self.terms, self.synonyms, self.parts, self.grams)


def _single_cjk(raw: str) -> bool:
    return len(raw) == 1 and segment.is_cjk(raw)


def query_groups(text: str, rules: SynonymRules, weight: float = 1.0) -> list[_Group]:
    """The groups of `text`, as `DatabaseSearchBackend._groups_for_text` makes them."""
    words = segment.query_words(text)
    groups: list[_Group] = []
    i = 0
    while i < len(words):
        size = 0
        for span in range(min(rules.max_len, len(words) - i), 0, -1):
            if tuple(w.term for w in words[i : i + span]) in rules.keys:
                size = span
                break
        synonyms = bool(size)
        if not size:
            size = 1
            while (
                i + size < len(words)
                and _single_cjk(words[i + size - 1].raw)
                and _single_cjk(words[i + size].raw)
                and words[i + size].start == words[i + size - 1].start + 1
            ):
                size += 1
        chunk = words[i : i + size]
        terms = tuple(w.term for w in chunk) if synonyms or size == 1 else ()
        raw = "".join(w.raw for w in chunk) if all(segment.is_cjk(w.raw) for w in chunk) else ""
        parts: tuple[tuple[str, int, int], ...] = ()
        if size == 1 and raw:
            parts = tuple(
                (norm, raw.find(part), raw.find(part) + len(part))
                for part in segment.sub_words(raw)
                if (norm := segment.normalize(part)) is not None
            )
        grams = tuple(dict.fromkeys(segment.bigrams(raw))) if len(raw) >= 2 else ()
        surface = " ".join(w.raw for w in chunk)
        groups.append(_Group(terms, synonyms, parts, raw, grams, surface, weight))
        i += size
    return groups


def merge_groups(groups: Iterable[_Group]) -> list[_Group]:
    """Groups with the same key become one, their weights added."""
    merged: dict[tuple[Any, ...], _Group] = {}
    for group in groups:
        known = merged.get(group.key())
        merged[group.key()] = replace(known, weight=known.weight + group.weight) if known else group
    return list(merged.values())


def _covers(parts: Sequence[tuple[str, int, int]], length: int, limit: int = 8) -> list[list[str]]:
    """Minimal sets of sub-words whose spans cover all `length` characters of the word."""
    found: list[list[str]] = []
    chosen: list[frozenset[int]] = []
    for size in range(1, min(len(parts), 4) + 1):
        for combo in itertools.combinations(range(len(parts)), size):
            if any(prior <= frozenset(combo) for prior in chosen):
                continue
            covered: set[int] = set()
            for index in combo:
                _term, start, end = parts[index]
                covered.update(range(max(start, 0), min(end, length)))
            if len(covered) == length:
                chosen.append(frozenset(combo))
                found.append([parts[index][0] for index in combo])
                if len(found) >= limit:
                    return found
    return found


def _param(params: Mapping[str, object], name: str) -> Any:
    for key in (name, name.upper()):
        if key in params:
            return params[key]
    return DEFAULTS[name]


class ElasticsearchSearchBackend(BaseSearchBackend):
    """Search and matching candidates on Elasticsearch 8/9 (client `elasticsearch>=8.18,<9`).

    Params (settings.SEARCH_BACKENDS[name]): URL (required), INDEX_PREFIX ("keqiao"),
    TIMEOUT (seconds per request, 10), MAX_RETRIES (2), API_KEY (optional), REFRESH
    ("wait_for", "true" or "false": when writes become visible), NUMBER_OF_SHARDS (1),
    AUTO_EXPAND_REPLICAS ("0-1"), SYNONYMS_PATH (default matching/search/synonyms.txt),
    BULK_CHUNK_SIZE (500), FACET_SIZE (1000) and the embedded backend's scoring params
    (boosts, synonym_weight, related_weight, sub_word_weight, minimum_should_match, mlt_*,
    max_page_size, snippet_chars).
    """

    def __init__(self, params: dict[str, object] | None = None) -> None:
        super().__init__(params)
        url = str(self.params.get("URL") or self.params.get("url") or "")
        if not url:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("The Elasticsearch search backend needs a URL.")
        self.url = url
        prefix = str(_param(self.params, "index_prefix")).strip().lower() or "keqiao"
        self.prefix = prefix
        self.alias = f"{prefix}-listings"
        self.building_alias = f"{prefix}-listings-rebuilding"
        self.version_pattern = f"{prefix}-listings-v*"
        self.timeout = float(_param(self.params, "timeout"))
        self.refresh: str | bool = self._refresh_mode(_param(self.params, "refresh"))
        self.boosts: dict[str, float] = {**DEFAULTS["boosts"], **_param(self.params, "boosts")}
        self.synonym_weight = float(_param(self.params, "synonym_weight"))
        self.related_weight = float(_param(self.params, "related_weight"))
        self.sub_word_weight = float(_param(self.params, "sub_word_weight"))
        self.minimum_should_match = float(_param(self.params, "minimum_should_match"))
        self.max_page_size = int(_param(self.params, "max_page_size"))
        self.snippet_chars = int(_param(self.params, "snippet_chars"))
        self.chunk_size = int(_param(self.params, "bulk_chunk_size"))
        self.facet_size = int(_param(self.params, "facet_size"))
        path = str(_param(self.params, "synonyms_path") or "")
        self.synonyms_path = Path(path) if path else segment.SYNONYMS_PATH
        api_key = str(_param(self.params, "api_key") or "")
        # URL may list several nodes separated by commas; the client fails over between them.
        nodes = [node.strip() for node in url.split(",") if node.strip()]
        self.client = Elasticsearch(
            nodes,
            request_timeout=self.timeout,
            max_retries=int(_param(self.params, "max_retries")),
            retry_on_timeout=True,
            api_key=api_key or None,
        )

    @staticmethod
    def _refresh_mode(value: object) -> str | bool:
        text = str(value).lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        return "wait_for"

    # --- errors --------------------------------------------------------------------------
    @staticmethod
    def _unavailable(exc: Exception) -> SearchUnavailable:
        return SearchUnavailable(f"Elasticsearch: {exc}")

    @staticmethod
    def _is_outage(exc: Exception) -> bool:
        if isinstance(exc, TransportError):  # connection refused, timeout, TLS, ...
            return True
        if isinstance(exc, ApiError):
            return exc.status_code in (429,) or exc.status_code >= 500
        return False

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call, mapping outages to SearchUnavailable."""
        try:
            return function(*args, **kwargs)
        except (TransportError, ApiError) as exc:
            if self._is_outage(exc):
                raise self._unavailable(exc) from exc
            raise

    # --- index management ----------------------------------------------------------------
    def rules(self) -> SynonymRules:
        """The synonym rules of the configured file (read again when it changes)."""
        return load_synonym_rules(self.synonyms_path)

    def index_definition(self, name: str, *, aliases: Sequence[str] = ()) -> Index:
        """The dsl Index `name`: settings, analysis (with the current synonyms), mapping."""
        index = Index(name, using=self.client)
        index.settings(
            number_of_shards=int(_param(self.params, "number_of_shards")),
            auto_expand_replicas=str(_param(self.params, "auto_expand_replicas")),
        )
        for search_analyzer in _synonym_analyzers(self.rules()):
            index.analyzer(search_analyzer)
        index.document(ListingDocument)
        if aliases:
            index.aliases(**{alias: {} for alias in aliases})
        return index

    def _versions(self) -> dict[str, set[str]]:
        """Versioned indices of this prefix → their aliases."""
        found = self._call(
            self.client.indices.get_alias, index=self.version_pattern, expand_wildcards="open"
        )
        return {name: set(info.get("aliases", {})) for name, info in dict(found).items()}

    def _targets(self, *, create: bool) -> tuple[list[str], list[str]]:
        """(live indices, indices being built). With `create`, an empty live index is made
        when there is none yet (first use)."""
        versions = self._versions()
        live = sorted(name for name, aliases in versions.items() if self.alias in aliases)
        building = sorted(
            name
            for name, aliases in versions.items()
            if self.building_alias in aliases and name not in live
        )
        if not live and create:
            name = f"{self.prefix}-listings-v0"
            try:
                self._call(self.index_definition(name, aliases=[self.alias]).create)
            except ApiError as exc:  # another process made it first
                if "resource_already_exists" not in str(exc):
                    raise
            live = [name]
        return live, building

    def drop_indices(self) -> list[str]:
        """Delete every index of this prefix (versions and anything being built); returns
        their names. For tests and for `KEQIAO_ES_INDEX_PREFIX` clean-ups."""
        names = sorted(self._versions())
        for name in names:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        return names

    def live_indices(self) -> list[str]:
        """Concrete indices behind the alias (one, except for a moment never)."""
        return self._targets(create=False)[0]

    # --- writing -------------------------------------------------------------------------
    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        if not actions:
            return
        try:
            _ok, reported = bulk(
                self.client,
                actions,
                refresh=self.refresh,
                raise_on_error=False,
                chunk_size=self.chunk_size,
            )
        except (TransportError, ApiError) as exc:
            raise self._unavailable(exc) from exc
        # 404: deleting what is absent, or an old index dropped by a swap meanwhile.
        errors = [
            e
            for e in (reported if isinstance(reported, list) else [])
            if not any(r.get("status") == 404 for r in dict(e).values())
        ]
        if errors:
            raise SearchUnavailable(f"Elasticsearch rejected {len(errors)} writes: {errors[:3]}")

    def _write_actions(
        self,
        kind: str,
        object_id: int,
        source: dict[str, Any] | None,
        *,
        live: list[str],
        building: list[str],
    ) -> Iterator[dict[str, Any]]:
        doc_id = document_id(kind, object_id)
        for name in live:
            if source is None:
                yield {"_op_type": "delete", "_index": name, "_id": doc_id}
            else:
                yield {"_op_type": "index", "_index": name, "_id": doc_id, "_source": source}
        for name in building:
            yield {
                "_op_type": "index",
                "_index": name,
                "_id": doc_id,
                "_source": source if source is not None else _tombstone(kind, object_id),
            }

    def index(self, documents: Iterable[IndexDocument]) -> None:
        items = list(documents)
        if not items:
            return
        live, building = self._targets(create=True)
        actions: list[dict[str, Any]] = []
        for document in items:
            source = source_for(document) if document.searchable else None
            actions.extend(
                self._write_actions(
                    document.kind, document.object_id, source, live=live, building=building
                )
            )
        self._bulk(actions)

    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        if not ids:
            return
        live, building = self._targets(create=True)
        actions: list[dict[str, Any]] = []
        for object_id in ids:
            actions.extend(self._write_actions(kind, object_id, None, live=live, building=building))
        self._bulk(actions)

    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Build a new index version, check it, swap the alias atomically, drop old versions.

        Returns the number of searchable documents given (duplicates counted once). Raises
        SearchUnavailable (the live index is untouched) when anything fails before the swap.
        """
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-listings-v{stamp}"
        self._call(self.index_definition(name, aliases=[self.building_alias]).create)
        try:
            done = self._load(name, documents, progress)
            self._call(self.client.indices.refresh, index=name)
            present = int(self._call(self.client.count, index=name)["count"])
            if present < done:
                raise SearchUnavailable(
                    f"Elasticsearch: the new index {name} holds {present} of {done} documents."
                )
            self._swap(name)
        except BaseException:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except (TransportError, ApiError):
                logger.warning("Could not delete the unfinished index %s", name)
            raise
        self._clean_up(name)
        return done

    def _load(
        self, name: str, documents: Iterable[IndexDocument], progress: ProgressCallback | None
    ) -> int:
        seen: set[tuple[str, int]] = set()

        def actions() -> Iterator[dict[str, Any]]:
            for document in documents:
                key = (document.kind, document.object_id)
                if not document.searchable or key in seen:
                    continue
                seen.add(key)
                # create: a listing written meanwhile (index/delete during the rebuild) is
                # newer than this copy and is kept.
                yield {
                    "_op_type": "create",
                    "_index": name,
                    "_id": document_id(*key),
                    "_source": source_for(document),
                }

        done = 0
        failures: list[dict[str, Any]] = []
        try:
            for ok, item in streaming_bulk(
                self.client,
                actions(),
                chunk_size=self.chunk_size,
                raise_on_error=False,
                max_retries=3,
                initial_backoff=1,
            ):
                done += 1
                if not ok:
                    result = item.get("create", {})
                    if result.get("status") != 409:  # 409: written meanwhile, kept
                        failures.append(item)
                if progress is not None and done % self.chunk_size == 0:
                    progress(done)
        except (TransportError, ApiError) as exc:
            raise self._unavailable(exc) from exc
        if failures:
            raise SearchUnavailable(
                f"Elasticsearch rejected {len(failures)} documents: {failures[:3]}"
            )
        if progress is not None:
            progress(done)
        return done

    def _swap(self, name: str) -> None:
        """Point the alias at `name` and drop the rebuilding mark, in one atomic call."""
        live, _building = self._targets(create=False)
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": self.alias}} for old in live if old != name
        ]
        actions.append({"add": {"index": name, "alias": self.alias}})
        actions.append({"remove": {"index": name, "alias": self.building_alias}})
        self._call(self.client.indices.update_aliases, actions=actions)

    def _clean_up(self, name: str) -> None:
        """After a swap: delete old versions (not ones another rebuild is building) and the
        tombstones left in `name` by deletions during the rebuild."""
        try:
            for old, aliases in self._versions().items():
                if old != name and self.alias not in aliases and self.building_alias not in aliases:
                    self.client.indices.delete(index=old, ignore_unavailable=True)
            found = self.client.search(
                index=name,
                query={"term": {"tombstone": True}},
                size=MAX_RESULT_WINDOW,
                source=False,
            )
            ids = [hit["_id"] for hit in found["hits"]["hits"]]
            if ids:
                self._bulk([{"_op_type": "delete", "_index": name, "_id": i} for i in ids])
        except (TransportError, ApiError, SearchUnavailable) as exc:
            # The new index is live and correct; leftovers are removed by the next rebuild.
            logger.warning("Clean-up after the swap to %s failed: %s", name, exc)

    # --- searching -----------------------------------------------------------------------
    def _seg_fields(self) -> list[str]:
        return [f"seg.{name}^{self.boosts.get(name, 1.0):g}" for name in SEG_FIELDS]

    def _match_seg(self, terms: Sequence[str], analyzer_name: str, boost: float = 1.0) -> Query:
        return Q(
            "multi_match",
            query=seg_text(terms),
            fields=self._seg_fields(),
            type="most_fields",
            analyzer=analyzer_name,
            auto_generate_synonyms_phrase_query=False,
            boost=boost,
        )

    def _all_terms(self, terms: Sequence[str], analyzer_name: str) -> Query:
        return Q(
            "match",
            seg_all={
                "query": seg_text(terms),
                "operator": "and",
                "analyzer": analyzer_name,
                "auto_generate_synonyms_phrase_query": False,
            },
        )

    def _group_query(self, group: _Group) -> Query:
        """Matches listings that match `group` (see the module docstring), scored."""
        conditions: list[Query] = []
        scores: list[Query] = []
        if group.terms:
            n = len(group.terms)
            conditions.append(self._all_terms(group.terms, SEG_ANALYZER))
            exact = self._match_seg(group.terms, SEG_ANALYZER, 1.0 / n)
            if group.synonyms:
                conditions.append(self._all_terms(group.terms, SYN_ALL_ANALYZER))
                scores.append(
                    Q(
                        "dis_max",
                        queries=[
                            exact,
                            self._match_seg(group.terms, SYN_EQ_ANALYZER, self.synonym_weight / n),
                            self._match_seg(group.terms, SYN_ALL_ANALYZER, self.related_weight / n),
                        ],
                    )
                )
            else:
                scores.append(exact)
        if group.parts:
            names = list(dict.fromkeys(part[0] for part in group.parts))
            scores.append(self._match_seg(names, SEG_ANALYZER, self.sub_word_weight))
            for cover in _covers(group.parts, len(group.raw)):
                conditions.append(self._all_terms(cover, SEG_ANALYZER))
        if group.grams:
            condition = {"query": group.raw, "operator": "and"}
            conditions.append(Q("match", grams=condition))
            boost = self.boosts.get("grams", 0.3) / len(group.grams)
            scores.append(Q("match", grams={**condition, "boost": boost}))
        if not conditions:
            return Q("match_none")
        return Q(
            "bool",
            filter=[Q("bool", should=conditions, minimum_should_match=1)],
            should=scores,
            boost=group.weight,
        )

    def _minimum(self, groups: int) -> int:
        if groups <= 2:
            return groups
        return max(1, math.ceil(groups * self.minimum_should_match))

    @staticmethod
    def _filters(query: SearchQuery) -> tuple[list[Query], list[Query]]:
        """(filter, must_not) clauses of the query's filters; expired listings and
        tombstones are always left out."""
        filters: list[Query] = [
            Q(
                "bool",
                should=[
                    Q("bool", must_not=[Q("exists", field="expires_at")]),
                    Q("range", expires_at={"gt": "now"}),
                ],
                minimum_should_match=1,
            )
        ]
        must_not: list[Query] = [Q("term", tombstone=True)]
        if query.kind:
            filters.append(Q("term", kind=query.kind))
        for field_name, values in (
            ("field", query.fields),
            ("province", query.provinces),
            ("city", query.cities),
            ("stage", query.stages),
            ("modes", query.modes),
        ):
            if values:
                filters.append(Q("terms", **{field_name: list(values)}))
        trl: dict[str, int] = {}
        if query.trl_min is not None:
            trl["gte"] = query.trl_min
        if query.trl_max is not None:
            trl["lte"] = query.trl_max
        if trl:
            filters.append(Q("range", trl=trl))
        # Price overlap, as the embedded backend: [min or max, max or min] meets the range.
        if query.price_min_cny is not None:
            low = float(query.price_min_cny)
            filters.append(
                Q(
                    "bool",
                    should=[
                        Q("range", price_max_cny={"gte": low}),
                        Q(
                            "bool",
                            must_not=[Q("exists", field="price_max_cny")],
                            filter=[Q("range", price_min_cny={"gte": low})],
                        ),
                    ],
                    minimum_should_match=1,
                )
            )
        if query.price_max_cny is not None:
            high = float(query.price_max_cny)
            filters.append(
                Q(
                    "bool",
                    should=[
                        Q("range", price_min_cny={"lte": high}),
                        Q(
                            "bool",
                            must_not=[Q("exists", field="price_min_cny")],
                            filter=[Q("range", price_max_cny={"lte": high})],
                        ),
                    ],
                    minimum_should_match=1,
                )
            )
        if query.exclude:
            must_not.append(Q("ids", values=[document_id(k, i) for k, i in query.exclude]))
        return filters, must_not

    def _base_search(self) -> Search:
        return Search(using=self.client, index=self.alias)

    @staticmethod
    def _newest_first() -> list[Any]:
        return [
            {"published_at": {"order": "desc", "missing": "_last"}},
            {"kind": {"order": "asc"}},
            {"object_id": {"order": "desc"}},
        ]

    def _execute(self, search: Search) -> Any:
        try:
            return search.execute()
        except NotFoundError:
            return None  # no index yet: nothing indexed
        except (TransportError, ApiError) as exc:
            if self._is_outage(exc):
                raise self._unavailable(exc) from exc
            raise

    def search(self, query: SearchQuery) -> SearchResults:
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), self.max_page_size)
        groups = merge_groups(query_groups(query.text, self.rules())) if query.text else []
        filters, must_not = self._filters(query)
        if groups:
            bool_query = Q(
                "bool",
                filter=filters,
                must_not=must_not,
                should=[self._group_query(g) for g in groups],
                minimum_should_match=self._minimum(len(groups)),
            )
            order: list[Any] = ["_score", *self._newest_first()]
        else:
            bool_query = Q("bool", filter=filters, must_not=must_not)
            order = self._newest_first()
        start = (page - 1) * page_size
        # Beyond Elasticsearch's result window: the total and facets only (no hits there).
        size = page_size if start + page_size <= MAX_RESULT_WINDOW else 0
        search = (
            self._base_search()
            .query(bool_query)
            .sort(*order)
            .source(["kind", "object_id", "body"])
            .extra(track_total_hits=True, track_scores=bool(groups))
        )
        search = search[start : start + size] if size else search[0:0]
        if query.with_facets:
            for name in FACET_FIELDS:
                search.aggs.bucket(
                    name,
                    "terms",
                    field=FACET_SOURCES[name],
                    size=self.facet_size,
                    order=[{"_count": "desc"}, {"_key": "asc"}],
                )
        if query.with_highlights and groups:
            search = self._with_highlights(search, groups)
        response = self._execute(search)
        if response is None:
            empty: dict[str, dict[str, int]] = (
                {name: {} for name in FACET_FIELDS} if query.with_facets else {}
            )
            return SearchResults([], 0, page, page_size, empty)
        hits = [self._hit(hit, scored=bool(groups)) for hit in response.hits] if size else []
        facets = self._facets(response) if query.with_facets else {}
        return SearchResults(hits, int(response.hits.total.value), page, page_size, facets)

    def _hit(self, hit: Any, *, scored: bool) -> SearchHit:
        source = hit.to_dict()
        score = float(hit.meta.score or 0.0) if scored else 0.0
        highlights: dict[str, list[str]] = {}
        found = getattr(hit.meta, "highlight", None)
        if found is not None:
            for name in HIGHLIGHT_FIELDS:
                snippets = list(getattr(found, name, []) or [])
                if snippets:
                    highlights[name] = [self._snippet(s, source, name) for s in snippets]
        return SearchHit(
            kind=source["kind"],
            object_id=int(source["object_id"]),
            score=round(score, 6),
            highlights=highlights,
        )

    @staticmethod
    def _snippet(snippet: str, source: Mapping[str, Any], name: str) -> str:
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

    @staticmethod
    def _facets(response: Any) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        aggregations = response.aggregations
        for name in FACET_FIELDS:
            counts: Counter[str] = Counter()
            for bucket in getattr(aggregations, name).buckets:
                value = str(bucket.key)
                if value:
                    counts[value] += int(bucket.doc_count)
            facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return facets

    def _with_highlights(self, search: Search, groups: Sequence[_Group]) -> Search:
        """Highlight the groups' words, surface text, sub-words and synonyms in the text
        fields (HTML-escaped by Elasticsearch's `html` encoder, `<mark>` around matches)."""
        rules = self.rules()
        phrases: dict[str, None] = {}
        for group in groups:
            if group.terms:
                phrases[" ".join(group.terms)] = None
                for target in rules.targets.get(group.terms, ()) if group.synonyms else ():
                    phrases[" ".join(target)] = None
            if group.raw:
                phrases[group.raw] = None
            if group.surface:
                phrases[group.surface] = None
            for part in group.parts:
                phrases[part[0]] = None
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
            "body", fragment_size=self.snippet_chars, number_of_fragments=1, no_match_size=0
        )

    def count(self, kind: ListingKind | None = None) -> int:
        filters, must_not = self._filters(SearchQuery(kind=kind))
        try:
            found = self.client.count(
                index=self.alias,
                query=Q("bool", filter=filters, must_not=must_not).to_dict(),
            )
        except NotFoundError:
            return 0
        except (TransportError, ApiError) as exc:
            if self._is_outage(exc):
                raise self._unavailable(exc) from exc
            raise
        return int(found["count"])

    # --- matching candidates -------------------------------------------------------------
    def more_like_this(
        self,
        document: IndexDocument,
        *,
        kind: ListingKind,
        limit: int,
        query: SearchQuery | None = None,
    ) -> list[SearchHit]:
        """Listings of `kind` most like `document`: its title (weight 2), English title (1)
        and keywords (1.5 each) as query groups with synonyms, plus its top body terms by
        tf-idf (Elasticsearch's term vectors of the text against the index), weighted by
        their tf-idf relative to the best; at least one group must match. `query` adds
        filters (its text is ignored); `document` itself is never returned."""
        if limit <= 0:
            return []
        base = query or SearchQuery()
        filters_query = replace(
            base,
            kind=kind,
            text="",
            exclude=(*base.exclude, (document.kind, document.object_id)),
        )
        rules = self.rules()
        title_weight = float(_param(self.params, "mlt_title_weight"))
        keyword_weight = float(_param(self.params, "mlt_keyword_weight"))
        groups = query_groups(document.title, rules, title_weight)
        groups += query_groups(document.title_en, rules, title_weight / 2)
        for keyword in document.keywords:
            groups += query_groups(keyword, rules, keyword_weight)
        groups += self._body_groups(document.body)
        groups = merge_groups(groups)
        if not groups:
            return []
        filters, must_not = self._filters(filters_query)
        search = (
            self._base_search()
            .query(
                Q(
                    "bool",
                    filter=filters,
                    must_not=must_not,
                    should=[self._group_query(g) for g in groups],
                    minimum_should_match=1,
                )
            )
            .sort("_score", *self._newest_first())
            .source(["kind", "object_id"])
            .extra(track_scores=True, size=min(limit, MAX_RESULT_WINDOW))
        )
        response = self._execute(search)
        if response is None:
            return []
        return [self._hit(hit, scored=True) for hit in response.hits]

    def _body_groups(self, body: str) -> list[_Group]:
        """The body's top terms by tf-idf (term vectors of the text as an artificial document),
        as groups weighted by mlt_body_weight × tf-idf / best tf-idf."""
        body_weight = float(_param(self.params, "mlt_body_weight"))
        wanted = int(_param(self.params, "mlt_body_terms"))
        terms = [t for t in segment.index_terms(body) if len(t) > 1 or not segment.is_cjk(t)]
        if not terms or wanted <= 0:
            return []
        try:
            vectors = self.client.termvectors(
                index=self.alias,
                # A fixed routing sends the artificial document to the same shard every time,
                # so its term statistics, and so the match scores, are deterministic.
                routing="keqiao-more-like-this",
                doc={"seg": {"body": seg_text(terms)}},
                fields=["seg.body"],
                term_statistics=True,
                positions=False,
                offsets=False,
                filter={"max_num_terms": wanted, "min_term_freq": 1, "min_doc_freq": 1},
            )
        except NotFoundError:
            return []
        except (TransportError, ApiError) as exc:
            if self._is_outage(exc):
                raise self._unavailable(exc) from exc
            raise
        found = vectors.get("term_vectors", {}).get("seg.body", {}).get("terms", {})
        scored = sorted(
            ((decode_term(token), float(info.get("score", 0.0))) for token, info in found.items()),
            key=lambda item: (-item[1], item[0]),
        )[:wanted]
        if not scored:
            return []
        highest = scored[0][1] or 1.0
        return [_Group((term,), weight=body_weight * value / highest) for term, value in scored]

    # --- autocomplete --------------------------------------------------------------------
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Completions of `prefix` from the `suggest` completion field (titles weigh 3,
        English titles 2, keywords 1); expired listings are left out."""
        text = unicodedata.normalize("NFKC", prefix).strip()
        if not text or limit <= 0:
            return []
        search = (
            self._base_search()
            .source(["kind", "object_id", "expires_at", "tombstone"])
            .suggest(
                "listings",
                text,
                completion={"field": "suggest", "size": limit * 3, "skip_duplicates": True},
            )
            .extra(size=0)
        )
        response = self._execute(search)
        if response is None:
            return []
        now = datetime.now(UTC)
        out: list[Suggestion] = []
        seen: set[str] = set()
        for option in response.suggest.listings[0].options:
            source = option._source
            expires = getattr(source, "expires_at", None)
            if getattr(source, "tombstone", False) or (
                expires and datetime.fromisoformat(str(expires)) <= now
            ):
                continue
            if option.text in seen:
                continue
            seen.add(option.text)
            out.append(Suggestion(str(option.text), source.kind, int(source.object_id)))
            if len(out) >= limit:
                break
        return out
