"""Rate limits per user and per client IP address (DRF's throttling), shared by the API and
the web forms.

A view opts in with ``throttle_scope = "<scope>"`` (and, if it should count other methods
than POST, ``throttle_methods = ("GET",)``). Both throttle classes are in
``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``:

- `ScopeUserThrottle` counts per signed-in user (anonymous callers: per IP address) at the
  rate ``THROTTLE_RATES[scope]``;
- `ScopeIPThrottle` counts per client IP address, whoever is signed in, at the rate
  ``THROTTLE_RATES[scope + "_ip"]`` (so one address cannot spread abuse over many accounts).

Rates are DRF rate strings (``"20/hour"``; periods s, m, h, d); a missing rate means no
limit. Counters live in `kernel.api.throttle_store` (a SQLite store under
``THROTTLE_DIR``, shared by every worker process on the machine, counted atomically, no
outside service). A throttled API call is
answered 429 in the one error shape (code ``throttled``) with a ``Retry-After`` header in
seconds; web views use `throttle_web`, which answers a 429 page with the same message.

The client address is ``REMOTE_ADDR``, or with ``NUM_PROXIES`` (``KEQIAO_NUM_PROXIES``)
reverse proxies in front, the address that many hops back in ``X-Forwarded-For``
(`client_ip`, also used by the login lockout).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from kernel.api.throttle_store import Hit, counter_store

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.views import APIView

#: A DRF request (API views) or a Django request (web views, the log-in lockout).
WebOrApiRequest: TypeAlias = "Request | HttpRequest"

#: Methods a view's throttle counts unless it sets ``throttle_methods``.
DEFAULT_METHODS = ("POST",)


def client_ip(request: WebOrApiRequest) -> str:
    """The caller's IP address as text (see the module docstring for proxies); "" when the
    request carries none (a request built in-process, e.g. a test client's force_login), which
    the log-in lockout stores as no address rather than the text "None"."""
    # The stubs accept only DRF's Request; DRF reads nothing but request.META, which a
    # Django HttpRequest has too (web views and the log-in lockout pass one).
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    return str(ident) if ident else ""


class _ScopeThrottle(SimpleRateThrottle):
    """A scoped rate read from ``settings.THROTTLE_RATES`` at call time (so tests and
    deployments can change it without reimporting)."""

    rate_suffix = ""
    scope_attr = "throttle_scope"

    def __init__(self) -> None:  # the rate is known only once the view is known
        pass

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES.get(f"{self.scope}{self.rate_suffix}")

    def allow_request(self, request: WebOrApiRequest, view: APIView | _ScopeHolder) -> bool:
        base_scope = getattr(view, self.scope_attr, None)
        methods = getattr(view, "throttle_methods", DEFAULT_METHODS)
        if not base_scope or request.method not in methods:
            return True
        self.scope = base_scope
        self.rate = self.get_rate()
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        hit = _count(self.key, self.rate, now=self.now)
        if hit is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.history = hit.window  # what DRF's wait() reads
        return hit.allowed

    def ident(self, request: WebOrApiRequest) -> str:
        return client_ip(request)

    def get_cache_key(self, request: WebOrApiRequest, view: APIView | _ScopeHolder) -> str:
        return self.cache_format % {
            "scope": f"{self.scope}{self.rate_suffix}",
            "ident": self.ident(request),
        }


def _count(key: str, rate: str | None, *, now: float) -> Hit | None:
    """Count a call at `now` (seconds since the epoch) against the window `key` at the DRF rate
    string `rate` ("20/hour"); None when there is no rate (nothing is counted)."""
    if not rate:
        return None
    limit, duration = _ScopeThrottle().parse_rate(rate)
    if limit is None or duration is None:
        return None
    return counter_store(str(settings.THROTTLE_DIR)).hit(
        key, now=now, duration=duration, limit=limit
    )


class ScopeUserThrottle(_ScopeThrottle):
    """Per signed-in user (per IP address for anonymous callers)."""

    def ident(self, request: WebOrApiRequest) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user-{user.pk}"
        return f"ip-{client_ip(request)}"


class ScopeIPThrottle(_ScopeThrottle):
    """Per client IP address, signed in or not."""

    rate_suffix = "_ip"


def _throttles() -> list[_ScopeThrottle]:
    return [ScopeUserThrottle(), ScopeIPThrottle()]


class _ScopeHolder:
    def __init__(self, scope: str, methods: Iterable[str]) -> None:
        self.throttle_scope = scope
        self.throttle_methods = tuple(methods)


def throttle_wait(request: HttpRequest, *, scope: str, methods: Iterable[str]) -> float | None:
    """Count `request` against `scope`; ``None`` if allowed, else the seconds to wait."""
    holder = _ScopeHolder(scope, methods)
    waits = []
    for throttle in _throttles():
        if not throttle.allow_request(request, holder):
            waits.append(throttle.wait() or 1.0)
    return max(waits) if waits else None


def throttle_web(
    scope: str, *, methods: Iterable[str] = DEFAULT_METHODS
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a web view: over the scope's rate it answers the page ``throttled.html``
    with HTTP 429, ``Retry-After`` (seconds) and the API's translated message."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            wait = throttle_wait(request, scope=scope, methods=methods)
            if wait is None:
                return view(request, *args, **kwargs)
            return throttled_page(request, wait)

        return wrapper

    return decorate


def throttled_page(request: HttpRequest, wait: float) -> HttpResponse:
    """The 429 page for web forms: the message, the wait (the seconds of `Retry-After` under a
    minute, else whole minutes rounded up, in the reader's language: a reader counts minutes,
    not thousands of seconds) and a way back."""
    seconds = max(1, math.ceil(wait))
    minutes = math.ceil(seconds / 60)
    message = str(exceptions.Throttled.default_detail)
    if seconds < 60:
        wait_message = ngettext(
            "Please try again in %(seconds)d second.",
            "Please try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    else:
        wait_message = ngettext(
            "Please try again in %(minutes)d minute.",
            "Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    context = {"message": message, "wait_message": wait_message}
    response = render(request, "throttled.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def allow_for_identity(scope: str, identity: str) -> bool:
    """Count one call against the rate ``THROTTLE_RATES[scope]`` for an identity other than
    the caller (e.g. the recipient of an e-mail); True while under the rate, and always when
    the scope has no rate. Keep personal data out of `identity`: pass a hash."""
    rate = settings.THROTTLE_RATES.get(scope)
    hit = _count(f"throttle_{scope}_{identity}", rate, now=time.time())
    return hit is None or hit.allowed
