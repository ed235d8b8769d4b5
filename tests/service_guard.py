"""pytest plugin for full runs (`-p tests.service_guard`, loaded by scripts/test.sh): tests that
need a real outside service must really run.

The session fails when, for any of the markers below, a marked test was skipped or deselected,
or none passed; and when ELASTICSEARCH_URL is set but the default search backend is not
Elasticsearch. The terminal summary ends with one line per marker, e.g.
"service-guard: elasticsearch ok (89 passed)".
"""

from __future__ import annotations

from typing import Any

import pytest

GUARDED_MARKERS: tuple[str, ...] = ("elasticsearch", "stripe", "browser")

_marked: dict[str, set[str]] = {marker: set() for marker in GUARDED_MARKERS}
_passed: dict[str, set[str]] = {marker: set() for marker in GUARDED_MARKERS}
_problems: list[str] = []


def _markers_of(item: pytest.Item) -> list[str]:
    return [marker for marker in GUARDED_MARKERS if item.get_closest_marker(marker)]


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    backend = str(settings.SEARCH_BACKENDS.get("default", {}).get("BACKEND", ""))
    if not settings.ELASTICSEARCH_URL or "elasticsearch" not in backend.lower():
        _problems.append(f"the default search backend is {backend!r}, not Elasticsearch")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker in _markers_of(item):
            _marked[marker].add(item.nodeid)


def pytest_deselected(items: list[pytest.Item]) -> None:
    _problems.extend(f"deselected: {item.nodeid}" for item in items if _markers_of(item))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for marker, nodeids in _marked.items():
        if report.nodeid not in nodeids:
            continue
        if report.skipped:
            longrepr: Any = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else longrepr
            _problems.append(f"skipped: {report.nodeid} ({reason})")
        elif report.when == "call" and report.passed:
            _passed[marker].add(report.nodeid)


def _verdict() -> list[str]:
    missing = [f"no test marked {m} passed" for m in GUARDED_MARKERS if not _passed[m]]
    return _problems + missing


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _verdict() and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    problems = _verdict()
    if problems:
        terminalreporter.section("service-guard: outside services were not fully tested", red=True)
        for problem in problems:
            terminalreporter.write_line(f"  {problem}", red=True)
        terminalreporter.write_line("service-guard: FAILED", red=True, bold=True)
        return
    for marker in GUARDED_MARKERS:
        terminalreporter.write_line(
            f"service-guard: {marker} ok ({len(_passed[marker])} passed)", green=True
        )
