"""Where the Tantivy index lives on disk, and how several processes share it.

Layout of the index directory (`path`):

- `generations/<name>/`: one complete Tantivy index each; `CURRENT` names the one in use.
  A rebuild writes a new generation and then replaces `CURRENT` atomically (`os.replace`),
  so a search sees the old or the new index, never a half-built one; older generations are
  removed afterwards (processes that still read them keep their open files, POSIX).
- `writer.lock`: Tantivy allows one writer per index; the web workers, `search_sync` and
  `update_index` take this file lock (py-filelock, blocking up to `lock_timeout` seconds)
  around each batch of writes, so they wait for each other instead of failing.

Readers: each process keeps its opened generation and, before each read, checks `CURRENT`
and the generation's `meta.json` (two `stat` calls) and reloads when either changed, so a
write is visible to every worker at its next query.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from filelock import FileLock, Timeout

from matching.search.backends.base import SearchUnavailable
from matching.search.backends.tantivy.schema import SCHEMA, register_tokenizers

#: Memory of one writer's indexing arena (bytes; Tantivy's minimum is 15 MB per thread).
WRITER_HEAP_BYTES = 64_000_000


@dataclass
class _Opened:
    generation: str
    index: tantivy.Index
    meta_mtime: int


class IndexStore:
    """The index directory at `path` (created on first use), shared by processes."""

    def __init__(self, path: Path, *, lock_timeout: float = 30.0) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self._opened: _Opened | None = None
        self._guard = threading.Lock()

    # --- generations ----------------------------------------------------------------------------
    @property
    def _current_file(self) -> Path:
        return self.path / "CURRENT"

    def _generation_dir(self, name: str) -> Path:
        return self.path / "generations" / name

    def _current_generation(self) -> str | None:
        try:
            return self._current_file.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def _create_generation(self) -> tuple[str, tantivy.Index]:
        name = uuid.uuid4().hex
        directory = self._generation_dir(name)
        directory.mkdir(parents=True, mode=0o700)
        index = tantivy.Index(SCHEMA, path=str(directory))
        register_tokenizers(index)
        return name, index

    def _publish(self, name: str) -> None:
        """Make generation `name` the current one (atomic) and remove the others."""
        temporary = self.path / f"CURRENT.{name}"
        temporary.write_text(name, encoding="ascii")
        os.replace(temporary, self._current_file)
        for other in (self.path / "generations").iterdir():
            if other.name != name:
                shutil.rmtree(other, ignore_errors=True)

    # --- reading --------------------------------------------------------------------------------
    def index(self) -> tantivy.Index:
        """This process's open index of the current generation, up to date with the last
        commit of any process (an empty index is created on first use)."""
        with self._guard:
            generation = self._current_generation()
            if generation is None:
                with self.writing():
                    generation = self._current_generation()
                    if generation is None:
                        generation, _index = self._create_generation()
                        self._publish(generation)
            opened = self._opened
            meta = self._generation_dir(generation) / "meta.json"
            mtime = meta.stat().st_mtime_ns if meta.exists() else 0
            if opened is None or opened.generation != generation:
                index = tantivy.Index.open(str(self._generation_dir(generation)))
                register_tokenizers(index)
                opened = self._opened = _Opened(generation, index, mtime)
            elif opened.meta_mtime != mtime:
                opened.index.reload()
                opened.meta_mtime = mtime
            return opened.index

    # --- writing --------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock (SearchUnavailable when another writer keeps it too long)."""
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(str(self.path / "writer.lock"), timeout=self.lock_timeout)
        try:
            with lock:
                yield
        except Timeout as exc:
            raise SearchUnavailable(f"the search index is locked by another writer: {exc}") from exc

    @contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
        """A writer of the current generation under the writer lock; committed at the end
        (rolled back when the block raises)."""
        self.index()  # creates the first generation, under the lock, when there is none
        with self.writing():
            index = self.index()
            writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            try:
                yield writer
            except BaseException:
                writer.rollback()
                raise
            writer.commit()
            writer.wait_merging_threads()

    @contextmanager
    def new_generation(self) -> Iterator[tantivy.IndexWriter]:
        """A writer of a new, empty generation, published (made current) when the block
        ends without error and removed otherwise. Writes to the current generation go on
        meanwhile; the outbox re-sends what they changed (`matching.search.sync`)."""
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        name, index = self._create_generation()
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        try:
            yield writer
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            shutil.rmtree(self._generation_dir(name), ignore_errors=True)
            raise
        with self.writing():
            self._publish(name)
