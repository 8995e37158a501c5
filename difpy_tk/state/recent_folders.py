"""The folder sets searched lately and the folder Browse last opened, kept between runs.

Stored as JSON in appdirs.config_dir() beside the settings; like every state file it is
untrusted input: a damaged file is set aside and the app starts with no history. The
main menu offers the sets again; Browse starts in the user's Pictures folder the first
time and in the last folder used after that."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from difpy_tk.state.appdirs import config_dir
from difpy_tk.state.safe_files import DamagedFile, load_state, parse_json, write_atomic

log = logging.getLogger("difpy_tk.settings")

RECENT_FILE = "recent_folders.json"
MAX_SETS = 8


@dataclass
class RecentFolders:
    sets: list[list[str]] = field(default_factory=list)
    """Newest first; each set as the user imported it."""
    last_browsed: str | None = None


def recent_path() -> Path:
    return config_dir() / RECENT_FILE


def _parse(data: bytes) -> RecentFolders:
    raw = parse_json(data)
    if not isinstance(raw, dict):
        raise DamagedFile("it does not hold a JSON object")
    sets = raw.get("sets", [])
    if not (isinstance(sets, list) and all(isinstance(s, list) and all(isinstance(p, str) for p in s) for s in sets)):
        raise DamagedFile("'sets' is not a list of folder lists")
    last = raw.get("last_browsed")
    if last is not None and not isinstance(last, str):
        raise DamagedFile("'last_browsed' is not a folder path")
    return RecentFolders([list(s) for s in sets if s][:MAX_SETS], last)


def load_recent_folders(path: Path | None = None) -> RecentFolders:
    """The stored history; empty when there is none or the file was unusable (set aside)."""
    return load_state(path or recent_path(), _parse) or RecentFolders()


def save_recent_folders(recent: RecentFolders, path: Path | None = None) -> None:
    """Raises OSError; the callers log it: a lost history is no reason to stop."""
    write_atomic(path or recent_path(), json.dumps(asdict(recent), indent=1))


def remember_set(recent: RecentFolders, folders: list[str]) -> None:
    """Put `folders` first (once: the same set in another order is the same set), keep MAX_SETS."""
    if not folders:
        return
    same = sorted(folders)
    recent.sets = [list(folders), *(s for s in recent.sets if sorted(s) != same)][:MAX_SETS]


def browse_start(recent: RecentFolders) -> str:
    """Where Browse opens: the folder last chosen if it still exists, else Pictures, else home."""
    for candidate in (recent.last_browsed, platformdirs.user_pictures_dir()):
        if candidate and os.path.isdir(candidate):
            return candidate
    return str(Path.home())
