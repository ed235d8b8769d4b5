"""The words that explain a match: informative terms of the listing being matched, the index
terms of each candidate, and the terms they share (at most 5, without words too general to
explain anything: a fixed list, and terms found in more than a quarter of the candidates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from marketplace.models import ResearchResult, TechnologyNeed
from matching.search.backends.base import SearchHit

#: Words too general to explain a match (besides the search stop words).
_GENERIC_TERMS: frozenset[str] = frozenset(
    {
        "应用",
        "科技",
        "研究",
        "开发",
        "研发",
        "关键",
        "关键技术",
        "产业化",
        "企业",
        "需求",
        "项目",
        "合作",
        "提升",
        "提高",
        "解决",
        "问题",
        "系统",
        "方法",
        "工艺",
        "材料",
        "设备",
        "装置",
        "生产",
        "制造",
        "高效",
        "新型",
        "我国",
        "国内",
        "国际",
        "公司",
        "有限公司",
        "团队",
        "学院",
        "大学",
        "集团",
        "职业",
        "股份",
        "专家",
        "技术需求",
        # The 【演示】 label of demo listings says nothing about their technology.
        "演示",
    }
)
#: A term found in more than this share of the candidates does not explain a match.
_GENERIC_SHARE = 0.25


def _informative(terms: Iterable[str]) -> list[str]:
    """The informative ones of `terms` (2+ characters, not a number, not generic), in order,
    each once."""
    return list(
        dict.fromkeys(
            t for t in terms if len(t) >= 2 and not t.isdigit() and t not in _GENERIC_TERMS
        )
    )


def informative_terms(text: str) -> list[str]:
    """Informative search terms of `text` in order of first appearance (2+ characters)."""
    from matching.search import segment

    return _informative(segment.index_terms(text))


def candidate_terms_of(listing: ResearchResult | TechnologyNeed, hit: SearchHit) -> set[str]:
    """A candidate's informative terms: those the index stored for it (`SearchHit.terms`),
    segmented again only when the backend did not return them."""
    if hit.terms is not None:
        return set(_informative(hit.terms))
    return set(
        informative_terms(f"{listing.title}\n{' '.join(listing.keywords or [])}\n{listing.body}")
    )


def shared_terms(source_terms: Sequence[str], other: set[str], generic: set[str]) -> list[str]:
    """The terms of `source_terms` (ordered) that also occur in `other`, at most 5, without
    `generic` ones and without terms contained in an earlier one (储能 after 储能电池)."""
    shared: list[str] = []
    for term in source_terms:
        if term in other and term not in generic and not any(term in kept for kept in shared):
            shared.append(term)
            if len(shared) == 5:
                break
    return shared


def generic_terms(candidate_terms: Sequence[set[str]]) -> set[str]:
    """Terms found in more than `_GENERIC_SHARE` of the candidates (and in more than 2)."""
    document_frequency = Counter(term for terms in candidate_terms for term in terms)
    return {
        term
        for term, count in document_frequency.items()
        if count > _GENERIC_SHARE * len(candidate_terms) and count > 2
    }
