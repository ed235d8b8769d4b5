"""Analysis of documents for a rebuild, in parallel worker processes.

Segmenting a listing (jieba, in Python) costs far more than Tantivy's indexing of it, so a
rebuild hands batches of documents to `workers` forked processes and writes their field values
in the parent, in the original order. The workers run `schema.fields_of`, the same function a
single write uses, so the index is the same either way. Small rebuilds (fewer than
`PARALLEL_FROM` documents) stay in this process: starting workers costs about a second.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from matching.search.backends.base import IndexDocument
from matching.search.backends.tantivy.schema import document_key, fields_of

PARALLEL_FROM = 2000
BATCH = 250

Fields = dict[str, list[Any]]


def unique_searchable(documents: Iterable[IndexDocument]) -> Iterator[IndexDocument]:
    """The searchable documents, each listing once (the first)."""
    seen: set[str] = set()
    for document in documents:
        key = document_key(document.kind, document.object_id)
        if document.searchable and key not in seen:
            seen.add(key)
            yield document


def _fields_of_batch(batch: list[IndexDocument]) -> list[Fields]:
    return [fields_of(document) for document in batch]


def prepared_fields(
    documents: Iterable[IndexDocument], workers: int, *, parallel_from: int = PARALLEL_FROM
) -> Iterator[Fields]:
    """`fields_of` each document, in order; in `workers` processes when there are at least
    `parallel_from` documents."""
    iterator = iter(documents)
    head = list(itertools.islice(iterator, parallel_from))
    if workers <= 1 or len(head) < parallel_from:
        yield from (fields_of(document) for document in itertools.chain(head, iterator))
        return
    batches = _batches(itertools.chain(head, iterator))
    # Fork: the workers inherit the loaded code and dictionary and touch no database.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[list[Fields]]] = deque()
        for batch in batches:
            pending.append(pool.submit(_fields_of_batch, batch))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _batches(documents: Iterator[IndexDocument]) -> Iterator[list[IndexDocument]]:
    while batch := list(itertools.islice(documents, BATCH)):
        yield batch
