"""A persistent tensor cache, so that a rescan of an unchanged folder decodes nothing.

Entries are keyed by path, size, mtime, px_size and decoder version; a file that changed
in any of them is decoded again. Failures are cached too (a damaged file stays damaged
until it changes). The cache is an optimisation only: a corrupt database is moved aside
and rebuilt, a locked one is bypassed, and either way the search goes on."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from difpy_tk.scan.features import GRID
from difpy_tk.scan.tensors import Decoded
from difpy_tk.state.appdirs import data_dir

log = logging.getLogger("difpy_tk")

SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    path TEXT NOT NULL,
    px INTEGER NOT NULL,
    decoder TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    tensor BLOB,
    total INTEGER NOT NULL DEFAULT 0,
    squared INTEGER NOT NULL DEFAULT 0,
    sums BLOB,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (path, px, decoder)
)
"""
LOOKUP_BATCH = 500


def path_key(path: str) -> str | bytes:
    """The cache key of a path: the text, or for a name that is not valid UTF-8 (which
    SQLite text cannot hold) the bytes the OS gave, stored as a BLOB; the two never collide."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def default_cache_path() -> Path:
    return data_dir() / "tensor-cache.sqlite3"


def cache_size_bytes(path: Path | None = None) -> int:
    """Bytes on disk, including SQLite's side files, for the Settings dialog."""
    path = Path(path or default_cache_path())
    return sum(
        candidate.stat().st_size
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
        if candidate.exists()
    )


def clear_cache(path: Path | None = None) -> None:
    path = Path(path or default_cache_path())
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-journal"), Path(f"{path}-shm")):
        candidate.unlink(missing_ok=True)


class TensorCache:
    """One open cache database; every method degrades to a no-op once it failed."""

    def __init__(self, path: Path | str | None, px_size: int, decoder: str) -> None:
        self.path = Path(path) if path else default_cache_path()
        self.px_size = px_size
        self.decoder = decoder
        self.connection: sqlite3.Connection | None = self._open()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=1.0)
        connection.execute(SCHEMA)
        connection.execute("SELECT count(*) FROM images LIMIT 1").fetchone()
        return connection

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect()
        except sqlite3.OperationalError as error:
            log.warning("Tensor cache %s is not usable (%s); searching without it.", self.path, error)
            return None
        except sqlite3.DatabaseError as error:
            log.warning("Tensor cache %s is damaged (%s); starting a new one.", self.path, error)
            try:
                os.replace(self.path, f"{self.path}.damaged")
                return self._connect()
            except (OSError, sqlite3.Error) as second:
                log.warning("Could not rebuild the tensor cache (%s); searching without it.", second)
                return None
        except OSError as error:
            log.warning("Tensor cache folder is not writable (%s); searching without it.", error)
            return None

    def _fail(self, error: Exception) -> None:
        log.warning("Tensor cache stopped working (%s); going on without it.", error)
        self.close()

    def lookup(self, files: list[str], stats: list[tuple[int, int]]) -> dict[int, Decoded]:
        """Entries for the files whose size and mtime still match, by index into files."""
        if self.connection is None:
            return {}
        found: dict[int, Decoded] = {}
        keys = [path_key(path) for path in files]
        index_of = {key: i for i, key in enumerate(keys)}
        shape = (self.px_size, self.px_size, 3)
        tensor_bytes, sums_bytes = self.px_size * self.px_size * 3, GRID * GRID * 3 * 4
        try:
            for start in range(0, len(files), LOOKUP_BATCH):
                batch = keys[start : start + LOOKUP_BATCH]
                marks = ",".join("?" * len(batch))
                rows = self.connection.execute(
                    "SELECT path, size, mtime_ns, width, height, tensor, total, squared, sums, reason FROM images "
                    f"WHERE px = ? AND decoder = ? AND path IN ({marks})",
                    (self.px_size, self.decoder, *batch),
                )
                for path, size, mtime_ns, width, height, blob, total, squared, sums, reason in rows:
                    i = index_of[path]
                    if stats[i] != (size, mtime_ns):
                        continue
                    if blob is None:
                        found[i] = Decoded.failed(reason)
                    elif len(blob) == tensor_bytes and sums is not None and len(sums) == sums_bytes:
                        tensor = np.frombuffer(blob, dtype=np.uint8).reshape(shape)
                        block = np.frombuffer(sums, dtype=np.int32).reshape(GRID, GRID, 3)
                        found[i] = Decoded(tensor, width, height, reason, total, squared, block)
        except sqlite3.Error as error:
            self._fail(error)
            return {}
        return found

    def store(self, rows: Iterable[tuple[str, int, int, Decoded]]) -> None:
        """Save (path, size, mtime_ns, outcome) rows in one transaction: a cancelled or
        killed scan leaves whole entries or none."""
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO images (path, px, decoder, size, mtime_ns, width, height, tensor, "
                    "total, squared, sums, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._encode(rows),
                )
        except sqlite3.Error as error:
            self._fail(error)

    def _encode(self, rows: Iterable[tuple[str, int, int, Decoded]]) -> Iterator[tuple]:
        for path, size, mtime_ns, outcome in rows:
            tensor = None if outcome.tensor is None else np.ascontiguousarray(outcome.tensor, np.uint8).tobytes()
            sums = None if outcome.sums is None else np.ascontiguousarray(outcome.sums, np.int32).tobytes()
            yield (
                path_key(path),
                self.px_size,
                self.decoder,
                size,
                mtime_ns,
                outcome.width,
                outcome.height,
                tensor,
                outcome.total,
                outcome.squared,
                sums,
                outcome.reason,
            )

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except sqlite3.Error:
                log.debug("closing the tensor cache failed", exc_info=True)
            self.connection = None
