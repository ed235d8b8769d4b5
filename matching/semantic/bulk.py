"""Embedding many listings at once (`update_index`): only those whose vector is missing or
stale, in worker processes, stored in batches.

Each worker process uses the embedder it inherits (the parent loads the engine to report its
name but runs no inference before forking, and OpenMP runs one thread, so no thread pool is
forked mid-use) and embeds the listing texts of a batch together; the parent reads the stored
digests, hands the stale documents to the workers in order
(`matching.search.analysis_pool.analysed_in_batches`) and writes the vectors 500 at a time.
Small runs stay in this process.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

from matching.search.analysis_pool import analysed_in_batches
from matching.search.backends.base import IndexDocument
from matching.semantic.embedders import Embedder, get_embedder
from matching.semantic.store import current_vectors, document_text, save_vectors, to_bytes

_BATCH = 500


def _stale(documents: Iterable[IndexDocument], embedder: Embedder) -> Iterator[IndexDocument]:
    """The searchable documents whose stored vector is missing, of another model or stale."""
    iterator = (d for d in documents if d.searchable)
    while batch := list(itertools.islice(iterator, _BATCH)):
        current = current_vectors(batch, model=embedder.name)
        yield from (d for d in batch if (d.kind, d.object_id) not in current)


def _embed(documents: list[IndexDocument]) -> list[bytes]:
    """The listings' vectors as float32 bytes, in order (runs in a worker process)."""
    embedder = get_embedder()
    assert embedder is not None
    vectors = embedder.passages([document_text(document) for document in documents])
    return [to_bytes(vector) for vector in vectors]


def stale_documents(documents: Iterable[IndexDocument]) -> list[IndexDocument]:
    """The searchable `documents` whose stored vector is missing, of another model or stale
    ([] without an embedder)."""
    embedder = get_embedder()
    return [] if embedder is None else list(_stale(documents, embedder))


def embed_documents(
    stale: Sequence[IndexDocument],
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed and store the vectors of `stale` (from `stale_documents`); returns how many were
    embedded (0 without an embedder). `progress` gets the running count."""
    embedder = get_embedder()
    if embedder is None:
        return 0
    done = 0
    pending: list[tuple[IndexDocument, bytes]] = []
    for document, vector in zip(stale, analysed_in_batches(stale, _embed, workers), strict=True):
        pending.append((document, vector))
        if len(pending) >= _BATCH:
            save_vectors(pending, embedder)
            done += len(pending)
            pending = []
            if progress is not None:
                progress(done)
    if pending:
        save_vectors(pending, embedder)
        done += len(pending)
    if progress is not None:
        progress(done)
    return done


def embed_missing(
    documents: Iterable[IndexDocument],
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed and store the vectors of `documents` that are missing or stale; returns how many
    were embedded (0 without an embedder)."""
    return embed_documents(stale_documents(documents), workers=workers, progress=progress)
