"""Plain features of saved or unsaved listings for the pure scorer (`matching.scoring`): a
need's `NeedFeatures`, a result's `ResultFeatures`.

A need's related terms (`matching.search.analysis.related_terms`: what the domain vocabulary
and the problem rules link to its text) are kept per process for saved needs, by (pk,
updated_at), at most `_RELATED_KEPT` of them (a few MB), and forgotten when the synonym file
or a rule file changes: a result's matches score up to MATCHING_SCORED needs, and computing
their terms each time took about 0.6 ms a need, 50 ms a match (profiled on the demo
database).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime

from django.utils import timezone

from marketplace.models import ResearchResult, TechnologyNeed
from matching.knowledge.rules import rules_in_force
from matching.scoring import NeedFeatures, ResultFeatures, parse_source_date
from matching.search.analysis import related_terms
from matching.search.synonym_file import SYNONYMS_PATH, synonym_lines


def _listing_date(listing: ResearchResult | TechnologyNeed) -> date | None:
    """The source date; for listings made on the platform (no source URL) the publication
    date; None for imported listings whose source gives no date (their import time says
    nothing about the technology's age)."""
    parsed = parse_source_date(listing.source_date)
    if parsed is not None:
        return parsed
    if not listing.source_url and listing.published_at is not None:
        return timezone.localdate(listing.published_at)
    return None


_RELATED_KEPT = 20_000
_related: OrderedDict[tuple[int, datetime | None], tuple[str, ...]] = OrderedDict()
_related_source: tuple[object, ...] = ()  # the vocabulary and rules the kept terms came from
_related_lock = threading.Lock()


def _vocabulary() -> tuple[object, ...]:
    """What `related_terms` reads, as objects replaced when their files change: the synonym
    file's lines and the problem rules in force."""
    try:
        lines: object = synonym_lines(SYNONYMS_PATH)
    except OSError:
        lines = None
    return (lines, rules_in_force())


def _related_terms_of(
    need: TechnologyNeed, text: str, keywords: tuple[str, ...]
) -> tuple[str, ...]:
    global _related_source
    if not need.pk:
        return related_terms(text, keywords)
    key = (int(need.pk), need.updated_at)
    source = _vocabulary()
    with _related_lock:
        if source != _related_source:  # a vocabulary or rule file changed (or first use)
            _related.clear()
            _related_source = source
        known = _related.get(key)
        if known is not None:
            _related.move_to_end(key)
            return known
    terms = related_terms(text, keywords)
    with _related_lock:
        _related[key] = terms
        while len(_related) > _RELATED_KEPT:
            _related.popitem(last=False)
    return terms


def need_features(need: TechnologyNeed) -> NeedFeatures:
    """Plain features of a need (saved or not) for the scorer."""
    text = f"{need.title}\n{need.description}"
    keywords = tuple(str(k) for k in need.keywords or ())
    return NeedFeatures(
        title=need.title,
        text=need.description,
        keywords=keywords,
        ipc=tuple(str(s) for s in need.ipc or ()),
        field=need.field,
        province=need.province,
        city=need.city,
        modes=tuple(str(m) for m in need.cooperation_modes or ()),
        date=_listing_date(need),
        trl=need.trl,
        budget_min_cny=need.budget_min_cny,
        budget_max_cny=need.budget_max_cny,
        related_terms=_related_terms_of(need, text, keywords),
    )


def result_features(result: ResearchResult) -> ResultFeatures:
    """Plain features of a research result for the scorer."""
    return ResultFeatures(
        title=result.title,
        text=result.summary,
        keywords=tuple(str(k) for k in result.keywords or ()),
        ipc=tuple(str(s) for s in result.ipc or ()),
        field=result.field,
        province=result.province,
        city=result.city,
        modes=tuple(str(m) for m in result.transfer_modes or ()),
        date=_listing_date(result),
        trl=result.trl,
        stage=result.stage,
        asking_price_cny=result.asking_price_cny,
    )


__all__ = ["need_features", "result_features"]
