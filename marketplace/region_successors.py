"""Retired GB/T 2260 administrative division codes and the codes that replaced them.

GB/T 2260 (中华人民共和国行政区划代码) is kept up to date by 中华人民共和国民政部 (the Ministry of
Civil Affairs), which publishes each year's changes as 《县级以上行政区划变更情况》 with the
State Council approvals behind them. The table of codes, names and years of validity that
Keqiao validates against is `python-stdnum`'s ``stdnum/cn/loc.dat`` (see
`marketplace.regions.region_table_source`); it records when a code was retired but not what
replaced it. This module adds that: `SUCCESSORS` maps a retired code to the one current code
that took over its whole area, with the year of the change.

Coverage (deliberately narrow; compiled for Keqiao from the ministry's published changes and
loc.dat's names and years, and every row is checked against loc.dat by
`tests/marketplace/test_regions.py`): the retired county-level codes
of 北京市, 天津市 and 河北省 — Keqiao's 京津冀 region — since 1986 whose area went to a single
successor. That includes the well-known changes: 崇文区/宣武区 merged into 东城区/西城区 (2010);
塘沽区/汉沽区/大港区 merged into 滨海新区 (2009); the counties that became districts or cities
(密云县 → 密云区 2015, 蓟县 → 蓟州区 2016, 藁城市 → 藁城区 2014, 满城县 → 满城区 2015, ...).
Not covered: codes whose area was divided between several successors (e.g. 石家庄市桥东区
130103, divided between 长安区 and 桥西区 in 2014; 邯郸县 130421, 2016; 邢台县 130521, 2020),
the prefecture-level reorganisations of 1983-1996, and retired codes outside 京津冀. Those are
still refused, with their year of retirement, but without a successor named.
"""

from __future__ import annotations

from typing import NamedTuple


class Successor(NamedTuple):
    """`code` (retired in `year`) was replaced by `successor`."""

    code: str
    name: str
    year: int
    successor: str
    successor_name: str


#: Source of every row (the year's list of changes names the approval).
SUCCESSORS_SOURCE = "中华人民共和国民政部《县级以上行政区划变更情况》, 1986-2020"

_ROWS: tuple[Successor, ...] = (
    # 北京市
    Successor("110103", "崇文区", 2010, "110101", "东城区"),
    Successor("110104", "宣武区", 2010, "110102", "西城区"),
    Successor("110110", "燕山区", 1986, "110111", "房山区"),
    Successor("110225", "房山县", 1986, "110111", "房山区"),
    Successor("110223", "通县", 1997, "110112", "通州区"),
    Successor("110222", "顺义县", 1998, "110113", "顺义区"),
    Successor("110221", "昌平县", 1999, "110114", "昌平区"),
    Successor("110224", "大兴县", 2001, "110115", "大兴区"),
    Successor("110227", "怀柔县", 2001, "110116", "怀柔区"),
    Successor("110226", "平谷县", 2001, "110117", "平谷区"),
    Successor("110228", "密云县", 2015, "110118", "密云区"),
    Successor("110229", "延庆县", 2015, "110119", "延庆区"),
    # 天津市
    Successor("120107", "塘沽区", 2009, "120116", "滨海新区"),
    Successor("120108", "汉沽区", 2009, "120116", "滨海新区"),
    Successor("120109", "大港区", 2009, "120116", "滨海新区"),
    Successor("120222", "武清县", 2000, "120114", "武清区"),
    Successor("120224", "宝坻县", 2001, "120115", "宝坻区"),
    Successor("120221", "宁河县", 2015, "120117", "宁河区"),
    Successor("120223", "静海县", 2015, "120118", "静海区"),
    Successor("120225", "蓟县", 2016, "120119", "蓟州区"),
    # 河北省 石家庄市
    Successor("130122", "获鹿县", 1994, "130185", "鹿泉市"),  # then 鹿泉区 (2014)
    Successor("130124", "栾城县", 2014, "130111", "栾城区"),
    Successor("130182", "藁城市", 2014, "130109", "藁城区"),
    Successor("130185", "鹿泉市", 2014, "130110", "鹿泉区"),
    # 唐山市
    Successor("130221", "丰润县", 2002, "130208", "丰润区"),
    Successor("130222", "丰南县", 1994, "130282", "丰南市"),  # then 丰南区 (2002)
    Successor("130282", "丰南市", 2002, "130207", "丰南区"),
    Successor("130226", "迁安县", 1996, "130283", "迁安市"),
    Successor("130228", "遵化县", 1992, "130281", "遵化市"),
    Successor("130230", "唐海县", 2012, "130209", "曹妃甸区"),
    Successor("130223", "滦县", 2018, "130284", "滦州市"),
    # 秦皇岛市
    Successor("130323", "抚宁县", 2015, "130306", "抚宁区"),
    # 邯郸市
    Successor("130428", "肥乡县", 2016, "130407", "肥乡区"),
    Successor("130429", "永年县", 2016, "130408", "永年区"),
    # 邢台市
    Successor("130526", "任县", 2020, "130505", "任泽区"),
    Successor("130527", "南和县", 2020, "130506", "南和区"),
    # 保定市
    Successor("130603", "北市区", 2015, "130606", "莲池区"),
    Successor("130604", "南市区", 2015, "130606", "莲池区"),
    Successor("130621", "满城县", 2015, "130607", "满城区"),
    Successor("130622", "清苑县", 2015, "130608", "清苑区"),
    Successor("130625", "徐水县", 2015, "130609", "徐水区"),
    # 张家口市
    Successor("130721", "宣化县", 2016, "130705", "宣化区"),
    Successor("130729", "万全县", 2016, "130708", "万全区"),
    Successor("130733", "崇礼县", 2016, "130709", "崇礼区"),
    # 承德市
    Successor("130823", "平泉县", 2017, "130881", "平泉市"),
    # 廊坊市
    Successor("131021", "三河县", 1993, "131082", "三河市"),
    Successor("131027", "霸县", 1990, "131081", "霸州市"),
    # 衡水市
    Successor("131181", "冀州市", 2016, "131103", "冀州区"),
)

SUCCESSORS: dict[str, Successor] = {row.code: row for row in _ROWS}


def current_successor(code: str) -> tuple[Successor, str] | None:
    """The change that retired `code` and the code in use today, following later changes
    (130122 获鹿县 → 130185 鹿泉市 → 130110 鹿泉区 gives the 1994 row and ``"130110"``), or None
    when the table has no successor for `code`."""
    first = SUCCESSORS.get(code)
    if first is None:
        return None
    seen = {code}
    current = first.successor
    while current in SUCCESSORS and current not in seen:
        seen.add(current)
        current = SUCCESSORS[current].successor
    return first, current


__all__ = ["SUCCESSORS", "SUCCESSORS_SOURCE", "Successor", "current_successor"]
