"""The Elasticsearch compiler of query plans (`matching.search.analysis.QueryPlan`) and of a
query's filters into the query DSL.

A plan becomes `bool.should` of one query per group, with the plan's minimum_should_match.
A group's query filters on any of its conditions: all its terms in `seg_all` (also through
the synonym filter when it has synonyms), one of the minimal sets of sub-words that cover the
word, or all its character bigrams in `grams`. It scores with a `dis_max` of the word itself
(weight 1), equivalent synonyms (`synonym_weight`) and one-way synonyms (`related_weight`),
each a `multi_match` (most_fields) over the segmented fields with the embedded boosts (title
3, title_en 2.5, keywords 2, body 1), plus sub-words (`sub_word_weight`) and bigrams (0.3);
boosted by the group's weight. Elasticsearch scores with Lucene's BM25 (k1 1.2, b 0.75, the
same formula without the constant (k1 + 1) factor), so raw scores differ from the embedded
backend's but rank alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch.dsl import Q
from elasticsearch.dsl.query import Query

from matching.search.analysis import Group, PlanSettings, QueryPlan, minimal_covers
from matching.search.backends.base import SearchQuery
from matching.search.backends.elasticsearch.mapping import (
    EMBEDDING_FIELD,
    SEG_ANALYZER,
    SEG_FIELDS,
    SYN_ALL_ANALYZER,
    SYN_EQ_ANALYZER,
    document_id,
    seg_text,
)


def newest_first() -> list[Any]:
    """The sort of text-less searches, and the tie-break of scored ones."""
    return [
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"kind": {"order": "asc"}},
        {"object_id": {"order": "desc"}},
    ]


@dataclass(frozen=True)
class QueryCompiler:
    """Compiles plans with the backend's field boosts and plan weights."""

    boosts: dict[str, float]
    settings: PlanSettings

    def plan_query(self, plan: QueryPlan, filters: list[Query], must_not: list[Query]) -> Query:
        """The bool query of `plan` under the given filter and must_not clauses."""
        return Q(
            "bool",
            filter=filters,
            must_not=must_not,
            should=[self.group_query(g) for g in plan.groups],
            minimum_should_match=plan.minimum_should_match,
        )

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

    @staticmethod
    def _all_terms(terms: Sequence[str], analyzer_name: str) -> Query:
        return Q(
            "match",
            seg_all={
                "query": seg_text(terms),
                "operator": "and",
                "analyzer": analyzer_name,
                "auto_generate_synonyms_phrase_query": False,
            },
        )

    def group_query(self, group: Group) -> Query:
        """Matches listings that match `group` (see the module docstring), scored."""
        conditions: list[Query] = []
        scores: list[Query] = []
        if group.word:
            n = len(group.word)
            conditions.append(self._all_terms(group.word, SEG_ANALYZER))
            exact = self._match_seg(group.word, SEG_ANALYZER, 1.0 / n)
            if group.expansions:
                synonym_weight = self.settings.synonym_weight / n
                related_weight = self.settings.related_weight / n
                conditions.append(self._all_terms(group.word, SYN_ALL_ANALYZER))
                scores.append(
                    Q(
                        "dis_max",
                        queries=[
                            exact,
                            self._match_seg(group.word, SYN_EQ_ANALYZER, synonym_weight),
                            self._match_seg(group.word, SYN_ALL_ANALYZER, related_weight),
                        ],
                    )
                )
            else:
                scores.append(exact)
        if group.parts:
            names = list(dict.fromkeys(part.term for part in group.parts))
            scores.append(self._match_seg(names, SEG_ANALYZER, self.settings.sub_word_weight))
            for cover in minimal_covers(group.parts, len(group.raw)):
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


def filters_of(query: SearchQuery) -> tuple[list[Query], list[Query]]:
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
    for field_name, values in query.value_filters():
        filters.append(Q("terms", **{field_name: values}))
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


#: Elasticsearch's largest `num_candidates` of a kNN search.
MAX_NUM_CANDIDATES = 10_000


def knn_clause(
    values: Sequence[float], filters: SearchQuery, limit: int, oversample: float
) -> dict[str, Any]:
    """The `knn` section of a search for the `limit` listings nearest to `values` among those
    `filters` selects (the same filter and must_not clauses as a lexical search: kind,
    expiry, tombstones, exclusions), at least 100 candidates per shard. With `oversample`
    (> 0), the best `oversample` × `limit` by the int8-quantised graph are rescored with the
    float vectors (`rescore_vector`, Elasticsearch 8.18+), so scores are exact cosines."""
    clauses, must_not = filters_of(filters)
    knn: dict[str, Any] = {
        "field": EMBEDDING_FIELD,
        "query_vector": [float(value) for value in values],
        "k": limit,
        "num_candidates": min(max(100, 2 * limit), MAX_NUM_CANDIDATES),
        "filter": Q("bool", filter=clauses, must_not=must_not).to_dict(),
    }
    if oversample > 0:
        knn["rescore_vector"] = {"oversample": oversample}
    return knn


def cosine_of(score: float) -> float:
    """The cosine similarity of a kNN hit on a `cosine` field, whose `_score` Elasticsearch
    reports as (1 + cosine) / 2 so that it is never negative (reference, dense_vector,
    "similarity": https://www.elastic.co/guide/en/elasticsearch/reference/8.19/dense-vector.html)."""
    return 2.0 * score - 1.0
