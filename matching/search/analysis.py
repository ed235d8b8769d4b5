"""Query analysis: query text → a backend-neutral plan that each search backend compiles.

The one place that decides what a query looks for (the model is Wagtail's backend-neutral
query objects, `wagtail/search/query.py`, which each of its backends compiles). The embedded
backend turns a plan into Tantivy queries (`backends/tantivy/queries.py`), Elasticsearch into
its query DSL (`backends/elasticsearch/queries.py`); neither cuts query text itself.

**Synonyms.** `synonyms(path)` is the synonym file (read by `matching.search.synonym_file`)
analysed like queries: each term segmented into a term tuple (`segment.phrase_terms`). The
`SynonymTable` maps a term tuple to what a query for it also finds (`Expansion`s; one-way
"=>" targets are not `equivalent`) and keeps the analysed lines (`rules`), from which
Elasticsearch builds its synonym filters. `related_terms` gives the matcher the terms the same
file links to a listing's text, and those the problem rules of `matching.knowledge` point to.

**Plans.** The query text is segmented (`segment.query_words`) and cut into *groups*, greedily,
longest synonym entry first: one group per word, per multi-word synonym entry, or per run of
adjacent single Chinese characters (an unknown word, matched as a string). A group matches a
listing when one of its alternatives is present: the word itself (weight 1), a synonym
(`synonym_weight`; `related_weight` for one-way rules), dictionary sub-words (`parts`) that
together cover the word (储能 + 电池 for 储能电池, scored with `sub_word_weight`), or all the
character bigrams (`grams`) of a Chinese word. Groups with the same content are merged, their
weights added. A listing matches the query when it matches all groups of a one- or two-group
query and at least `minimum_should_match` (a fraction, rounded up) of a longer one; the plan
of a more-like-this query, and of a relaxed one (`SearchQuery.relaxed`), needs one group."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from matching.knowledge.rules import problem_targets
from matching.search import segment
from matching.search.backends.base import IndexDocument
from matching.search.synonym_file import SYNONYMS_PATH, SynonymLine, synonym_lines
from matching.search.term_finder import TermFinder

__all__ = [
    "SYNONYMS_PATH",
    "Alternative",
    "Expansion",
    "Group",
    "Part",
    "PlanSettings",
    "QueryPlan",
    "SynonymRule",
    "SynonymTable",
    "body_terms",
    "covers",
    "document_terms",
    "merge",
    "minimal_covers",
    "minimum_should_match",
    "plan_query",
    "prepare",
    "query_groups",
    "related_terms",
    "similar_plan",
    "synonyms",
]

Phrase = tuple[str, ...]


# --- synonyms --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expansion:
    """A term tuple a query also looks for; `equivalent` is False for one-way ("=>") rules,
    which relate a problem to a technology rather than naming the same thing."""

    terms: Phrase
    equivalent: bool


@dataclass(frozen=True)
class SynonymRule:
    """One line of the synonym file, its terms analysed into term tuples (no empty tuple,
    none twice on a side); `right` is None for an equivalence line."""

    left: tuple[Phrase, ...]
    right: tuple[Phrase, ...] | None


@dataclass(frozen=True)
class SynonymTable:
    """Term tuples → what a query for them also finds (the tuple itself excluded).

    `max_len` is the longest key, in terms, for greedy longest-match in a query. `rules` are
    the analysed lines of the file, in file order.
    """

    expansions: dict[Phrase, tuple[Expansion, ...]]
    max_len: int
    rules: tuple[SynonymRule, ...] = ()

    def get(self, terms: Phrase) -> tuple[Expansion, ...]:
        return self.expansions.get(terms, ())


def _phrases(terms: Iterable[str]) -> tuple[Phrase, ...]:
    found = (segment.phrase_terms(term) for term in terms)
    return tuple(dict.fromkeys(phrase for phrase in found if phrase))


@lru_cache(maxsize=8)
def _table(lines: tuple[SynonymLine, ...]) -> SynonymTable:
    table: dict[Phrase, dict[Phrase, bool]] = {}

    def add(source: Phrase, targets: Iterable[Phrase], equivalent: bool) -> None:
        bucket = table.setdefault(source, {})
        for target in targets:
            if target != source:
                bucket[target] = bucket.get(target, False) or equivalent

    rules: list[SynonymRule] = []
    for line in lines:
        left = _phrases(line.left)
        right = None if line.right is None else _phrases(line.right)
        rules.append(SynonymRule(left, right))
        for source in left:
            add(source, left if right is None else right, right is None)
    expansions = {
        key: tuple(Expansion(terms, equivalent) for terms, equivalent in value.items())
        for key, value in table.items()
        if value
    }
    return SynonymTable(expansions, max((len(k) for k in expansions), default=1), tuple(rules))


def synonyms(path: Path = SYNONYMS_PATH) -> SynonymTable:
    """The synonym table of the file at `path` (analysed again when the file changes). A
    target reached by an equivalence line anywhere counts as equivalent. Raises OSError when
    the file cannot be read."""
    return _table(synonym_lines(path))


@lru_cache(maxsize=8)
def _vocabulary(lines: tuple[SynonymLine, ...]) -> tuple[tuple[frozenset[str], ...], ...]:
    """(left terms, right terms) per line, lower-cased as written; an equivalence line links
    all its terms to each other."""
    rules: list[tuple[frozenset[str], ...]] = []
    for line in lines:
        left = frozenset(term.lower() for term in line.left)
        linked = line.left if line.right is None else line.right
        right = frozenset(term.lower() for term in linked)
        if left and right:
            rules.append((left, right))
    return tuple(rules)


def related_terms(text: str, keywords: Iterable[str] = ()) -> tuple[str, ...]:
    """Terms the domain vocabulary (matching/search/synonyms.txt) links to terms that occur in
    `text` or `keywords`, then the technology terms of the problem rules that apply to them
    (`matching.knowledge.rules.problem_targets`), excluding terms already present there.
    Vocabulary terms are compared as written (lower-cased), not segmented: see
    `_Vocabulary.present`."""
    written = f"{text} {' '.join(keywords)}".lower()
    found: dict[str, None] = {}
    try:
        lines = synonym_lines(SYNONYMS_PATH)
    except OSError:
        lines = ()
    if lines:
        vocabulary = _indexed_vocabulary(lines)
        present = vocabulary.present(written)
        rules = sorted({i for term in present for i in vocabulary.rules_of.get(term, ())})
        for index in rules:
            for term in sorted(vocabulary.rules[index][1]):
                if term not in present:
                    found[term] = None
    for term in problem_targets("\n".join((text, *keywords))):
        if term.lower() not in written:
            found.setdefault(term.lower(), None)
    return tuple(found)


_LATIN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Vocabulary:
    """The vocabulary's rules, which rules each term opens (its left side), and its terms by
    how they are found in a text: Chinese (and any non-ASCII) terms as substrings of at least
    2 characters, one-word Latin terms as whole words (so "ai" is not in "detail"), other
    Latin terms by a whole-word search."""

    rules: tuple[tuple[frozenset[str], ...], ...]
    rules_of: dict[str, tuple[int, ...]]
    substrings: TermFinder
    words: frozenset[str]
    phrases: tuple[tuple[str, re.Pattern[str]], ...]

    def present(self, text: str) -> set[str]:
        """The vocabulary's terms that occur in `text` (lower-cased): one pass over the text
        for the substrings (an Aho–Corasick automaton), not one search per term."""
        found = set(_LATIN_WORD.findall(text)) & self.words
        found |= self.substrings.found_in(text)
        for phrase, pattern in self.phrases:
            if phrase in text and pattern.search(text):
                found.add(phrase)
        return found


@lru_cache(maxsize=8)
def _indexed_vocabulary(lines: tuple[SynonymLine, ...]) -> _Vocabulary:
    rules = _vocabulary(lines)
    rules_of: dict[str, list[int]] = {}
    terms: set[str] = set()
    for index, (left, right) in enumerate(rules):
        terms |= left | right
        for term in left:
            rules_of.setdefault(term, []).append(index)
    terms = {term for term in terms if len(term) >= 2}
    phrases = sorted(t for t in terms if t.isascii() and not _LATIN_WORD.fullmatch(t))
    return _Vocabulary(
        rules=rules,
        rules_of={term: tuple(indices) for term, indices in rules_of.items()},
        substrings=TermFinder(term for term in terms if not term.isascii()),
        words=frozenset(t for t in terms if t.isascii() and _LATIN_WORD.fullmatch(t)),
        phrases=tuple(
            (phrase, re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"))
            for phrase in phrases
        ),
    )


def prepare() -> None:
    """Load what the first query would otherwise load: the segmenter's dictionaries with the
    domain words, the synonym table and the vocabulary. No database, no index. Meant
    for a server's parent process before it forks its workers (gunicorn.conf.py), so that every
    worker starts with them in memory shared copy-on-write."""
    segment.tokenizer()
    try:
        table = synonyms()
    except OSError:  # no synonym file: queries work without it, and so does this
        return
    _indexed_vocabulary(synonym_lines(SYNONYMS_PATH))
    plan_query("储能 battery", table, PlanSettings())


# --- the plan --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanSettings:
    """The weights and rules of plans, from a backend's params (`from_params`).

    `minimum_should_match` is the fraction of the groups of a query with more than two groups
    that must match. The `mlt_*` values weigh the parts of a more-like-this document and say
    how many of its body terms to use.
    """

    synonym_weight: float = 0.5
    related_weight: float = 0.3
    sub_word_weight: float = 0.4
    minimum_should_match: float = 0.5
    mlt_title_weight: float = 2.0
    mlt_keyword_weight: float = 1.5
    mlt_body_weight: float = 1.0
    mlt_body_terms: int = 20

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> PlanSettings:
        """Settings from SEARCH_BACKENDS params (lower- or upper-case names), defaults for
        the rest. Raises ValueError/TypeError for a value that is not a number."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            for key in (spec.name, spec.name.upper()):
                if key in params:
                    value: Any = params[key]
                    values[spec.name] = int(value) if spec.type in (int, "int") else float(value)
                    break
        return cls(**values)


@dataclass(frozen=True)
class Alternative:
    """Terms that together stand for a group (all must occur), and the weight of finding them."""

    terms: Phrase
    weight: float


@dataclass(frozen=True)
class Part:
    """A dictionary sub-word of a group's word, with its character span in the word."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class Group:
    """One unit of a query (see the module docstring).

    `word`: the typed terms (empty for a run of single characters, found by its bigrams only);
    `expansions`: its synonyms, weighted; `parts`: dictionary sub-words of a Chinese word with
    their spans; `raw`: the typed Chinese text ("" when any word is not Chinese); `grams`: its
    distinct character bigrams (none for one character); `surface`: the typed words joined by
    spaces; `weight`: the group's share of the score.
    """

    word: Phrase
    expansions: tuple[Alternative, ...] = ()
    parts: tuple[Part, ...] = ()
    raw: str = ""
    grams: tuple[str, ...] = ()
    surface: str = ""
    weight: float = 1.0

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        """The word itself (weight 1) and its synonyms: any one of them matches the group."""
        own = (Alternative(self.word, 1.0),) if self.word else ()
        return own + self.expansions

    def key(self) -> tuple[Any, ...]:
        """What makes two groups the same (merged by `merge`)."""
        return (self.word, self.expansions, self.parts, self.grams)


@dataclass(frozen=True)
class QueryPlan:
    """The groups of a query and how many of them a listing must match."""

    groups: tuple[Group, ...]
    minimum_should_match: int


def _single_cjk(raw: str) -> bool:
    return len(raw) == 1 and segment.is_cjk(raw)


def _synonym_span(words: Sequence[segment.QueryWord], i: int, table: SynonymTable) -> int:
    """Words in the longest synonym entry starting at `words[i]`; 0 when none starts there."""
    for span in range(min(table.max_len, len(words) - i), 0, -1):
        if table.get(tuple(w.term for w in words[i : i + span])):
            return span
    return 0


def _character_run(words: Sequence[segment.QueryWord], i: int) -> int:
    """Words in the run of adjacent single Chinese characters starting at `words[i]` (≥ 1)."""
    size = 1
    while (
        i + size < len(words)
        and _single_cjk(words[i + size - 1].raw)
        and _single_cjk(words[i + size].raw)
        and words[i + size].start == words[i + size - 1].start + 1
    ):
        size += 1
    return size


def query_groups(
    text: str, table: SynonymTable, settings: PlanSettings, weight: float = 1.0
) -> list[Group]:
    """The groups of `text` in order, each of weight `weight` (not merged)."""
    words = segment.query_words(text)
    groups: list[Group] = []
    i = 0
    while i < len(words):
        size = _synonym_span(words, i, table)
        expansions: tuple[Alternative, ...] = ()
        if size:
            expansions = tuple(
                Alternative(
                    e.terms, settings.synonym_weight if e.equivalent else settings.related_weight
                )
                for e in table.get(tuple(w.term for w in words[i : i + size]))
            )
        else:
            size = _character_run(words, i)
        chunk = words[i : i + size]
        word = tuple(w.term for w in chunk) if expansions or size == 1 else ()
        raw = "".join(w.raw for w in chunk) if all(segment.is_cjk(w.raw) for w in chunk) else ""
        parts: tuple[Part, ...] = ()
        if size == 1 and raw:
            parts = tuple(
                Part(norm, raw.find(part), raw.find(part) + len(part))
                for part in segment.sub_words(raw)
                if (norm := segment.normalize(part)) is not None
            )
        grams = tuple(dict.fromkeys(segment.bigrams(raw))) if len(raw) >= 2 else ()
        surface = " ".join(w.raw for w in chunk)
        groups.append(Group(word, expansions, parts, raw, grams, surface, weight))
        i += size
    return groups


def merge(groups: Iterable[Group]) -> list[Group]:
    """Groups with the same key become one (the first), their weights added; order kept."""
    merged: dict[tuple[Any, ...], Group] = {}
    for group in groups:
        known = merged.get(group.key())
        merged[group.key()] = replace(known, weight=known.weight + group.weight) if known else group
    return list(merged.values())


def minimum_should_match(groups: int, fraction: float) -> int:
    """How many of `groups` groups a listing must match: all of one or two, else
    `fraction` of them rounded up (at least one)."""
    if groups <= 2:
        return groups
    return max(1, math.ceil(groups * fraction))


def plan_query(
    text: str, table: SynonymTable, settings: PlanSettings, *, relaxed: bool = False
) -> QueryPlan:
    """The plan of a search box query (no groups for text without words), maybe relaxed."""
    groups = tuple(merge(query_groups(text, table, settings)))
    needed = minimum_should_match(len(groups), settings.minimum_should_match)
    return QueryPlan(groups, min(len(groups), 1) if relaxed else needed)


def body_terms(text: str) -> list[str]:
    """The index terms of a body that may represent it in a more-like-this query (single
    Chinese characters left out), with repeats."""
    return [t for t in segment.index_terms(text) if len(t) > 1 or not segment.is_cjk(t)]


def similar_plan(
    document: IndexDocument,
    table: SynonymTable,
    settings: PlanSettings,
    body_scores: Iterable[tuple[str, float]],
) -> QueryPlan:
    """The plan of "listings like `document`": its title, English title (half weight) and
    keywords as query groups, plus the best `mlt_body_terms` of `body_scores` (term, tf-idf
    as the backend measures it; ties by term) weighted relative to the best; one group must
    match."""
    groups = query_groups(document.title, table, settings, settings.mlt_title_weight)
    groups += query_groups(document.title_en, table, settings, settings.mlt_title_weight / 2)
    for keyword in document.keywords:
        groups += query_groups(keyword, table, settings, settings.mlt_keyword_weight)
    top = sorted(body_scores, key=lambda item: (-item[1], item[0]))[: settings.mlt_body_terms]
    if top:
        highest = top[0][1] or 1.0
        groups += [
            Group((term,), weight=settings.mlt_body_weight * value / highest) for term, value in top
        ]
    return QueryPlan(tuple(merge(groups)), 1)


# --- documents -------------------------------------------------------------------------------
#: The segmented fields of an indexed listing, and the field of its character bigrams.
WORD_FIELDS: tuple[str, ...] = ("title", "title_en", "keywords", "body")
GRAM_FIELD = "grams"


def document_terms(document: IndexDocument) -> dict[str, list[str]]:
    """The index terms of `document` per field, with repeats (for term frequencies):
    `WORD_FIELDS` segmented (`segment.index_terms`, keywords one by one) and `GRAM_FIELD`
    the character bigrams of title, keywords and body. The one index-time analysis of both
    backends."""
    keywords_text = "\n".join(document.keywords)
    return {
        "title": segment.index_terms(document.title),
        "title_en": segment.index_terms(document.title_en),
        "keywords": [t for kw in document.keywords for t in segment.index_terms(kw)],
        "body": segment.index_terms(document.body),
        GRAM_FIELD: segment.bigrams(f"{document.title}\n{keywords_text}\n{document.body}"),
    }


# --- covering a word with its sub-words ------------------------------------------------------
def covers(parts: Sequence[Part], length: int) -> bool:
    """Whether the spans of `parts` cover all `length` characters of the word."""
    if not parts or length <= 0:
        return False
    covered = [False] * length
    for part in parts:
        for i in range(max(part.start, 0), min(part.end, length)):
            covered[i] = True
    return all(covered)


def minimal_covers(parts: Sequence[Part], length: int, limit: int = 8) -> list[list[str]]:
    """Minimal sets (at most 4 sub-words each, at most `limit` sets) of sub-words whose spans
    cover all `length` characters of the word, smallest first."""
    found: list[list[str]] = []
    chosen: list[frozenset[int]] = []
    for size in range(1, min(len(parts), 4) + 1):
        for combo in itertools.combinations(range(len(parts)), size):
            if any(prior <= frozenset(combo) for prior in chosen):
                continue
            covered: set[int] = set()
            for index in combo:
                covered.update(range(max(parts[index].start, 0), min(parts[index].end, length)))
            if len(covered) == length:
                chosen.append(frozenset(combo))
                found.append([parts[index].term for index in combo])
                if len(found) >= limit:
                    return found
    return found
