"""The Tantivy compiler of query plans (`matching.search.analysis.QueryPlan`) and of a query's
filters, the same shape as the Elasticsearch compiler.

A plan becomes a boolean query with one SHOULD clause per group and the plan's minimum number
of groups that must match; filters are MUST clauses scored 0 and exclusions MUST_NOT. A
group's query requires one of its conditions (all terms of an alternative in `words`, one of
the minimal sets of sub-words that cover the word, or all its character bigrams in `grams`)
and scores with the best of its alternatives (the word itself weight 1, equivalent synonyms
`synonym_weight`, one-way ones `related_weight`; each the mean over its terms of the BM25
scores summed over the word fields with their boosts, all terms present), plus sub-words
(`sub_word_weight`) and bigrams (the "grams" boost, mean over the bigrams), times the group's
weight. Tantivy scores with Lucene's BM25 (k1 1.2, b 0.75).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from matching.search.analysis import (
    GRAM_FIELD,
    WORD_FIELDS,
    Alternative,
    Group,
    PlanSettings,
    QueryPlan,
    covers,
    minimal_covers,
)
from matching.search.backends.base import SearchQuery
from matching.search.backends.tantivy.schema import SCHEMA, document_key

Query = tantivy.Query
Occur = tantivy.Occur


def term(field_name: str, value: str) -> tantivy.Query:
    return Query.term_query(SCHEMA, field_name, value, index_option="freq")


def filtered(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    """A MUST clause that filters without scoring."""
    return (Occur.Must, Query.const_score_query(query, 0.0))


def all_of(terms: Iterable[str], field_name: str = "words") -> tantivy.Query:
    return Query.boolean_query([(Occur.Must, term(field_name, t)) for t in terms])


def any_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries], 1)


@dataclass(frozen=True)
class QueryCompiler:
    """Compiles plans with the backend's field boosts and plan weights."""

    boosts: dict[str, float]
    settings: PlanSettings

    def plan_query(
        self, plan: QueryPlan, filters: Sequence[tantivy.Query], excluded: Sequence[tantivy.Query]
    ) -> tantivy.Query:
        """The boolean query of `plan` under `filters` (MUST, unscored) and `excluded`."""
        clauses = [filtered(f) for f in filters]
        clauses += [(Occur.MustNot, q) for q in excluded]
        clauses += [(Occur.Should, self.group_query(g)) for g in plan.groups]
        return Query.boolean_query(clauses, plan.minimum_should_match or None)

    def _fields_score(self, terms: Sequence[str], weight: float) -> tantivy.Query:
        """Σ over word fields and `terms` of boost × BM25, times `weight`."""
        scored = [
            (Occur.Should, Query.boost_query(term(name, t), self.boosts.get(name, 1.0)))
            for name in WORD_FIELDS
            for t in dict.fromkeys(terms)
        ]
        return Query.boost_query(Query.boolean_query(scored), weight)

    def _alternative(self, alternative: Alternative) -> tantivy.Query:
        terms = alternative.terms
        return Query.boolean_query(
            [
                filtered(all_of(terms)),
                (Occur.Should, self._fields_score(terms, alternative.weight / len(terms))),
            ]
        )

    def group_query(self, group: Group) -> tantivy.Query:
        """Matches listings that match `group` (see the module docstring), scored."""
        conditions: list[tantivy.Query] = []
        scores: list[tantivy.Query] = []
        alternatives = [a for a in group.alternatives if a.terms]
        if alternatives:
            conditions += [all_of(a.terms) for a in alternatives]
            scored = [self._alternative(a) for a in alternatives]
            scores.append(scored[0] if len(scored) == 1 else Query.disjunction_max_query(scored))
        if group.parts:
            names = list(dict.fromkeys(part.term for part in group.parts))
            scores.append(self._fields_score(names, self.settings.sub_word_weight))
            conditions += [all_of(cover) for cover in minimal_covers(group.parts, len(group.raw))]
        if group.grams:
            grams = all_of(group.grams, GRAM_FIELD)
            conditions.append(grams)
            boost = self.boosts.get(GRAM_FIELD, 0.3) / len(group.grams)
            scores.append(Query.boost_query(grams, boost))
        if not conditions:
            return Query.empty_query()
        clauses = [filtered(any_of(conditions))] + [(Occur.Should, s) for s in scores]
        return Query.boost_query(Query.boolean_query(clauses), group.weight)


def marks(plan: QueryPlan, terms: set[str], grams: set[str]) -> set[str]:
    """The terms to highlight in a listing whose word terms are `terms` and whose character
    bigrams are `grams`: of each group it matches, the best alternative present, the sub-words
    present and, when all its bigrams are present, the typed text."""
    found: set[str] = set()
    for group in plan.groups:
        present = [a for a in group.alternatives if a.terms and set(a.terms) <= terms]
        parts = [p for p in group.parts if p.term in terms]
        all_grams = bool(group.grams) and set(group.grams) <= grams
        if not (present or all_grams or covers(parts, len(group.raw))):
            continue
        if present:
            found |= set(max(present, key=lambda a: a.weight).terms)
        found |= {p.term for p in parts}
        if all_grams:
            found.add(group.raw.lower())
    return found


def _either(*queries: tantivy.Query) -> tantivy.Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries], 1)


def _absent(field_name: str) -> tantivy.Query:
    return Query.boolean_query(
        [(Occur.Must, Query.all_query()), (Occur.MustNot, Query.exists_query(field_name))]
    )


def _range(field_name: str, low: float | None, high: float | None) -> tantivy.Query:
    return Query.range_query(SCHEMA, field_name, tantivy.FieldType.Float, low, high)


def not_expired() -> tantivy.Query:
    """Listings without an expiry date or expiring after now."""
    now = int(time.time())
    after_now = Query.range_query(
        SCHEMA, "expires", tantivy.FieldType.Integer, now, None, include_lower=False
    )
    return _either(_absent("expires"), after_now)


def filters_of(query: SearchQuery) -> tuple[list[tantivy.Query], list[tantivy.Query]]:
    """(filters, exclusions) of the query; expired listings are always left out."""
    filters = [not_expired()]
    for name, values in query.value_filters():
        filters.append(Query.term_set_query(SCHEMA, name, values))
    if query.trl_min is not None or query.trl_max is not None:
        filters.append(
            Query.range_query(
                SCHEMA, "trl", tantivy.FieldType.Integer, query.trl_min, query.trl_max
            )
        )
    # Price overlap, as in the Elasticsearch compiler: [min or max, max or min] meets the range.
    if query.price_min_cny is not None:
        low = float(query.price_min_cny)
        filters.append(
            _either(
                _range("price_max", low, None),
                Query.boolean_query(
                    [filtered(_absent("price_max")), filtered(_range("price_min", low, None))]
                ),
            )
        )
    if query.price_max_cny is not None:
        high = float(query.price_max_cny)
        filters.append(
            _either(
                _range("price_min", None, high),
                Query.boolean_query(
                    [filtered(_absent("price_min")), filtered(_range("price_max", None, high))]
                ),
            )
        )
    excluded = [
        Query.term_query(SCHEMA, "key", document_key(kind, object_id), index_option="basic")
        for kind, object_id in query.exclude
    ]
    return filters, excluded
