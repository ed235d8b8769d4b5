"""Where the Tantivy index lives on disk, and how several processes share it.

Layout of the index directory (`path`):

- `generations/<name>/`: one complete Tantivy index each; `CURRENT` names the one in use.
  A rebuild writes a new generation and then replaces `CURRENT` atomically (`os.replace`),
  so a search sees the old or the new index, never a half-built one. The previous generation
  is kept until the next rebuild (a process that read `CURRENT` just before the switch still
  opens it); older ones are removed.
- `BUILDING` and `journal.jsonl`: while a rebuild runs, every write is applied to the current
  generation and also appended to the journal; the rebuild applies the journal to its new
  generation, under the writer lock, just before it switches. So a change that lands while
  the rebuild reads the listings (or after it read them) is never lost, as Elasticsearch's
  writes during a rebuild reach both indices.
- `writer.lock`: Tantivy allows one writer per index; the web workers, `search_sync` and
  `update_index` take this file lock (py-filelock, blocking up to `lock_timeout` seconds)
  around each batch of writes, so they wait for each other instead of failing.

Readers: each process keeps its opened generation and, before each read, checks `CURRENT`
and the generation's `meta.json` (its inode, time and size) and reloads when either changed,
so a write is visible to every worker at its next query.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from filelock import FileLock, Timeout

from matching.search.backends.base import SearchUnavailable
from matching.search.backends.tantivy.schema import (
    BYTES_FIELDS,
    SCHEMA,
    register_tokenizers,
    to_tantivy,
)

#: Memory of one writer's indexing arena (bytes; Tantivy's minimum is 15 MB per thread).
WRITER_HEAP_BYTES = 64_000_000


#: One change of a write: a document's key, and its fields (None: remove the document).
Change = tuple[str, dict[str, list[Any]] | None]


@dataclass
class _Opened:
    generation: str
    index: tantivy.Index
    meta_mtime: tuple[int, int, int]


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
        """Make generation `name` the current one (atomic); keep the one it replaces and
        remove the rest."""
        previous = self._current_generation()
        temporary = self.path / f"CURRENT.{name}"
        temporary.write_text(name, encoding="ascii")
        os.replace(temporary, self._current_file)
        for other in (self.path / "generations").iterdir():
            if other.name not in (name, previous):
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
            mtime = _signature(self._generation_dir(generation) / "meta.json")
            if opened is None or opened.generation != generation:
                generation, index = self._open(generation)
                opened = self._opened = _Opened(generation, index, mtime)
            elif opened.meta_mtime != mtime:
                opened.index.reload()
                opened.meta_mtime = mtime
            return opened.index

    def _open(self, generation: str) -> tuple[str, tantivy.Index]:
        """Open `generation`; if it vanished meanwhile (two rebuilds switched since this
        process read `CURRENT`), open the generation that is current now."""
        try:
            index = tantivy.Index.open(str(self._generation_dir(generation)))
        except (ValueError, OSError):
            current = self._current_generation()
            if current is None or current == generation:
                raise
            generation, index = current, tantivy.Index.open(str(self._generation_dir(current)))
        register_tokenizers(index)
        return generation, index

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

    def apply(self, changes: Sequence[Change]) -> None:
        """Apply `changes` to the current generation in one commit, under the writer lock
        (and journal them while a rebuild runs)."""
        self.index()  # creates the first generation, under the lock, when there is none
        with self.writing():
            writer = self.index().writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            _write(writer, changes)
            writer.commit()
            writer.wait_merging_threads()
            if self._rebuild_running():
                with self._journal.open("a", encoding="utf-8") as journal:
                    for key, fields in changes:
                        journal.write(_journal_line(key, fields))

    @property
    def _building(self) -> Path:
        return self.path / "BUILDING"

    def _rebuild_running(self) -> bool:
        """Whether a rebuild has started and its process is alive (a rebuild that was killed
        leaves `BUILDING` behind; it must not make every later write journal forever)."""
        try:
            pid = int(self._building.read_text(encoding="ascii"))
        except (FileNotFoundError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    @property
    def _journal(self) -> Path:
        return self.path / "journal.jsonl"

    def _journaled(self) -> list[Change]:
        if not self._journal.exists():
            return []
        with self._journal.open(encoding="utf-8") as journal:
            return [_journal_entry(line) for line in journal]

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Mark a rebuild as running while the block runs: from here on, writes are also
        journaled. Enter it before the rebuild reads any listing."""
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.writing():
            self._journal.unlink(missing_ok=True)
            self._building.write_text(str(os.getpid()), encoding="ascii")
        try:
            yield
        finally:
            with self.writing():
                self._building.unlink(missing_ok=True)
                self._journal.unlink(missing_ok=True)

    @contextmanager
    def new_generation(self) -> Iterator[tantivy.IndexWriter]:
        """A writer of a new, empty generation (inside `rebuilding`). When the block ends
        without error, the journaled writes are applied to it and it becomes current, under
        the writer lock; otherwise it is removed."""
        name, index = self._create_generation()
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        try:
            yield writer
            with self.writing():
                _write(writer, self._journaled())
                writer.commit()
                writer.wait_merging_threads()
                self._publish(name)
        except BaseException:
            writer.rollback()
            shutil.rmtree(self._generation_dir(name), ignore_errors=True)
            raise


def _journal_line(key: str, fields: dict[str, list[Any]] | None) -> str:
    """One change as a JSON line (the bytes of the stored field as text)."""
    if fields is not None:
        fields = {
            name: [v.decode() if isinstance(v, bytes) else v for v in values]
            for name, values in fields.items()
        }
    return json.dumps([key, fields], ensure_ascii=False) + "\n"


def _journal_entry(line: str) -> Change:
    key, fields = json.loads(line)
    if fields is not None:
        fields = {
            name: [v.encode() for v in values] if name in BYTES_FIELDS else values
            for name, values in fields.items()
        }
    return str(key), fields


def _signature(meta: Path) -> tuple[int, int, int]:
    """What changes with every commit: each commit writes a new `meta.json` (a new inode),
    so its inode tells two commits in the same clock tick apart."""
    try:
        found = meta.stat()
    except FileNotFoundError:
        return (0, 0, 0)
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def _write(writer: tantivy.IndexWriter, changes: Iterable[Change]) -> None:
    """Replace or remove each changed document (in order: the last change of a key wins)."""
    for key, fields in changes:
        writer.delete_documents_by_term("key", key)
        if fields is not None:
            writer.add_document(to_tantivy(fields))
