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
from matching.search.backends.base import IndexDocument, ListingKind
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
    rows = ListingVector.objects.using(using).filter(
        kind=kind, object_id__in=list(object_ids), model=model
    )
    return {
        row.object_id: (row.text_digest, from_bytes(row.vector))
        for row in rows.only("object_id", "text_digest", "vector")
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


def with_stored_vectors(
    documents: Iterable[IndexDocument], *, model: str, chunk: int = 500
) -> Iterator[IndexDocument]:
    """`documents` with `embedding` set where a current vector of `model` is stored (read in
    chunks; nothing is embedded)."""
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, chunk)):
        vectors: dict[tuple[str, int], tuple[str, Vectors]] = {}
        for kind in ("result", "need"):
            ids = [d.object_id for d in batch if d.kind == kind]
            if ids:
                found = stored_vectors(kind, ids, model=model)
                vectors.update({(kind, i): v for i, v in found.items()})
        for document in batch:
            stored = vectors.get((document.kind, document.object_id))
            if stored is not None and stored[0] == text_digest(document_text(document)):
                yield replace(document, embedding=tuple(float(x) for x in stored[1]))
            else:
                yield document


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
    current: dict[tuple[ListingKind, int], Vectors] = {}
    stale: list[tuple[IndexDocument, str]] = []
    for kind in ("result", "need"):
        wanted = [d for d in documents if d.kind == kind and d.searchable]
        found = stored_vectors(
            kind, (d.object_id for d in wanted), model=embedder.name, using=using
        )
        for document in wanted:
            digest = text_digest(document_text(document))
            stored = found.get(document.object_id)
            if stored is not None and stored[0] == digest:
                current[(kind, document.object_id)] = stored[1]
            else:
                stale.append((document, digest))
    if stale:
        vectors = embedder.passages([document_text(d) for d, _digest in stale])
        _save(
            [
                (d.kind, d.object_id, digest, v)
                for (d, digest), v in zip(stale, vectors, strict=True)
            ],
            embedder,
            using,
        )
        for (document, _digest), vector in zip(stale, vectors, strict=True):
            current[(document.kind, document.object_id)] = vector
    return [
        replace(d, embedding=tuple(float(x) for x in current[(d.kind, d.object_id)]))
        if (d.kind, d.object_id) in current
        else d
        for d in documents
    ]


def vector_for_document(document: IndexDocument, *, embedder: Embedder) -> Vectors:
    """The vector of one listing's document: the stored one when current, else embedded now
    without storing it (reads never write: the search sync stores vectors)."""
    if document.object_id:
        found = stored_vectors(document.kind, [document.object_id], model=embedder.name)
        stored = found.get(document.object_id)
        if stored is not None and stored[0] == text_digest(document_text(document)):
            return stored[1]
    vector: Vectors = embedder.passages([document_text(document)])[0]
    return vector
