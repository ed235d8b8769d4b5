"""pytest plugin for full runs (`-p tests.service_guard`, loaded by scripts/test.sh): tests that
need a real outside service must really run.

The session fails when, for any of the markers below, a marked test was skipped or deselected,
or none passed; and when ELASTICSEARCH_URL is set but the default search backend is not
Elasticsearch. The terminal summary ends with one line per marker, e.g.
"service-guard: elasticsearch ok (89 passed)".

Some tests run once per `make test`, in one of its two runs (`RUN_ONCE_MARKERS`):
`database_independent` ones in its SQLite run, `postgresql_only` ones in its PostgreSQL run.
The other run (`--guard-database=...`) deselects them, and the summary counts them ("browser ok
(11 passed; 1 left to the SQLite run)", "run-once ok (5 passed here; 20 left to the SQLite
run)"). In their own run, one that is skipped or deselected fails the session: it would run
nowhere.

The database is guarded too: after each passing test that used the database, the plugin reads
the vendor of the open connection (and, for PostgreSQL, the server version from the connection
itself, no query). The summary then says which database the run really used, e.g.
"service-guard: postgresql ok (PostgreSQL 15.18, test_keqiao, 1200 database tests passed)".
`--guard-database=postgresql` (or sqlite) makes the session fail unless every database test that
passed ran on that database and at least one did.
"""

from __future__ import annotations

from typing import Any

import pytest

GUARDED_MARKERS: tuple[str, ...] = ("elasticsearch", "stripe", "browser")
DATABASE_VENDORS: tuple[str, ...] = ("sqlite", "postgresql")
#: marker -> the run of `make test` (its --guard-database) that runs the marked tests
RUN_ONCE_MARKERS: dict[str, str] = {
    "database_independent": "sqlite",
    "postgresql_only": "postgresql",
}
RUN_NAMES: dict[str, str] = {"sqlite": "the SQLite run", "postgresql": "the PostgreSQL run"}

_marked: dict[str, set[str]] = {marker: set() for marker in GUARDED_MARKERS}
_passed: dict[str, set[str]] = {marker: set() for marker in GUARDED_MARKERS}
_problems: list[str] = []
# vendor -> node ids of passed tests that used the database; vendor -> server description
_database_passed: dict[str, set[str]] = {}
_database_seen: dict[str, str] = {}
_uses_database: set[str] = set()
# marker -> run -> node ids of its tests that run once, in that other run (`RUN_ONCE_MARKERS`)
_left: dict[str, dict[str, set[str]]] = {marker: {} for marker in GUARDED_MARKERS}
# node ids of the run-once tests whose run this is, and those left to the other run
_once_here: set[str] = set()
_once_passed: set[str] = set()
_once_left: dict[str, int] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--guard-database",
        choices=DATABASE_VENDORS,
        default=None,
        help="fail unless the database tests really ran on this database (service guard)",
    )


def _markers_of(item: pytest.Item) -> list[str]:
    return [marker for marker in GUARDED_MARKERS if item.get_closest_marker(marker)]


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    backend = str(settings.SEARCH_BACKENDS.get("default", {}).get("BACKEND", ""))
    if not settings.ELASTICSEARCH_URL or "elasticsearch" not in backend.lower():
        _problems.append(f"the default search backend is {backend!r}, not Elasticsearch")


def _run_of(item: pytest.Item) -> str | None:
    """The run of `make test` that runs `item` once, or None when both runs do."""
    runs = {run for marker, run in RUN_ONCE_MARKERS.items() if item.get_closest_marker(marker)}
    if len(runs) > 1:
        raise pytest.UsageError(f"{item.nodeid} is marked to run once in two runs: {runs}")
    return runs.pop() if runs else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    this_run = config.getoption("--guard-database")
    if this_run is not None:
        run_of = {item.nodeid: _run_of(item) for item in items}
        left, kept = [], []
        for item in items:
            run = run_of[item.nodeid]
            if run is None or run == this_run:
                kept.append(item)
                continue
            left.append(item)
            _once_left[run] = _once_left.get(run, 0) + 1
            for marker in _markers_of(item):
                _left[marker].setdefault(run, set()).add(item.nodeid)
        _once_here.update(nodeid for nodeid, run in run_of.items() if run == this_run)
        items[:] = kept
        # Reported as deselected, not as a problem (`pytest_deselected` skips them).
        config.hook.pytest_deselected(items=left)
    for item in items:
        for marker in _markers_of(item):
            _marked[marker].add(item.nodeid)
        # The django_db marker, or a fixture (db, transactional_db, live_server, ...): they
        # all build on pytest-django's django_db_setup.
        if item.get_closest_marker("django_db") or "django_db_setup" in getattr(
            item, "fixturenames", ()
        ):
            _uses_database.add(item.nodeid)


def _describe_connection() -> tuple[str, str] | None:
    """(vendor, description) of the default connection when it is really open, else None.
    The server version comes from the open connection (psycopg's connection info, the sqlite3
    library), not from a query."""
    from django.db import connection

    if connection.connection is None:
        return None
    version = ".".join(str(part) for part in connection.get_database_version())
    name = str(connection.settings_dict.get("NAME") or "")
    return connection.vendor, f"{connection.display_name} {version}, {name}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    outcome = yield
    if item.nodeid not in _uses_database or outcome.excinfo is not None:
        return
    described = _describe_connection()
    if described is not None:
        vendor, description = described
        _database_passed.setdefault(vendor, set()).add(item.nodeid)
        _database_seen.setdefault(vendor, description)


def pytest_deselected(items: list[pytest.Item]) -> None:
    left = {nodeid for runs in _left.values() for ids in runs.values() for nodeid in ids}
    _problems.extend(
        f"deselected: {item.nodeid}"
        for item in items
        if (_markers_of(item) and item.nodeid not in left) or item.nodeid in _once_here
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid in _once_here:
        # An expected failure (xfail) is reported as skipped too, but it ran.
        if report.skipped and not hasattr(report, "wasxfail"):
            _problems.append(f"skipped: {report.nodeid} (it runs in this run only)")
        elif report.when == "call" and report.passed:
            _once_passed.add(report.nodeid)
    for marker, nodeids in _marked.items():
        if report.nodeid not in nodeids:
            continue
        if report.skipped:
            longrepr: Any = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else longrepr
            _problems.append(f"skipped: {report.nodeid} ({reason})")
        elif report.when == "call" and report.passed:
            _passed[marker].add(report.nodeid)


def _database_problems(config: pytest.Config) -> list[str]:
    wanted = config.getoption("--guard-database")
    if wanted is None:
        return []
    others = {v: n for v, n in _database_passed.items() if v != wanted}
    problems = [f"{len(n)} database tests ran on {v}, not {wanted}" for v, n in others.items()]
    if not _database_passed.get(wanted):
        problems.append(f"no database test passed on {wanted}")
    return problems


def _verdict(config: pytest.Config) -> list[str]:
    missing = [f"no test marked {m} passed" for m in GUARDED_MARKERS if not _passed[m]]
    return _problems + missing + _database_problems(config)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _verdict(session.config) and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    problems = _verdict(terminalreporter.config)
    if problems:
        terminalreporter.section("service-guard: outside services were not fully tested", red=True)
        for problem in problems:
            terminalreporter.write_line(f"  {problem}", red=True)
        terminalreporter.write_line("service-guard: FAILED", red=True, bold=True)
        return
    for marker in GUARDED_MARKERS:
        left = "".join(
            f"; {len(ids)} left to {RUN_NAMES[run]}" for run, ids in sorted(_left[marker].items())
        )
        terminalreporter.write_line(
            f"service-guard: {marker} ok ({len(_passed[marker])} passed{left})", green=True
        )
    if _once_here or _once_left:
        left = "".join(f"; {n} left to {RUN_NAMES[run]}" for run, n in sorted(_once_left.items()))
        terminalreporter.write_line(
            f"service-guard: run-once ok ({len(_once_passed)} passed here{left})", green=True
        )
    for vendor, nodeids in sorted(_database_passed.items()):
        terminalreporter.write_line(
            f"service-guard: {vendor} ok ({_database_seen[vendor]}, "
            f"{len(nodeids)} database tests passed)",
            green=True,
        )
