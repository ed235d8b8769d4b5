"""The fixed vocabulary of match scoring: component names, tuning constants, and the label and
relation tables of fields, modes and places (the names repeat `marketplace.choices` so that
scoring needs no Django)."""

from __future__ import annotations

import re

from matching.knowledge.rules import linked_fields

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
    "semantic",
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
    """Field codes related to `code` (RELATED_FIELDS, and the field rules of the knowledge
    files, `matching.knowledge.rules.linked_fields`), sorted."""
    fixed = {other for pair in RELATED_FIELDS if code in pair for other in pair if other != code}
    return tuple(sorted(fixed | set(linked_fields(code))))


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

REGION_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)$")
