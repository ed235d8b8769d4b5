"""What gunicorn's parent loads for semantic matching before it forks the workers.

The vector indexes start from their snapshot files (`vector_snapshot`) when those are still
current, and the snapshots are saved again after an index read rows from the database (also
at the end of `update_index`, so that the first start after it reads a snapshot).

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

from matching.search import EMBEDDED_BACKEND, backend_path
from matching.search.backends.base import KINDS
from matching.semantic.embedders import get_embedder
from matching.semantic.vector_index import VectorIndex, vector_index

logger = logging.getLogger(__name__)


def preload_semantic_matching() -> None:
    """Load the embedder and, on the embedded backend, both kinds' vector indexes
    (`load_and_save_vector_indexes`), then close the database connections. Never raises: what
    fails (no database yet, no embedder) is logged and left to the workers' first request."""
    try:
        load_and_save_vector_indexes()
    except Exception:
        logger.warning("semantic matching not preloaded; the workers load it", exc_info=True)
    finally:
        connections.close_all()


def load_and_save_vector_indexes() -> None:
    """Load the embedder and, on the embedded backend, this process's vector index of each
    kind (from its snapshot file when that is current, `vector_snapshot`), and save the
    snapshot of each that read rows from the database (a snapshot that cannot be written is
    logged and left to the next start). Raises what the database raises."""
    embedder = get_embedder()
    # Only the embedded backend searches the stored vectors in process; its path is
    # compared, not its class imported, so that the parent never loads the search engine.
    if embedder is None or backend_path() != EMBEDDED_BACKEND:
        return
    for kind in KINDS:
        _save_snapshot(vector_index(kind, embedder.name, embedder.dimensions))


def save_vector_snapshots() -> bool:
    """`load_and_save_vector_indexes` for a command that wrote vectors (`update_index`): the
    snapshots of the next start. Nothing when snapshots are off (MATCHING_VECTOR_SNAPSHOTS).
    Returns whether they are on."""
    if not getattr(settings, "MATCHING_VECTOR_SNAPSHOTS", None):
        return False
    load_and_save_vector_indexes()
    return True


def _save_snapshot(index: VectorIndex) -> None:
    """Save `index`'s snapshot when it is worth it (`VectorIndex.save_snapshot`); a write that
    fails is logged, not raised."""
    try:
        index.save_snapshot()
    except OSError:
        logger.warning(
            "vector snapshot not saved: the next start reads the database", exc_info=True
        )
