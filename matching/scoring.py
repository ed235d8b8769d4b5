"""Explained match scoring: pure Python over plain data (no Django, no ORM, no search calls).

`score_match(need, result, text_relevance, weights, today)` rates how well a research result
fits a technology need. The score is a weighted mean of components, each in 0–1:

| name        | rule (unknown data → neutral 0.5 unless stated)                                   |
|-------------|-----------------------------------------------------------------------------------|
| `text`      | the search backend's relevance, already normalised to 0–1 (`normalise_text_scores`)|
| `keywords`  | keyword overlap: exact shared keywords, keywords contained in the other side's     |
|             | text, keywords sharing most character bigrams, and need terms related through the |
|             | domain vocabulary (synonyms); saturates at `KEYWORD_SATURATION` credits           |
| `ipc`       | same IPC group 1, same subclass 0.8, same class 0.4, otherwise 0                   |
| `field`     | same field 1, related field (`RELATED_FIELDS`) 0.4, otherwise 0; unknown 0.5       |
| `maturity`  | result TRL (or one estimated from its stage) ≥ the need's minimum TRL → 1, each   |
|             | level short costs 0.25                                                             |
| `price`     | asking price ≤ budget maximum → 1; above it falls linearly to 0 at twice the max   |
| `modes`     | a mode both accept 1; only compatible modes (`COMPATIBLE_MODES`) 0.7; else 0.1     |
| `region`    | same city 1 > same province 0.75 > both in 京津冀 0.5 > elsewhere 0.2 |
| `freshness` | age of the candidate's date: 1 when new, falling linearly to 0.1 at 3 years        |

Weights (settings.MATCHING_WEIGHTS) are normalised to sum 1, so the total is in 0–1. Every
component carries a reason in zh-Hans and English, specific to the values; callers pick one by
the active language. Codes (fields, modes) are the stored codes of `marketplace.choices`; the
small label tables here repeat their names so that this module needs no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

COMPONENTS: tuple[str, ...] = (
    "text",
    "keywords",
    "ipc",
    "field",
    "maturity",
    "price",
    "modes",
    "region",
    "freshness",
)
NEUTRAL = 0.5

#: Keyword credits that give a keyword score of 1 (two exact shared keywords).
KEYWORD_SATURATION = 2.0
#: Credit per kind of keyword evidence.
CREDIT_EXACT = 1.0
CREDIT_CONTAINED = 0.8
CREDIT_RELATED = 0.6
CREDIT_BIGRAM = 0.5  # times the share of the keyword's bigrams found
BIGRAM_MIN_SHARE = 0.5

#: Freshness falls linearly from 1 to FRESHNESS_FLOOR over this many years.
FRESHNESS_YEARS = 3.0
FRESHNESS_FLOOR = 0.1

#: Typical TRL of a development stage (GB/T 22900 levels), used when a result has no TRL.
STAGE_TRL: dict[str, int] = {"lab": 3, "bench": 5, "pilot": 6, "industrial": 8}

JINGJINJI: frozenset[str] = frozenset({"北京", "天津", "河北"})
MUNICIPALITIES: frozenset[str] = frozenset({"北京", "天津", "上海", "重庆"})

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "new_materials": ("新材料", "new materials"),
    "new_energy": ("新能源", "new energy"),
    "energy_saving": ("节能环保", "energy saving and environmental protection"),
    "electronics": ("电子信息", "electronic information"),
    "biomedicine": ("生物医药", "biomedicine"),
    "advanced_equipment": ("高端装备制造", "advanced equipment manufacturing"),
    "agriculture": ("现代农业", "modern agriculture"),
    "chemicals": ("化工", "chemical industry"),
    "metallurgy": ("冶金", "metallurgy"),
    "construction": ("建筑建材", "construction and building materials"),
    "medical_devices": ("医疗器械", "medical devices"),
    "food": ("食品", "food"),
    "energy_mining": ("能源矿业", "energy and mining"),
    "other": ("其他", "other"),
}

#: Fields whose technologies often solve each other's problems (domain knowledge, symmetric).
_RELATED_FIELD_PAIRS: tuple[tuple[str, str], ...] = (
    ("new_materials", "chemicals"),
    ("new_materials", "metallurgy"),
    ("new_materials", "construction"),
    ("new_materials", "new_energy"),
    ("new_materials", "electronics"),
    ("energy_saving", "metallurgy"),
    ("energy_saving", "chemicals"),
    ("energy_saving", "construction"),
    ("energy_saving", "energy_mining"),
    ("energy_saving", "new_energy"),
    ("new_energy", "energy_mining"),
    ("new_energy", "electronics"),
    ("biomedicine", "medical_devices"),
    ("biomedicine", "food"),
    ("biomedicine", "agriculture"),
    ("biomedicine", "chemicals"),
    ("agriculture", "food"),
    ("advanced_equipment", "electronics"),
    ("advanced_equipment", "metallurgy"),
    ("advanced_equipment", "energy_mining"),
    ("advanced_equipment", "medical_devices"),
    ("metallurgy", "energy_mining"),
    ("chemicals", "energy_mining"),
)
RELATED_FIELDS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair) for pair in _RELATED_FIELD_PAIRS
)


def related_fields(code: str) -> tuple[str, ...]:
    """Field codes related to `code` (RELATED_FIELDS), sorted."""
    return tuple(sorted(other for pair in RELATED_FIELDS if code in pair for other in pair
                        if other != code))


MODE_LABELS: dict[str, tuple[str, str]] = {
    "assignment": ("转让", "assignment"),
    "licence": ("许可", "licence"),
    "equity": ("作价入股", "equity contribution"),
    "joint_development": ("合作开发", "joint development"),
    "commissioned_development": ("委托开发", "commissioned development"),
    "technical_service": ("技术服务", "technical service"),
}
#: Groups of modes that can substitute for one another: handing over rights, or doing R&D work.
_MODE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"assignment", "licence", "equity"}),
    frozenset({"joint_development", "commissioned_development", "technical_service"}),
)
COMPATIBLE_MODES: frozenset[frozenset[str]] = frozenset(
    frozenset({a, b}) for group in _MODE_GROUPS for a in group for b in group if a != b
)

PROVINCE_EN: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi",
    "内蒙古": "Inner Mongolia", "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang",
    "上海": "Shanghai", "江苏": "Jiangsu", "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian",
    "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan",
    "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Tibet", "陕西": "Shaanxi",
    "甘肃": "Gansu", "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang",
    "香港": "Hong Kong", "澳门": "Macao", "台湾": "Taiwan",
}
CITY_EN: dict[str, str] = {
    "石家庄": "Shijiazhuang", "唐山": "Tangshan", "秦皇岛": "Qinhuangdao", "邯郸": "Handan",
    "邢台": "Xingtai", "保定": "Baoding", "张家口": "Zhangjiakou", "承德": "Chengde",
    "沧州": "Cangzhou", "廊坊": "Langfang", "衡水": "Hengshui", "雄安": "Xiong'an",
    "郑州": "Zhengzhou", "太原": "Taiyuan", "沈阳": "Shenyang", "大连": "Dalian",
    "南京": "Nanjing", "苏州": "Suzhou", "杭州": "Hangzhou", "济南": "Jinan", "青岛": "Qingdao",
    "武汉": "Wuhan", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu",
}

_REGION_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$")


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


@dataclass(frozen=True)
class ResultFeatures(ListingFeatures):
    """A research result. `stage` is a `Stage` code; `asking_price_cny` is CNY."""

    trl: int | None = None
    stage: str = ""
    asking_price_cny: Decimal | None = None


# --- plain data out -------------------------------------------------------------------------
@dataclass(frozen=True)
class Component:
    """One explained part of a score. `score` is 0–1, `weight` the normalised weight;
    `known` is False when the data was missing and the score is the neutral 0.5."""

    name: str
    score: float
    weight: float
    reason_zh: str
    reason_en: str
    known: bool = True

    @property
    def contribution(self) -> float:
        return self.score * self.weight

    def reason(self, language: str) -> str:
        return self.reason_zh if language.lower().startswith("zh") else self.reason_en


@dataclass(frozen=True)
class ScoredMatch:
    """The total (0–1, weighted mean of the components) and its explanation."""

    total: float
    components: tuple[Component, ...]
    reason_zh: str
    reason_en: str
    extra: dict[str, object] = field(default_factory=dict)

    def reason(self, language: str) -> str:
        return self.reason_zh if language.lower().startswith("zh") else self.reason_en

    def component(self, name: str) -> Component:
        for comp in self.components:
            if comp.name == name:
                return comp
        raise KeyError(name)


@dataclass(frozen=True)
class _Part:
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
    """"河北省" → "河北", "北京市" → "北京"; blank for None."""
    name = (name or "").strip()
    stripped = _REGION_SUFFIX.sub("", name)
    return stripped or name


def _join_zh(items: Iterable[str]) -> str:
    return "、".join(items)


def _join_en(items: Iterable[str]) -> str:
    return ", ".join(items)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text.lower())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _clamp(value: float) -> float:
    return 0.0 if value < 0 else 1.0 if value > 1 else value


def _fmt_cny(amount: Decimal) -> tuple[str, str]:
    """(zh, en) renderings of a CNY amount: 45万元 / CNY 450,000."""
    if amount >= Decimal(10000) and amount % Decimal(100) == 0:
        wan = (amount / Decimal(10000)).normalize()
        zh = f"{wan:f}万元"
    else:
        zh = f"{amount:,.2f}元"
    return zh, f"CNY {amount:,.0f}"


# --- components -----------------------------------------------------------------------------
def _text_part(text_relevance: float, terms: Sequence[str]) -> _Part:
    score = _clamp(float(text_relevance))
    level_zh, level_en = (
        ("高度相关", "closely related")
        if score >= 0.7
        else ("较为相关", "fairly related")
        if score >= 0.4
        else ("相关度低", "weakly related")
    )
    if terms:
        shown = list(dict.fromkeys(terms))[:5]
        return _Part(
            score,
            f"描述文本{level_zh}（{score:.2f}），共同词语：{_join_zh(shown)}",
            f"descriptions {level_en} ({score:.2f}); shared terms: {_join_en(shown)}",
        )
    return _Part(
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
    r_keywords = {k.strip().lower() for k in result.keywords if k.strip()}
    r_text = f"{result.title} {result.text} {' '.join(result.keywords)}".lower()
    n_text = f"{need.title} {need.text} {' '.join(need.keywords)}".lower()
    r_bigrams = _bigrams(r_text)
    credit = 0.0
    matched: list[str] = []
    similar: list[str] = []
    related: list[str] = []
    seen: set[str] = set()
    for keyword in need.keywords:
        kw = keyword.strip().lower()
        if not kw or kw in seen:
            continue
        seen.add(kw)
        if kw in r_keywords:
            credit += CREDIT_EXACT
            matched.append(keyword.strip())
        elif len(kw) >= 2 and kw in r_text:
            credit += CREDIT_CONTAINED
            matched.append(keyword.strip())
        else:
            grams = _bigrams(kw)
            if len(grams) >= 2:
                share = len(grams & r_bigrams) / len(grams)
                if share >= BIGRAM_MIN_SHARE:
                    credit += CREDIT_BIGRAM * share
                    similar.append(keyword.strip())
    # Result keywords that the need's text mentions (the need did not list them).
    for keyword in result.keywords:
        kw = keyword.strip().lower()
        if not kw or kw in seen or len(kw) < 2:
            continue
        seen.add(kw)
        if kw in n_text:
            credit += CREDIT_CONTAINED
            matched.append(keyword.strip())
    # Problem → technology terms from the domain vocabulary.
    for term in need.related_terms:
        t = term.strip().lower()
        if not t or t in seen or len(t) < 2:
            continue
        seen.add(t)
        if t in r_text:
            credit += CREDIT_RELATED
            related.append(term.strip())
    return KeywordEvidence(credit, matched, similar, related)


def _keywords_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    if not need.keywords and not result.keywords and not need.related_terms:
        return _Part(NEUTRAL, "双方均未填写关键词", "neither side lists keywords", known=False)
    evidence = keyword_matches(need, result)
    score = _clamp(evidence.credit / KEYWORD_SATURATION)
    if not (evidence.matched or evidence.similar or evidence.related):
        return _Part(0.0, "无共同关键词", "no shared keywords")
    zh_parts: list[str] = []
    en_parts: list[str] = []
    if evidence.matched:
        zh_parts.append(f"关键词重合：{_join_zh(evidence.matched[:5])}")
        en_parts.append(f"shared keywords: {_join_en(evidence.matched[:5])}")
    if evidence.similar:
        zh_parts.append(f"相近关键词：{_join_zh(evidence.similar[:5])}")
        en_parts.append(f"similar keywords: {_join_en(evidence.similar[:5])}")
    if evidence.related:
        zh_parts.append(f"相关技术词：{_join_zh(evidence.related[:5])}")
        en_parts.append(f"related technology terms: {_join_en(evidence.related[:5])}")
    return _Part(score, "；".join(zh_parts), "; ".join(en_parts))


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


def _ipc_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    if not need.ipc or not result.ipc:
        return _Part(
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
        return _Part(0.0, "IPC分类不同", "different IPC classes")
    return _Part(score, f"IPC同一{level_zh}：{symbol}", f"same IPC {level_en}: {symbol}")


def _field_label(code: str) -> tuple[str, str]:
    return FIELD_LABELS.get(code, (code, code))


def _field_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    if not need.field or not result.field:
        return _Part(NEUTRAL, "领域未知，按中性计", "field unknown (neutral)", known=False)
    n_zh, n_en = _field_label(need.field)
    r_zh, r_en = _field_label(result.field)
    if need.field == result.field:
        return _Part(1.0, f"同属{n_zh}领域", f"both in {n_en}")
    if frozenset({need.field, result.field}) in RELATED_FIELDS:
        return _Part(0.4, f"相关领域：{n_zh}与{r_zh}", f"related fields: {n_en} and {r_en}")
    return _Part(0.0, f"领域不同：{n_zh}与{r_zh}", f"different fields: {n_en} and {r_en}")


def _maturity_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    r_trl = result.trl
    estimated = False
    if r_trl is None and result.stage in STAGE_TRL:
        r_trl, estimated = STAGE_TRL[result.stage], True
    if need.trl is None or r_trl is None:
        if r_trl is not None:
            return _Part(
                NEUTRAL,
                f"技术就绪度 {r_trl}，需求未说明成熟度要求",
                f"TRL {r_trl}; the need states no maturity",
                known=False,
            )
        return _Part(NEUTRAL, "技术就绪度未知，按中性计", "TRL unknown (neutral)", known=False)
    about_zh, about_en = ("约", "about ") if estimated else ("", "")
    if r_trl >= need.trl:
        return _Part(
            1.0,
            f"技术就绪度{about_zh} {r_trl}，需求要求至少 {need.trl}",
            f"TRL {about_en}{r_trl}, need asks for at least {need.trl}",
        )
    gap = need.trl - r_trl
    return _Part(
        _clamp(1.0 - 0.25 * gap),
        f"技术就绪度{about_zh} {r_trl}，低于需求要求的 {need.trl}",
        f"TRL {about_en}{r_trl}, below the {need.trl} the need asks for",
    )


def _price_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    price = result.asking_price_cny
    if price is None:
        return _Part(NEUTRAL, "未标价，按中性计", "no asking price (neutral)", known=False)
    budget_max, budget_min = need.budget_max_cny, need.budget_min_cny
    if budget_max is None and budget_min is None:
        return _Part(NEUTRAL, "需求未说明预算，按中性计", "no budget stated (neutral)", known=False)
    p_zh, p_en = _fmt_cny(price)
    if budget_max is None or price <= budget_max:
        return _Part(
            1.0,
            f"报价 {p_zh} 在预算范围内",
            f"asking price {p_en} within budget",
        )
    b_zh, b_en = _fmt_cny(budget_max)
    if budget_max <= 0:
        return _Part(0.0, f"报价 {p_zh} 超出预算 {b_zh}", f"asking price {p_en} over budget {b_en}")
    ratio = float(price / budget_max)
    return _Part(
        _clamp(2.0 - ratio),
        f"报价 {p_zh} 超出预算上限 {b_zh}",
        f"asking price {p_en} above the budget of {b_en}",
    )


def _mode_label(code: str) -> tuple[str, str]:
    return MODE_LABELS.get(code, (code, code.replace("_", " ")))


def _modes_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    if not need.modes or not result.modes:
        return _Part(
            NEUTRAL, "合作方式未说明，按中性计", "cooperation modes unknown (neutral)", known=False
        )
    shared = [m for m in need.modes if m in set(result.modes)]
    if shared:
        zh = _join_zh(_mode_label(m)[0] for m in shared)
        en = _join_en(_mode_label(m)[1] for m in shared)
        return _Part(1.0, f"双方均接受{zh}", f"both accept {en}")
    pairs = [
        (n, r) for n in need.modes for r in result.modes if frozenset({n, r}) in COMPATIBLE_MODES
    ]
    if pairs:
        n, r = pairs[0]
        return _Part(
            0.7,
            f"合作方式相近：需求{_mode_label(n)[0]}，成果{_mode_label(r)[0]}",
            f"compatible modes: need wants {_mode_label(n)[1]}, result offers {_mode_label(r)[1]}",
        )
    return _Part(
        0.1,
        f"合作方式不同：需求{_join_zh(_mode_label(m)[0] for m in need.modes)}，"
        f"成果{_join_zh(_mode_label(m)[0] for m in result.modes)}",
        f"different modes: need wants {_join_en(_mode_label(m)[1] for m in need.modes)}, "
        f"result offers {_join_en(_mode_label(m)[1] for m in result.modes)}",
    )


def _place(features: ListingFeatures) -> tuple[str, str]:
    province = normalise_region(features.province)
    city = normalise_region(features.city)
    if not city and province in MUNICIPALITIES:
        city = province
    return province, city


def _region_part(need: NeedFeatures, result: ResultFeatures) -> _Part:
    n_prov, n_city = _place(need)
    r_prov, r_city = _place(result)
    if not n_prov or not r_prov:
        return _Part(NEUTRAL, "地区未知，按中性计", "region unknown (neutral)", known=False)
    if n_city and n_city == r_city:
        en_city = CITY_EN.get(n_city) or PROVINCE_EN.get(n_city) or n_city
        return _Part(1.0, f"同在{n_city}市", f"both in {en_city}")
    p_en = PROVINCE_EN.get(n_prov, n_prov)
    if n_prov == r_prov:
        suffix = "市" if n_prov in MUNICIPALITIES else "省"
        return _Part(0.75, f"同在{n_prov}{suffix}", f"both in {p_en}")
    r_en = PROVINCE_EN.get(r_prov, r_prov)
    if n_prov in JINGJINJI and r_prov in JINGJINJI:
        return _Part(
            0.5,
            f"同在京津冀（{n_prov}、{r_prov}）",
            f"both in Beijing–Tianjin–Hebei ({p_en}, {r_en})",
        )
    return _Part(0.2, f"异地：{n_prov}与{r_prov}", f"different regions: {p_en} and {r_en}")


def _freshness_part(listing: ListingFeatures, today: date) -> _Part:
    if listing.date is None:
        return _Part(NEUTRAL, "发布时间未知，按中性计", "date unknown (neutral)", known=False)
    age_years = max(0.0, (today - listing.date).days / 365.25)
    score = max(FRESHNESS_FLOOR, 1.0 - age_years / FRESHNESS_YEARS * (1.0 - FRESHNESS_FLOOR))
    when = listing.date.strftime("%Y-%m")
    if age_years < 1:
        return _Part(score, f"近期信息（{when}）", f"recent ({when})")
    years = int(age_years)
    unit = "year" if years == 1 else "years"
    return _Part(
        score, f"信息发布于 {when}，约 {years} 年前", f"from {when}, about {years} {unit} old"
    )


# --- the score ------------------------------------------------------------------------------
def score_match(
    need: NeedFeatures,
    result: ResultFeatures,
    text_relevance: float,
    weights: Mapping[str, float],
    today: date,
    *,
    candidate: Literal["result", "need"] = "result",
    text_terms: Sequence[str] = (),
) -> ScoredMatch:
    """Score how well `result` fits `need`.

    `text_relevance` is the search relevance normalised to 0–1 (values outside are clamped);
    `weights` maps component names (COMPONENTS) to non-negative weights, normalised here;
    `today` dates freshness; `candidate` says which side is being recommended (its date is
    the one whose freshness counts); `text_terms` are terms the search matched, for the reason.
    Returns the total in 0–1 with every component (score, weight, reasons in zh and en) and a
    summary reason naming the strongest known components. Raises ValueError for bad weights.
    """
    normalised = normalise_weights(weights)
    parts: dict[str, _Part] = {
        "text": _text_part(text_relevance, text_terms),
        "keywords": _keywords_part(need, result),
        "ipc": _ipc_part(need, result),
        "field": _field_part(need, result),
        "maturity": _maturity_part(need, result),
        "price": _price_part(need, result),
        "modes": _modes_part(need, result),
        "region": _region_part(need, result),
        "freshness": _freshness_part(result if candidate == "result" else need, today),
    }
    components = tuple(
        Component(
            name=name,
            score=round(parts[name].score, 4),
            weight=round(normalised[name], 4),
            reason_zh=parts[name].zh,
            reason_en=parts[name].en,
            known=parts[name].known,
        )
        for name in COMPONENTS
    )
    total = _clamp(sum(parts[name].score * normalised[name] for name in COMPONENTS))
    reason_zh, reason_en = summarise(components)
    return ScoredMatch(
        total=round(total, 4), components=components, reason_zh=reason_zh, reason_en=reason_en
    )


def summarise(components: Sequence[Component], *, limit: int = 3) -> tuple[str, str]:
    """A one-line summary: the reasons of the known, fairly strong (≥ 0.5) components with the
    largest weighted contributions, at most `limit`; a fallback when none qualifies."""
    strong = sorted(
        (c for c in components if c.known and c.score >= 0.5 and c.weight > 0),
        key=lambda c: c.contribution,
        reverse=True,
    )[:limit]
    if not strong:
        return "匹配依据较弱", "weak evidence for this match"
    return "；".join(c.reason_zh for c in strong), "; ".join(c.reason_en for c in strong)
