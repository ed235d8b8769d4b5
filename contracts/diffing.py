"""Readable differences between two agreement versions, per clause (difflib).

`diff_versions(old, new)` returns one `SectionDiff` per changed item: each clause, each patent
particular, each party's particulars, the payment terms, the validity and the signing order.
Clause texts are compared by character runs (Chinese has no spaces between words), so a reader
sees exactly which words changed; structured sections are compared line by line after
flattening to "key: value" lines.

Shapes: `SectionDiff.ops` is a list of `(op, text)` with op in {"equal", "insert", "delete"};
`SectionDiff.unified` is a unified diff (str) of the same change for plain-text displays.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from contracts.clauses import PATENT_FIELDS, template_for
from contracts.models import AgreementVersion

_SECTION_TITLES: dict[str, tuple[str, str]] = {
    "parties.a": ("甲方信息", "Party A particulars"),
    "parties.b": ("乙方信息", "Party B particulars"),
    "payment": ("支付", "Payment"),
    "validity": ("有效期限和签订地点", "Validity and place of signing"),
    "signing": ("签署顺序", "Signing order"),
}


@dataclass(frozen=True)
class SectionDiff:
    key: str  # e.g. "clauses.subject", "patent.patent_no", "payment"
    title_zh: str
    title_en: str
    ops: list[tuple[str, str]]
    unified: str

    def title(self, language: str | None) -> str:
        return self.title_en if (language or "").startswith("en") else self.title_zh

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title(language),
            "ops": [{"op": op, "text": text} for op, text in self.ops],
            "unified": self.unified,
        }


def _flatten(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        lines: list[str] = []
        for key in sorted(value):
            lines.extend(_flatten(value[key], f"{prefix}{key}."))
        return lines
    if isinstance(value, list):
        lines = []
        for index, item in enumerate(value, start=1):
            lines.extend(_flatten(item, f"{prefix}{index}."))
        return lines or [f"{prefix.rstrip('.')}: []"]
    return [f"{prefix.rstrip('.')}: {'' if value is None else value}"]


def _char_ops(old: str, new: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", old[i1:i2]))
        if tag in ("insert", "replace"):
            ops.append(("insert", new[j1:j2]))
    return ops


def _line_ops(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for line in difflib.ndiff(old, new):
        code, text = line[:2], line[2:]
        if code == "  ":
            ops.append(("equal", text + "\n"))
        elif code == "- ":
            ops.append(("delete", text + "\n"))
        elif code == "+ ":
            ops.append(("insert", text + "\n"))
    return ops


def _unified(key: str, old: list[str], new: list[str], old_label: str, new_label: str) -> str:
    return "\n".join(
        difflib.unified_diff(
            old, new, fromfile=f"{old_label} {key}", tofile=f"{new_label} {key}", lineterm=""
        )
    )


def diff_versions(old: AgreementVersion | None, new: AgreementVersion) -> list[SectionDiff]:
    """What changed from `old` to `new` (both of one agreement); `old=None` diffs against an
    empty version (everything inserted). Sections in document order; unchanged ones omitted."""
    agreement = new.agreement
    template = template_for(agreement.contract_type, agreement.subtype)
    old_label = f"v{old.number}" if old else "v0"
    new_label = f"v{new.number}"
    diffs: list[SectionDiff] = []

    def add(key: str, title_zh: str, title_en: str, before: Any, after: Any) -> None:
        if before == after:
            return
        if isinstance(before, str | None) and isinstance(after, str | None):
            a, b = before or "", after or ""
            ops = _char_ops(a, b)
            unified = _unified(key, a.splitlines(), b.splitlines(), old_label, new_label)
        else:
            a_lines = _flatten(before) if before not in (None, {}) else []
            b_lines = _flatten(after) if after not in (None, {}) else []
            ops = _line_ops(a_lines, b_lines)
            unified = _unified(key, a_lines, b_lines, old_label, new_label)
        diffs.append(SectionDiff(key, title_zh, title_en, ops, unified))

    old_parties = old.parties if old else {}
    for party in ("a", "b"):
        zh, en = _SECTION_TITLES[f"parties.{party}"]
        add(f"parties.{party}", zh, en, old_parties.get(party), new.parties.get(party))
    old_clauses = old.clauses if old else {}
    keys = list(template.clause_keys) + sorted(
        (set(old_clauses) | set(new.clauses)) - set(template.clause_keys)
    )
    for key in keys:
        clause = template.clause(key)
        title_zh = clause.title_zh if clause else key
        title_en = clause.title_en if clause else key
        add(f"clauses.{key}", title_zh, title_en, old_clauses.get(key), new.clauses.get(key))
    old_patent = old.patent if old else {}
    for patent_field in PATENT_FIELDS:
        add(
            f"patent.{patent_field.key}",
            patent_field.title_zh,
            patent_field.title_en,
            old_patent.get(patent_field.key),
            new.patent.get(patent_field.key),
        )
    for name in ("payment", "validity", "signing"):
        zh, en = _SECTION_TITLES[name]
        add(name, zh, en, getattr(old, name) if old else None, getattr(new, name))
    return diffs
