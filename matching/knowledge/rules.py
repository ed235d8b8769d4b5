"""The knowledge files: their only reader and parser, and the questions the matcher asks them.

Two tab-separated files sit beside this module:

- `grown_rules.tsv`, grown from the listings by `manage.py grow_knowledge`
  (`matching.knowledge.mining`), never edited by hand. Its first line is the version header
  `# version: N, grown from <corpus digest> on <YYYY-MM-DD>`; then one rule a line:
  `kind<TAB>left<TAB>right<TAB>count<TAB>evidence<TAB>shared`.
- `curated_rules.tsv`, hand-checked rules: `# version: N` first, then
  `kind<TAB>left<TAB>right<TAB>source`, the source saying why the rule holds.

Kinds (left ⇒ right, one way):

- `problem`: `object+cue` ⇒ a technology term. It applies to a need whose text has the object
  and the problem cue in one sentence (cut at 。；！？ and line breaks, not at commas:
  "钢渣堆积如山，占地污染" is one), e.g. `钢渣+堆积` ⇒
  `钢渣气淬`: "steel slag piling up" points to gas quenching of steel slag.
- `ipc`: an IPC subclass ⇒ a field code: results of that subclass are filed in that field.
- `field`: a field code ⇒ a related field code (read both ways): listings of the two fields
  share keywords.

`count` is how many listings support a grown rule; `evidence` the listing ids (space
separated) and `shared` the terms that produced it. Lines starting with `#` and blank lines
are skipped. A grown rule never overrides a curated one: a grown rule whose kind and left side
a curated rule has is left out. Bad lines are reported with their line numbers
(`KnowledgeFile.problems`) and left out; the rest of the file still counts.

Pure Python (the scorer imports this module): no Django, no search.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent
GROWN_PATH = HERE / "grown_rules.tsv"
CURATED_PATH = HERE / "curated_rules.tsv"

Kind = Literal["problem", "ipc", "field"]
KINDS: tuple[Kind, ...] = ("problem", "ipc", "field")
_KIND_OF: dict[str, Kind] = {kind: kind for kind in KINDS}

_GROWN_HEADER = re.compile(
    r"#\s*version:\s*(\d+)\s*,\s*grown from\s+(\S+)\s+on\s+(\d{4}-\d{2}-\d{2})\s*$"
)
_CURATED_HEADER = re.compile(r"#\s*version:\s*(\d+)\b")
#: Where a text is cut into sentences: a problem rule needs its object and cue in one.
SENTENCE_BREAK = re.compile(r"[。；;！!？?\n]")
_IPC_SUBCLASS = re.compile(r"^[A-H]\d\d[A-Z]$")
_FIELD_CODE = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class Rule:
    """One rule. `left` is `object+cue` for a problem rule, an IPC subclass or a field code;
    `curated` rules carry their `source`, grown ones `count`, `evidence` and `shared`."""

    kind: Kind
    left: str
    right: str
    count: int = 0
    evidence: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    source: str = ""
    curated: bool = False
    version: int = 0

    @property
    def problem(self) -> tuple[str, str]:
        """(object, cue) of a problem rule."""
        obj, _, cue = self.left.partition("+")
        return obj, cue

    @property
    def label(self) -> str:
        """The left side as a reader sees it: 钢渣堆积 for `钢渣+堆积`."""
        return "".join(self.problem) if self.kind == "problem" else self.left

    def name(self, language: str) -> str:
        """How a reason names the rule: 知识规则 v3 / knowledge rule v3 (人工规则 for curated)."""
        if language.lower().startswith("zh"):
            return f"{'人工规则' if self.curated else '知识规则'} v{self.version}"
        return f"{'curated rule' if self.curated else 'knowledge rule'} v{self.version}"

    def line(self) -> str:
        """The rule as a line of the grown file."""
        return "\t".join(
            (
                self.kind,
                self.left,
                self.right,
                str(self.count),
                " ".join(self.evidence),
                ", ".join(self.shared),
            )
        )


@dataclass(frozen=True)
class Problem:
    """A line that could not be read, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class KnowledgeFile:
    """A parsed file: its version (0 when the header is missing), the corpus digest and date
    of a grown file, its rules in file order and the lines it could not read."""

    version: int
    digest: str
    grown_on: str
    rules: tuple[Rule, ...]
    problems: tuple[Problem, ...]


def _check(kind: str, left: str, right: str) -> str:
    """Why a rule's sides are bad, or ""."""
    if kind not in KINDS:
        return f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})"
    if not left or not right:
        return "empty left or right side"
    if kind == "problem":
        obj, plus, cue = left.partition("+")
        if not plus or not obj.strip() or not cue.strip():
            return f"a problem rule's left side is object+cue, not {left!r}"
    if kind == "ipc" and not _IPC_SUBCLASS.match(left):
        return f"{left!r} is not an IPC subclass such as H01M"
    codes = (left, right) if kind == "field" else (right,) if kind == "ipc" else ()
    if bad := [code for code in codes if not _FIELD_CODE.match(code)]:
        return f"{bad[0]!r} is not a field code such as new_energy"
    return ""


def _rule(cells: list[str], curated: bool, version: int) -> Rule | str:
    """The rule of a line's cells, or why it is bad."""
    expected = 4 if curated else 6
    if len(cells) != expected:
        return f"expected {expected} tab-separated columns, found {len(cells)}"
    name, left, right = (cell.strip() for cell in cells[:3])
    if why := _check(name, left, right):
        return why
    kind = _KIND_OF[name]
    if curated:
        if not cells[3].strip():
            return "a curated rule needs its source"
        return Rule(kind, left, right, source=cells[3].strip(), curated=True, version=version)
    if not cells[3].strip().isdigit() or int(cells[3]) < 1:
        return f"count {cells[3]!r} is not a positive whole number"
    return Rule(
        kind,
        left,
        right,
        count=int(cells[3]),
        evidence=tuple(cells[4].split()),
        shared=tuple(term.strip() for term in cells[5].split(",") if term.strip()),
        version=version,
    )


def parse(text: str, *, curated: bool = False) -> KnowledgeFile:
    """The rules of a knowledge file's `text` (grown, or `curated`); bad lines are left out
    and reported in `problems` with their 1-based line numbers."""
    lines = text.splitlines()
    header = (_CURATED_HEADER if curated else _GROWN_HEADER).match(lines[0] if lines else "")
    problems: list[Problem] = []
    if header is None:
        expected = "# version: N" if curated else "# version: N, grown from <digest> on <date>"
        problems.append(Problem(1, f"the first line must be the header {expected!r}"))
    version = int(header.group(1)) if header else 0
    rules: list[Rule] = []
    seen: set[tuple[str, str, str]] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        found = _rule(raw.rstrip("\r\n").split("\t"), curated, version)
        if isinstance(found, str):
            problems.append(Problem(number, found))
            continue
        key = (found.kind, found.left, found.right)
        if key in seen:
            problems.append(Problem(number, "the same rule again"))
            continue
        seen.add(key)
        rules.append(found)
    digest = header.group(2) if header and not curated else ""
    grown_on = header.group(3) if header and not curated else ""
    return KnowledgeFile(version, digest, grown_on, tuple(rules), tuple(problems))


def _parse_file(path: str, curated: bool) -> KnowledgeFile:
    return parse(Path(path).read_text(encoding="utf-8"), curated=curated)


def _stamp(path: Path) -> tuple[str, int, int]:
    """(path, modification time, size) of a file; (path, -1, -1) when there is none."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


_EMPTY = KnowledgeFile(0, "", "", (), ())


@lru_cache(maxsize=16)
def _read(stamp: tuple[str, int, int], curated: bool) -> KnowledgeFile:
    return _EMPTY if stamp[1] < 0 else _parse_file(stamp[0], curated)


def read(path: Path, *, curated: bool = False) -> KnowledgeFile:
    """The parsed file at `path`, read again when its modification time or size changes; an
    empty file (version 0, no rules) when there is none."""
    return _read(_stamp(path), curated)


@dataclass(frozen=True)
class Knowledge:
    """The rules in force: the curated ones, then the grown ones whose kind and left side no
    curated rule has; indexed for the questions below."""

    rules: tuple[Rule, ...]

    def of_kind(self, kind: Kind) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind == kind)


@dataclass(frozen=True)
class _Index:
    knowledge: Knowledge
    problems: tuple[tuple[str, str, Rule], ...]  # (object, cue) lower-cased, the rule
    fields: dict[frozenset[str], Rule]
    linked: dict[str, tuple[str, ...]]
    ipc: dict[tuple[str, str], Rule]


@lru_cache(maxsize=8)
def _index(grown: tuple[str, int, int], curated: tuple[str, int, int]) -> _Index:
    grown_rules = _read(grown, False).rules
    curated_rules = _read(curated, True).rules
    taken = {(rule.kind, rule.left) for rule in curated_rules}
    kept = tuple(rule for rule in grown_rules if (rule.kind, rule.left) not in taken)
    both = Knowledge(curated_rules + kept)
    fields: dict[frozenset[str], Rule] = {}
    linked: dict[str, set[str]] = {}
    for rule in both.of_kind("field"):
        if rule.left != rule.right:
            fields.setdefault(frozenset({rule.left, rule.right}), rule)
            linked.setdefault(rule.left, set()).add(rule.right)
            linked.setdefault(rule.right, set()).add(rule.left)
    ipc: dict[tuple[str, str], Rule] = {}
    for rule in both.of_kind("ipc"):
        ipc.setdefault((rule.left, rule.right), rule)
    return _Index(
        knowledge=both,
        problems=tuple(
            (r.problem[0].lower(), r.problem[1].lower(), r) for r in both.of_kind("problem")
        ),
        fields=fields,
        linked={code: tuple(sorted(others)) for code, others in linked.items()},
        ipc=ipc,
    )


#: How long the files' stamps are trusted before they are looked at again (seconds): the
#: scorer asks once per candidate, and a stat per question would cost more than the answer.
RECHECK_SECONDS = 1.0
_last: list[tuple[tuple[Path, Path], float, _Index]] = []


def _current() -> _Index:
    """The index of the files at `GROWN_PATH` and `CURATED_PATH` (looked at again after
    `RECHECK_SECONDS`, or at once when the paths change)."""
    paths = (GROWN_PATH, CURATED_PATH)
    now = time.monotonic()
    if _last and _last[0][0] == paths and now - _last[0][1] < RECHECK_SECONDS:
        return _last[0][2]
    index = _index(_stamp(GROWN_PATH), _stamp(CURATED_PATH))
    _last[:] = [(paths, now, index)]
    return index


def rules_in_force() -> object:
    """The rules now in force as one object, replaced (never changed) when a rule file
    changes: what keeps results derived from the rules compares it with `is`."""
    return _current()


def knowledge(grown: Path | None = None, curated: Path | None = None) -> Knowledge:
    """The rules in force from the two files (default `GROWN_PATH` and `CURATED_PATH`; either
    may be missing)."""
    return _index(
        _stamp(GROWN_PATH if grown is None else grown),
        _stamp(CURATED_PATH if curated is None else curated),
    ).knowledge


# --- the questions ---------------------------------------------------------------------------
def sentences(text: str) -> list[str]:
    """`text` lower-cased and cut into sentences (`SENTENCE_BREAK`)."""
    return [part for part in SENTENCE_BREAK.split(text.lower()) if part.strip()]


def problem_rules(text: str, rules: Iterable[Rule] | None = None) -> list[Rule]:
    """The problem rules (those in force, or `rules`) that apply to `text`: object and cue in
    one sentence. File order."""
    if rules is None:
        chosen = _current().problems
    else:
        chosen = tuple((r.problem[0].lower(), r.problem[1].lower(), r) for r in rules)
    if not chosen:
        return []
    parts = sentences(text)
    return [rule for obj, cue, rule in chosen if any(obj in p and cue in p for p in parts)]


def problem_targets(text: str) -> tuple[str, ...]:
    """The technology terms the problem rules that apply to `text` point to, in order."""
    return tuple(dict.fromkeys(rule.right for rule in problem_rules(text)))


def rule_for(text: str, term: str) -> Rule | None:
    """The first problem rule that applies to `text` and points to `term`, if any."""
    wanted = term.strip().lower()
    for rule in problem_rules(text):
        if rule.right.lower() == wanted:
            return rule
    return None


def field_link(a: str, b: str) -> Rule | None:
    """The field rule relating field codes `a` and `b` (either way round), if any."""
    return _current().fields.get(frozenset({a, b})) if a != b else None


def linked_fields(code: str) -> tuple[str, ...]:
    """Field codes the field rules relate to `code`, sorted."""
    return _current().linked.get(code, ())


def ipc_field(symbols: Iterable[str], field: str) -> Rule | None:
    """The IPC rule linking the subclass of one of `symbols` ("H04N 5/225") to `field`."""
    index = _current().ipc
    if not index:
        return None
    for symbol in symbols:
        rule = index.get((re.sub(r"\s+", "", symbol.upper())[:4], field))
        if rule is not None:
            return rule
    return None
