"""Tables of benchmarks/search_scale.py: one per size, and the summary against the targets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from es_scale import EsBuild
from http_load import Load
from http_server import FirstAnswer, WorkerMemory
from synthetic import percentiles, table

SEARCH = "all searches"
MATCH = "all matches"


@dataclass
class HttpRun:
    """One gunicorn run: its first answer, the timed load, its workers' memory after it and
    their CPU seconds during it; then the first answer of a second start (a restart, which
    finds the files the first start wrote, such as the vector snapshots)."""

    first: FirstAnswer
    load: Load
    memory: WorkerMemory
    cpu_seconds: float
    restart: FirstAnswer | None = None

    @property
    def cpu_ms_per_call(self) -> float:
        return self.cpu_seconds * 1000 / self.load.calls if self.load.calls else 0.0


@dataclass
class SizeResult:
    """Everything measured at one size (`n` asked for, `total` listings in the database)."""

    n: int
    total: int
    generated_seconds: float
    build_count: int
    build_seconds: float
    search_labels: list[str]
    match_labels: list[str]
    embedded: HttpRun
    es_build: EsBuild | None = None
    es: HttpRun | None = None
    direct: Load | None = None

    @property
    def build_rate(self) -> float:
        return self.build_count / self.build_seconds

    def timings(self, load: Load | None, label: str) -> list[float]:
        if load is None:
            return []
        if label == SEARCH:
            return load.merged(self.search_labels)
        if label == MATCH:
            return load.merged(self.match_labels)
        return load.timings.get(label, [])

    def p50(self, load: Load | None, label: str) -> float | None:
        values = self.timings(load, label)
        return percentiles(values)[0] if values else None

    def p95(self, load: Load | None, label: str) -> float | None:
        values = self.timings(load, label)
        return percentiles(values)[1] if values else None

    def ratio(self, label: str) -> float | None:
        """API p50 through gunicorn on Elasticsearch / Elasticsearch's own p50."""
        api, direct = self.p50(self.es.load if self.es else None, label), self.p50(
            self.direct, label
        )
        return api / direct if api is not None and direct else None


def _ms(value: float | None) -> Any:
    return "-" if value is None else float(value)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _server_row(name: str, run: HttpRun) -> list[Any]:
    rss, anon = run.memory.rss_mb, run.memory.anon_mb
    return [
        name, f"{run.first.seconds:.2f}", float(run.first.request_ms),
        "-" if run.restart is None else f"{run.restart.seconds:.2f}", run.load.calls,
        run.load.error_count, float(run.load.per_second), float(run.cpu_ms_per_call),
        float(max(rss, default=0)),
        float(sum(rss)), float(max(anon, default=0)),
    ]


def size_report(result: SizeResult) -> str:
    """Build lines, the server table and the latency table of one size."""
    lines = [
        f"=== {result.total:,} listings (generated in {result.generated_seconds:.1f}s)",
        f"embedded rebuild: {result.build_count:,} docs in {result.build_seconds:.1f}s "
        f"({result.build_rate:,.0f} docs/s)",
    ]
    es_build = result.es_build
    if es_build is not None:
        lines.append(
            f"Elasticsearch backend rebuild: {es_build.rebuild_seconds:.1f}s "
            f"({es_build.rebuild_rate:,.0f} docs/s); bodies alone {es_build.bodies_seconds:.1f}s; "
            f"ES bulk API on the same bodies {es_build.bulk_seconds:.1f}s "
            f"({es_build.bulk_rate:,.0f} docs/s); embedded/ES bulk "
            f"{result.build_rate / es_build.bulk_rate:.2f}x, ES backend/ES bulk "
            f"{es_build.rebuild_rate / es_build.bulk_rate:.2f}x"
        )
    runs = [("embedded", result.embedded)] + ([("elasticsearch", result.es)] if result.es else [])
    lines += ["", table(
        ["server", "first answer s", "its ms", "after restart s", "calls", "errors", "calls/s",
         "CPU ms/call",
         "RSS max MB", "RSS sum MB", "RssAnon max MB"],
        [_server_row(name, run) for name, run in runs],
    )]
    for name, run in runs:
        lines += [f"  {name} error: {label}: {text[:200]}" for label, text in run.load.errors]
    headers = ["call (ms)", "embedded p50", "p95"]
    if result.es:
        headers += ["ES API p50", "p95", "ES direct p50", "p95", "API/direct p50"]
    rows = []
    for label in [*result.search_labels, SEARCH, *result.match_labels, MATCH]:
        row: list[Any] = [
            label, _ms(result.p50(result.embedded.load, label)),
            _ms(result.p95(result.embedded.load, label)),
        ]
        if result.es:
            row += [
                _ms(result.p50(result.es.load, label)), _ms(result.p95(result.es.load, label)),
                _ms(result.p50(result.direct, label)), _ms(result.p95(result.direct, label)),
                _x(result.ratio(label)),
            ]
        rows.append(row)
    lines += ["", table(headers, rows)]
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """A check: `measure(result, by_n)` gives the value at one size (None: not measured or
    not applicable there); met when `value <= limit` (or `>=` with `at_least`)."""

    name: str
    text: str
    limit: float
    measure: Callable[[SizeResult, dict[int, SizeResult]], float | None]
    at_least: bool = False
    fmt: str = "{:.1f}"


def _growth(label: str) -> Callable[[SizeResult, dict[int, SizeResult]], float | None]:
    def measure(result: SizeResult, by_n: dict[int, SizeResult]) -> float | None:
        base = by_n.get(10_000)
        if result.n != 100_000 or base is None:
            return None
        now, before = result.p50(result.embedded.load, label), base.p50(base.embedded.load, label)
        return now / before if now is not None and before else None

    return measure


def _es_api(label: str, p: str) -> Callable[[SizeResult, dict[int, SizeResult]], float | None]:
    def measure(result: SizeResult, by_n: dict[int, SizeResult]) -> float | None:
        if result.es is None:
            return None
        return result.p95(result.es.load, label) if p == "p95" else result.ratio(label)

    return measure


def _build_vs_bulk(embedded: bool) -> Callable[[SizeResult, dict[int, SizeResult]], float | None]:
    def measure(result: SizeResult, by_n: dict[int, SizeResult]) -> float | None:
        build = result.es_build
        if build is None:
            return None
        rate = result.build_rate if embedded else build.rebuild_rate
        return rate / build.bulk_rate

    return measure


TARGETS: list[Target] = [
    Target("embedded search p95 ms", "<= 50", 50,
           lambda r, _: r.p95(r.embedded.load, SEARCH)),
    Target("embedded matches p95 ms", "<= 100", 100,
           lambda r, _: r.p95(r.embedded.load, MATCH)),
    Target("embedded worker VmRSS max MB", "<= 400", 400,
           lambda r, _: max(r.embedded.memory.rss_mb, default=0.0)),
    Target("embedded first query after start s", "<= 2", 2,
           lambda r, _: r.embedded.first.seconds, fmt="{:.2f}"),
    Target("embedded first query after a restart s", "<= 2", 2,
           lambda r, _: r.embedded.restart.seconds if r.embedded.restart else None,
           fmt="{:.2f}"),
    Target("embedded search p50 100k / 10k", "<= 3x", 3, _growth(SEARCH), fmt="{:.2f}x"),
    Target("embedded matches p50 100k / 10k", "<= 3x", 3, _growth(MATCH), fmt="{:.2f}x"),
    Target("embedded rebuild s at 100k", "<= 60", 60,
           lambda r, _: r.build_seconds if r.n == 100_000 else None),
    Target("ES search API p50 / ES own", "<= 1.3x", 1.3, _es_api(SEARCH, "ratio"),
           fmt="{:.2f}x"),
    Target("ES matches API p50 / ES own", "<= 1.5x", 1.5, _es_api(MATCH, "ratio"),
           fmt="{:.2f}x"),
    Target("ES search API p95 ms", "<= 100", 100, _es_api(SEARCH, "p95")),
    Target("ES matches API p95 ms", "<= 100", 100, _es_api(MATCH, "p95")),
    Target("embedded rebuild rate / ES bulk", ">= 0.8x", 0.8, _build_vs_bulk(True),
           at_least=True, fmt="{:.2f}x"),
    Target("ES backend rebuild rate / ES bulk", ">= 0.8x", 0.8, _build_vs_bulk(False),
           at_least=True, fmt="{:.2f}x"),
]


def summary_report(results: Sequence[SizeResult]) -> str:
    """One row per target: its value at each size and whether every measured one meets it."""
    by_n = {result.n: result for result in results}
    rows = []
    for target in TARGETS:
        row: list[Any] = [target.name, target.text]
        verdicts = []
        for result in results:
            value = target.measure(result, by_n)
            if value is None:
                row.append("-")
                continue
            ok = value >= target.limit if target.at_least else value <= target.limit
            verdicts.append(ok)
            row.append(target.fmt.format(value) + ("" if ok else " !"))
        row.append("n/a" if not verdicts else "met" if all(verdicts) else "NOT met")
        rows.append(row)
    sizes = [f"{result.n:,}" for result in results]
    return table(["target", "limit", *sizes, "verdict"], rows) + (
        "\n(! marks a value that misses its limit; n/a: not measured in this run)"
    )
