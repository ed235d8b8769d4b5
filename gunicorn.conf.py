"""gunicorn settings for running Keqiao in production (README, "Production").

    gunicorn -c gunicorn.conf.py                      # from the repository root

Any setting can be overridden on the command line or in GUNICORN_CMD_ARGS (gunicorn's own
variable), e.g. ``--bind 0.0.0.0:8000 --workers 9``. Put a TLS-terminating proxy (nginx, Caddy)
in front; it must set X-Forwarded-Proto and Keqiao must be told so with
KEQIAO_PROXY_SSL_HEADER=X-Forwarded-Proto. Static files are served by WhiteNoise from
STATIC_ROOT after ``manage.py collectstatic``.
"""

import gc
import multiprocessing
from typing import Any

# No cyclic garbage collection while the parent loads the application: the import of every
# module allocates a few hundred thousand long-lived objects, and each full collection scans
# them all (0.1-0.3 s of every start on this project). This is the recipe of the Python
# documentation for a process that forks without exec (gc.freeze): "call gc.disable() early in
# the parent process, gc.freeze() right before fork(), and gc.enable() early in child
# processes". `when_ready` freezes and enables it again, before any worker is forked.
gc.disable()

wsgi_app = "marketplace.wsgi:application"
# Only the proxy on this machine talks to gunicorn.
bind = "127.0.0.1:8000"
# gunicorn's rule of thumb: (2 × CPU cores) + 1 synchronous workers.
workers = multiprocessing.cpu_count() * 2 + 1
# The parent process loads Django, every URL's views and the search analysers (the segmenter's
# dictionaries) once, then forks the workers: each starts ready, in a fraction of a second, and
# shares those pages copy-on-write. Consequence: a new release needs a restart of gunicorn
# (systemctl restart), not a HUP. The parent never opens the search index, and closes the
# database connection that loading the stored vectors opened (see when_ready), so no file or
# socket is shared across the fork.
preload_app = True
# Seconds a worker may spend on one request before it is killed and restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Requests and errors are logged to stderr, next to Django's own log.
accesslog = "-"
errorlog = "-"
# X-Forwarded-* headers are believed from the local proxy only.
forwarded_allow_ips = "127.0.0.1,::1"


def when_ready(server: Any) -> None:
    """In the parent, after the application was loaded and before any worker is forked: import
    the URL configuration (all views) and build its reverse table, load the search analysers,
    the embedder and, on the embedded backend, the vector indexes
    (`matching.semantic.preload`): the first request's and the first match's work. Then
    return the heap's free memory to the system (`kernel.memory`), freeze what is loaded
    (`gc.freeze`, as the Python documentation advises before a fork without exec) and turn
    the cyclic garbage collector, off while loading, on again: it no longer scans those
    objects, which removed its 50 ms pauses from the workers' matching requests, and they
    stay shared copy-on-write."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from kernel.memory import release_free_heap
    from matching.search.analysis import prepare
    from matching.semantic.preload import preload_semantic_matching

    try:
        resolver = get_resolver()
        resolver.url_patterns  # noqa: B018 - imports every app's URL module and views
        # The table `reverse()` reads, one per language (about 0.15 s of the first page or
        # search, which links every listing it shows).
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                resolver.reverse_dict  # noqa: B018
        prepare()
        preload_semantic_matching()
        # The load's garbage, freed but still in the heap, would count in every worker's memory.
        release_free_heap()
    finally:
        _freeze_and_collect_again()


def on_reload(server: Any) -> None:
    """After a HUP, which read this file again (and so turned the collector off), in the
    parent: freeze and turn the collector on again (`when_ready` runs only at the start)."""
    _freeze_and_collect_again()


def post_fork(server: Any, worker: Any) -> None:
    """In each worker, as it starts: the collector on (the recipe's "gc.enable() early in
    child processes"; a worker forked after a HUP would otherwise run without it)."""
    gc.enable()


def _freeze_and_collect_again() -> None:
    gc.freeze()
    gc.enable()
