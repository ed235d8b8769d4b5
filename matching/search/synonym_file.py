"""The domain synonym file `synonyms.txt`: its only reader and parser.

The file is in Solr's synonym format, one rule a line:

- `a, b, c`: the terms name the same thing (an equivalence line);
- `a, b => c, d`: a query for a or b also finds c and d, not the other way (a one-way rule,
  which relates a problem to a technology);
- `#` starts a comment; terms are separated by ASCII or full-width commas (`,` or `，`).

Only the text is parsed here; what the terms mean for search (their segmentation, the query
plan, the related terms of the matcher) is `matching.search.analysis`. This module sits below
the segmenter, which adds the Chinese terms to jieba's words, so it imports nothing of search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SYNONYMS_PATH = Path(__file__).resolve().parent / "synonyms.txt"

_TERM_SEPARATOR = re.compile("[,，]")


@dataclass(frozen=True)
class SynonymLine:
    """One rule as written: `left` terms and `right` terms, or `right` None for an
    equivalence line. Terms are stripped, in file order, never empty."""

    left: tuple[str, ...]
    right: tuple[str, ...] | None

    def terms(self) -> tuple[str, ...]:
        """Every term of the line, left side first."""
        return self.left + (self.right or ())


def _split_terms(text: str) -> tuple[str, ...]:
    return tuple(term.strip() for term in _TERM_SEPARATOR.split(text) if term.strip())


def parse_line(raw: str) -> SynonymLine | None:
    """The rule of one line of the file, or None for a blank or comment line."""
    line = raw.split("#", 1)[0].strip()
    if not line:
        return None
    if "=>" in line:
        left, right = line.split("=>", 1)
        return SynonymLine(_split_terms(left), _split_terms(right))
    return SynonymLine(_split_terms(line), None)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> tuple[SynonymLine, ...]:
    lines = (parse_line(raw) for raw in Path(path).read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line is not None)


def synonym_lines(path: Path = SYNONYMS_PATH) -> tuple[SynonymLine, ...]:
    """The rules of the synonym file at `path`, in file order; read again when the file's
    modification time or size changes. Raises OSError when the file cannot be read."""
    stat = path.stat()
    return _read(str(path), stat.st_mtime_ns, stat.st_size)
