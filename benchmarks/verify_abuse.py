"""A listing read under gunicorn while anonymous callers flood the public verification with
max-size uploads: p50/p95 (ms) idle and during the flood, and the ratio (target: p95 during
at most 2x idle).

Usage:

    .venv/bin/python benchmarks/verify_abuse.py [--workers N] [--uploaders 6] [--reads 300]

What it does, in one run:

1. A throw-away directory holds the SQLite database, VAR_DIR and the rate-limit cache;
   ``migrate`` and ``import_listings data/results.json`` fill it.
2. gunicorn serves Keqiao from it (``--workers`` sync workers, DJANGO_DEBUG off, its log in
   a file as in production) with the
   documented defaults, except that the verify rate limits are lifted
   (KEQIAO_THROTTLE_RATES verify=..., verify_ip=...): the flood stands for many addresses,
   so what is measured is the bounded verification itself, not the per-address limit.
3. "idle": sequential ``GET /api/v1/research-results/?page_size=20`` calls.
4. "during uploads": the same reads while ``--uploaders`` processes each post, back to back
   and ignoring Retry-After,
   a max-size upload (just under KEQIAO_VERIFY_MAX_UPLOAD_BYTES): a well-formed PDF with
   hundreds of thousands of empty signature fields (tests/contracts/hostile_pdfs.py), whose
   check would take about a minute of CPU unbounded. The uploaders run at the lowest CPU
   priority (SCHED_IDLE): they stand for clients on other machines, whose sending costs the server
   nothing; the server's own work for them (gunicorn, Django, the checks) is measured.
   Idle and flood phases alternate ``--rounds`` times (``--reads`` reads in all for each),
   so that load from elsewhere on the machine falls on both alike.
5. With ``--uncapped`` the flood is repeated with KEQIAO_VERIFY_CONCURRENCY equal to the
   number of uploaders (no effective cap), for comparison, with only ``--uncapped-reads``
   reads: each may wait for a worker many seconds.

The upload answers are counted by status and code (200, 400 too_complex, 503 busy, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import percentiles, table  # noqa: E402

from tests.contracts.hostile_pdfs import fields_for_size, many_signature_fields  # noqa: E402

READ_PATH = "/api/v1/research-results/?page_size=20"
VERIFY_PATH = "/api/v1/agreements/verify/"
BOUNDARY = "keqiao-bench-boundary"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(tmp: Path, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "KEQIAO_VAR_DIR": str(tmp / "var"),
            "ELASTICSEARCH_URL": "",
            "KEQIAO_LOG_LEVEL": "WARNING",
            "KEQIAO_THROTTLE_RATES": "verify=100000/min,verify_ip=100000/min",
        }
    )
    env.update(extra)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )


class Server:
    """gunicorn serving Keqiao on a free port until `stop`."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = _free_port()
        self.log = open(Path(env["KEQIAO_VAR_DIR"]).parent / "gunicorn.log", "ab")  # noqa: SIM115
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn), "marketplace.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers),
                "--timeout", "120",
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get(READ_PATH)[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.stop()
            raise SystemExit("gunicorn did not start")
        for _ in range(workers * 5):  # warm every worker (imports, first queries)
            self.get(READ_PATH)

    def get(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status, (time.perf_counter() - started) * 1000
        finally:
            connection.close()

    def upload(self, body: bytes) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(
                "POST", VERIFY_PATH, body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
            response = connection.getresponse()
            payload = response.read()
            code = ""
            if response.status != 200:
                try:
                    code = " " + str(json.loads(payload).get("code", ""))
                except ValueError:
                    code = ""
            return f"{response.status}{code}"
        except (ConnectionError, http.client.HTTPException, OSError):
            # An answer sent before the body was read (busy, throttled) may close the
            # connection while the client is still sending.
            return "refused before the body was read (connection closed)"
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _multipart(data: bytes) -> bytes:
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"agreement.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def _reads(server: Server, count: int) -> list[float]:
    times = []
    for _ in range(count):
        status, ms = server.get(READ_PATH)
        if status != 200:
            raise SystemExit(f"listing read answered {status}")
        times.append(ms)
    return times


def _flood(port: int, body: bytes, stop: Any, results: Any) -> None:
    """One uploader: a separate process (its CPU use is not the reader's GIL), at low
    priority, standing for a client on another machine (its sending is not the server's
    work)."""
    os.nice(15)
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    server = Server.__new__(Server)
    server.port = port
    outcomes: Counter[str] = Counter()
    while not stop.is_set():
        outcomes[server.upload(body)] += 1
    results.put(dict(outcomes))


def _under_flood(
    server: Server, body: bytes, uploaders: int, reads: int
) -> tuple[list[float], Counter[str], int]:
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=_flood, args=(server.port, body, stop, results))
        for _ in range(uploaders)
    ]
    for process in processes:
        process.start()
    time.sleep(2.0)  # let the flood build up
    times = _reads(server, reads)
    stop.set()
    outcomes: Counter[str] = Counter()
    for _ in processes:
        outcomes.update(results.get(timeout=300))
    for process in processes:
        process.join(timeout=60)
    return times, outcomes, sum(outcomes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # gunicorn.conf.py's production default: (2 x CPU cores) + 1 sync workers.
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count() * 2 + 1)
    parser.add_argument("--uploaders", type=int, default=6)
    parser.add_argument("--reads", type=int, default=400, help="reads per scenario")
    parser.add_argument("--rounds", type=int, default=4,
                        help="idle and flood phases alternate this many times")
    parser.add_argument("--uncapped", action="store_true",
                        help="also run the flood with no effective concurrency cap")
    parser.add_argument("--uncapped-reads", type=int, default=10,
                        help="reads during the uncapped flood (each may wait many seconds)")
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="keqiao-verify-abuse-"))
    env = _environment(tmp, {})
    _manage(env, "migrate", "--noinput")
    _manage(env, "import_listings", str(ROOT / "data" / "results.json"), "--no-progress")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    limit = int(env.get("KEQIAO_VERIFY_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
    pdf = many_signature_fields(fields_for_size(limit - 200_000))
    body = _multipart(pdf)
    print(f"upload: {len(pdf) / 1e6:.1f} MB PDF, limit {limit / 1e6:.1f} MB; "
          f"gunicorn {options.workers} sync workers; {options.uploaders} uploaders; "
          f"{options.reads} reads of {READ_PATH}\n")

    rows: list[list[object]] = []
    floods: list[tuple[str, Counter[str], int]] = []
    # Idle and flood phases alternate, so that drifting load from elsewhere on the machine
    # falls on both alike.
    per_round = max(1, options.reads // options.rounds)
    idle: list[float] = []
    server = Server(env, options.workers)
    try:
        flooded: list[float] = []
        outcomes: Counter[str] = Counter()
        for _ in range(options.rounds):
            idle += _reads(server, per_round)
            times, round_outcomes, _total = _under_flood(
                server, body, options.uploaders, per_round
            )
            flooded += times
            outcomes.update(round_outcomes)
        idle_p50, idle_p95 = percentiles(idle)
        rows.append(["idle", len(idle), idle_p50, idle_p95, "1.00"])
        p50, p95 = percentiles(flooded)
        rows.append([f"during {options.uploaders} uploads (capped)", len(flooded), p50, p95,
                     f"{p95 / idle_p95:.2f}"])
        floods.append(("capped", outcomes, sum(outcomes.values())))
    finally:
        server.stop()
    _print(rows, floods)

    if options.uncapped:
        uncapped_env = _environment(tmp, {"KEQIAO_VERIFY_CONCURRENCY": str(options.uploaders)})
        server = Server(uncapped_env, options.workers)
        try:
            times, outcomes, total = _under_flood(
                server, body, options.uploaders, options.uncapped_reads
            )
            p50, p95 = percentiles(times)
            rows.append([f"during {options.uploaders} uploads (no cap)", len(times), p50, p95,
                         f"{p95 / idle_p95:.2f}"])
            floods.append(("no cap", outcomes, total))
        finally:
            server.stop()

        print()
        _print(rows, floods)


def _print(rows: list[list[object]], floods: list[tuple[str, Counter[str], int]]) -> None:
    print(table(["listing read", "n", "p50 ms", "p95 ms", "p95 / idle p95"], rows))
    print()
    print(table(
        ["flood", "uploads answered", "answers"],
        [[name, total, ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))]
         for name, outcomes, total in floods],
    ), flush=True)


if __name__ == "__main__":
    main()
