"""Every finished search saved automatically, so a result can be seen again without
exporting it: the newest MAX_RESULTS are kept in the data folder, with a small index the
main menu reads (the folders, when, how many groups) without opening the results.

The index is untrusted input like every state file: a damaged one is set aside and
rebuilt from the result files that are there."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from difpy_tk.humanize import folder_names, plural
from difpy_tk.scan.result import SearchResult
from difpy_tk.scan.result_io import load_json, write_json
from difpy_tk.state.appdirs import data_dir
from difpy_tk.state.safe_files import DamagedFile, load_state, parse_json, write_atomic

log = logging.getLogger("difpy_tk")

HISTORY_FOLDER = "results"
INDEX_FILE = "index.json"
MAX_RESULTS = 10


@dataclass(frozen=True)
class SavedResult:
    file: str
    """The result file's name inside the history folder."""
    started: str
    folders: tuple[str, ...]
    groups: int
    images: int
    settings: str = ""
    """What the search looked for ("similar", "MSE ≤ 20", "px 100", "thorough"): two
    searches of the same folders in one minute read alike without it. Empty in an index
    written before it was kept."""


def history_dir() -> Path:
    path = data_dir() / HISTORY_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def _parse_index(data: bytes) -> list[SavedResult]:
    raw = parse_json(data)
    if not isinstance(raw, list):
        raise DamagedFile("it does not hold a list")
    entries = []
    for item in raw:
        texts = (item["file"], item["started"], item.get("settings", ""), *item["folders"])
        counts = (item["groups"], item["images"])
        if not isinstance(item["folders"], list) or not all(isinstance(text, str) for text in texts):
            raise DamagedFile(f"an entry's names are not text: {item!r:.80}")
        if not all(type(count) is int and count >= 0 for count in counts):
            raise DamagedFile(f"an entry's counts are not whole numbers: {item!r:.80}")
        entry = SavedResult(
            item["file"], item["started"], tuple(item["folders"]), *counts, item.get("settings", "")
        )
        if os.path.basename(entry.file) != entry.file:
            raise DamagedFile(f"{entry.file!r} is not a file name")
        entries.append(entry)
    return entries


def _rebuilt(folder: Path) -> list[SavedResult]:
    """Entries for the result files present, when the index is missing or was set aside."""
    entries = []
    for path in sorted(folder.glob("result-*.json"), reverse=True):
        try:
            entries.append(_entry(path.name, load_json(path)))
        except (OSError, ValueError) as exc:
            log.warning("saved result %s cannot be read (%s); leaving it out", path, exc)
    return entries


def _entry(name: str, result: SearchResult) -> SavedResult:
    return SavedResult(
        name,
        result.started,
        tuple(map(str, result.parameters.get("directory", ()))),
        len(result.groups),
        result.files_searched,
        _settings(result.parameters),
    )


def _settings(parameters: dict) -> str:
    """The search's choices in a few words, those a user makes in the two steps."""
    similarity = parameters.get("similarity", "")
    words = []
    if similarity in ("duplicates", "similar"):
        words.append(similarity)
    elif similarity != "":
        words.append(f"MSE ≤ {similarity}")
    if parameters.get("px_size", 50) != 50:
        words.append(f"px {parameters['px_size']}")
    words += [name for name in ("thorough", "in_folder", "same_dim", "mirror") if parameters.get(name)]
    if parameters.get("rotate") is False:
        words.append("no turns")
    return ", ".join(str(word).replace("_", "-") for word in words)


def saved_results() -> list[SavedResult]:
    """The saved results, newest first, only those whose file is still there."""
    folder = history_dir()
    index = load_state(folder / INDEX_FILE, _parse_index)
    if index is None:
        index = _rebuilt(folder)
    return [entry for entry in index if (folder / entry.file).is_file()]


def save_result(result: SearchResult, now: datetime | None = None) -> SavedResult:
    """Save `result` as the newest entry and drop the oldest beyond MAX_RESULTS. Raises OSError."""
    folder = history_dir()
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    name = f"result-{stamp}.json"
    write_json(result, folder / name)
    entry = _entry(name, result)
    entries = [entry, *(e for e in saved_results() if e.file != name)]
    for old in entries[MAX_RESULTS:]:
        with contextlib.suppress(OSError):  # one left behind is only disk space, never a wrong entry
            (folder / old.file).unlink()
    write_atomic(folder / INDEX_FILE, json.dumps([asdict(e) for e in entries[:MAX_RESULTS]], indent=1))
    return entry


def load_saved(entry: SavedResult) -> SearchResult:
    """Raises OSError or ValueError (plain words) for a file that went or was damaged."""
    return load_json(history_dir() / entry.file)


def describe(entry: SavedResult, width: int = 60) -> str:
    """A menu label: when, which folders, with which settings, how many groups."""
    try:
        when = datetime.fromisoformat(entry.started).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        when = entry.started
    settings = f" · {entry.settings}" if entry.settings else ""
    return f"{when} · {folder_names(entry.folders, width)}{settings} · {plural(entry.groups, 'group')}"
