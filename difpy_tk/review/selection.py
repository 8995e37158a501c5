"""Bulk selection rules: which images of each group a bulk move or delete acts on.

Every rule first decides which images to keep and selects the rest; when it can keep
none (no member in the chosen folder), it selects none. So no rule ever selects every
image of a group: the failure peers' users fear most (czkawka K#317)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from difpy_tk.humanize import format_bytes
from difpy_tk.scan.result import FileRecord, quality_key


class Rule(str, Enum):
    LOWER_RESOLUTION = "lower resolution"
    KEEP_LARGEST = "keep largest"
    KEEP_NEWEST = "keep newest"
    KEEP_OLDEST = "keep oldest"
    KEEP_FOLDER = "keep folder"

    @property
    def label(self) -> str:
        """What the rule selects, for menus: "Move all lower-resolution matches"."""
        return {
            Rule.LOWER_RESOLUTION: "all lower-resolution matches",
            Rule.KEEP_LARGEST: "all but the largest file",
            Rule.KEEP_NEWEST: "all but the newest file",
            Rule.KEEP_OLDEST: "all but the oldest file",
            Rule.KEEP_FOLDER: "all but the files in a chosen folder",
        }[self]


def _key(rule: Rule):
    """Sort key whose smallest record is the one to keep; ties fall back to quality."""
    return {
        Rule.LOWER_RESOLUTION: quality_key,
        Rule.KEEP_LARGEST: lambda r: (-r.size, *quality_key(r)),
        Rule.KEEP_NEWEST: lambda r: (-r.mtime_ns, *quality_key(r)),
        Rule.KEEP_OLDEST: lambda r: (r.mtime_ns, *quality_key(r)),
    }[rule]


def _normalized(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def is_inside(path: str, folder: str) -> bool:
    """True when path lies in folder or one of its subfolders."""
    path, folder = _normalized(path), _normalized(folder)
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


def select_in_group(
    rule: Rule,
    paths: Sequence[str],
    files: Mapping[str, FileRecord],
    folder: str | None = None,
    usable: Callable[[FileRecord], bool] | None = None,
) -> list[str]:
    """The paths of one group (its members still present) that the rule acts on.

    Paths without a FileRecord, or for which usable() is False (pass a check that the
    file is still as scanned), are neither selected nor kept: keeping a file that has
    vanished would let the rule remove the last real copy."""
    records = [files[path] for path in paths if path in files]
    if usable is not None:
        records = [record for record in records if usable(record)]
    if rule is Rule.KEEP_FOLDER:
        if folder is None:
            raise ValueError("the 'keep folder' rule needs a folder")
        kept = {record.path for record in records if is_inside(record.path, folder)}
    else:
        kept = {min(records, key=_key(rule)).path} if records else set()
    if not kept:
        return []
    return [record.path for record in records if record.path not in kept]


def select(
    rule: Rule,
    groups: Iterable[Sequence[str]],
    files: Mapping[str, FileRecord],
    folder: str | None = None,
    usable: Callable[[FileRecord], bool] | None = None,
) -> list[list[str]]:
    """select_in_group for each group, in order (empty lists where nothing is selected)."""
    return [select_in_group(rule, paths, files, folder, usable) for paths in groups]


@dataclass(frozen=True)
class Summary:
    count: int
    total_bytes: int

    def describe(self) -> str:
        """ "3 files (4.2 MB)" for confirmations."""
        noun = "file" if self.count == 1 else "files"
        return f"{self.count} {noun} ({format_bytes(self.total_bytes)})"


def summarize(paths: Iterable[str], files: Mapping[str, FileRecord]) -> Summary:
    """Count and total size of the files an action is about to touch."""
    records = [files[path] for path in paths]
    return Summary(len(records), sum(record.size for record in records))
