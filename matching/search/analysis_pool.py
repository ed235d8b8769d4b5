"""A rebuild's analysis of documents, in parallel worker processes (both backends; also
`update_index`'s embedding, `matching.semantic.bulk`).

Analysing a listing (segmentation, normalisation, sub-words, in Python) costs more than either
engine's indexing of it, so a rebuild hands batches of documents to `workers` forked processes
and receives the results in the original order. The workers run the very function a single
write uses (`fields_of` for Tantivy, `source_for` for Elasticsearch), so the index is the same
either way. Small rebuilds (fewer than `PARALLEL_FROM` documents) stay in this process:
starting workers costs about a second.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from matching.search.backends.base import IndexDocument

PARALLEL_FROM = 2000
BATCH = 250

Analysed = TypeVar("Analysed")


def default_workers(configured: object) -> int:
    """The number of analysis processes: `configured` (a backend's PREPARE_WORKERS param) when
    given, else one per CPU."""
    return int(str(configured)) if configured is not None else (os.cpu_count() or 1)


def unique_searchable(documents: Iterable[IndexDocument]) -> Iterator[IndexDocument]:
    """The searchable documents, each listing once (the first)."""
    seen: set[tuple[str, int]] = set()
    for document in documents:
        key = (document.kind, document.object_id)
        if document.searchable and key not in seen:
            seen.add(key)
            yield document


def _analyse_each(
    analyse: Callable[[IndexDocument], Analysed], batch: list[IndexDocument]
) -> list[Analysed]:
    return [analyse(document) for document in batch]


def analysed(
    documents: Iterable[IndexDocument],
    analyse: Callable[[IndexDocument], Analysed],
    workers: int,
    *,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[Analysed]:
    """`analyse(document)` for each document, in order; in `workers` processes when there are
    at least `parallel_from` documents. `analyse` must be a module-level function (it is sent
    to the workers by name). Start it before any thread of the caller: the workers are forked
    at the first item."""
    return analysed_in_batches(
        documents, functools.partial(_analyse_each, analyse), workers, parallel_from=parallel_from
    )


def analysed_in_batches(
    documents: Iterable[IndexDocument],
    analyse_batch: Callable[[list[IndexDocument]], list[Analysed]],
    workers: int,
    *,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[Analysed]:
    """As `analysed`, for an `analyse_batch` that takes up to BATCH documents at once and
    returns one result per document, in order (an embedder is faster on a batch of texts)."""
    iterator = iter(documents)
    head = list(itertools.islice(iterator, parallel_from))
    if workers <= 1 or len(head) < parallel_from:
        for batch in _batches(itertools.chain(head, iterator)):
            yield from analyse_batch(batch)
        return
    batches = _batches(itertools.chain(head, iterator))
    # Fork: the workers inherit the loaded code and dictionaries and touch no database.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[Analysed]]] = deque()
        for batch in batches:
            pending.append(pool.submit(analyse_batch, batch))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _batches(documents: Iterator[IndexDocument]) -> Iterator[list[IndexDocument]]:
    while batch := list(itertools.islice(documents, BATCH)):
        yield batch
