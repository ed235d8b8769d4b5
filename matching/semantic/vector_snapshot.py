"""A vector index kept on disk between starts, so that a restart reads one file instead of every
stored vector from the database.

At 100,000 listings the embedded backend's two vector indexes took 0.6-0.9 s to load from the
database (150 MB of float32 rows, decoded and converted to float16) in gunicorn's parent before
any worker answered; from their snapshots (77 MB of float16 codes) 0.13-0.16 s with the
database's checks (measured in one process on the database of `benchmarks/search_scale.py`).
Any process starts from a snapshot; gunicorn's parent and `update_index` save them. It is a
cache: deleting it costs one load from the database.

A snapshot is one `.npz` file per database, kind and model, under
`settings.MATCHING_VECTOR_SNAPSHOTS` (a directory under VAR_DIR; None: no snapshots), holding
the id of each row and a `SnapshotMark`, and beside it the float16 codes in faiss's own file
format, which faiss reads in one pass (from a buffer inside the `.npz` it copied the 77 MB
twice: 0.2 s instead of 0.06). A save takes the directory's lock (one writer at a time),
writes the codes under a new name, then the `.npz` naming them to a temporary file renamed
into place, and removes codes files but the newest two (a reader that read the previous
`.npz` still finds its codes). Nothing is synced to disk (a cache; syncing took a second of
every first start): a damaged, foreign or vanished file is logged and ignored.
Whether a snapshot still describes the database is `vector_index.VectorIndex`'s to check.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from kernel.databases import database_key
from matching.search.backends.base import ListingKind
from matching.semantic.half_vectors import HalfVectors

logger = logging.getLogger(__name__)

#: The file layout; a snapshot of another layout is not read.
FORMAT = 1
#: Codes files kept per snapshot: the current one and the one the previous `.npz` named.
_CODES_KEPT = 2
#: No mark is older (a time before it is a damaged file, and would overflow arithmetic).
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SnapshotMark:
    """Where the stored vectors stood when the index was saved: `latest` the newest row's
    `updated_at` (aware, UTC), `newest_id` that row's object id, `count` the rows, and
    `read_at` when the index last read rows (a row stamped shortly before may have committed
    after it)."""

    latest: datetime
    newest_id: int
    count: int
    read_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "latest": self.latest.isoformat(),
            "newest_id": self.newest_id,
            "count": self.count,
            "read_at": self.read_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: object) -> SnapshotMark:
        """Raises ValueError, KeyError or TypeError for a malformed mark: times must be aware
        and after 2000, ids and counts whole numbers within a database's range."""
        if not isinstance(data, dict):
            raise TypeError("the mark is not an object")
        mark = cls(
            latest=datetime.fromisoformat(str(data["latest"])),
            newest_id=int(str(data["newest_id"])),
            count=int(str(data["count"])),
            read_at=datetime.fromisoformat(str(data["read_at"])),
        )
        for moment in (mark.latest, mark.read_at):
            if moment.tzinfo is None or moment < _EARLIEST:
                raise ValueError("a time of the mark is naive or too early")
        if not (0 <= mark.newest_id < 2**63 and 0 <= mark.count < 2**63):
            raise ValueError("an id or count of the mark is out of range")
        return mark


def snapshot_path(using: str, kind: ListingKind, model: str) -> Path | None:
    """The snapshot file of database `using`'s vectors of `kind` and `model`, or None when
    snapshots are off. Named by the database (`kernel.databases.database_key`) and the
    model, so that two databases (a test run's, another site's) never share a file."""
    directory = getattr(settings, "MATCHING_VECTOR_SNAPSHOTS", None)
    if not directory:
        return None
    model_key = hashlib.sha256(model.encode()).hexdigest()[:8]
    # An absolute `directory` stays as it is.
    base = Path(settings.VAR_DIR) / str(directory)
    return base / f"{kind}-{database_key(using)}-{model_key}.npz"


def write_snapshot(
    path: Path, *, kind: ListingKind, model: str, vectors: HalfVectors, mark: SnapshotMark
) -> None:
    """Save `vectors` with `mark` at `path`, replacing any snapshot there at once (module
    docstring). Raises OSError when the directory or a file cannot be written (also when the
    disk is full)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _writer_lock(path):
        codes = path.with_name(f"{path.stem}.{secrets.token_hex(8)}.faiss")
        meta = {
            "format": FORMAT,
            "kind": kind,
            "model": model,
            "dimensions": vectors.dimensions,
            "codes": codes.name,
            "mark": mark.as_json(),
        }
        encoded = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        try:
            vectors.write(codes)
            with tempfile.NamedTemporaryFile(
                dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
            ) as part:
                try:
                    np.savez(part, ids=vectors.ids(), meta=encoded)
                except BaseException:
                    Path(part.name).unlink(missing_ok=True)
                    raise
            os.replace(part.name, path)
        except BaseException:
            codes.unlink(missing_ok=True)
            raise
        _remove_old_files(path)


def read_snapshot(
    path: Path, *, kind: ListingKind, model: str, dimensions: int
) -> tuple[HalfVectors, SnapshotMark] | None:
    """The vectors and mark saved at `path`, or None when there is none, or it is damaged or
    of another layout, kind, model or size (logged)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(saved["meta"].tobytes().decode("utf-8"))
            ids = saved["ids"]
        if not isinstance(meta, dict):
            raise TypeError("the metadata is not an object")
        expected = {"format": FORMAT, "kind": kind, "model": model, "dimensions": dimensions}
        if {key: meta.get(key) for key in expected} != expected:
            logger.info("vector snapshot %s is of another index: not used", path)
            return None
        codes = path.with_name(Path(str(meta["codes"])).name)  # never outside the directory
        mark = SnapshotMark.from_json(meta["mark"])
        return HalfVectors.read(codes, ids, dimensions), mark
    except Exception as exc:  # a cache: whatever is wrong with it, the table answers
        logger.warning("vector snapshot %s not read (%r): loading from the database", path, exc)
        return None


@contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (flock) on `.<snapshot>.lock`: one save at a time."""
    descriptor = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _remove_old_files(path: Path) -> None:
    """Remove codes files of `path` but the newest `_CODES_KEPT`, and temporary files a save
    that crashed left (the caller holds the writer lock, so no save is under way)."""
    codes = sorted(
        path.parent.glob(f"{path.stem}.*.faiss"), key=lambda p: p.stat().st_mtime_ns
    )
    for old in [*codes[:-_CODES_KEPT], *path.parent.glob(f".{path.name}.*.part")]:
        old.unlink(missing_ok=True)
