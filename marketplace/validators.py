"""Validators for Chinese identifiers and classification codes used by Keqiao.

Every ``validate_*`` function returns ``None`` for a valid value and raises
:class:`django.core.exceptions.ValidationError` otherwise.  Each error carries
a translatable English message (``gettext_lazy``), a stable ``code`` and
``params={"value": value}``, so the functions can be passed directly to
``validators=[...]`` on model or form fields.

Validators check the *canonical* form only (no surrounding spaces, upper
case); normalising user input is the caller's job (see
:func:`normalize_ipc_symbol` and :func:`normalize_patent_number`).

Standards covered:

* Unified social credit code (统一社会信用代码): GB 32100-2015, checked with
  ``python-stdnum`` (:mod:`stdnum.cn.uscc`).
* Administrative division codes (行政区划代码): GB/T 2260, looked up in the
  region table shipped with ``python-stdnum`` (``stdnum/cn/loc.dat``).
* International Patent Classification symbols: WIPO *Guide to the IPC*.
* Chinese patent application / patent / publication numbers: CNIPA numbering
  rules (专利申请号标准, in force since 2003-10-01, and the earlier scheme).
* Technology readiness level: GB/T 22900-2022 (科学技术研究项目评价通则).
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError

__all__ = [
    "city_code_for",
    "normalize_ipc_symbol",
    "normalize_patent_number",
    "province_code_for",
    "region_name",
    "validate_credit_code",
    "validate_ipc_symbol",
    "validate_listing_date",
    "validate_patent_number",
    "validate_region_code",
    "validate_source_date",
    "validate_trl",
]

# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# ---------------------------------------------------------------------------

_CREDIT_CODE_FORMAT_MESSAGE = _(
    "Enter a valid unified social credit code: 18 digits or upper-case letters (GB 32100)."
)
_CREDIT_CODE_CHECK_MESSAGE = _(
    "Enter a valid unified social credit code (18 characters, GB 32100); "
    "the check character does not match."
)


def validate_credit_code(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码), GB 32100-2015.

    Shape: 18 characters, e.g. ``91110000600037341L`` -- registration
    authority (1), organisation category (1), GB/T 2260 region code (6),
    organisation code (9) and a check character (1) computed modulo 31 over
    the alphabet ``0-9 A-H J-N P-R T U W-Y``.  The checksum is verified with
    :mod:`stdnum.cn.uscc` (not reimplemented here).

    Only the canonical form is accepted: no spaces or hyphens, upper case.

    Error codes: ``invalid_credit_code_format`` (wrong length or characters),
    ``invalid_credit_code_check`` (check character does not match).
    """
    params = {"value": value}
    if not isinstance(value, str) or value != uscc.compact(value):
        raise ValidationError(
            _CREDIT_CODE_FORMAT_MESSAGE, code="invalid_credit_code_format", params=params
        )
    try:
        uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _CREDIT_CODE_CHECK_MESSAGE, code="invalid_credit_code_check", params=params
        ) from None
    except StdnumValidationError:  # InvalidLength, InvalidFormat
        raise ValidationError(
            _CREDIT_CODE_FORMAT_MESSAGE, code="invalid_credit_code_format", params=params
        ) from None


# ---------------------------------------------------------------------------
# Administrative division codes (GB/T 2260)
# ---------------------------------------------------------------------------

_REGION_FORMAT_MESSAGE = _("Enter a 6-digit administrative division code (GB/T 2260), e.g. 110000.")
_REGION_UNKNOWN_MESSAGE = _("%(value)s is not a known administrative division code (GB/T 2260).")
_REGION_OBSOLETE_MESSAGE = _(
    "%(value)s is an administrative division code that is no longer in use (GB/T 2260)."
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

# Pseudo-prefecture rows that group districts / counties rather than name a city.
_GROUPING_NAMES = frozenset({"市辖区", "县", "郊区"})
_PREFECTURE_SUFFIXES = ("市", "地区", "盟", "自治州")


def _current_name(entry: str) -> str | None:
    """Return the name in use from a loc.dat entry, or ``None`` if abolished.

    An entry lists the names a code has carried, oldest first, separated by
    commas: ``"[1986-1989]义马市,[1997-]济源市"``.
    """
    latest = entry.split(",")[-1]
    match = _VALIDITY_RE.match(latest)
    if match is None:
        return latest
    if match.group("end"):
        return None
    return latest[match.end() :]


@lru_cache(maxsize=1)
def _region_table() -> tuple[dict[str, str], frozenset[str]]:
    """Load GB/T 2260 codes from ``stdnum/cn/loc.dat``.

    Returns ``(current, obsolete)``: a mapping of codes in use to their
    Chinese name (validity annotation removed) and the set of abolished codes.
    Province (``PP0000``) and prefecture (``PPCC00``) codes that have no row
    of their own are derived from the existence of a current code below them.
    """
    current: dict[str, str] = {}
    obsolete: set[str] = set()
    for _length, low, high, props, children in numdb.get("cn/loc").prefixes:
        if low != high or len(low) != 2:  # pragma: no cover - not used by loc.dat
            continue
        for _clen, clow, chigh, cprops, _grandchildren in children:
            for number in range(int(clow), int(chigh) + 1):
                code = f"{low}{number:0{len(clow)}d}"
                name = _current_name(cprops.get("county", ""))
                if name is None:
                    obsolete.add(code)
                else:
                    current[code] = name
        if f"{low}0000" not in current and f"{low}0000" not in obsolete:
            current[f"{low}0000"] = props.get("province", "")
    for code in list(current):
        prefecture = f"{code[:4]}00"
        if code[2:4] != "00" and prefecture not in current and prefecture not in obsolete:
            current[prefecture] = ""
    return current, frozenset(obsolete - current.keys())


def validate_region_code(value: str) -> None:
    """Validate an administrative division code (行政区划代码), GB/T 2260.

    Shape: 6 ASCII digits ``PPCCDD`` -- province (``PP0000``, e.g. 110000
    北京市, 130000 河北省), prefecture (``PPCC00``, e.g. 131100 衡水市) or
    county-level division (e.g. 131182 深州市).  The code must be in use
    according to the table shipped with ``python-stdnum`` (``cn/loc.dat``);
    abolished codes (e.g. 110103 崇文区, abolished 2010) are rejected.

    Error codes: ``invalid_region_code_format``, ``unknown_region_code``,
    ``obsolete_region_code``.
    """
    params = {"value": value}
    if not isinstance(value, str) or not _REGION_CODE_RE.fullmatch(value):
        raise ValidationError(
            _REGION_FORMAT_MESSAGE, code="invalid_region_code_format", params=params
        )
    current, obsolete = _region_table()
    if value in current:
        return
    if value in obsolete:
        raise ValidationError(_REGION_OBSOLETE_MESSAGE, code="obsolete_region_code", params=params)
    raise ValidationError(_REGION_UNKNOWN_MESSAGE, code="unknown_region_code", params=params)


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


# ---------------------------------------------------------------------------
# International Patent Classification (WIPO)
# ---------------------------------------------------------------------------

_IPC_MESSAGE = _(
    'Enter a valid IPC symbol, e.g. "H01M 10/052" or "H01M" '
    "(WIPO International Patent Classification)."
)
_IPC_RE = re.compile(
    r"(?P<subclass>[A-H](?:0[1-9]|[1-9][0-9])[A-Z])"
    r"(?: ?(?P<group>[0-9]{1,4})/(?P<subgroup>[0-9]{2,6}))?"
)


def normalize_ipc_symbol(value: str) -> str:
    """Return the canonical form of an IPC symbol, per the WIPO *Guide to the IPC*.

    Shape: section ``A``-``H``, class (2 digits), subclass (letter), then
    optionally main group (1-4 digits), ``/`` and subgroup (2-6 digits).
    ``"H01M10/052"`` -> ``"H01M 10/052"``; ``"H01M"`` -> ``"H01M"``.
    Leading zeros of the main group are dropped (``"H01M 0010/052"`` ->
    ``"H01M 10/052"``).  Lower case is not accepted.

    Raises ``ValidationError`` (code ``invalid_ipc_symbol``) if invalid.
    """
    params = {"value": value}
    match = _IPC_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(_IPC_MESSAGE, code="invalid_ipc_symbol", params=params)
    subclass, group, subgroup = match.group("subclass", "group", "subgroup")
    if group is None:
        return subclass
    if int(group) == 0:
        raise ValidationError(_IPC_MESSAGE, code="invalid_ipc_symbol", params=params)
    return f"{subclass} {int(group)}/{subgroup}"


def validate_ipc_symbol(value: str) -> None:
    """Validate an IPC symbol (WIPO *Guide to the IPC*).

    Accepts a subclass (``"H01M"``) or a full group symbol with or without one
    space between subclass and group (``"H01M 10/052"``, ``"H01M10/052"``,
    ``"G06F18/2321"``).  See :func:`normalize_ipc_symbol` for the shape.

    Error code: ``invalid_ipc_symbol``.
    """
    normalize_ipc_symbol(value)


# ---------------------------------------------------------------------------
# Chinese patent numbers (CNIPA)
# ---------------------------------------------------------------------------

_PATENT_FORMAT_MESSAGE = _(
    "Enter a valid Chinese patent application number (e.g. 202110123456.7 or "
    "ZL202110123456.7) or publication number (e.g. CN116245100A)."
)
_PATENT_CHECK_MESSAGE = _(
    "The check character of patent application number %(value)s does not match."
)

_APPLICATION_RE = re.compile(r"(?:CN)?(?:ZL)?(?P<body>[0-9]{12}|[0-9]{8})(?:\.(?P<check>[0-9X]))?")
_PUBLICATION_RE = re.compile(r"CN[0-9]{6,9}[ABCUYS][0-9]?")
# Application type digit: 1 invention, 2 utility model, 3 design,
# 8 PCT invention entering China, 9 PCT utility model entering China.
_APPLICATION_TYPES = frozenset("12389")
_NEW_SCHEME_FIRST_YEAR = 2003  # 12-digit numbers since 2003-10-01
_OLD_SCHEME_YEARS = frozenset(f"{y % 100:02d}" for y in range(1985, 2004))


def _application_check_character(body: str) -> str:
    """CNIPA check character: digits weighted 2, 3, ..., 9, 2, 3, ... from the left, mod 11.

    A remainder of 10 is written ``X``.
    """
    total = sum(int(digit) * (2 + index % 8) for index, digit in enumerate(body))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def _application_body_is_plausible(body: str) -> bool:
    if len(body) == 12:
        year, kind = int(body[:4]), body[4]
        return _NEW_SCHEME_FIRST_YEAR <= year <= datetime.date.today().year and (
            kind in _APPLICATION_TYPES
        )
    return body[:2] in _OLD_SCHEME_YEARS and body[2] in _APPLICATION_TYPES


def normalize_patent_number(value: str) -> str:
    """Upper-case a Chinese patent number, remove all whitespace and validate it.

    ``"zl 2021 1 0123456.7"`` -> ``"ZL202110123456.7"``;
    ``"cn 116245100 a"`` -> ``"CN116245100A"``.

    Raises ``ValidationError`` as :func:`validate_patent_number` does.
    """
    if not isinstance(value, str):
        raise ValidationError(
            _PATENT_FORMAT_MESSAGE, code="invalid_patent_number_format", params={"value": value}
        )
    normalized = "".join(value.split()).upper()
    validate_patent_number(normalized)
    return normalized


def validate_patent_number(value: str) -> None:
    """Validate a Chinese patent application, patent or publication number (CNIPA).

    Accepted shapes (canonical form: upper case, no spaces):

    * Application number (申请号), scheme in force since 2003-10-01:
      ``YYYYTNNNNNNN.C`` -- filing year (4 digits), type ``T`` (1 invention,
      2 utility model, 3 design, 8 PCT invention, 9 PCT utility model), serial
      (7 digits), ``.`` and check character ``C``.  Optionally prefixed
      ``CN`` and/or ``ZL`` (``ZL202110123456.7`` is the patent number of
      application ``202110123456.7``).
    * Application number, earlier scheme: ``YYTNNNNN.C`` (2-digit year
      1985-2003, type, 5-digit serial, check), same prefixes.
    * Publication / grant number (公开号 / 公告号): ``CN`` + 6-9 digits + kind
      code ``A``/``B``/``C``/``U``/``Y``/``S`` with an optional digit, e.g.
      ``CN116245100A``, ``CN218751475U``, ``CN1234567C``.  These carry no
      check character; only the format is checked.

    Check character: each digit of the 12- or 8-digit body times the weights
    2, 3, 4, 5, 6, 7, 8, 9 (repeating) from the left, summed, modulo 11; a
    remainder of 10 is written ``X``.  If a ``.`` is present the check
    character must match.  If the whole check part is missing (many listings
    omit it) the number is accepted on format alone.

    Error codes: ``invalid_patent_number_format``, ``invalid_patent_number_check``.
    """
    params = {"value": value}
    if isinstance(value, str):
        if _PUBLICATION_RE.fullmatch(value):
            return
        match = _APPLICATION_RE.fullmatch(value)
        if match is not None and _application_body_is_plausible(match.group("body")):
            check = match.group("check")
            if check is None or check == _application_check_character(match.group("body")):
                return
            raise ValidationError(
                _PATENT_CHECK_MESSAGE, code="invalid_patent_number_check", params=params
            )
    raise ValidationError(
        _PATENT_FORMAT_MESSAGE, code="invalid_patent_number_format", params=params
    )


# ---------------------------------------------------------------------------
# Technology readiness level (GB/T 22900-2022)
# ---------------------------------------------------------------------------

_TRL_MESSAGE = _("Enter a technology readiness level from 1 to 9 (GB/T 22900-2022); got %(value)s.")


def validate_trl(value: int) -> None:
    """Validate a technology readiness level (技术就绪度), GB/T 22900-2022.

    Shape: an ``int`` from 1 (basic principles observed) to 9 (proven in
    successful operation / commercial application).  ``bool`` is rejected.

    Error code: ``invalid_trl``.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
        raise ValidationError(_TRL_MESSAGE, code="invalid_trl", params={"value": value})


# --- dates of listings ------------------------------------------------------------------------

#: Deadlines and source dates must fall in this range: earlier or later dates are typing errors
#: (and dates near 9999-12-31 overflow expiry arithmetic).
EARLIEST_LISTING_DATE = datetime.date(1949, 10, 1)
LATEST_LISTING_DATE = datetime.date(2099, 12, 31)
_SOURCE_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def validate_listing_date(value: datetime.date) -> None:
    """Validate a deadline: between 1949-10-01 and 2099-12-31. Error code ``date_out_of_range``."""
    if not EARLIEST_LISTING_DATE <= value <= LATEST_LISTING_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={
                "value": value,
                "earliest": EARLIEST_LISTING_DATE.isoformat(),
                "latest": LATEST_LISTING_DATE.isoformat(),
            },
        )


def validate_source_date(value: str) -> None:
    """Validate the date a source was published: ``YYYY-MM`` or ``YYYY-MM-DD``, a real calendar
    date in the range of :func:`validate_listing_date`. Error code ``invalid_source_date``."""
    match = _SOURCE_DATE.match(value)
    message = _("Enter the source date as YYYY-MM or YYYY-MM-DD.")
    if match is None:
        raise ValidationError(message, code="invalid_source_date", params={"value": value})
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        parsed = datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(message, code="invalid_source_date", params={"value": value}) from exc
    validate_listing_date(parsed)
