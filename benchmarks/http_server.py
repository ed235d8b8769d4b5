"""A real gunicorn server of Keqiao for the benchmarks: started from gunicorn.conf.py on a free
loopback port with a given environment, timed to its first successful answer, and asked for
the memory of its workers before it is stopped.

    with GunicornServer(env, workers=4, log=path) as server:
        first = server.wait_for(path_of_a_search)    # FirstAnswer: seconds since start, ms
        ...                                          # load on server.base_url
        memory = server.worker_memory()              # WorkerMemory: VmRSS/RssAnon per worker
        cpu = server.worker_cpu_seconds()            # CPU seconds of the workers so far
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """GET `path` from 127.0.0.1:`port` on a new connection: (status, body). gunicorn's sync
    workers close each connection after its response, so a connection serves one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass(frozen=True)
class FirstAnswer:
    """The first successful answer after the start: `seconds` from the start of gunicorn to
    the end of that answer; `request_ms`, the time of that request alone."""

    seconds: float
    request_ms: float


@dataclass(frozen=True)
class WorkerMemory:
    """Resident memory of each worker in MB: VmRSS (what `ps` shows; it counts the pages of
    the memory-mapped index and shared libraries in every worker that touched them) and
    RssAnon (the worker's own heap, not shared)."""

    rss_mb: list[float]
    anon_mb: list[float]


def _status_kb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return float(line.split()[1])
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (/proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc/<n>/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) is in parentheses and may contain spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class GunicornServer:
    """`.venv/bin/gunicorn -c gunicorn.conf.py` from the repository root, with the bind
    address, the number of workers and worker recycling overridden on the command line (no
    recycling: `max_requests` of gunicorn.conf.py would restart a worker in the middle of a
    measurement and hide its memory growth), and no control socket. Output goes to `log`.
    Before the start, Keqiao's modules are compiled as a release does (`make bytecode`,
    README, Production), so the first answer never includes compiling them."""

    def __init__(self, env: dict[str, str], *, workers: int, log: Path) -> None:
        self.env = env
        self.workers = workers
        self.log = log
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def __enter__(self) -> GunicornServer:
        command = [
            str(GUNICORN), "-c", "gunicorn.conf.py",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--max-requests", "0",
            # gunicorn >= 25.1 opens a control socket at one fixed path per account by default
            # ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): two servers would share it.
            "--no-control-socket",
        ]
        subprocess.run(["make", "--no-print-directory", "-s", "bytecode"], cwd=ROOT, check=True)
        with self.log.open("ab") as out:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for(self, path: str, *, timeout: float = 120.0) -> FirstAnswer:
        """Poll `path` until it answers 200 (connection refused: not bound yet, retried
        every 10 ms). Raises RuntimeError when the server exits or `timeout` passes."""
        assert self.process is not None
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn exited with {code}; see {self.log}")
            sent = time.perf_counter()
            try:
                status, body = http_get(self.port, path, timeout=max(1.0, deadline - sent))
            except (ConnectionRefusedError, ConnectionResetError):
                time.sleep(0.01)
                continue
            done = time.perf_counter()
            if status == 200:
                return FirstAnswer(done - self.started, (done - sent) * 1000)
            raise RuntimeError(f"first answer {status}: {body[:300]!r}; see {self.log}")
        raise RuntimeError(f"no answer within {timeout:.0f}s; see {self.log}")

    def worker_memory(self) -> WorkerMemory:
        assert self.process is not None
        workers = children_of(self.process.pid)
        return WorkerMemory(
            [_status_kb(pid, "VmRSS") / 1024 for pid in workers],
            [_status_kb(pid, "RssAnon") / 1024 for pid in workers],
        )

    def worker_cpu_seconds(self) -> float:
        """CPU seconds (user + system) the current workers have used so far, together."""
        assert self.process is not None
        return sum(cpu_seconds(pid) for pid in children_of(self.process.pid))

    def stop(self) -> None:
        """SIGTERM to the master (graceful stop of the workers), SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
