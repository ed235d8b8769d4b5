"""A vector index kept on disk between starts, so that a restart reads one file instead of every
stored vector from the database.

At 100,000 listings the embedded backend's two vector indexes took 0.6-0.9 s to load from the
database (150 MB of float32 rows, decoded and converted to float16) in gunicorn's parent before
any worker answered; the snapshot of the same float16 codes (77 MB) reads in about 0.06 s
(`benchmarks/search_scale.py`). The parent writes it after loading (`preload.py`); any process
may start from it. It is a cache: deleting it costs one load from the database.

A snapshot is one `.npz` file per database, kind and model, under
`settings.MATCHING_VECTOR_SNAPSHOTS` (None: no snapshots), holding the id of each row and a
`SnapshotMark`, and beside it the float16 codes in faiss's own file format, which faiss reads
in one pass (from a buffer inside the `.npz` it copied the 77 MB twice: 0.2 s instead of
0.06). The codes are written first under a new name, then the `.npz` naming them is written
to a temporary file and renamed into place, so a reader sees a whole snapshot or none; a
damaged or foreign file is logged and ignored.
Whether it still describes the database is `vector_index.VectorIndex`'s to check.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from matching.search.backends.base import ListingKind
from matching.semantic.half_vectors import HalfVectors

logger = logging.getLogger(__name__)

#: The file layout; a snapshot of another layout is not read.
FORMAT = 1


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
    def from_json(cls, data: dict[str, object]) -> SnapshotMark:
        """Raises ValueError, KeyError or TypeError for a malformed mark."""
        return cls(
            latest=datetime.fromisoformat(str(data["latest"])),
            newest_id=int(str(data["newest_id"])),
            count=int(str(data["count"])),
            read_at=datetime.fromisoformat(str(data["read_at"])),
        )


def snapshot_path(using: str, kind: ListingKind, model: str) -> Path | None:
    """The snapshot file of database `using`'s vectors of `kind` and `model`, or None when
    snapshots are off. The database is named by its engine, name, host and port, so that
    two databases (a test run's, another site's) never share a file."""
    directory = getattr(settings, "MATCHING_VECTOR_SNAPSHOTS", None)
    if not directory:
        return None
    directory = Path(settings.VAR_DIR) / directory  # an absolute path stays as it is
    database = settings.DATABASES[using]
    identity = "|".join(str(database.get(key, "")) for key in ("ENGINE", "NAME", "HOST", "PORT"))
    digest = hashlib.sha256(f"{identity}|{model}".encode()).hexdigest()[:20]
    return Path(directory) / f"{kind}-{digest}.npz"


def write_snapshot(
    path: Path, *, kind: ListingKind, model: str, vectors: HalfVectors, mark: SnapshotMark
) -> None:
    """Save `vectors` with `mark` at `path`, replacing any snapshot there at once: the codes go
    to a file of their own named in the new `path`, which is renamed into place last; the
    codes of earlier snapshots at `path` are then removed. Raises OSError when the directory
    cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
        codes.chmod(0o600)  # as the database it mirrors: drafts' vectors are in it too
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
    for earlier in path.parent.glob(f"{path.stem}.*.faiss"):
        if earlier != codes:
            earlier.unlink(missing_ok=True)


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
        expected = {"format": FORMAT, "kind": kind, "model": model, "dimensions": dimensions}
        if {key: meta.get(key) for key in expected} != expected:
            logger.info("vector snapshot %s is of another index: not used", path)
            return None
        codes = path.with_name(Path(str(meta["codes"])).name)  # never outside the directory
        vectors = HalfVectors.read(codes, ids)
        return vectors, SnapshotMark.from_json(meta["mark"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        logger.warning("vector snapshot %s not read (%s): loading from the database", path, exc)
        return None
