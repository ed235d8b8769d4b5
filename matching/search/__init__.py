"""Search over listings (the Wagtail search-backend pattern).

`get_search_backend(name="default")` returns the backend configured in
`settings.SEARCH_BACKENDS[name]` ({"BACKEND": "dotted.path.Class", **params}), built once per
process and name (the cache is dropped when the setting changes, e.g. in tests). An entry
{"ALIAS": "other"} is another name for the backend "other" (the same instance): settings
call the Elasticsearch backend both "default" and "elasticsearch". `backend_names()` lists
each backend once (aliases left out), e.g. for `update_index` and the index signals.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from matching.search.backends.base import (
    BaseSearchBackend,
    IndexDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
)

__all__ = [
    "BaseSearchBackend",
    "IndexDocument",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SearchUnavailable",
    "backend_names",
    "backend_path",
    "get_search_backend",
]

_backends: dict[str, BaseSearchBackend] = {}
_lock = threading.Lock()


def backend_names() -> list[str]:
    """Names of the configured backends ("default" first), aliases left out."""
    configured = getattr(settings, "SEARCH_BACKENDS", {}) or {"default": {}}
    names = [name for name, config in configured.items() if "ALIAS" not in (config or {})]
    return sorted(names, key=lambda name: name != "default")


def get_search_backend(name: str = "default") -> BaseSearchBackend:
    """The backend called `name` in settings.SEARCH_BACKENDS (ImproperlyConfigured if unknown
    or not importable). Without SEARCH_BACKENDS the embedded (Tantivy) backend is used."""
    with _lock:
        backend = _backends.get(name)
        if backend is None:
            target = _resolve(name)
            backend = _backends.get(target)
            if backend is None:
                backend = _backends[target] = _build(target)
            _backends[name] = backend
        return backend


def _resolve(name: str) -> str:
    """The name behind `name` after following {"ALIAS": ...} entries."""
    configured: dict[str, Any] = getattr(settings, "SEARCH_BACKENDS", None) or {}
    seen = [name]
    while isinstance(configured.get(name), dict) and "ALIAS" in configured[name]:
        name = str(configured[name]["ALIAS"])
        if name in seen:
            raise ImproperlyConfigured(f"SEARCH_BACKENDS aliases loop: {' -> '.join(seen)}.")
        seen.append(name)
    return name


#: The embedded backend, used when SEARCH_BACKENDS is not set.
EMBEDDED_BACKEND = "matching.search.backends.tantivy.TantivySearchBackend"


def _configured() -> dict[str, Any]:
    return getattr(settings, "SEARCH_BACKENDS", None) or {
        "default": {"BACKEND": EMBEDDED_BACKEND}
    }


def backend_path(name: str = "default") -> str:
    """The dotted class path of the backend called `name` (aliases followed), without
    importing it; "" when that entry names none. ImproperlyConfigured if unknown."""
    target = _resolve(name)
    if target not in _configured():
        raise ImproperlyConfigured(f"No search backend called {target!r} in SEARCH_BACKENDS.")
    return str(_configured()[target].get("BACKEND") or "")


def _build(name: str) -> BaseSearchBackend:
    configured = _configured()
    if name not in configured:
        raise ImproperlyConfigured(f"No search backend called {name!r} in SEARCH_BACKENDS.")
    params = dict(configured[name])
    path = params.pop("BACKEND", None)
    if not path:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS[{name!r}] has no BACKEND.")
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Cannot import search backend {path!r}: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSearchBackend)):
        raise ImproperlyConfigured(f"{path!r} is not a BaseSearchBackend.")
    return backend_class(params)


@receiver(setting_changed)
def _reset_backends(*, setting: str, **kwargs: Any) -> None:
    if setting == "SEARCH_BACKENDS":
        with _lock:
            _backends.clear()
