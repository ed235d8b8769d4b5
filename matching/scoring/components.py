"""One function per score component: each rates one aspect of a need–result pair in 0–1 and
says why, in zh-Hans and English (the rules are in the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kernel.place_names import CITY_EN, PROVINCE_EN
from matching.knowledge.rules import Rule, field_link, ipc_field, rule_for
from matching.scoring.features import (
    ListingFeatures,
    NeedFeatures,
    Part,
    ResultFeatures,
    clamp,
    format_cny,
    join_en,
    join_zh,
    normalise_region,
)
from matching.scoring.vocabulary import (
    BIGRAM_MIN_SHARE,
    COMPATIBLE_MODES,
    CREDIT_BIGRAM,
    CREDIT_CONTAINED,
    CREDIT_EXACT,
    CREDIT_RELATED,
    FIELD_LABELS,
    FRESHNESS_FLOOR,
    FRESHNESS_YEARS,
    JINGJINJI,
    KEYWORD_SATURATION,
    MODE_LABELS,
    MUNICIPALITIES,
    NEUTRAL,
    RELATED_FIELDS,
    STAGE_TRL,
)


# --- components -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SemanticEvidence:
    """How close two listings are in meaning: `score` 0–1 (the cosine mapped by the
    embedder's calibrated range, see matching.scoring.fusion.semantic_score), `cosine` the
    raw similarity, `source_phrase` the phrase of the listing being matched that is closest
    to the candidate, `candidate_phrase` the candidate's phrase named in the reason."""

    score: float
    cosine: float
    source_phrase: str
    candidate_phrase: str


def semantic_part(evidence: SemanticEvidence | None, candidate: str) -> Part:
    """The semantic component: unknown (neutral) without embeddings; otherwise the score with
    a reason naming the closest phrases, e.g. 需求‘钢渣堆积如山’与成果‘钢渣气淬’语义相近."""
    if evidence is None:
        # No vector (none yet, or no embedder): no credit, so a listing without a vector never
        # looks closer in meaning than one that has it (with no embedder the weight is 0).
        return Part(0.0, "无语义向量（仅按文字匹配）", "no embeddings (lexical matching)", False)
    score = clamp(evidence.score)
    level_zh, level_en = (
        ("语义相近", "is close in meaning to")
        if score >= 0.7
        else ("语义有关", "is related in meaning to")
        if score >= 0.4
        else ("语义相距较远", "is far in meaning from")
    )
    source_zh, other_zh = ("需求", "成果") if candidate == "result" else ("成果", "需求")
    source_en, other_en = ("need", "result") if candidate == "result" else ("result", "need")
    # Words, not the score: the score reaches 1.00 at a cosine of 0.93 (MATCHING_SEMANTIC_RANGE),
    # which a reader would take for "the same"; the component's score is shown beside it.
    return Part(
        score,
        f"{source_zh}‘{evidence.source_phrase}’与{other_zh}‘{evidence.candidate_phrase}’"
        + level_zh,
        f"the {source_en}'s '{evidence.source_phrase}' {level_en} the {other_en}'s "
        f"'{evidence.candidate_phrase}'",
    )


def text_part(text_relevance: float, terms: Sequence[str]) -> Part:
    score = clamp(float(text_relevance))
    level_zh, level_en = (
        ("高度相关", "closely related")
        if score >= 0.7
        else ("较为相关", "fairly related")
        if score >= 0.4
        else ("相关度低", "weakly related")
    )
    if terms:
        shown = list(dict.fromkeys(terms))[:5]
        return Part(
            score,
            f"描述文本{level_zh}（{score:.2f}），共同词语：{join_zh(shown)}",
            f"descriptions {level_en} ({score:.2f}); shared terms: {join_en(shown)}",
        )
    return Part(
        score, f"描述文本{level_zh}（{score:.2f}）", f"descriptions {level_en} ({score:.2f})"
    )


@dataclass(frozen=True)
class KeywordEvidence:
    """`credit` sums per-keyword credits (CREDIT_* constants, the best evidence per keyword);
    `matched` lists keywords found exactly or inside the other side's text, `similar` those
    sharing most character bigrams, `related` the vocabulary terms found in the result."""

    credit: float
    matched: list[str]
    similar: list[str]
    related: list[str]


def keyword_matches(need: NeedFeatures, result: ListingFeatures) -> KeywordEvidence:
    """Keyword evidence between a need and a result (or any listing)."""
    r_keywords = result.listed_keywords
    r_text = result.lowered_text
    n_text = need.lowered_text
    credit = 0.0
    matched: list[str] = []
    similar: list[str] = []
    related: list[str] = []
    seen: set[str] = set()
    for shown, kw, grams in need.keyword_forms:
        seen.add(kw)
        if kw in r_keywords:
            credit += CREDIT_EXACT
            matched.append(shown)
        elif len(kw) >= 2 and kw in r_text:
            credit += CREDIT_CONTAINED
            matched.append(shown)
        elif len(grams) >= 2:
            share = len(grams & result.text_bigrams) / len(grams)
            if share >= BIGRAM_MIN_SHARE:
                credit += CREDIT_BIGRAM * share
                similar.append(shown)
    # Result keywords that the need's text mentions (the need did not list them).
    for shown, kw, _grams in result.keyword_forms:
        if kw in seen or len(kw) < 2:
            continue
        seen.add(kw)
        if kw in n_text:
            credit += CREDIT_CONTAINED
            matched.append(shown)
    # Problem → technology terms from the domain vocabulary.
    for shown, t in need.related_forms:
        if t in seen or len(t) < 2:
            continue
        seen.add(t)
        if t in r_text:
            credit += CREDIT_RELATED
            related.append(shown)
    return KeywordEvidence(credit, matched, similar, related)


def keywords_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    if not need.keywords and not result.keywords and not need.related_terms:
        return Part(NEUTRAL, "双方均未填写关键词", "neither side lists keywords", known=False)
    evidence = keyword_matches(need, result)
    score = clamp(evidence.credit / KEYWORD_SATURATION)
    if not (evidence.matched or evidence.similar or evidence.related):
        return Part(0.0, "无共同关键词", "no shared keywords")
    zh_parts: list[str] = []
    en_parts: list[str] = []
    if evidence.matched:
        zh_parts.append(f"关键词重合：{join_zh(evidence.matched[:5])}")
        en_parts.append(f"shared keywords: {join_en(evidence.matched[:5])}")
    if evidence.similar:
        zh_parts.append(f"相近关键词：{join_zh(evidence.similar[:5])}")
        en_parts.append(f"similar keywords: {join_en(evidence.similar[:5])}")
    if evidence.related:
        need_text = "\n".join((need.title, need.text, *need.keywords))
        ruled = [
            (term, rule)
            for term in evidence.related[:5]
            if (rule := rule_for(need_text, term)) is not None
        ]
        plain = [term for term in evidence.related[:5] if term not in dict(ruled)]
        if plain:
            zh_parts.append(f"相关技术词：{join_zh(plain)}")
            en_parts.append(f"related technology terms: {join_en(plain)}")
        for term, rule in ruled[:2]:
            zh, en = _rule_reason(rule, term)
            zh_parts.append(zh)
            en_parts.append(en)
    return Part(score, "；".join(zh_parts), "; ".join(en_parts))


def _rule_reason(rule: Rule, term: str) -> tuple[str, str]:
    """How a reason names the problem rule that linked the need to `term` of the result."""
    return (
        f"需求的‘{rule.label}’指向成果的‘{term}’（{rule.name('zh')}）",
        f"the need's '{rule.label}' points to the result's '{term}' ({rule.name('en')})",
    )


def _ipc_parts(symbol: str) -> tuple[str, str, str]:
    """(class, subclass, group) of an IPC symbol: "H01M 10/052" → ("H01", "H01M", "H01M10")."""
    s = re.sub(r"\s+", "", symbol.upper())
    match = re.match(r"([A-H]\d\d)([A-Z])?(\d+)?", s)
    if not match:
        return s, s, s
    cls, sub, group = match.groups()
    subclass = cls + (sub or "")
    return cls, subclass, subclass + (group or "")


#: IPC levels from the most specific: (index into `_ipc_parts`, score, zh name, en name).
_IPC_LEVELS: tuple[tuple[int, float, str, str], ...] = (
    (2, 1.0, "大组", "group"),
    (1, 0.8, "小类", "subclass"),
    (0, 0.4, "大类", "class"),
)


def ipc_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    if not need.ipc or not result.ipc:
        return Part(
            NEUTRAL, "缺少IPC分类号，按中性计", "IPC unknown on one side (neutral)", known=False
        )
    best: tuple[float, str, str, str] = (0.0, "", "", "")
    for a in need.ipc:
        pa = _ipc_parts(a)
        for b in result.ipc:
            pb = _ipc_parts(b)
            for index, score, zh, en in _IPC_LEVELS:
                if pa[index] == pb[index]:
                    if score > best[0]:
                        best = (score, pa[index], zh, en)
                    break
    score, symbol, level_zh, level_en = best
    if score == 0:
        return Part(0.0, "IPC分类不同", "different IPC classes")
    return Part(score, f"IPC同一{level_zh}：{symbol}", f"same IPC {level_en}: {symbol}")


def _field_label(code: str) -> tuple[str, str]:
    return FIELD_LABELS.get(code, (code, code))


def field_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    if not need.field or not result.field:
        return Part(NEUTRAL, "领域未知，按中性计", "field unknown (neutral)", known=False)
    n_zh, n_en = _field_label(need.field)
    r_zh, r_en = _field_label(result.field)
    if need.field == result.field:
        return Part(1.0, f"同属{n_zh}领域", f"both in {n_en}")
    if frozenset({need.field, result.field}) in RELATED_FIELDS:
        return Part(0.4, f"相关领域：{n_zh}与{r_zh}", f"related fields: {n_en} and {r_en}")
    return _field_rule_part(need, result) or Part(
        0.0, f"领域不同：{n_zh}与{r_zh}", f"different fields: {n_en} and {r_en}"
    )


def _field_rule_part(need: NeedFeatures, result: ResultFeatures) -> Part | None:
    """Two different fields that a knowledge rule relates: a field rule, or an IPC rule that
    files one side's IPC subclass in the other side's field. Scored as related fields."""
    n_zh, n_en = _field_label(need.field)
    r_zh, r_en = _field_label(result.field)
    if rule := field_link(need.field, result.field):
        return Part(
            0.4,
            f"相关领域：{n_zh}与{r_zh}（{rule.name('zh')}）",
            f"related fields: {n_en} and {r_en} ({rule.name('en')})",
        )
    for symbols, field, zh, en in (
        (result.ipc, need.field, "成果", "result"),
        (need.ipc, result.field, "需求", "need"),
    ):
        if rule := ipc_field(symbols, field):
            f_zh, f_en = _field_label(field)
            return Part(
                0.4,
                f"{zh}的IPC小类{rule.left}多见于{f_zh}领域（{rule.name('zh')}）",
                f"the {en}'s IPC subclass {rule.left} is common in {f_en} ({rule.name('en')})",
            )
    return None


def maturity_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    r_trl = result.trl
    estimated = False
    if r_trl is None and result.stage in STAGE_TRL:
        r_trl, estimated = STAGE_TRL[result.stage], True
    if need.trl is None or r_trl is None:
        if r_trl is not None:
            return Part(
                NEUTRAL,
                f"技术就绪度 {r_trl}，需求未说明成熟度要求",
                f"TRL {r_trl}; the need states no maturity",
                known=False,
            )
        return Part(NEUTRAL, "技术就绪度未知，按中性计", "TRL unknown (neutral)", known=False)
    about_zh, about_en = ("约", "about ") if estimated else ("", "")
    if r_trl >= need.trl:
        return Part(
            1.0,
            f"技术就绪度{about_zh} {r_trl}，需求要求至少 {need.trl}",
            f"TRL {about_en}{r_trl}, need asks for at least {need.trl}",
        )
    gap = need.trl - r_trl
    return Part(
        clamp(1.0 - 0.25 * gap),
        f"技术就绪度{about_zh} {r_trl}，低于需求要求的 {need.trl}",
        f"TRL {about_en}{r_trl}, below the {need.trl} the need asks for",
    )


def price_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    price = result.asking_price_cny
    if price is None:
        return Part(NEUTRAL, "未标价，按中性计", "no asking price (neutral)", known=False)
    budget_max, budget_min = need.budget_max_cny, need.budget_min_cny
    if budget_max is None and budget_min is None:
        return Part(NEUTRAL, "需求未说明预算，按中性计", "no budget stated (neutral)", known=False)
    p_zh, p_en = format_cny(price)
    if budget_max is None or price <= budget_max:
        return Part(
            1.0,
            f"报价 {p_zh} 在预算范围内",
            f"asking price {p_en} within budget",
        )
    b_zh, b_en = format_cny(budget_max)
    if budget_max <= 0:
        return Part(0.0, f"报价 {p_zh} 超出预算 {b_zh}", f"asking price {p_en} over budget {b_en}")
    ratio = float(price / budget_max)
    return Part(
        clamp(2.0 - ratio),
        f"报价 {p_zh} 超出预算上限 {b_zh}",
        f"asking price {p_en} above the budget of {b_en}",
    )


def _mode_label(code: str) -> tuple[str, str]:
    return MODE_LABELS.get(code, (code, code.replace("_", " ")))


def modes_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    if not need.modes or not result.modes:
        return Part(
            NEUTRAL, "合作方式未说明，按中性计", "cooperation modes unknown (neutral)", known=False
        )
    shared = [m for m in need.modes if m in set(result.modes)]
    if shared:
        zh = join_zh(_mode_label(m)[0] for m in shared)
        en = join_en(_mode_label(m)[1] for m in shared)
        return Part(1.0, f"双方均接受{zh}", f"both accept {en}")
    pairs = [
        (n, r) for n in need.modes for r in result.modes if frozenset({n, r}) in COMPATIBLE_MODES
    ]
    if pairs:
        n, r = pairs[0]
        return Part(
            0.7,
            f"合作方式相近：需求{_mode_label(n)[0]}，成果{_mode_label(r)[0]}",
            f"compatible modes: need wants {_mode_label(n)[1]}, result offers {_mode_label(r)[1]}",
        )
    return Part(
        0.1,
        f"合作方式不同：需求{join_zh(_mode_label(m)[0] for m in need.modes)}，"
        f"成果{join_zh(_mode_label(m)[0] for m in result.modes)}",
        f"different modes: need wants {join_en(_mode_label(m)[1] for m in need.modes)}, "
        f"result offers {join_en(_mode_label(m)[1] for m in result.modes)}",
    )


def _place(features: ListingFeatures) -> tuple[str, str]:
    province = normalise_region(features.province)
    city = normalise_region(features.city)
    if not city and province in MUNICIPALITIES:
        city = province
    return province, city


def region_part(need: NeedFeatures, result: ResultFeatures) -> Part:
    n_prov, n_city = _place(need)
    r_prov, r_city = _place(result)
    if not n_prov or not r_prov:
        return Part(NEUTRAL, "地区未知，按中性计", "region unknown (neutral)", known=False)
    if n_city and n_city == r_city:
        en_city = CITY_EN.get(n_city) or PROVINCE_EN.get(n_city) or n_city
        return Part(1.0, f"同在{n_city}市", f"both in {en_city}")
    p_en = PROVINCE_EN.get(n_prov, n_prov)
    if n_prov == r_prov:
        suffix = "市" if n_prov in MUNICIPALITIES else "省"
        return Part(0.75, f"同在{n_prov}{suffix}", f"both in {p_en}")
    r_en = PROVINCE_EN.get(r_prov, r_prov)
    if n_prov in JINGJINJI and r_prov in JINGJINJI:
        return Part(
            0.5,
            f"同在京津冀（{n_prov}、{r_prov}）",
            f"both in Beijing–Tianjin–Hebei ({p_en}, {r_en})",
        )
    return Part(0.2, f"异地：{n_prov}与{r_prov}", f"different regions: {p_en} and {r_en}")


def freshness_part(listing: ListingFeatures, today: date) -> Part:
    if listing.date is None:
        return Part(NEUTRAL, "发布时间未知，按中性计", "date unknown (neutral)", known=False)
    age_years = max(0.0, (today - listing.date).days / 365.25)
    score = max(FRESHNESS_FLOOR, 1.0 - age_years / FRESHNESS_YEARS * (1.0 - FRESHNESS_FLOOR))
    when = listing.date.strftime("%Y-%m")
    if age_years < 1:
        return Part(score, f"近期信息（{when}）", f"recent ({when})")
    years = int(age_years)
    unit = "year" if years == 1 else "years"
    return Part(
        score, f"信息发布于 {when}，约 {years} 年前", f"from {when}, about {years} {unit} old"
    )
