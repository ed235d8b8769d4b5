"""What gunicorn's parent loads for semantic matching before it forks the workers.

A worker's first match used to load the embedder (about 0.2 s) and, on the embedded search
backend, both kinds' vector indexes (about 0.5 s at 100,000 listings) while its client
waited; with four workers the first four matches after a start or a worker's recycling paid
it. Loaded once in the parent, the model's weights and the vector matrices are shared
copy-on-write by every worker, which only reads the rows changed since (`VectorIndex.refresh`).
The database connection the loading opened is closed before the fork, so no socket is shared.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

from matching.search.backends.base import KINDS
from matching.semantic.embedders import get_embedder
from matching.semantic.vector_index import vector_index

logger = logging.getLogger(__name__)

#: The backend that searches the stored vectors in process (`vector_index`); named, not
#: imported, so that the parent never imports the search engine (nor opens its index).
EMBEDDED_BACKEND = "matching.search.backends.tantivy.TantivySearchBackend"


def _default_backend_path() -> str:
    """The class path of the default search backend, aliases followed, without importing it."""
    configured = getattr(settings, "SEARCH_BACKENDS", None) or {}
    name, seen = "default", set[str]()
    while isinstance(configured.get(name), dict) and "ALIAS" in configured[name]:
        if name in seen:
            break
        seen.add(name)
        name = str(configured[name]["ALIAS"])
    entry = configured.get(name) or {}
    return str(entry.get("BACKEND", EMBEDDED_BACKEND)) if configured else EMBEDDED_BACKEND


def preload_semantic_matching() -> None:
    """Load the embedder and, on the embedded backend, both kinds' vector indexes, then close
    the database connections. Never raises: what fails (no database yet, no embedder) is
    logged and left to the workers' first request."""
    try:
        embedder = get_embedder()
        if embedder is None or _default_backend_path() != EMBEDDED_BACKEND:
            return
        for kind in KINDS:
            vector_index(kind, embedder.name, embedder.dimensions)
    except Exception:
        logger.warning("semantic matching not preloaded; the workers load it", exc_info=True)
    finally:
        connections.close_all()
