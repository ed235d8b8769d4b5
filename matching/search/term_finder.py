"""Finding many fixed terms in a text at once: an Aho–Corasick automaton (the PyPI package
`pyahocorasick`, a C extension; the one module that imports it).

Used for the domain vocabulary (`matching.search.analysis.related_terms`): one pass over the
text finds every occurrence of every term, where a Python loop over the text's substrings
costs time in the text's length times the longest term.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class TermFinder:
    """The terms of a fixed set that occur as substrings of a text (compared as given: callers
    lower-case both sides). Built once; `found_in` is safe to call from several threads."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for term in set(terms):
            if term:
                self._automaton.add_word(term, term)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def found_in(self, text: str) -> set[str]:
        """The set's terms that occur in `text`."""
        if self._empty or not text:
            return set()
        return {term for _end, term in self._automaton.iter(text)}
