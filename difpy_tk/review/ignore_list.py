"""The persisted "not a duplicate" list: groups or pairs of images the user said are
different, hidden now and in every later search (peers' most requested missing feature).

An entry is a set of paths; any two paths of one entry are "not duplicates of each
other". A pair is an entry of two, a hidden group an entry of all its members. A later
search that puts a new image next to an ignored group still shows the new image."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from difpy_tk.scan.result import Group, SearchResult, now_iso
from difpy_tk.state import appdirs
from difpy_tk.state.safe_files import DamagedFile, load_state, parse_json, write_atomic

FILE_NAME = "ignore_list.json"
FORMAT_VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
"""A list of a million paths; anything larger is not a list the app wrote."""
_lock = threading.Lock()


@dataclass(frozen=True)
class IgnoreEntry:
    paths: tuple[str, ...]
    added: str = field(default_factory=now_iso, compare=False)

    @property
    def kind(self) -> str:
        return "pair" if len(self.paths) == 2 else "group"


def default_path() -> Path:
    return appdirs.config_dir() / FILE_NAME


def _key(path: str) -> str:
    """Paths compare as the file system does: case-insensitively on Windows."""
    return os.path.normcase(os.path.normpath(path))


def _parse(data: bytes) -> list[IgnoreEntry]:
    """The entries of the file's bytes; DamagedFile for anything the format does not allow."""
    raw = parse_json(data)
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise DamagedFile("it has no list of entries")
    entries = []
    for item in raw["entries"]:
        paths = item.get("paths") if isinstance(item, dict) else None
        added = item.get("added", "") if isinstance(item, dict) else None
        if not (isinstance(paths, list) and len(paths) >= 2 and all(isinstance(p, str) for p in paths)):
            raise DamagedFile(f"an entry is not a list of two or more paths: {item!r:.80}")
        if not isinstance(added, str):
            raise DamagedFile(f"an entry's date is not text: {added!r:.80}")
        entries.append(IgnoreEntry(tuple(paths), added))
    return entries


def load(path: Path | None = None) -> list[IgnoreEntry]:
    """The saved entries, oldest first. An unusable file (damaged, wrong types, a FIFO…)
    is set aside (renamed, logged), never silently overwritten, so its contents can still
    be recovered by hand; the list then starts empty."""
    return load_state(path or default_path(), _parse, limit=MAX_BYTES) or []


def save(entries: Iterable[IgnoreEntry], path: Path | None = None) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a list. Paths the
    OS gave as undecodable bytes are kept as JSON escapes, so they round-trip."""
    path = path or default_path()
    data = {
        "version": FORMAT_VERSION,
        "entries": [{"paths": list(entry.paths), "added": entry.added} for entry in entries],
    }
    write_atomic(path, json.dumps(data, indent=1))


def add(paths: Iterable[str], path: Path | None = None) -> IgnoreEntry:
    """Mark these images (two for a pair, more for a group) as not duplicates of each other."""
    unique = tuple(sorted({os.path.normpath(p) for p in paths}))
    if len(unique) < 2:
        raise ValueError("an ignore entry needs at least two different images")
    entry = IgnoreEntry(unique)
    with _lock:
        entries = load(path)
        if entry not in entries:
            entries.append(entry)
            save(entries, path)
    return entry


def remove(entry: IgnoreEntry, path: Path | None = None) -> None:
    """Forget an entry: its images can be reported as duplicates again."""
    with _lock:
        entries = load(path)
        if entry in entries:
            entries.remove(entry)
            save(entries, path)


class IgnoreIndex:
    """Which entries each path belongs to, so a 10,000-group result filters in one pass."""

    def __init__(self, entries: Iterable[IgnoreEntry]) -> None:
        self._entries: dict[str, set[int]] = {}
        for number, entry in enumerate(entries):
            for path in entry.paths:
                self._entries.setdefault(_key(path), set()).add(number)

    def ignored(self, first: str, second: str) -> bool:
        return bool(self._entries.get(_key(first), set()) & self._entries.get(_key(second), set()))


def _without_ignored(group: Group, index: IgnoreIndex) -> Group | None:
    """The group without members ignored against its kept image; None if none is left."""
    matches = tuple(match for match in group.matches if not index.ignored(group.kept, match.path))
    if not matches:
        return None
    return group if len(matches) == len(group.matches) else replace(group, matches=matches)


def load_index(path: Path | None = None) -> IgnoreIndex:
    """The saved list, indexed for the engine's not_duplicates argument."""
    return IgnoreIndex(load(path))


def filter_result(result: SearchResult, entries: Iterable[IgnoreEntry] | None = None) -> SearchResult:
    """A copy of result without the ignored pairs and groups (entries default to the saved
    list): for a result loaded from a file, searched before the entries were added."""
    index = IgnoreIndex(load() if entries is None else entries)
    groups = [kept for group in result.groups if (kept := _without_ignored(group, index)) is not None]
    return replace(result, groups=groups)
