"""Stored listing vectors (`matching.models.ListingVector`): read them, compute what is missing.

A vector is current when its row has the configured embedder's name and the digest of the
listing's embedding text (`matching.semantic.texts`). `refresh_vectors(documents)` embeds the
documents whose vector is missing or stale and stores them (called by the search sync for
every listing change, and by `update_index` for all of them, see `embed_all`), and returns
the documents with `embedding` set, which the Elasticsearch backend indexes.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from matching.models import ListingVector
from matching.search.backends.base import KINDS, BaseSearchBackend, IndexDocument, ListingKind
from matching.search.documents import documents_for_all
from matching.semantic.embedders import Embedder, Vectors, get_embedder
from matching.semantic.texts import embedding_text, text_digest

logger = logging.getLogger(__name__)


def to_bytes(vector: Vectors) -> bytes:
    """float32 little-endian bytes of one vector."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> Vectors:
    """The vector stored as `to_bytes` made it."""
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)


def document_text(document: IndexDocument) -> str:
    return embedding_text(document.title, document.keywords)


def stored_vectors(
    kind: ListingKind, object_ids: Iterable[int], *, model: str, using: str = DEFAULT_DB_ALIAS
) -> dict[int, tuple[str, Vectors]]:
    """{object id: (text digest, vector)} of the stored vectors of `model`."""
    # Filtered on the unique (kind, object_id) index alone, the model checked per row (one
    # row per listing): with `model` in the query SQLite's planner prefers the
    # (kind, model, updated_at) index and reads every vector of the kind.
    rows = ListingVector.objects.using(using).filter(kind=kind, object_id__in=list(object_ids))
    return {
        row.object_id: (row.text_digest, from_bytes(row.vector))
        for row in rows.only("object_id", "model", "text_digest", "vector")
        if row.model == model
    }


def save_vectors(
    rows: Sequence[tuple[IndexDocument, bytes]],
    embedder: Embedder,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Store (document, float32 bytes) pairs as the current vectors of their listings."""
    _save(
        [
            (d.kind, d.object_id, text_digest(document_text(d)), from_bytes(data))
            for d, data in rows
        ],
        embedder,
        using,
    )


def current_vectors(
    documents: Iterable[IndexDocument], *, model: str, using: str = DEFAULT_DB_ALIAS
) -> dict[tuple[ListingKind, int], Vectors]:
    """{(kind, object id): vector} of the `documents` whose stored vector of `model` is
    current: made from the document's present embedding text (its digest matches)."""
    documents = list(documents)
    current: dict[tuple[ListingKind, int], Vectors] = {}
    for kind in KINDS:
        of_kind = [d for d in documents if d.kind == kind]
        if not of_kind:
            continue
        found = stored_vectors(kind, [d.object_id for d in of_kind], model=model, using=using)
        for document in of_kind:
            stored = found.get(document.object_id)
            if stored is not None and stored[0] == text_digest(document_text(document)):
                current[(kind, document.object_id)] = stored[1]
    return current


def _with_embedding(
    document: IndexDocument, current: dict[tuple[ListingKind, int], Vectors]
) -> IndexDocument:
    vector = current.get((document.kind, document.object_id))
    if vector is None:
        return document
    return replace(document, embedding=tuple(float(x) for x in vector))


def with_stored_vectors(
    documents: Iterable[IndexDocument], *, chunk: int = 500
) -> Iterator[IndexDocument]:
    """`documents` with `embedding` set where a current vector of the configured embedder is
    stored (read in chunks; nothing is embedded). Unchanged without an embedder."""
    embedder = get_embedder()
    if embedder is None:
        yield from documents
        return
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, chunk)):
        current = current_vectors(batch, model=embedder.name)
        yield from (_with_embedding(document, current) for document in batch)


def documents_for_rebuild(backend: BaseSearchBackend) -> Iterator[IndexDocument]:
    """Every listing's index document for `backend`'s rebuild: with its stored vector when the
    backend indexes vectors (`BaseSearchBackend.indexes_vectors`)."""
    documents = documents_for_all()
    return with_stored_vectors(documents) if backend.indexes_vectors else documents


def _save(
    rows: Sequence[tuple[ListingKind, int, str, Vectors]], embedder: Embedder, using: str
) -> None:
    now = timezone.now()
    ListingVector.objects.using(using).bulk_create(
        [
            ListingVector(
                kind=kind,
                object_id=object_id,
                model=embedder.name,
                text_digest=digest,
                dimensions=embedder.dimensions,
                vector=to_bytes(vector),
                updated_at=now,
            )
            for kind, object_id, digest, vector in rows
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["model", "text_digest", "dimensions", "vector", "updated_at"],
        batch_size=500,
    )


def refresh_vectors(
    documents: Sequence[IndexDocument],
    *,
    embedder: Embedder | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[IndexDocument]:
    """`documents` with `embedding` set from their current vectors, embedding and storing the
    missing or stale ones (searchable documents only). Without an embedder the documents are
    returned unchanged."""
    embedder = embedder or get_embedder()
    if embedder is None or not documents:
        return list(documents)
    searchable = [d for d in documents if d.searchable]
    current = current_vectors(searchable, model=embedder.name, using=using)
    stale = [d for d in searchable if (d.kind, d.object_id) not in current]
    if stale:
        vectors = embedder.passages([document_text(d) for d in stale])
        save_vectors(
            [(d, to_bytes(v)) for d, v in zip(stale, vectors, strict=True)], embedder, using
        )
        current.update({(d.kind, d.object_id): v for d, v in zip(stale, vectors, strict=True)})
    return [_with_embedding(document, current) for document in documents]


def vector_for_document(document: IndexDocument, *, embedder: Embedder) -> Vectors:
    """The vector of one listing's document: the stored one when current, else embedded now
    without storing it (reads never write: the search sync stores vectors)."""
    if document.object_id:
        stored = current_vectors([document], model=embedder.name).get(
            (document.kind, document.object_id)
        )
        if stored is not None:
            return stored
    vector: Vectors = embedder.passages([document_text(document)])[0]
    return vector
