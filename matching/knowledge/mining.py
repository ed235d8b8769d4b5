"""Growing knowledge rules from the listings themselves (`manage.py grow_knowledge`).

A general procedure over plain listing records; it never reads relevance judgements.

1. **Problem ⇒ technology** (`problem` rules). A sentence of a listing (a need, or a result
   saying what it solves) that holds a problem cue (`PROBLEM_CUES`: 堆积, 污染, 卡脖子,
   寿命短, …) states a problem; its *objects* are its technical terms (the domain words of
   dictionary.txt and synonyms.txt, `segment.domain_words`; not generic, not in the
   listing's organisation name) that occur in at least one result and in at most
   `max_object_share` of them (a word in many results names no object). The results of the
   stating listing's field whose text holds the object *support* it; each keyword of a
   supporting result (not the object, no cue) is a technology term. `object+cue ⇒ term` is
   kept when at least `min_results` supporting results hold the term and at least
   `min_listings` listings in all (those stating the problem and those results: its
   `count`, its `evidence`) back it; its shared term is the object.
2. **IPC subclass ⇒ field** (`ipc` rules): results that carry both; kept at
   `min_ipc_results` results of the same subclass and field.
3. **Field ⇒ related field** (`field` rules): two fields whose listings (results and needs)
   use at least `min_shared_keywords` keywords in common; pairs the fixed vocabulary already
   relates (`RELATED_FIELDS`) are left out. Evidence: the listings using those keywords.

The output is sorted (kind, left, right), so that growing again from the same corpus gives
the same file and a changed corpus gives a reviewable diff.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from matching.knowledge.rules import KINDS, Kind, Rule, sentences

#: Words that state a problem rather than a technology (general, not from any one listing).
PROBLEM_CUES: tuple[str, ...] = (
    "堆积",
    "占地",
    "污染",
    "超标",
    "排放",
    "卡脖子",
    "买不到",
    "依赖进口",
    "进口依赖",
    "替代进口",
    "寿命短",
    "能耗高",
    "高能耗",
    "成本高",
    "效率低",
    "磨损",
    "腐蚀",
    "生锈",
    "泄漏",
    "故障",
    "浪费",
    "损耗",
    "不稳定",
    "开裂",
    "老化",
    "失效",
    "堵塞",
    "结垢",
    "粉尘",
    "噪声",
    "异味",
    "短缺",
    "精度低",
    "良率低",
    "不达标",
    "隐患",
)

#: Words too general to be the object of a problem or a technology term.
_GENERIC_TEXT = """
技术 关键 关键技术 企业 公司 需求 项目 问题 研发 研究 开发 应用 产品 生产 工艺 系统
方法 材料 设备 装置 提升 提高 解决 实现 产业 产业化 行业 发展 合作 服务 团队 高校
国内 国外 国际 我国 能力 水平 质量 领域 过程 方面 方案 平台 创新 工程 科技 有限公司
集团 股份 大学 学院 难度 存在 需要 希望 攻克 突破 专家 人才 体系 风险 职业 性能
高性能 低成本 成本 效率 时间 模式 基础 条件 环境 现象
"""
GENERIC_WORDS: frozenset[str] = frozenset(_GENERIC_TEXT.split())
#: Endings of organisation names (a university's school is no object of a problem).
_ORGANISATION_ENDINGS: tuple[str, ...] = (
    "大学",
    "学院",
    "研究院",
    "研究所",
    "中心",
    "公司",
    "集团",
    "实验室",
    "医院",
)


@dataclass(frozen=True)
class Listing:
    """A listing as the mining sees it: `kind` result or need, `field` a field code."""

    id: str
    kind: Literal["result", "need"]
    field: str
    title: str
    text: str
    keywords: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    organisation: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}\n{' '.join(self.keywords)}".lower()


@dataclass(frozen=True)
class GrowthSettings:
    """The evidence minimums of growth (see the module docstring)."""

    min_results: int = 1
    min_listings: int = 2
    max_object_share: float = 0.05
    min_ipc_results: int = 2
    min_shared_keywords: int = 3
    max_evidence: int = 12


def corpus_digest(listings: Iterable[Listing]) -> str:
    """A short digest of the corpus the rules were grown from (order does not matter)."""
    records = sorted(
        json.dumps(asdict(listing), ensure_ascii=False, sort_keys=True) for listing in listings
    )
    digest = hashlib.sha256("\n".join(records).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:16]}"


def _informative(term: str) -> bool:
    return (
        len(term) >= 2
        and not term.isdigit()
        and term not in GENERIC_WORDS
        and not term.endswith(_ORGANISATION_ENDINGS)
    )


class _Frequency:
    """How many results' texts hold a word (counted once per word)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = list(texts)
        self.known: dict[str, int] = {}

    def __call__(self, word: str) -> int:
        if word not in self.known:
            self.known[word] = sum(1 for text in self.texts if word in text)
        return self.known[word]


def _objects(
    sentence: str, frequency: _Frequency, limit: int, terms: Callable[[str], list[str]]
) -> list[str]:
    """The object words of a problem sentence: its `terms` found in at least one result and at
    most `limit` of them, not containing a cue or inside one."""
    words = dict.fromkeys(term for term in terms(sentence) if _informative(term))
    return [
        word
        for word in words
        if not any(word in cue or cue in word for cue in PROBLEM_CUES)
        and 0 < frequency(word) <= limit
    ]


def _technology_terms(result: Listing, obj: str) -> list[str]:
    terms = (k.strip().lower() for k in result.keywords)
    return [
        t
        for t in dict.fromkeys(terms)
        if _informative(t) and t != obj and not any(cue in t for cue in PROBLEM_CUES)
    ]


def _evidence(ids: Iterable[str], limit: int) -> tuple[str, ...]:
    return tuple(sorted(set(ids)))[:limit]


def _statements(
    listings: Sequence[Listing],
    frequency: _Frequency,
    limit: int,
    terms: Callable[[str], list[str]],
) -> dict[tuple[str, str, str], set[str]]:
    """(field, object, cue) → the listings (needs, and results naming what they solve) that
    state the problem in one sentence."""
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for item in listings:
        names = set(terms(item.organisation)) if item.organisation else set()
        for sentence in sentences(f"{item.title}。{item.text}"):
            cues = [cue for cue in PROBLEM_CUES if cue in sentence]
            if not cues:
                continue
            objects = [o for o in _objects(sentence, frequency, limit, terms) if o not in names]
            for cue in cues:
                for obj in objects:
                    stated[(item.field, obj, cue)].add(item.id)
    return stated


def problem_rules(
    listings: Sequence[Listing],
    settings: GrowthSettings,
    terms: Callable[[str], list[str]],
) -> list[Rule]:
    """Problem ⇒ technology rules (step 1 of the module docstring); `terms` gives the
    technical terms of a text (`matching.search.segment.domain_words`)."""
    results = [item for item in listings if item.kind == "result"]
    texts = {item.id: item.full_text for item in results}
    limit = max(1, int(settings.max_object_share * len(results)))
    stated = _statements(listings, _Frequency(texts.values()), limit, terms)
    support: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    statements: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (field, obj, cue), ids in stated.items():
        statements[(obj, cue)] |= ids
        for result in results:
            if (field and result.field != field) or obj not in texts[result.id]:
                continue
            for term in _technology_terms(result, obj):
                support[(obj, cue, term)].add(result.id)
    rules: list[Rule] = []
    for (obj, cue, term), result_ids in support.items():
        stating = statements[(obj, cue)]
        if len(result_ids) < settings.min_results or len(stating | result_ids) < (
            settings.min_listings
        ):
            continue
        rules.append(
            Rule(
                "problem",
                f"{obj}+{cue}",
                term,
                count=len(stating | result_ids),
                evidence=_evidence(stating | result_ids, settings.max_evidence),
                shared=(obj,),
            )
        )
    return rules


def ipc_rules(listings: Sequence[Listing], settings: GrowthSettings) -> list[Rule]:
    """IPC subclass ⇒ field rules (step 2)."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in listings:
        if item.kind != "result" or not item.field:
            continue
        for symbol in item.ipc:
            subclass = "".join(symbol.split()).upper()[:4]
            if len(subclass) == 4:
                seen[(subclass, item.field)].add(item.id)
    return [
        Rule(
            "ipc",
            subclass,
            field,
            count=len(ids),
            evidence=_evidence(ids, settings.max_evidence),
            shared=(subclass,),
        )
        for (subclass, field), ids in seen.items()
        if len(ids) >= settings.min_ipc_results
    ]


def field_rules(
    listings: Sequence[Listing],
    settings: GrowthSettings,
    known: Iterable[frozenset[str]] = (),
) -> list[Rule]:
    """Field ⇒ related field rules (step 3), leaving out the pairs in `known`."""
    users: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for item in listings:
        if not item.field:
            continue
        for keyword in {k.strip().lower() for k in item.keywords}:
            if _informative(keyword):
                users[keyword][item.field].add(item.id)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for keyword, fields in users.items():
        codes = sorted(fields)
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                shared[(a, b)].append(keyword)
    skip = set(known)
    rules: list[Rule] = []
    for (a, b), keywords in shared.items():
        if len(keywords) < settings.min_shared_keywords or frozenset({a, b}) in skip:
            continue
        ids = {i for k in keywords for code in (a, b) for i in users[k][code]}
        rules.append(
            Rule(
                "field",
                a,
                b,
                count=len(keywords),
                evidence=_evidence(ids, settings.max_evidence),
                shared=tuple(sorted(keywords)),
            )
        )
    return rules


def grow(
    listings: Sequence[Listing],
    settings: GrowthSettings,
    terms: Callable[[str], list[str]],
    *,
    kinds: Iterable[Kind] = KINDS,
    known_fields: Iterable[frozenset[str]] = (),
) -> list[Rule]:
    """The rules of `kinds` grown from `listings`, sorted by kind, left side, right side."""
    wanted = set(kinds)
    rules: list[Rule] = []
    if "problem" in wanted:
        rules += problem_rules(listings, settings, terms)
    if "ipc" in wanted:
        rules += ipc_rules(listings, settings)
    if "field" in wanted:
        rules += field_rules(listings, settings, known_fields)
    return sorted(rules, key=lambda r: (KINDS.index(r.kind), r.left, r.right))


def render(rules: Sequence[Rule], *, version: int, digest: str, day: str) -> str:
    """The text of the grown file: the version header, a column line, one rule a line."""
    head = [
        f"# version: {version}, grown from {digest} on {day}",
        "# Grown by `manage.py grow_knowledge` from the listings (matching/knowledge/mining.py);",
        "# do not edit by hand: put hand-checked rules in curated_rules.tsv.",
        "# kind\tleft\tright\tcount\tevidence\tshared",
    ]
    return "\n".join(head + [rule.line() for rule in rules]) + "\n"
