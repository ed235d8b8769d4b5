"""Word segmentation for search: Chinese words (jieba), English words, stop words.

One analyser serves indexing and querying, so both sides agree on what a term is:

- `index_terms(text)`: the words of `text` in *search mode*: every word jieba's precise mode
  finds, plus every dictionary word inside a longer word (so 储能电池热管理 also yields 储能,
  电池, 储能电池, 热管理). jieba's own `cut_for_search` only adds 2- and 3-character parts;
  we add every dictionary part.
- `query_words(text)`: the precise-mode words of a query, in order, with their positions.
- `bigrams(text)`: overlapping character bigrams of the Chinese runs of `text`, indexed as a
  low-weight sub-field so that any two-character term is found inside unknown compounds.
- `normalize(word)`: NFKC, lower case, a light English plural stemmer; None for punctuation
  and stop words.

What the synonyms mean for a query is `matching.search.analysis`; the file itself is read by
`matching.search.synonym_file` only.

The segmenter is jieba's algorithm as implemented in Rust by jieba-rs, through its Python
binding `rjieba` (the one module that imports it): a private `rjieba.Jieba` with jieba's
default dictionary, `dictionary.txt` and the Chinese terms of `synonyms.txt`, built once per
process (about 0.1 s, against 0.6 s for Python jieba's cached model). It segments about 12
times faster than Python jieba with the same output: `tests/matching/test_segment.py` checks
words and offsets against Python jieba 0.42.1 (a development dependency) on every bundled
listing. HMM new-word discovery is off: segmentation then depends only on the dictionaries, so
a query and a document containing the same string segment it the same way.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import rjieba

from matching.search.synonym_file import synonym_lines

HERE = Path(__file__).resolve().parent
DICTIONARY_PATH = HERE / "dictionary.txt"

#: Words that carry no meaning for search. 技术 is here on purpose: measured on the bundled
#: data it occurs in 178 of 265 listings (67 %), so it adds no discrimination, and as an OR
#: term it would make almost every listing match a query like "储能技术". (储能技术 itself is a
#: dictionary word and a synonym of 储能, so that query still works.)
_STOP_WORDS_TEXT = """
的 了 和 与 及 及其 或 等 之 其 并 在 为 以 对 于 由 从 将 是 有 被 把 中 可 已 也 而 又
一种 一个 一套 一项 用于 基于 面向 通过 进行 实现 以及 技术 相关 方面
a an and are as at be by for from in into is it its of on or the to via with using based
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_MEANINGFUL = re.compile(f"[0-9a-z{_CJK}]")
_EDGE_PUNCT = re.compile(f"^[^0-9a-z{_CJK}]+|[^0-9a-z{_CJK}%+#]+$")

_lock = threading.Lock()


def _dictionary_lines(path: Path) -> Iterator[list[str]]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line.split()


@cache
def tokenizer() -> rjieba.Jieba:
    """The process-wide private segmenter with the domain words loaded (built once)."""
    with _lock:
        tk = rjieba.Jieba()
        for parts in _dictionary_lines(DICTIONARY_PATH):
            word = parts[0]
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[2] if len(parts) > 2 else None
            tk.add_word(word, freq, tag)
        # Chinese synonym terms are words too, so that a query segments them as units.
        for line in synonym_lines():
            for term in line.terms():
                if " " not in term and len(term) >= 2 and _CJK_RUN.fullmatch(term):
                    tk.add_word(term, None, None)
        return tk


def _stem(word: str) -> str:
    """A light English plural stemmer (batteries → battery, cells → cell, glass stays)."""
    if not (word.isascii() and word.isalpha()) or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def normalize(word: str) -> str | None:
    """The index form of one segmented word, or None if it is punctuation or a stop word.
    Cached: a corpus repeats the same words, and this is most of a document's analysis."""
    word = unicodedata.normalize("NFKC", word).lower().strip()
    word = _EDGE_PUNCT.sub("", word)
    if not word or not _MEANINGFUL.search(word) or word in STOP_WORDS:
        return None
    return _stem(word)


def is_cjk(term: str) -> bool:
    return bool(_CJK_CHAR.search(term))


def _cut(text: str) -> Iterator[tuple[str, int]]:
    """Precise-mode words with their start offsets in the NFKC form of `text` (no HMM; see
    the module docstring). NFKC turns full-width letters and digits (ＣＯ２) into ASCII."""
    text = unicodedata.normalize("NFKC", text)
    for word, start, _end in tokenizer().tokenize(text, "default", False):
        yield word, start


def sub_words(word: str) -> list[str]:
    """Dictionary words strictly inside `word` (all lengths ≥ 2), in order, no duplicates."""
    if len(word) <= 2 or not is_cjk(word):
        return []
    tk = tokenizer()
    found: list[str] = []
    for size in range(len(word) - 1, 1, -1):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if part not in found and tk.has_word(part):
                found.append(part)
    return found


def index_terms(text: str) -> list[str]:
    """Normalised search-mode terms of `text` (with repeats, for term frequencies)."""
    terms: list[str] = []
    for word, _start in _cut(text):
        norm = normalize(word)
        if norm is None:
            continue
        terms.append(norm)
        for part in sub_words(word):
            part_norm = normalize(part)
            if part_norm is not None:
                terms.append(part_norm)
    return terms


@dataclass(frozen=True)
class QueryWord:
    """One precise-mode word of a query: its normalised term, raw text and offset."""

    term: str
    raw: str
    start: int


def query_words(text: str) -> list[QueryWord]:
    """Normalised precise-mode words of a query, in order (stop words and punctuation out)."""
    words: list[QueryWord] = []
    for word, start in _cut(text):
        norm = normalize(word)
        if norm is not None:
            words.append(QueryWord(norm, word, start))
    return words


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each Chinese run of `text` (with repeats)."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(unicodedata.normalize("NFKC", text)):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def phrase_terms(text: str) -> tuple[str, ...]:
    """The precise-mode terms of a short phrase (a synonym entry, a keyword)."""
    return tuple(word.term for word in query_words(text))


@cache
def _domain_words() -> frozenset[str]:
    """The words of `dictionary.txt` and the Chinese terms of the synonym file, normalised."""
    words = {parts[0] for parts in _dictionary_lines(DICTIONARY_PATH)}
    words |= {term for line in synonym_lines() for term in line.terms() if " " not in term}
    return frozenset(norm for word in words if (norm := normalize(word)) is not None)


def domain_words(text: str) -> list[str]:
    """The normalised precise-mode words of `text` that are domain words (`dictionary.txt`,
    the synonym file), in order, with repeats: the technical terms of a text. Used to find
    the objects of a stated problem (`matching.knowledge.mining`)."""
    known = _domain_words()
    found = (normalize(word) for word, _start in _cut(text))
    return [word for word in found if word is not None and word in known]
