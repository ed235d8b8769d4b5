"""The OpenAPI schema tells the truth: Schemathesis calls every operation of /api/v1/schema/ on
a live server with the demo data, as anonymous and as each demo role, and checks each answer
for server errors and for conformance to the schema (status code, content type, body).

The server runs in a subprocess (gunicorn, the production server, with DEBUG off) on a
throw-away database of the run's PostgreSQL server (created and dropped here), with the
embedded search backend, so that the fuzzer's writes never touch the test database or a
development index. It runs once per `make test`, in the PostgreSQL run: the database sites run
on, where input SQLite takes (a NUL character in a text) can fail; the SQLite run skips it.
The run is bounded and reproducible: deterministic generation (the same cases on every run; no
seed and no example database) and at most `MAX_EXAMPLES` cases per operation and phase
(examples, fuzzing, stateful); the five runs take about 2.5 minutes on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from marketplace.demo import DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS
from tests.databases import throwaway_databases

BASE_DIR = Path(__file__).resolve().parents[2]
ROLES = ["anonymous", *(account.username for account in DEMO_ACCOUNTS)]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the schema conformance runs once per `make test`, in its PostgreSQL run",
    ),
]

MAX_EXAMPLES = 8
PHASES = "examples,fuzzing,stateful"
RUN_TIMEOUT_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        KEQIAO_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        KEQIAO_DEMO_PASSWORD=DEFAULT_DEMO_PASSWORD,
        PYTHONWARNINGS="ignore",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-5000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/schema/", timeout=10):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer within 60 s")


def _token(base_url: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": DEFAULT_DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["token"])


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, {role: token}) of a server with the demo data loaded."""
    var_dir = tmp_path_factory.mktemp("conformance")
    with throwaway_databases(var_dir, "keqiao_conformance", "demo") as (database_url,):
        yield from _live_api(var_dir, database_url)


def _live_api(var_dir: Path, database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    env = _server_env(var_dir, database_url)
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = var_dir / "server.log"  # a file: a pipe nobody reads would fill up and block it
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "marketplace.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
                # No request-line limit: the 414 of a front server is not the app's answer.
                "--limit-request-line", "0",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base_url, server, log)
            tokens = {a.username: _token(base_url, a.username) for a in DEMO_ACCOUNTS}
            yield base_url, tokens
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.mark.parametrize("role", ROLES)
def test_every_answer_conforms_to_the_openapi_schema(
    live_api: tuple[str, dict[str, str]], role: str, tmp_path: Path
) -> None:
    base_url, tokens = live_api
    command = [
        sys.executable,
        "-c",
        "from schemathesis.cli import schemathesis; schemathesis()",
        "run",
        f"{base_url}/api/v1/schema/",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",  # also: no example database
        "--workers",
        "1",
        "--no-shrink",
        "--no-color",
        "--request-timeout",
        "60",
    ]
    if role in tokens:
        command += ["--header", f"Authorization: Token {tokens[role]}"]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"Schemathesis as {role}:\n{report[-20000:]}"
    assert "Tested:" in report  # it did call the operations
