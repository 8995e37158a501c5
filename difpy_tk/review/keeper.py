"""Which image of a group to keep: an ordered list of criteria the user sees and reorders
in Settings (dupeGuru's "reference", czkawka's keep-best rules with tie-breaks).

The first criterion that tells two images apart decides; the path breaks a full tie, so
the same result always gives the same keeper. The default order answers the complaint
that started this: a lossless PNG or WebP re-encode of a JPEG at the same resolution is
larger, and keeping the larger file threw the camera original away."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from difpy_tk.review.locations import FolderSet, is_inside
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import FileRecord, SearchResult

ORIGINAL_FORMATS = frozenset({"jpg", "jpeg", "jpe", "jfif", "jif", "heic", "heif", "avif", "mpo"})
"""Formats cameras and phones write. A PNG, WebP, TIFF or BMP copy of a photo at the same
resolution is almost always a conversion of one of these."""


class Criterion(str, Enum):
    PROTECTED = "protected folder"
    RESOLUTION = "resolution"
    ORIGINAL_FORMAT = "original format"
    UPRIGHT = "orientation"
    FILE_SIZE = "file size"
    DATE = "date"
    FOLDER = "folder priority"

    @property
    def label(self) -> str:
        """How Settings and the keeper badge name it."""
        return {
            Criterion.PROTECTED: "in a protected folder (Settings › Protected)",
            Criterion.UPRIGHT: "turned and mirrored like most of its group (not a turned or mirrored copy)",
            Criterion.RESOLUTION: "highest resolution",
            Criterion.ORIGINAL_FORMAT: "camera format (JPEG, HEIC) over re-encodes (PNG, WebP…)",
            Criterion.FILE_SIZE: "largest file",
            Criterion.DATE: "oldest file",
            Criterion.FOLDER: "in the first folder of the priority list",
        }[self]

    @property
    def reason(self) -> str:
        """Short words for a keeper badge: "KEEP (original format)"."""
        return {
            Criterion.PROTECTED: "protected folder",
            Criterion.UPRIGHT: "not turned or mirrored",
            Criterion.RESOLUTION: "highest resolution",
            Criterion.ORIGINAL_FORMAT: "original format",
            Criterion.FILE_SIZE: "largest file",
            Criterion.DATE: "oldest",
            Criterion.FOLDER: "priority folder",
        }[self]


DEFAULT_ORDER = (
    Criterion.PROTECTED,
    Criterion.RESOLUTION,
    Criterion.ORIGINAL_FORMAT,
    Criterion.UPRIGHT,
    Criterion.FILE_SIZE,
    Criterion.DATE,
    Criterion.FOLDER,
)


# PROTECTED comes first: a protected image stays anyway, and kept, it lets the copies
# elsewhere go (a trial protected Originals, the Backup copy was kept, and nothing could be
# cleaned up); it is a criterion like the others, shown in Settings › Keeper, so a user
# who wants the highest resolution kept whatever is protected can move it down.
# UPRIGHT comes after resolution and format: a picture that looks alike turned (a logo, a
# tiling pattern) may match best turned by chance, which must not outweigh a larger
# camera original; among copies of one size and format it keeps a turned copy (often the
# larger file) from winning.
Poses = Mapping[str, Pose]
"""Each image's pose against one image of its group (the search's kept one), as
Group.poses gives it: an image missing from it is in that image's pose."""


def turned_copies(paths: Iterable[str], poses: Poses | None) -> frozenset[str]:
    """The images turned or mirrored against most of their group (a copy saved upside
    down, a flipped selfie): none when no pose is shared by more images than any other,
    as in a pair, since then nothing tells which way is up."""
    if not poses:
        return frozenset()
    paths = list(paths)
    counts = Counter(poses.get(path, Pose()) for path in paths)
    (most, count), *rest = counts.most_common()
    if rest and rest[0][1] == count:
        return frozenset()
    return frozenset(path for path in paths if poses.get(path, Pose()) != most)


def with_new_criteria(saved: Sequence[str]) -> list[str]:
    """A whole order saved by an older version, with each criterion it lacks (new since)
    put where the default order has it: right after the last of the saved ones that
    come before it there, not after the user's whole list, where it would never decide."""
    order = list(saved)
    for position, criterion in enumerate(DEFAULT_ORDER):
        if criterion.value not in order:
            earlier = [order.index(other.value) for other in DEFAULT_ORDER[:position] if other.value in order]
            order.insert(max(earlier, default=-1) + 1, criterion.value)
    return order


def is_original_format(path: str) -> bool:
    name = os.path.basename(path)
    return "." in name and name.rpartition(".")[2].lower() in ORIGINAL_FORMATS


@dataclass(frozen=True)
class KeeperRule:
    """criteria: tried in order; folders: the folder priority list, first preferred
    (an image in none of them comes after all that are in one); protected: folders whose
    images are all kept, never marked, moved or trashed, and which the PROTECTED criterion
    (first by default) keeps over others (dupeGuru's reference folders, czkawka's)."""

    criteria: tuple[Criterion, ...] = DEFAULT_ORDER
    folders: tuple[str, ...] = field(default=())
    protected: tuple[str, ...] = field(default=())

    @classmethod
    def from_settings(
        cls, criteria: Iterable[str], folders: Iterable[str], protected: Iterable[str] = ()
    ) -> KeeperRule:
        """The rule stored in Settings (criterion values, in order); criteria missing from
        the list are appended in the default order, so every rule decides fully."""
        chosen = [Criterion(value) for value in criteria]
        chosen += [criterion for criterion in DEFAULT_ORDER if criterion not in chosen]
        return cls(tuple(dict.fromkeys(chosen)), tuple(folders), tuple(protected))

    def is_protected(self, path: str) -> bool:
        """The image lies in a protected folder (or below it), however either is spelled."""
        return bool(self.protected) and self._protected.holds(path)

    @cached_property
    def _protected(self) -> FolderSet:
        return FolderSet(self.protected)

    def _folder_rank(self, path: str) -> int:
        return next((rank for rank, folder in enumerate(self.folders) if is_inside(path, folder)), len(self.folders))

    @cached_property
    def _getters(self) -> tuple[Callable[[FileRecord, frozenset[str]], int], ...]:
        """One function per criterion, in order, of a record and its group's turned copies;
        smaller is better. Made once: a 10,000 group list asks for a keeper per group."""
        getters = {
            Criterion.PROTECTED: (
                (lambda record, _turned: 0 if self.is_protected(record.path) else 1) if self.protected
                else (lambda *_: 0)
            ),
            Criterion.UPRIGHT: lambda record, turned: 1 if record.path in turned else 0,
            Criterion.RESOLUTION: lambda record, _turned: -record.pixels,
            Criterion.ORIGINAL_FORMAT: lambda record, _turned: 0 if is_original_format(record.path) else 1,
            Criterion.FILE_SIZE: lambda record, _turned: -record.size,
            Criterion.DATE: lambda record, _turned: record.mtime_ns,
            Criterion.FOLDER: (
                (lambda record, _turned: self._folder_rank(record.path)) if self.folders else (lambda *_: 0)
            ),
        }
        return tuple(getters[criterion] for criterion in self.criteria)

    def _value(self, criterion: Criterion, record: FileRecord, turned: frozenset[str]) -> int:
        return self._getters[self.criteria.index(criterion)](record, turned)

    def key(self, record: FileRecord, turned: frozenset[str] = frozenset()) -> tuple:
        """Sort key whose smallest record is the one to keep; turned: its group's turned
        copies (turned_copies)."""
        return (*(getter(record, turned) for getter in self._getters), record.path)

    def choose(self, records: Sequence[FileRecord], poses: Poses | None = None) -> FileRecord:
        """The record to keep of a non-empty group; poses: each one's pose (see Poses)."""
        turned = turned_copies((record.path for record in records), poses)
        return min(records, key=lambda record: self.key(record, turned))

    def copies_size(self, result: SearchResult) -> int:
        """Bytes taken by every group member but the one this rule keeps (and the protected
        ones): what a clean-up can free at most, counted with the viewer's keeper (the search's own kept image
        is the one the others were matched with, often a larger re-encode)."""
        total = 0
        for group in result.groups:
            records = [result.files[path] for path in group.paths if path in result.files]
            if records:
                kept = self.choose(records, group.poses).path
                total += sum(record.size for record in records
                             if record.path != kept and not self.is_protected(record.path))
        return total

    def reason(self, kept: FileRecord, others: Sequence[FileRecord], poses: Poses | None = None) -> str:
        """The criterion that put kept before the runner-up, in badge words."""
        if not others:
            return "only image left"
        turned = turned_copies((record.path for record in (kept, *others)), poses)
        runner_up = min(others, key=lambda record: self.key(record, turned))
        for criterion in self.criteria:
            if self._value(criterion, kept, turned) != self._value(criterion, runner_up, turned):
                return criterion.reason
        return "first by name"
