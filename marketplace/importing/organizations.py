"""The kind of an organisation that an import names only by its legal name."""

from __future__ import annotations

import re

from marketplace.choices import OrganizationKind
from marketplace.listing_records import KIND_NEED

_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("研究总院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究所", OrganizationKind.RESEARCH_INSTITUTE),
    ("科学院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究中心", OrganizationKind.RESEARCH_INSTITUTE),
    ("大学", OrganizationKind.UNIVERSITY),
    ("学院", OrganizationKind.UNIVERSITY),
    ("公司", OrganizationKind.ENTERPRISE),
    ("集团", OrganizationKind.ENTERPRISE),
    ("厂", OrganizationKind.ENTERPRISE),
    ("协会", OrganizationKind.ASSOCIATION),
    ("联盟", OrganizationKind.ASSOCIATION),
)
_TRAILING_NOTE_RE = re.compile(r"[（(][^（）()]*[）)]\s*$")


def guess_organization_kind(name: str, *, listing_kind: str) -> str:
    """Guess an :class:`~marketplace.choices.OrganizationKind` code from a Chinese legal name.

    A trailing note in brackets is ignored (``天津膜天膜科技股份有限公司（津膜科技）``). The
    kind word that ends *last* in the name decides, because a Chinese legal name ends in what
    the body is: ``中国科学院大连化学物理研究所`` -> research institute (研究所 after 科学院),
    ``中国石油化工股份有限公司石油化工科学研究院`` -> research institute,
    ``北京机科国创轻量化科学研究院有限公司`` -> enterprise. Words: 大学/学院 university;
    研究院/研究所/科学院/研究总院, or 中心 in a name containing 研究, research institute;
    公司/集团/厂 enterprise; 协会/联盟 association. Without any: ``enterprise`` for needs,
    ``research_institute`` for results.
    """
    core = _TRAILING_NOTE_RE.sub("", name).strip() or name
    best: tuple[int, int, str] | None = None  # (end position, word length, kind)
    words = list(_KIND_WORDS)
    if "研究" in core:
        words.append(("中心", OrganizationKind.RESEARCH_INSTITUTE))
    for word, kind in words:
        position = core.rfind(word)
        if position < 0:
            continue
        candidate = (position + len(word), len(word), str(kind))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is not None:
        return best[2]
    if listing_kind == KIND_NEED:
        return OrganizationKind.ENTERPRISE.value
    return OrganizationKind.RESEARCH_INSTITUTE.value
