"""Dedicated Elasticsearch instances for the outage and cluster tests, run with es/run.sh.

Each instance has its own state directory (ES_STATE_DIR under var/es-test/) and its own free
ports, so it never touches the shared development/CI node (ELASTICSEARCH_URL). The
distribution es/run.sh unpacked under var/es/home is shared. Talks to the nodes over plain HTTP
(urllib) for health checks; the project's backend is the only code that uses the client.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RUN_SH = ROOT / "es" / "run.sh"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(nodes: int, *, start: int = 19400, stop: int = 29000, step: int = 20) -> int:
    """An http base port P with P..P+nodes-1 and P+100..P+100+nodes-1 free on 127.0.0.1."""
    offset = (os.getpid() * 7) % ((stop - start) // step)  # parallel sessions start apart
    for i in range((stop - start) // step):
        base = start + ((offset + i) % ((stop - start) // step)) * step
        ports = [base + j for j in range(nodes)] + [base + 100 + j for j in range(nodes)]
        if all(_port_free(port) for port in ports):
            return base
    raise RuntimeError("no free port block for a test Elasticsearch")


class EsInstance:
    """`nodes` Elasticsearch nodes on 127.0.0.1 managed through es/run.sh."""

    def __init__(self, name: str, *, nodes: int = 1, heap: str | None = None) -> None:
        self.nodes = nodes
        self.port = free_port_block(nodes)
        self.state_dir = ROOT / "var" / "es-test" / f"{name}-{os.getpid()}"
        self.env = {
            **os.environ,
            "ES_STATE_DIR": str(self.state_dir),
            "ES_PORT": str(self.port),
            "ES_TRANSPORT_PORT": str(self.port + 100),
            "ES_NODES": str(nodes),
        }
        if heap:
            self.env["ES_HEAP"] = heap
        self.stopped: set[int] = set()

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port + i}" for i in range(self.nodes)]

    @property
    def url(self) -> str:
        return self.urls[0]

    def _run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(RUN_SH), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"es/run.sh {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
            )
        return done.stdout + done.stderr

    def start(self, *, fresh: bool = False) -> float:
        """Start (or restart) every node and wait for health; returns the seconds it took."""
        started = time.monotonic()
        self._run("start", "--nodes", str(self.nodes), *(["--fresh"] if fresh else []))
        self.stopped.clear()
        return time.monotonic() - started

    def stop(self) -> None:
        self._run("stop", timeout=120)
        self.stopped = set(range(self.nodes))

    def stop_node(self, index: int) -> None:
        self._run("stop-node", str(index), timeout=120)
        self.stopped.add(index)

    def remove(self) -> None:
        """Stop everything and delete the state directory."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def request(self, method: str, path: str, body: Any = None, *, node: int | None = None) -> Any:
        """JSON request to a running node (the first one not stopped unless `node` is given)."""
        if node is None:
            node = min(set(range(self.nodes)) - self.stopped)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.urls[node]}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def health(self, **params: str) -> dict[str, Any]:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return dict(self.request("GET", f"/_cluster/health?{query}"))

    def is_up(self) -> bool:
        try:
            self.request("GET", "/_cluster/health", node=0)
        except (urllib.error.URLError, OSError):
            return False
        return True


ES_BACKEND = "matching.search.backends.elasticsearch.ElasticsearchSearchBackend"


def es_backend_config(url: str, **extra: Any) -> dict[str, Any]:
    """SEARCH_BACKENDS entry for the project's Elasticsearch backend at `url`: the configured
    default entry's parameters (when it is Elasticsearch) with URL replaced, plus `extra`."""
    configured = dict(settings.SEARCH_BACKENDS.get("default", {}))
    base = configured if configured.get("BACKEND") == ES_BACKEND else {"BACKEND": ES_BACKEND}
    return {**base, "URL": url, **extra}
