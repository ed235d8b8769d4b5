"""Shared support of the real-browser tests: Playwright drives Debian's chromium
(/usr/bin/chromium; no browser download) against pytest-django's live server.

Every page a browser test opens is watched for Content-Security-Policy violations (the
`securitypolicyviolation` event and chromium's console report), uncaught script errors and
failed same-origin subresources; `PageWatch.problems()` lists them and the tests assert that
there are none.

The `sync_playwright` fixture (tests/conftest.py) skips a test with a reason when chromium or
the playwright package is missing, except under CI (``CI`` set), where a missing browser fails
the test instead: CI installs both.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Runs in every document before its own scripts: records CSP violations in the page.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " in " +
    e.documentURI + " (" + (e.sourceFile || "") + ":" + e.lineNumber + ")");
});
"""


def session_cookie(user: Any, live_server_url: str) -> dict[str, str]:
    """The session cookie of `user`, logged in, for a Playwright browser context."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server_url,
    }


class PageWatch:
    """Collects the problems of every page opened in one browser context."""

    def __init__(self, context: Any, origin: str) -> None:
        self.origin = origin
        self.console_violations: list[str] = []
        self.script_errors: list[str] = []
        self.failed_resources: list[str] = []
        context.add_init_script(_RECORD_VIOLATIONS)
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.console_violations.append(f"{page.url}: {message.text}")

        def on_response(response: Any) -> None:
            if response.url.startswith(self.origin) and response.status >= 400 and (
                response.request.resource_type not in {"document", "fetch", "xhr"}
            ):
                self.failed_resources.append(f"{page.url}: {response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.script_errors.append(f"{page.url}: {exc}"))
        page.on("response", on_response)

    def problems(self, *pages: Any) -> list[str]:
        """Everything seen so far, plus the violations recorded in the given open pages."""
        recorded = [
            v for page in pages for v in (page.evaluate("window.__cspViolations || []") or [])
        ]
        return [
            *(f"CSP: {v}" for v in recorded),
            *(f"CSP (console): {v}" for v in self.console_violations),
            *(f"script error: {e}" for e in self.script_errors),
            *(f"failed resource: {r}" for r in self.failed_resources),
        ]


def log_in(page: Any, origin: str, login: str, password: str) -> None:
    """Log in through the log-in form (username or e-mail address); lands on the dashboard."""
    page.goto(f"{origin}/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard/$"))


def sign_up_and_verify(
    page: Any, origin: str, outbox: list[Any], *, username: str, email: str, password: str
) -> None:
    """Sign up through the web form, then confirm the address through the link of the
    verification e-mail (the last one in Django's locmem `outbox`)."""
    page.goto(f"{origin}/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("form[action='/accounts/signup/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"))
    link = next(
        word for word in re.findall(r"https?://\S+", outbox[-1].body)
        if "/accounts/confirm-email/" in word
    )
    page.goto(origin + urlsplit(link).path)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
