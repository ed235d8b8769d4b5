"""The Elasticsearch index lifecycle: versioned indices behind an alias, and every write.

Versioned indices `<prefix>-listings-v<UTC timestamp>` sit behind the alias
`<prefix>-listings`. `rebuild()` creates a new index (marked with the alias
`<prefix>-listings-rebuilding`), bulk-loads it with `op_type=create`, refreshes, checks that
every document is there, then moves the alias in one atomic `_aliases` call and deletes the
old versions. Searches keep using the old index until the swap. Writes during a rebuild go to
the live index and to every index being built (a deletion leaves a tombstone there, so the
rebuild's older copy cannot bring the listing back; tombstones are never returned and are
removed after the swap). Every write uses `refresh="wait_for"` (param REFRESH), so the next
search sees it.

Documents are not written to an index whose mapping has another version than this code's
(`mapping.MAPPING_VERSION`; e.g. one made before the `embedding` field, which the strict
mapping would reject document by document): SearchUnavailable names the fix, `manage.py
update_index`. Deletions and searches of such an index still work (kNN finds no vectors).

Errors: connection failures, timeouts, 429 and 5xx answers raise `SearchUnavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.dsl import Index
from elasticsearch.helpers import bulk, streaming_bulk

from matching.search import analysis
from matching.search.analysis_pool import analysed, unique_searchable
from matching.search.backends.base import (
    IndexDocument,
    ListingKind,
    ProgressCallback,
    SearchUnavailable,
)
from matching.search.backends.elasticsearch.mapping import (
    MAPPING_VERSION,
    ListingDocument,
    document_id,
    embedding_mapping,
    mapping_version,
    source_for,
    synonym_analyzers,
    tombstone,
)
from matching.semantic.embedders import get_embedder

logger = logging.getLogger(__name__)

#: Elasticsearch's default `index.max_result_window`: from + size may not exceed it.
MAX_RESULT_WINDOW = 10_000


def unavailable(exc: Exception) -> SearchUnavailable:
    return SearchUnavailable(f"Elasticsearch: {exc}")


def is_outage(exc: Exception) -> bool:
    """Whether `exc` means the service cannot answer now (not a bad request)."""
    if isinstance(exc, TransportError):  # connection refused, timeout, TLS, ...
        return True
    if isinstance(exc, ApiError):
        return exc.status_code in (429,) or exc.status_code >= 500
    return False


@contextmanager
def outage_as_unavailable() -> Iterator[None]:
    """Run the client calls inside, raising SearchUnavailable for an outage (`is_outage`);
    any other client error passes unchanged (the caller's own handlers, inside, see it
    first)."""
    try:
        yield
    except (TransportError, ApiError) as exc:
        if is_outage(exc):
            raise unavailable(exc) from exc
        raise


class IndexLifecycle:
    """Index management and writes of the Elasticsearch backend (a base class of it)."""

    client: Elasticsearch
    prefix: str
    alias: str
    building_alias: str
    version_pattern: str
    refresh: str | bool
    chunk_size: int
    prepare_workers: int
    number_of_shards: int
    auto_expand_replicas: str

    synonyms_path: Path
    #: Indices whose mapping version was found current (an index's mapping never changes).
    current_indices: set[str]

    def synonyms(self) -> analysis.SynonymTable:
        """The analysed synonym file of this backend (read again when it changes)."""
        return analysis.synonyms(self.synonyms_path)

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call, mapping outages to SearchUnavailable."""
        with outage_as_unavailable():
            return function(*args, **kwargs)

    # --- index management ----------------------------------------------------------------
    def index_definition(self, name: str, *, aliases: Sequence[str] = ()) -> Index:
        """The dsl Index `name`: settings, analysis (with the current synonyms), mapping."""
        index = Index(name, using=self.client)
        index.settings(
            number_of_shards=self.number_of_shards,
            auto_expand_replicas=self.auto_expand_replicas,
        )
        for search_analyzer in synonym_analyzers(self.synonyms()):
            index.analyzer(search_analyzer)
        index.document(ListingDocument)
        index.mapping(embedding_mapping(self.embedding_dimensions()))
        if aliases:
            index.aliases(**{alias: {} for alias in aliases})
        return index

    @staticmethod
    def embedding_dimensions() -> int | None:
        """The configured embedder's vector size (None without an embedder)."""
        embedder = get_embedder()
        return None if embedder is None else int(embedder.dimensions)

    def _check_mapping(self, names: Iterable[str]) -> None:
        """Raise SearchUnavailable when an index of `names` has a mapping of another version
        than `MAPPING_VERSION` (its documents would not fit: rebuild it)."""
        unchecked = [name for name in names if name not in self.current_indices]
        if not unchecked:
            return
        found = self._call(self.client.indices.get_mapping, index=",".join(unchecked))
        for name, info in dict(found).items():
            version = mapping_version(dict(info.get("mappings") or {}))
            if version != MAPPING_VERSION:
                raise SearchUnavailable(
                    f"Elasticsearch: the index {name} has mapping version {version}, this "
                    f"code writes version {MAPPING_VERSION}; run `manage.py update_index` "
                    "to build a current index."
                )
            self.current_indices.add(name)

    def _versions(self) -> dict[str, set[str]]:
        """Versioned indices of this prefix → their aliases."""
        found = self._call(
            self.client.indices.get_alias, index=self.version_pattern, expand_wildcards="open"
        )
        return {name: set(info.get("aliases", {})) for name, info in dict(found).items()}

    def _targets(self, *, create: bool) -> tuple[list[str], list[str]]:
        """(live indices, indices being built). With `create`, an empty live index is made
        when there is none yet (first use)."""
        versions = self._versions()
        live = sorted(name for name, aliases in versions.items() if self.alias in aliases)
        building = sorted(
            name
            for name, aliases in versions.items()
            if self.building_alias in aliases and name not in live
        )
        if not live and create:
            name = f"{self.prefix}-listings-v0"
            try:
                self._call(self.index_definition(name, aliases=[self.alias]).create)
            except ApiError as exc:  # another process made it first
                if "resource_already_exists" not in str(exc):
                    raise
            live = [name]
        return live, building

    def drop_indices(self) -> list[str]:
        """Delete every index of this prefix (versions and anything being built); returns
        their names. For tests and for `KEQIAO_ES_INDEX_PREFIX` clean-ups."""
        names = sorted(self._versions())
        for name in names:
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        return names

    def live_indices(self) -> list[str]:
        """Concrete indices behind the alias (one, except for a moment never)."""
        return self._targets(create=False)[0]

    # --- writing -------------------------------------------------------------------------
    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        if not actions:
            return
        try:
            _ok, reported = bulk(
                self.client,
                actions,
                refresh=self.refresh,
                raise_on_error=False,
                chunk_size=self.chunk_size,
            )
        except (TransportError, ApiError) as exc:
            raise unavailable(exc) from exc
        # 404: deleting what is absent, or an old index dropped by a swap meanwhile.
        errors = [
            e
            for e in (reported if isinstance(reported, list) else [])
            if not any(r.get("status") == 404 for r in dict(e).values())
        ]
        if errors:
            raise SearchUnavailable(f"Elasticsearch rejected {len(errors)} writes: {errors[:3]}")

    def _write_actions(
        self,
        kind: str,
        object_id: int,
        source: dict[str, Any] | None,
        *,
        live: list[str],
        building: list[str],
    ) -> Iterator[dict[str, Any]]:
        doc_id = document_id(kind, object_id)
        for name in live:
            if source is None:
                yield {"_op_type": "delete", "_index": name, "_id": doc_id}
            else:
                yield {"_op_type": "index", "_index": name, "_id": doc_id, "_source": source}
        for name in building:
            yield {
                "_op_type": "index",
                "_index": name,
                "_id": doc_id,
                "_source": source if source is not None else tombstone(kind, object_id),
            }

    def index(self, documents: Iterable[IndexDocument]) -> None:
        items = list(documents)
        if not items:
            return
        live, building = self._targets(create=True)
        self._check_mapping([*live, *building])
        actions: list[dict[str, Any]] = []
        for document in items:
            source = source_for(document) if document.searchable else None
            actions.extend(
                self._write_actions(
                    document.kind, document.object_id, source, live=live, building=building
                )
            )
        self._bulk(actions)

    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        if not ids:
            return
        live, building = self._targets(create=True)
        actions: list[dict[str, Any]] = []
        for object_id in ids:
            actions.extend(self._write_actions(kind, object_id, None, live=live, building=building))
        self._bulk(actions)

    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Build a new index version, check it, swap the alias atomically, drop old versions.

        Returns the number of searchable documents given (duplicates counted once). Raises
        SearchUnavailable (the live index is untouched) when anything fails before the swap.
        """
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-listings-v{stamp}"
        self._call(self.index_definition(name, aliases=[self.building_alias]).create)
        try:
            done = self._load(name, documents, progress)
            self._call(self.client.indices.refresh, index=name)
            present = int(self._call(self.client.count, index=name)["count"])
            if present < done:
                raise SearchUnavailable(
                    f"Elasticsearch: the new index {name} holds {present} of {done} documents."
                )
            self._swap(name)
        except BaseException:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except (TransportError, ApiError):
                logger.warning("Could not delete the unfinished index %s", name)
            raise
        self._clean_up(name)
        return done

    def _load(
        self, name: str, documents: Iterable[IndexDocument], progress: ProgressCallback | None
    ) -> int:
        def actions() -> Iterator[dict[str, Any]]:
            sources = analysed(unique_searchable(documents), source_for, self.prepare_workers)
            for source in sources:
                # create: a listing written meanwhile (index/delete during the rebuild) is
                # newer than this copy and is kept.
                yield {
                    "_op_type": "create",
                    "_index": name,
                    "_id": document_id(source["kind"], source["object_id"]),
                    "_source": source,
                }

        done = 0
        failures: list[dict[str, Any]] = []
        try:
            for ok, item in streaming_bulk(
                self.client,
                actions(),
                chunk_size=self.chunk_size,
                raise_on_error=False,
                max_retries=3,
                initial_backoff=1,
            ):
                done += 1
                if not ok:
                    result = item.get("create", {})
                    if result.get("status") != 409:  # 409: written meanwhile, kept
                        failures.append(item)
                if progress is not None and done % self.chunk_size == 0:
                    progress(done)
        except (TransportError, ApiError) as exc:
            raise unavailable(exc) from exc
        if failures:
            raise SearchUnavailable(
                f"Elasticsearch rejected {len(failures)} documents: {failures[:3]}"
            )
        if progress is not None:
            progress(done)
        return done

    def _swap(self, name: str) -> None:
        """Point the alias at `name` and drop the rebuilding mark, in one atomic call."""
        live, _building = self._targets(create=False)
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": self.alias}} for old in live if old != name
        ]
        actions.append({"add": {"index": name, "alias": self.alias}})
        actions.append({"remove": {"index": name, "alias": self.building_alias}})
        self._call(self.client.indices.update_aliases, actions=actions)

    def _clean_up(self, name: str) -> None:
        """After a swap: delete old versions (not ones another rebuild is building) and the
        tombstones left in `name` by deletions during the rebuild."""
        try:
            for old, aliases in self._versions().items():
                if old != name and self.alias not in aliases and self.building_alias not in aliases:
                    self.client.indices.delete(index=old, ignore_unavailable=True)
            found = self.client.search(
                index=name,
                query={"term": {"tombstone": True}},
                size=MAX_RESULT_WINDOW,
                source=False,
            )
            ids = [hit["_id"] for hit in found["hits"]["hits"]]
            if ids:
                self._bulk([{"_op_type": "delete", "_index": name, "_id": i} for i in ids])
        except (TransportError, ApiError, SearchUnavailable) as exc:
            # The new index is live and correct; leftovers are removed by the next rebuild.
            logger.warning("Clean-up after the swap to %s failed: %s", name, exc)
