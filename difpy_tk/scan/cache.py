"""A persistent tensor cache, so that a rescan of an unchanged folder decodes nothing.

Entries are keyed by path, size, mtime, ctime (discovery.FileStamp), px_size and
decoder version; a file that changed in any of them is decoded again (ctime catches an
edit that keeps the size and restores the mtime, as `exiftool -P` does). Failures are
cached too (a damaged file stays damaged until it changes). Paths are stored as the
OS's bytes (os.fsencode), so a name that is not valid UTF-8 is cached like any other.

The cache is an optimisation only, and a state file like any other: untrusted input.
Damage found at any read (a file that is not a database, a folder or FIFO in its place,
a garbled page that only shows when a row is read, a row whose values are not ones we
write) sets the file aside as `.damaged-<time>` with one log line, and a new cache is
started at once, so the search goes on and the next one finds a healthy cache. A locked
or unwritable cache is bypassed for this search only.

It stays small on its own: a search of a folder forgets the rows of files no longer in
it, a searched folder that was renamed or deleted (its drive still there) is forgotten
at the next search, and beyond the size limit of the settings the least recently used
rows are dropped. Where it lives: cache_files."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from difpy_tk.scan.cache_files import SIDE_SUFFIXES, configured_limit_bytes, default_cache_path, side_files
from difpy_tk.scan.discovery import FileStamp
from difpy_tk.scan.features import GRID
from difpy_tk.scan.tensors import Decoded
from difpy_tk.state.safe_files import set_aside

log = logging.getLogger("difpy_tk")

SCHEMA_VERSION = 3
"""PRAGMA user_version of the current layout; a cache of another layout is replaced."""
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS images (
        path BLOB NOT NULL,
        px INTEGER NOT NULL,
        decoder TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        ctime_ns INTEGER NOT NULL DEFAULT 0,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        tensor BLOB,
        total INTEGER NOT NULL DEFAULT 0,
        squared INTEGER NOT NULL DEFAULT 0,
        sums BLOB,
        reason TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (path, px, decoder)
    )""",
    # When each file's entries were last stored or found, for eviction; apart from the
    # images, whose rows (tensors in overflow pages) would be rewritten whole to change it.
    "CREATE TABLE IF NOT EXISTS usage (path BLOB PRIMARY KEY, used INTEGER NOT NULL) WITHOUT ROWID",
    # The folders searched, with the device they were on: a folder that is gone while its
    # parent is on that device was renamed or deleted; on another device, it is a drive
    # that is not plugged in and its rows are kept.
    "CREATE TABLE IF NOT EXISTS folders (path BLOB PRIMARY KEY, device INTEGER NOT NULL)",
)
LOOKUP_BATCH = 500
ROW_OVERHEAD = 64
"""Bytes a row costs beyond its values (key index entry, record header), for eviction."""
EVICT_TO = 0.9
"""Eviction goes below the limit by this factor, so that it does not run on every search."""
GIVE_BACK = 0.25
"""Free pages beyond this share of the limit go back to the disk (a lowered limit, a big
prune); fewer stay in the file for the next rows."""
TABLES = {"images", "usage", "folders"}
_ENVIRONMENT_CODES = frozenset({3, 5, 6, 7, 8, 9, 10, 13, 14, 15, 23})
"""SQLite result codes that say nothing about the file's health (PERM, BUSY, LOCKED,
NOMEM, READONLY, INTERRUPT, IOERR, FULL, CANTOPEN, PROTOCOL, AUTH): bypass, not rebuild."""


class DamagedCache(Exception):
    """A read found something that SQLite or this module would never have written."""


def _key(path: str) -> bytes:
    return os.fsencode(path)


def _is_damage(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return not isinstance(error, sqlite3.OperationalError)
    return (code & 0xFF) not in _ENVIRONMENT_CODES


def _not_a_file(path: Path) -> str | None:
    """Why path cannot be a database (a folder, a FIFO…), or None. SQLite would fail on a
    folder only when writing, and block for ever reading a FIFO."""
    for candidate in (path, *side_files(path)):
        try:
            mode = os.stat(candidate).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            return f"{candidate.name} is not a regular file"
    return None


def _under(folder: str) -> tuple[bytes, bytes]:
    """The key range of every path below folder: [folder/, folder0) in byte order."""
    low = _key(os.path.join(folder, ""))
    return low, low[:-1] + bytes([low[-1] + 1])


def _device_of_nearest(path: str) -> int | None:
    """st_dev of path or of its nearest existing ancestor; None when no part exists
    (a Windows drive that is not there)."""
    while True:
        try:
            return os.stat(path).st_dev
        except OSError:
            parent = os.path.dirname(path)
            if parent == path:
                return None
            path = parent


def _create(connection: sqlite3.Connection) -> None:
    # Before any table exists: lets evict() give freed pages back to the disk.
    connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
    with connection:
        for statement in SCHEMA:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade_first_layout(connection: sqlite3.Connection) -> None:
    """Keep the rows of a cache written by versions that stored paths as text (which
    could hold only valid UTF-8 names, whose bytes are then what os.fsencode gives)."""
    with connection:
        connection.execute("ALTER TABLE images RENAME TO images_first")
        for statement in SCHEMA:
            connection.execute(statement)
        connection.execute(
            "INSERT OR REPLACE INTO images SELECT CAST(path AS BLOB), px, decoder, size, mtime_ns, 0, width, "
            "height, tensor, total, squared, sums, reason FROM images_first"
        )
        connection.execute("DROP TABLE images_first")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
    connection.execute("VACUUM")  # applies auto_vacuum and drops the old table's pages


def _check_totals(outcomes: list[Decoded]) -> None:
    """Each tensor must add up to the total stored with it: a garbled tensor (a bit flipped
    on the disk, a page overwritten) would otherwise give verdicts on pictures no one saw."""
    decoded = [outcome for outcome in outcomes if outcome.tensor is not None]
    if not decoded:
        return
    totals = np.stack([outcome.tensor for outcome in decoded]).reshape(len(decoded), -1).sum(axis=1, dtype=np.int64)
    if not np.array_equal(totals, [outcome.total for outcome in decoded]):
        raise DamagedCache("a row's tensor does not add up to its stored total")


class TensorCache:
    """One open cache database; every method degrades to a no-op once the cache cannot
    be used (locked, unwritable), and rebuilds it when it is damaged."""

    def __init__(
        self,
        path: Path | str | None,
        px_size: int,
        decoder: str,
        limit_bytes: int | None = None,
        full_decoder: str | None = None,
    ) -> None:
        """decoder names the tensors looked up and stored. full_decoder, when given, names
        the FULL-decode tensors of the same files: lookup prefers them (marked is_full),
        so an image once decoded in full needs no second decode, and an outcome that is
        a full decode (is_full) is stored under it, where a full decode finds it."""
        self.path = Path(path) if path else default_cache_path()
        self.px_size = px_size
        self.decoder = decoder
        self.full_decoder = full_decoder
        self.limit_bytes = configured_limit_bytes() if limit_bytes is None else limit_bytes
        self.connection: sqlite3.Connection | None = None
        self.connection = self._open()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=1.0)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version == SCHEMA_VERSION and tables >= TABLES:
                return connection
            if version == 0 and tables == {"images"}:
                _upgrade_first_layout(connection)
                return connection
            if tables:
                connection.close()
                log.info("The cache of earlier searches %s is of another version; starting a new one.", self.path)
                self._remove_files()
                connection = sqlite3.connect(self.path, timeout=1.0)
            _create(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _remove_files(self) -> None:
        for candidate in (self.path, *side_files(self.path)):
            candidate.unlink(missing_ok=True)

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log.warning("The cache of earlier searches cannot have its folder (%s); searching without it.", error)
            return None
        problem = _not_a_file(self.path)
        if problem is not None:
            return self._rebuild(problem)
        try:
            return self._connect()
        except sqlite3.Error as error:
            if _is_damage(error):
                return self._rebuild(str(error))
            log.warning("The cache of earlier searches %s is not usable (%s); searching without it.", self.path, error)
        except OSError as error:
            log.warning("The cache of earlier searches %s is not usable (%s); searching without it.", self.path, error)
        return None

    def _rebuild(self, reason: str) -> sqlite3.Connection | None:
        """Set the damaged cache aside (one log line) with its side files, which belong to
        it (a journal left behind would be played into the new one), and start anew."""
        self._disconnect()
        aside = set_aside(self.path, f"damaged cache of earlier searches: {reason}")
        for side, suffix in zip(side_files(self.path), SIDE_SUFFIXES):
            with contextlib.suppress(OSError):
                if aside is not None:
                    os.replace(side, f"{aside}{suffix}")
                else:
                    side.unlink()
        if _not_a_file(self.path) is not None:
            return None  # could not be moved away; set_aside said why
        try:
            return self._connect()
        except (OSError, sqlite3.Error) as error:
            log.warning("Could not start a new cache of earlier searches (%s); searching without it.", error)
            return None

    def _fail(self, error: Exception) -> None:
        """An error while the cache was in use: rebuild a damaged one, bypass it otherwise."""
        if isinstance(error, DamagedCache) or (isinstance(error, sqlite3.Error) and _is_damage(error)):
            self.connection = self._rebuild(str(error))
        else:
            log.warning("The cache of earlier searches stopped working (%s); going on without it.", error)
            self._disconnect()

    def lookup(self, files: list[str], stats: Sequence[FileStamp]) -> dict[int, Decoded]:
        """Entries for the files whose size, mtime and ctime still match, by index into files.
        A damaged cache is rebuilt and gives no entries."""
        if self.connection is None:
            return {}
        try:
            return self._lookup(files, stats)
        except (sqlite3.Error, DamagedCache) as error:
            self._fail(error)
            return {}

    def _lookup(self, files: list[str], stats: Sequence[FileStamp]) -> dict[int, Decoded]:
        assert self.connection is not None
        found: dict[int, Decoded] = {}
        keys = [_key(path) for path in files]
        index_of = {key: i for i, key in enumerate(keys)}
        hits = set()
        decoders = (self.decoder, self.full_decoder or self.decoder)
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = keys[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self.connection.execute(
                "SELECT path, decoder, size, mtime_ns, ctime_ns, width, height, tensor, total, squared, sums, reason "
                f"FROM images WHERE px = ? AND decoder IN (?, ?) AND path IN ({marks}) "
                # A fast row whose file has a usable full row of the same stamp is not read
                # (a warm rescan of the 10k corpus would read 4,400 tensors for nothing).
                "AND NOT (decoder != ? AND EXISTS (SELECT 1 FROM images AS full WHERE full.path = images.path "
                "AND full.px = images.px AND full.decoder = ? AND full.size = images.size "
                "AND full.mtime_ns = images.mtime_ns AND full.ctime_ns = images.ctime_ns AND full.tensor IS NOT NULL))",
                (self.px_size, *decoders, *batch, decoders[1], decoders[1]),
            ).fetchall()
            batch_found: dict[int, Decoded] = {}
            for path, decoder, size, mtime_ns, ctime_ns, *values in rows:
                i = index_of.get(path)
                if i is None:
                    raise DamagedCache(f"a row's key {path!r} is not the one asked for")
                is_full = decoder == self.full_decoder
                failed_full = is_full and values[2] is None  # the fast decode may have worked
                if tuple(stats[i]) != (size, mtime_ns, ctime_ns) or failed_full or (not is_full and i in batch_found):
                    continue
                batch_found[i] = self._decoded(*values, is_full=is_full)
                hits.add(path)
            _check_totals(list(batch_found.values()))
            found.update(batch_found)
        self._touch(sorted(hits), int(time.time()))
        return found

    def _decoded(self, width, height, blob, total, squared, sums, reason, is_full: bool) -> Decoded:
        """A row's outcome; DamagedCache for values this module never writes."""
        if not all(type(value) is int for value in (width, height, total, squared)) or type(reason) is not str:
            raise DamagedCache("a row has values of the wrong type")
        if blob is None:
            return Decoded.failed(reason)
        if type(blob) is not bytes or len(blob) != self.px_size * self.px_size * 3:
            raise DamagedCache("a row's tensor has the wrong size")
        if type(sums) is not bytes or len(sums) != GRID * GRID * 3 * 4:
            raise DamagedCache("a row's block sums have the wrong size")
        if width <= 0 or height <= 0:
            raise DamagedCache("a row has an image without pixels")
        tensor = np.frombuffer(blob, dtype=np.uint8).reshape(self.px_size, self.px_size, 3)
        block = np.frombuffer(sums, dtype=np.int32).reshape(GRID, GRID, 3)
        return Decoded(tensor, width, height, reason, total, squared, block, is_full)

    def _touch(self, keys: list[bytes], now: int) -> None:
        """Mark files as used now, for eviction, in one transaction. Best effort: another
        search holding the write lock costs this one nothing but the freshness of these marks."""
        if not keys:
            return
        assert self.connection is not None
        try:
            with self.connection:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO usage (path, used) VALUES (?, ?)", ((key, now) for key in keys)
                )
        except sqlite3.OperationalError as error:
            if _is_damage(error):
                raise
            log.debug("could not mark cache rows as used: %s", error)

    def store(self, rows: Iterable[tuple[str, int, int, int, Decoded]]) -> None:
        """Save (path, *FileStamp, outcome) rows in one transaction: a cancelled or
        killed scan leaves whole entries or none. Into a new cache when the old one
        turns out to be damaged."""
        rows = list(rows)
        for _attempt in range(2):
            if self.connection is None or not rows:
                return
            try:
                with self.connection:
                    self.connection.executemany(
                        "INSERT OR REPLACE INTO images (path, px, decoder, size, mtime_ns, ctime_ns, width, height, "
                        "tensor, total, squared, sums, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        self._encode(rows),
                    )
                    now = int(time.time())
                    self.connection.executemany(
                        "INSERT OR REPLACE INTO usage (path, used) VALUES (?, ?)", ((_key(row[0]), now) for row in rows)
                    )
                return
            except sqlite3.Error as error:
                self._fail(error)

    def _encode(self, rows: Iterable[tuple[str, int, int, int, Decoded]]) -> Iterator[tuple]:
        for path, size, mtime_ns, ctime_ns, outcome in rows:
            tensor = None if outcome.tensor is None else np.ascontiguousarray(outcome.tensor, np.uint8).tobytes()
            sums = None if outcome.sums is None else np.ascontiguousarray(outcome.sums, np.int32).tobytes()
            yield (
                _key(path),
                self.px_size,
                self.full_decoder if outcome.is_full and self.full_decoder else self.decoder,
                size,
                mtime_ns,
                ctime_ns,
                outcome.width,
                outcome.height,
                tensor,
                outcome.total,
                outcome.squared,
                sums,
                outcome.reason,
            )

    def forget_missing(
        self, inputs: Sequence[str], recursive: bool, listed: Iterable[str], skipped: Iterable[str] = ()
    ) -> int:
        """After a complete listing of inputs: drop the rows of files below the searched
        folders that were not listed (deleted, moved, renamed), and every row below a
        folder searched before that no longer exists while its drive does. A file in or
        below a skipped path was not looked at (left out by the user's list, a folder
        that could not be read this time): its row stays. Returns the number dropped."""
        if self.connection is None:
            return 0
        folders = [path for path in inputs if os.path.isdir(path)]
        try:
            with self.connection:
                dropped = self._forget_unlisted(
                    folders, recursive, {_key(path) for path in listed}, {_key(path) for path in skipped})
                dropped += self._forget_vanished_folders(set(folders))
                self.connection.executemany(
                    "INSERT OR REPLACE INTO folders (path, device) VALUES (?, ?)",
                    ((_key(folder), os.stat(folder).st_dev) for folder in folders),
                )
        except (sqlite3.Error, OSError) as error:
            if isinstance(error, sqlite3.Error):
                self._fail(error)
            return 0
        if dropped:
            log.info("Forgot %d images of earlier searches whose files are gone.", dropped)
        return dropped

    def _forget_unlisted(self, folders: list[str], recursive: bool, listed: set[bytes], skipped: set[bytes]) -> int:
        assert self.connection is not None
        dropped = 0
        separator = os.sep.encode()

        def looked_at(path: bytes) -> bool:
            while path not in skipped:
                parent = path.rpartition(separator)[0]
                if not parent or parent == path:
                    return True
                path = parent
            return False

        for folder in folders:
            low, high = _under(folder)
            paths = self.connection.execute(
                "SELECT DISTINCT path FROM images WHERE path >= ? AND path < ?", (low, high)
            ).fetchall()
            gone = [
                (path,)
                for (path,) in paths
                if path not in listed and (recursive or separator not in path[len(low) :]) and looked_at(path)
            ]
            self.connection.executemany("DELETE FROM images WHERE path = ?", gone)
            self.connection.executemany("DELETE FROM usage WHERE path = ?", gone)
            dropped += len(gone)
        return dropped

    def _forget_vanished_folders(self, searched: set[str]) -> int:
        assert self.connection is not None
        dropped = 0
        for key, device in self.connection.execute("SELECT path, device FROM folders").fetchall():
            folder = os.fsdecode(key)
            if folder in searched or os.path.isdir(folder) or _device_of_nearest(folder) != device:
                continue
            low, high = _under(folder)
            dropped += self.connection.execute("DELETE FROM images WHERE path >= ? AND path < ?", (low, high)).rowcount
            self.connection.execute("DELETE FROM usage WHERE path >= ? AND path < ?", (low, high))
            self.connection.execute("DELETE FROM folders WHERE path = ?", (key,))
        return dropped

    def evict(self) -> int:
        """Beyond limit_bytes, drop the files used least recently until below EVICT_TO ×
        the limit; give free space beyond GIVE_BACK × the limit back to the disk.
        Returns the number of files dropped."""
        if self.connection is None:
            return 0
        try:
            dropped = self._drop_least_recently_used()
            page_size = self.connection.execute("PRAGMA page_size").fetchone()[0]
            free = self.connection.execute("PRAGMA freelist_count").fetchone()[0]
            if free * page_size > self.limit_bytes * GIVE_BACK:
                # A script: execute() would step the pragma once, which frees a single page.
                self.connection.executescript("PRAGMA incremental_vacuum;")
        except sqlite3.Error as error:
            self._fail(error)
            return 0
        if dropped:
            log.info("The cache of earlier searches was over its size limit: forgot %d images used least.", dropped)
        return dropped

    def _drop_least_recently_used(self) -> int:
        assert self.connection is not None
        page_size = self.connection.execute("PRAGMA page_size").fetchone()[0]
        pages = self.connection.execute("PRAGMA page_count").fetchone()[0]
        free = self.connection.execute("PRAGMA freelist_count").fetchone()[0]
        if (pages - free) * page_size <= self.limit_bytes:
            return 0
        excess = (pages - free) * page_size - int(self.limit_bytes * EVICT_TO)
        victims = []
        rows = self.connection.execute(
            "SELECT images.path, sum(length(images.path) + coalesce(length(tensor), 0) + coalesce(length(sums), 0) "
            f"+ length(reason) + {ROW_OVERHEAD}) FROM images LEFT JOIN usage ON usage.path = images.path "
            "GROUP BY images.path ORDER BY coalesce(max(used), 0), images.path"
        )
        for path, size in rows:
            if excess <= 0:
                break
            victims.append((path,))
            excess -= size
        with self.connection:
            self.connection.executemany("DELETE FROM images WHERE path = ?", victims)
            self.connection.executemany("DELETE FROM usage WHERE path = ?", victims)
        return len(victims)

    def close(self) -> None:
        """Enforce the size limit, then close."""
        self.evict()
        self._disconnect()

    def _disconnect(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except sqlite3.Error:
                log.debug("closing the tensor cache failed", exc_info=True)
            self.connection = None
