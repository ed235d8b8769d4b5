"""The documented production profile (README, "Production"): `check --deploy` is clean, and
gunicorn behind a TLS proxy serves pages with HSTS, Secure cookies, CSP and Permissions-Policy,
private pages uncached and hashed static files cached for a year by WhiteNoise.

Each test runs Django in a subprocess, so that the settings are read fresh from the
production environment."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "keqiao.test"
# The production profile runs in subprocesses on a SQLite file of their own.
pytestmark = pytest.mark.database_independent
#: Variables of the developer's or CI's environment that would change the profile under test.
OUTSIDE = {"DATABASE_URL", "ELASTICSEARCH_URL", "STRIPE_SECRET_KEY", "STRIPE_API_BASE"}


def production_env(var_dir: Path) -> dict[str, str]:
    """The README's production environment, with a throw-away var directory and SQLite."""
    base = {k: v for k, v in os.environ.items() if k not in OUTSIDE and not k.startswith("KEQIAO_")}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "KEQIAO_HTTPS": "true",
        "KEQIAO_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "KEQIAO_VAR_DIR": str(var_dir),
        "PYTHONWARNINGS": "ignore",
    }


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def deploy_check(tmp_path_factory) -> list[str]:
    """The issue lines `manage.py check --deploy` prints under the production environment."""
    env = production_env(tmp_path_factory.mktemp("var"))
    result = _manage(env, "check", "--deploy", "--fail-level", "CRITICAL")
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if re.match(r"^\S*: \(", line)]


def test_check_deploy_finds_no_security_or_deployment_issue_in_the_production_environment(
    deploy_check,
):
    # drf_spectacular.* are the OpenAPI schema's own warnings (see the next test).
    assert [line for line in deploy_check if "(drf_spectacular." not in line] == []


def test_check_deploy_is_clean_in_the_production_environment(deploy_check):
    assert deploy_check == []


# --- gunicorn behind a TLS proxy ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    """A running gunicorn; `get`/`post` talk to it as the TLS proxy would (X-Forwarded-Proto)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self, method: str, path: str, *, https: bool = True, headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> tuple[http.client.HTTPResponse, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {})}
        conn.request(method, path, body=body, headers={**all_headers, **(headers or {})})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response, text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = production_env(var_dir)
    # collectstatic hashes and compresses (gzip, brotli) the site's own files; the admin's and
    # Swagger UI's (a thousand files, two minutes of brotli) are left out: no page here uses them.
    third_party = ("admin", "drf_spectacular_sidecar", "rest_framework", "django_filters")
    for args in (
        ("migrate", "--noinput"),
        ("collectstatic", "--noinput", *(f"--ignore={name}" for name in third_party)),
        ("createsuperuser", "--noinput", "--username", "operator", "--email", "op@keqiao.test"),
    ):
        result = _manage({**env, "DJANGO_SUPERUSER_PASSWORD": "operator-password-1"}, *args)
        assert result.returncode == 0, result.stderr
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = server.stderr.read() if server.stderr else ""
                    raise AssertionError(f"gunicorn did not start: {log}") from exc
                time.sleep(0.2)
        yield Site(port)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header line)."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_all("Set-Cookie") or []}


def test_plain_http_is_redirected_to_https(site):
    response, _ = site.request("GET", "/roadshows/", https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/roadshows/"


def test_pages_carry_hsts_csp_and_permissions_policy(site):
    response, html = site.request("GET", "/")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert 'class="site-header"' in html


def test_cookies_are_secure_and_logged_in_pages_are_not_stored(site):
    login_page, html = site.request("GET", "/accounts/login/")
    csrf_cookie = _cookies(login_page)["csrftoken"]
    assert "Secure" in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    cookie = csrf_cookie.split(";", 1)[0]
    logged_in, _ = site.request(
        "POST", "/accounts/login/",
        body=urlencode({"login": "operator", "password": "operator-password-1",
                        "csrfmiddlewaretoken": token.group(1)}),
        headers={"Cookie": cookie, "Origin": f"https://{HOST}",
                 "Referer": f"https://{HOST}/accounts/login/",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert logged_in.status == 302, logged_in.headers
    session_cookie = _cookies(logged_in)["sessionid"]
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie
    dashboard, _ = site.request(
        "GET", "/dashboard/", headers={"Cookie": session_cookie.split(";", 1)[0]}
    )
    assert dashboard.status == 200
    assert "no-store" in dashboard.headers["Cache-Control"]
    assert "private" in dashboard.headers["Cache-Control"]


def test_hashed_static_files_are_cached_for_a_year_and_compressed(site):
    _, html = site.request("GET", "/")
    stylesheet = re.search(r'href="(/static/css/keqiao\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet is not None, "collectstatic's hashed name is linked"
    response, css = site.request(
        "GET", stylesheet.group(1), headers={"Accept-Encoding": "identity"}
    )
    assert response.status == 200
    assert "immutable" in response.headers["Cache-Control"]
    max_age = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
    assert max_age is not None and int(max_age.group(1)) >= 365 * 24 * 3600
    assert ".site-header" in css
    gzipped, _ = site.request("GET", stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] in {"gzip", "br"}


def test_errors_show_keqiaos_own_pages(site):
    missing, html = site.request("GET", "/no-such-page/")
    assert missing.status == 404
    assert 'class="card error-page"' in html
    bad_host, html = site.request("GET", "/", headers={"Host": "attacker.invalid"})
    assert bad_host.status == 400
    assert 'class="card error-page"' in html


# --- start-up: what gunicorn's parent loads before forking ------------------------------------
_PARENT_LOAD = """
import gc
import runpy
import sys
import marketplace.wsgi
from django.db import connections
from django.urls import get_resolver
from kernel.blas import blas_threads
from matching.search import segment

configuration = runpy.run_path("gunicorn.conf.py")
collecting_while_loading = gc.isenabled()
configuration["when_ready"](None)
loaded_late = ("pyhanko", "weasyprint", "tantivy", "openpyxl", "icalendar")
heavy = sorted(name for name in loaded_late if name in sys.modules)
opened = [alias for alias in connections if connections[alias].connection is not None]
print(heavy, opened, segment.tokenizer.cache_info().currsize, gc.get_freeze_count() > 10000)
print(sorted(get_resolver()._reverse_dict), set(blas_threads()))
print(collecting_while_loading, gc.isenabled())
runpy.run_path("gunicorn.conf.py")  # a HUP reads the file again: the collector is off
reread = gc.isenabled()
configuration["on_reload"](None)
after_reload = gc.isenabled()
gc.disable()
configuration["post_fork"](None, None)
print(reread, after_reload, gc.isenabled())
"""


def test_the_parent_loads_urls_and_analysers_but_no_pdf_library_database_or_index(tmp_path):
    """gunicorn.conf.py preloads the application and its `when_ready` imports the URLs, builds
    their reverse table in every language, runs `prepare` and freezes the loaded objects in
    the parent, with the garbage collector off while loading and on again after: the PDF
    libraries stay out (they load with the first PDF), so do the XLSX
    and iCalendar writers (with the first export; 0.2 s of every start), and no database
    connection or search index is opened there, since the workers would share it. The
    application limits BLAS to one thread, which the forked workers inherit."""
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", _PARENT_LOAD], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "[] [] 1 True"
    assert lines[1] == "['en', 'zh-hans'] {1}"
    assert lines[2] == "False True"  # no collection while loading, then on again
    assert lines[3] == "False True True"  # on again after a HUP, and in every forked worker
