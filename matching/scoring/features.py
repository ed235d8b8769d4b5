"""Plain data in and out of match scoring (a listing's features, a component's `Part`), and
the small helpers the components share."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from matching.scoring.vocabulary import COMPONENTS, REGION_SUFFIX


# --- plain data in --------------------------------------------------------------------------
@dataclass(frozen=True)
class ListingFeatures:
    """What the scorer knows about one listing. Codes are `marketplace.choices` codes.

    `text` is the title and description joined (used for fuzzy keyword matches); `ipc` holds
    IPC symbols such as "H01M 10/052"; `date` is the source date or publication date.
    """

    title: str
    text: str = ""
    keywords: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    field: str = ""
    province: str = ""
    city: str = ""
    modes: tuple[str, ...] = ()
    date: date | None = None

    # Computed once per listing, not once per pair: a match compares one listing with up to
    # MATCHING_SCORED others. (cached_property writes the instance's __dict__, which a frozen
    # dataclass without slots allows.)
    @cached_property
    def lowered_text(self) -> str:
        """Title, text and keywords, lower-cased: where keywords are looked for."""
        return f"{self.title} {self.text} {' '.join(self.keywords)}".lower()

    @cached_property
    def text_bigrams(self) -> frozenset[str]:
        """`bigrams(lowered_text)`."""
        return frozenset(bigrams(self.lowered_text))

    @cached_property
    def listed_keywords(self) -> frozenset[str]:
        """The keywords, stripped and lower-cased, without empty ones."""
        return frozenset(lowered for _shown, lowered, _grams in self.keyword_forms)

    @cached_property
    def keyword_forms(self) -> tuple[tuple[str, str, frozenset[str]], ...]:
        """(keyword stripped, lower-cased, its character bigrams) of each keyword, without
        empty ones and without a lower-cased form given before."""
        forms: dict[str, tuple[str, str, frozenset[str]]] = {}
        for keyword in self.keywords:
            lowered = keyword.strip().lower()
            if lowered and lowered not in forms:
                forms[lowered] = (keyword.strip(), lowered, frozenset(bigrams(lowered)))
        return tuple(forms.values())


@dataclass(frozen=True)
class NeedFeatures(ListingFeatures):
    """A technology need. `trl` is the lowest maturity wanted; budgets are CNY.

    `related_terms` are terms the domain vocabulary links to the need's keywords and text
    (e.g. 钢渣 → 气淬, 固废资源化): technologies that may solve the stated problem.
    """

    trl: int | None = None
    budget_min_cny: Decimal | None = None
    budget_max_cny: Decimal | None = None
    related_terms: tuple[str, ...] = ()

    @cached_property
    def related_forms(self) -> tuple[tuple[str, str], ...]:
        """(term stripped, lower-cased) of each related term, without empty ones."""
        return tuple(
            (term.strip(), term.strip().lower()) for term in self.related_terms if term.strip()
        )


@dataclass(frozen=True)
class ResultFeatures(ListingFeatures):
    """A research result. `stage` is a `Stage` code; `asking_price_cny` is CNY."""

    trl: int | None = None
    stage: str = ""
    asking_price_cny: Decimal | None = None


# --- plain data out -------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    score: float
    zh: str
    en: str
    known: bool = True


# --- helpers --------------------------------------------------------------------------------
def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights of COMPONENTS scaled to sum 1. Missing names weigh 0; other names are ignored.

    Raises ValueError for a negative weight or when all weights are 0.
    """
    raw = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
    if any(value < 0 or math.isnan(value) for value in raw.values()):
        raise ValueError("Match weights must not be negative.")
    total = sum(raw.values())
    if total <= 0:
        raise ValueError("At least one match weight must be positive.")
    return {name: value / total for name, value in raw.items()}


def normalise_text_scores(raw_scores: Sequence[float], *, mode: str = "max") -> list[float]:
    """Map the backend's raw relevance scores (≥ 0, e.g. BM25) of one candidate list to 0–1.

    mode "max": divide by the best candidate's score (the best gets 1).
    mode "saturate": s / (s + median of the positive scores) — keeps absolute differences.
    """
    scores = [max(0.0, float(s)) for s in raw_scores]
    if not scores:
        return []
    if mode == "saturate":
        positive = sorted(s for s in scores if s > 0)
        if not positive:
            return [0.0 for _ in scores]
        pivot = positive[len(positive) // 2]
        return [s / (s + pivot) for s in scores]
    best = max(scores)
    if best <= 0:
        return [0.0 for _ in scores]
    return [s / best for s in scores]


def parse_source_date(value: str | None) -> date | None:
    """Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" (missing parts = 1); None when unparseable."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", value)
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalise_region(name: str | None) -> str:
    """Short name: "河北省" → "河北", "北京市" → "北京"; blank for None."""
    name = (name or "").strip()
    stripped = REGION_SUFFIX.sub("", name)
    return stripped or name


def join_zh(items: Iterable[str]) -> str:
    return "、".join(items)


def join_en(items: Iterable[str]) -> str:
    return ", ".join(items)


def bigrams(text: str) -> set[str]:
    """The two-character substrings of `text`, lower-cased, whitespace removed."""
    text = "".join(text.lower().split())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def clamp(value: float) -> float:
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def format_cny(amount: Decimal) -> tuple[str, str]:
    """(zh, en) renderings of a CNY amount: 45万元 / CNY 450,000."""
    if amount >= Decimal(10000) and amount % Decimal(100) == 0:
        wan = (amount / Decimal(10000)).normalize()
        zh = f"{wan:f}万元"
    else:
        zh = f"{amount:,.2f}元"
    return zh, f"CNY {amount:,.0f}"
