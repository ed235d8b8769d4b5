"""Administrative division codes (行政区划代码), GB/T 2260: validation, names, and lookup of a
code from province and city names.

The codes are looked up in the region table shipped with ``python-stdnum``
(``stdnum/cn/loc.dat``; source and date in `region_table_source`), with the successors of
retired codes from `marketplace.region_successors`. `validate_region_code` follows the
convention of `marketplace.validators` (None or ``ValidationError`` with a code and params),
which re-exports it for model fields.
"""

from __future__ import annotations

import importlib.metadata
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

from kernel.place_names import CITY_EN, PROVINCE_EN
from marketplace.region_successors import current_successor

_REGION_FORMAT_MESSAGE = _("Enter a 6-digit administrative division code (GB/T 2260), e.g. 110000.")
_REGION_UNKNOWN_MESSAGE = _("%(value)s is not a known administrative division code (GB/T 2260).")
_REGION_RETIRED_MESSAGE = _(
    "%(value)s was retired in %(year)s; use %(successor)s (%(successor_name)s)."
)
_REGION_RETIRED_NO_SUCCESSOR_MESSAGE = _(
    "%(value)s (%(name)s) was retired in %(year)s; enter the current code of the division that "
    "took over the place."
)

#: Where the code table comes from: python-stdnum (>= 2.2, pinned in pyproject.toml) ships
#: ``stdnum/cn/loc.dat``, compiled from the Chinese Wikipedia's 中华人民共和国行政区划代码
#: lists, which follow 中华人民共和国民政部's 县级以上行政区划代码 (GB/T 2260 as kept up to
#: date by the ministry). `region_table_source()` adds the installed version and the year of
#: the latest change the table records (2025 for python-stdnum 2.2).
REGION_TABLE_SOURCE = (
    "中华人民共和国民政部 县级以上行政区划代码 (GB/T 2260), via python-stdnum stdnum/cn/loc.dat "
    "(compiled from zh.wikipedia 中华人民共和国行政区划代码)"
)

_REGION_CODE_RE = re.compile(r"[0-9]{6}")
# loc.dat annotates names with their period of validity: "[1996-]衡水市" (in use
# since 1996), "[-2010]崇文区" (abolished 2010), "[1982-1996]衡水市"; a reused
# code lists several: "[1986-1989]义马市,[1997-]济源市".
_VALIDITY_RE = re.compile(r"^\[(?P<start>\d{4})?-(?P<end>\d{4})?\]")

# The 34 province-level divisions with their GB/T 2260 codes (full names).
_PROVINCES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
    "710000": "台湾省",
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
}

# Short names (简称 used in everyday writing, not the one-character 简称).
_PROVINCE_SHORT_NAMES: dict[str, str] = {
    "110000": "北京",
    "120000": "天津",
    "130000": "河北",
    "140000": "山西",
    "150000": "内蒙古",
    "210000": "辽宁",
    "220000": "吉林",
    "230000": "黑龙江",
    "310000": "上海",
    "320000": "江苏",
    "330000": "浙江",
    "340000": "安徽",
    "350000": "福建",
    "360000": "江西",
    "370000": "山东",
    "410000": "河南",
    "420000": "湖北",
    "430000": "湖南",
    "440000": "广东",
    "450000": "广西",
    "460000": "海南",
    "500000": "重庆",
    "510000": "四川",
    "520000": "贵州",
    "530000": "云南",
    "540000": "西藏",
    "610000": "陕西",
    "620000": "甘肃",
    "630000": "青海",
    "640000": "宁夏",
    "650000": "新疆",
    "710000": "台湾",
    "810000": "香港",
    "820000": "澳门",
}

_PROVINCE_ALIASES: dict[str, str] = {
    "香港特別行政區": "810000",
    "澳門特別行政區": "820000",
    "澳門": "820000",
    "臺灣": "710000",
    "臺灣省": "710000",
}

# Provinces whose "city" is the province itself.
_CITY_LEVEL_PROVINCES = frozenset({"110000", "120000", "310000", "500000", "810000", "820000"})

# Rows of the standard that group counties rather than name a place (市辖区, 县, and the
# county-level cities a province or autonomous region governs directly: 济源, 五指山, 石河子).
# 郊区 is not one of them: in the standard it names real districts (阳泉市郊区 140311,
# 佳木斯市郊区 230811, 铜陵市郊区 340711).
_GROUPING_NAMES = frozenset({"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"})
_PREFECTURE_SUFFIXES = ("市", "地区", "盟", "自治州")


def _last_name(entry: str) -> tuple[str, int | None]:
    """The last name a loc.dat entry lists and the year it ended (None: still in use)."""
    latest = entry.split(",")[-1]
    match = _VALIDITY_RE.match(latest)
    if match is None:
        return latest, None
    end = match.group("end")
    return latest[match.end() :], int(end) if end else None


@lru_cache(maxsize=1)
def _region_table() -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """Load GB/T 2260 codes from ``stdnum/cn/loc.dat``.

    Returns ``(current, retired)``: a mapping of codes in use to their
    Chinese name (validity annotation removed), and of abolished codes to
    their last name and the year they were abolished (``"110103"`` ->
    ``("崇文区", 2010)``). Province (``PP0000``) and prefecture (``PPCC00``)
    codes that have no row of their own are derived from the existence of a
    current code below them.
    """
    current: dict[str, str] = {}
    retired: dict[str, tuple[str, int]] = {}
    for _length, low, high, props, children in numdb.get("cn/loc").prefixes:
        if low != high or len(low) != 2:  # pragma: no cover - not used by loc.dat
            continue
        for _clen, clow, chigh, cprops, _grandchildren in children:
            for number in range(int(clow), int(chigh) + 1):
                code = f"{low}{number:0{len(clow)}d}"
                name, ended = _last_name(cprops.get("county", ""))
                if ended is None:
                    current[code] = name
                else:
                    retired[code] = (name, ended)
        if f"{low}0000" not in current and f"{low}0000" not in retired:
            current[f"{low}0000"] = props.get("province", "")
    for code in list(current):
        prefecture = f"{code[:4]}00"
        if code[2:4] != "00" and prefecture not in current and prefecture not in retired:
            current[prefecture] = ""
    return current, {code: info for code, info in retired.items() if code not in current}


def validate_region_code(value: str) -> None:
    """Validate an administrative division code (行政区划代码), GB/T 2260.

    Shape: 6 ASCII digits ``PPCCDD`` -- province (``PP0000``, e.g. 110000
    北京市, 130000 河北省), prefecture (``PPCC00``, e.g. 131100 衡水市) or
    county-level division (e.g. 131182 深州市).  The code must be in use
    according to the table shipped with ``python-stdnum`` (``cn/loc.dat``,
    see :data:`REGION_TABLE_SOURCE`).  An abolished code is rejected with the
    year it was abolished and, where :mod:`marketplace.region_successors`
    knows it, the code in use today: ``"110103 was retired in 2010; use
    110101 (东城区)."``.

    Error codes: ``invalid_region_code_format``, ``unknown_region_code``,
    ``obsolete_region_code``; the error's ``params`` carry ``year`` and, when
    known, ``successor`` and ``successor_name``.
    """
    params: dict[str, object] = {"value": value}
    if not isinstance(value, str) or not _REGION_CODE_RE.fullmatch(value):
        raise ValidationError(
            _REGION_FORMAT_MESSAGE, code="invalid_region_code_format", params=params
        )
    current, retired = _region_table()
    if value in current:
        return
    if value in retired:
        name, year = retired[value]
        params.update(name=name, year=year)
        found = current_successor(value)
        if found is not None and found[1] in current:
            row, successor = found
            params.update(year=row.year, successor=successor, successor_name=current[successor])
            raise ValidationError(
                _REGION_RETIRED_MESSAGE, code="obsolete_region_code", params=params
            )
        raise ValidationError(
            _REGION_RETIRED_NO_SUCCESSOR_MESSAGE, code="obsolete_region_code", params=params
        )
    raise ValidationError(_REGION_UNKNOWN_MESSAGE, code="unknown_region_code", params=params)


@lru_cache(maxsize=1)
def region_table_source() -> str:
    """`REGION_TABLE_SOURCE` with the python-stdnum version in use and the year of the latest
    change in its table, e.g. ``"... python-stdnum 2.2, changes up to 2024"``."""
    years = [
        int(found)
        for _length, _low, _high, _props, children in numdb.get("cn/loc").prefixes
        for _clen, _clow, _chigh, cprops, _grandchildren in children
        for found in re.findall(r"\[(\d{4})?-(?:\d{4})?\]", cprops.get("county", ""))
        if found
    ]
    version = importlib.metadata.version("python-stdnum")
    return f"{REGION_TABLE_SOURCE}; python-stdnum {version}, changes up to {max(years)}"


def region_code_error(value: str) -> str | None:
    """The message (in the active language) explaining why `value` is not a GB/T 2260 code in
    use, or None when it is one."""
    try:
        validate_region_code(value)
    except ValidationError as exc:
        return " ".join(str(message) for message in exc.messages)
    return None


def region_name(code: str) -> str | None:
    """Return the Chinese name of a GB/T 2260 code in use, e.g. ``"衡水市"``.

    ``"131100"`` -> ``"衡水市"``; ``"110000"`` -> ``"北京市"``.  Returns
    ``None`` for unknown or abolished codes.  Grouping rows are returned as
    named in the standard (``"120100"`` -> ``"市辖区"``).
    """
    if code in _PROVINCES:
        return _PROVINCES[code]
    name = _region_table()[0].get(code)
    return name or None


def _region_parts(code: str) -> list[str]:
    """The names of a GB/T 2260 code in use from the province down, grouping rows (市辖区, 县)
    left out; [] for unknown or abolished codes."""
    if not isinstance(code, str) or not _REGION_CODE_RE.fullmatch(code):
        return []
    if code not in _region_table()[0]:
        return []
    parts: list[str] = []
    for prefix in dict.fromkeys((f"{code[:2]}0000", f"{code[:4]}00", code)):
        name = region_name(prefix)
        if name and name not in _GROUPING_NAMES and name not in parts:
            parts.append(name)
    return parts


def region_full_name(code: str) -> str | None:
    """The full name of a GB/T 2260 code in use, from the province down: ``"131182"`` ->
    ``"河北省衡水市深州市"``, ``"110101"`` -> ``"北京市东城区"``, ``"130000"`` -> ``"河北省"``.
    Grouping rows (市辖区, 县) are left out. Returns None for unknown or abolished codes."""
    return "".join(_region_parts(code)) or None


def _english(language: str | None) -> bool:
    """Whether `language` (the active one when None) is English."""
    return (language or get_language() or "").lower().startswith("en")


def region_label(code: str, language: str | None = None) -> str | None:
    """How a page in `language` (the active one when None) names a GB/T 2260 code in use:
    `region_full_name` in Chinese; on English pages from the smallest part up, the province
    and the cities of `kernel.place_names` in English, the rest as the standard writes it
    (there is no official English table of counties): ``"131182"`` -> ``"深州市, Hengshui,
    Hebei"``, ``"110101"`` -> ``"东城区, Beijing"``. None for unknown or abolished codes."""
    parts = _region_parts(code)
    if not parts:
        return None
    if not _english(language):
        return region_full_name(code)
    english = [province_label(parts[0], "en")] + [
        CITY_EN.get(part.removesuffix("市"), part) for part in parts[1:]
    ]
    return ", ".join(reversed(english))


@lru_cache(maxsize=1)
def _province_lookup() -> dict[str, str]:
    lookup = {name: code for code, name in _PROVINCES.items()}
    lookup.update({name: code for code, name in _PROVINCE_SHORT_NAMES.items()})
    lookup.update(_PROVINCE_ALIASES)
    return lookup


def province_code_for(name: str) -> str | None:
    """Map a province-level division name to its GB/T 2260 code.

    Accepts the full name (``"河北省"``, ``"北京市"``, ``"广西壮族自治区"``,
    ``"香港特别行政区"``) or the short name (``"河北"``, ``"北京"``,
    ``"内蒙古"``, ``"新疆"``, ``"澳门"``) of any of the 34 province-level
    divisions and returns the ``PP0000`` code (``"130000"``), or ``None``.
    """
    return _province_lookup().get(name.strip())


def province_short_name(name: str) -> str:
    """The short name (``"北京"``, ``"河北"``, ``"内蒙古"``) of the province-level division
    `name` names in full or short (``"北京市"``, ``"河北省"``), the form the bundled listings
    and the search facets use; `name` stripped when it names none."""
    code = province_code_for(name)
    return _PROVINCE_SHORT_NAMES[code] if code else name.strip()


def province_label(name: str, language: str | None = None) -> str:
    """How a page in `language` ("zh-hans", "en"; the active language when None) names the
    province-level division `name` (full or short): its English name on English pages
    ("河北" → "Hebei"), else `name` as stored; `name` as stored when it names none."""
    code = province_code_for(name) if _english(language) else None
    return PROVINCE_EN[_PROVINCE_SHORT_NAMES[code]] if code else name


#: `province_label` in the language active when the text is rendered, for labels made once
#: (form choices built at import).
province_label_lazy = lazy(province_label, str)


def _city_name_matches(candidate: str, city: str) -> bool:
    if candidate == city:
        return True
    if any(candidate == city + suffix for suffix in _PREFECTURE_SUFFIXES):
        return True
    # "延边" -> "延边朝鲜族自治州", "大兴安岭" -> "大兴安岭地区"
    return (
        len(city) >= 2
        and not city.endswith(_PREFECTURE_SUFFIXES)
        and candidate.startswith(city)
        and candidate.endswith(("自治州", "地区", "盟"))
    )


@lru_cache(maxsize=1024)
def city_code_for(province: str, city: str) -> str | None:
    """Map a (province, city) pair of names to a GB/T 2260 code.

    ``("河北", "衡水")`` -> ``"131100"``; ``("河北省", "石家庄市")`` ->
    ``"130100"``; ``("河南", "郑州")`` -> ``"410100"``.  Municipalities and
    special administrative regions map to their province code:
    ``("北京", "北京")`` -> ``"110000"``.  County-level cities administered
    directly by a province are found too (``("河南", "济源")`` -> ``"419001"``).
    Returns ``None`` when the province is unknown or the city name does not
    identify exactly one current division.
    """
    province_code = province_code_for(province)
    if province_code is None:
        return None
    city = city.strip()
    if not city:
        return None
    if province_code in _CITY_LEVEL_PROVINCES:
        return province_code if province_code_for(city) == province_code else None
    current = _region_table()[0]
    prefix = province_code[:2]
    prefectures = [
        code
        for code, name in current.items()
        if code.startswith(prefix)
        and code.endswith("00")
        and code[2:4] not in ("00", "90")
        and name not in _GROUPING_NAMES
        and _city_name_matches(name, city)
    ]
    if len(prefectures) == 1:
        return prefectures[0]
    if prefectures:
        return None
    direct = [
        code
        for code, name in current.items()
        if code.startswith(f"{prefix}90")
        and not code.endswith("00")
        and (name == city or name == f"{city}市")
    ]
    return direct[0] if len(direct) == 1 else None


