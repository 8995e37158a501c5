"""Where the tensor cache lives and what it occupies on disk: the OS cache folder (one
in the data folder of earlier versions is moved there once), its size for the Settings
dialog, clearing it, and the size limit the user chose. Without numpy or SQLite, so the
Settings dialog opens fast."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from difpy_tk.state.appdirs import cache_dir, preferred_dir
from difpy_tk.state.settings import load_settings

log = logging.getLogger("difpy_tk")

CACHE_NAME = "tensor-cache.sqlite3"
SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
"""SQLite's files beside the database; they belong to it and move or go with it."""


def _legacy_cache_path() -> Path:
    """Where versions before the OS cache folder kept the cache: the data folder."""
    return preferred_dir("data") / CACHE_NAME


def side_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES]


def _migrate(old: Path, new: Path) -> None:
    """Move a cache of an earlier version to the OS cache folder, once: afterwards there
    is nothing left at the old place. When a cache already exists at the new place the
    old one is obsolete and removed."""
    if not old.is_file() or old == new:
        return
    try:
        if new.exists():
            for stale in (old, *side_files(old)):
                stale.unlink(missing_ok=True)
            log.info("Removed the old cache of earlier searches %s (a newer one is in %s).", old, new.parent)
            return
        new.parent.mkdir(parents=True, exist_ok=True)
        for source, target in zip((old, *side_files(old)), (new, *side_files(new))):
            if source.exists():
                shutil.move(source, target)
        log.info("Moved the cache of earlier searches from %s to %s.", old.parent, new.parent)
    except OSError as error:
        log.warning(
            "Could not move the cache of earlier searches from %s to %s (%s).", old, new, error.strerror or error
        )


def default_cache_path() -> Path:
    """The cache in the OS cache folder, moving one from the old data folder there first
    (not into a temporary fallback folder, where it would not last)."""
    folder = cache_dir()
    path = folder / CACHE_NAME
    if folder == preferred_dir("cache"):
        _migrate(_legacy_cache_path(), path)
    return path


def _cache_files(path: Path) -> list[Path]:
    """The database, its side files and the damaged copies set aside beside it: all that
    the cache occupies on disk (regular files only; a folder set aside is left alone)."""
    candidates = [path, *side_files(path), *path.parent.glob(f"{path.name}.damaged-*")]
    return [candidate for candidate in candidates if candidate.is_file() and not candidate.is_symlink()]


def cache_size_bytes(path: Path | None = None) -> int:
    """Bytes on disk, for the Settings dialog."""
    return sum(candidate.stat().st_size for candidate in _cache_files(Path(path or default_cache_path())))


def clear_cache(path: Path | None = None) -> int:
    """Delete the cache and its damaged copies; returns the bytes freed. Raises OSError
    when a file cannot be deleted (what was deleted before it stays deleted)."""
    freed = 0
    for candidate in _cache_files(Path(path or default_cache_path())):
        size = candidate.stat().st_size
        candidate.unlink()
        freed += size
    return freed


def configured_limit_bytes() -> int:
    """The size limit the user set in Settings."""
    return load_settings().cache_limit_mb * 1_000_000
