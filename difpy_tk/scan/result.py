"""The outcome of a search: groups of matching images plus what could not be searched.

The groups are star-shaped around a kept image, the way people review them: each member
matches the kept image directly, so no group is a chain of look-alikes of look-alikes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from difpy_tk.scan.poses import Pose


@dataclass(frozen=True)
class FileRecord:
    """A searched image as it was on disk when it was decoded."""

    path: str
    size: int
    mtime_ns: int
    width: int
    height: int
    frames: int = 1
    """Frames or pages in the file (scan.frames); only the first was compared. Counted for
    matched images, 1 for the others; 0 (frames.UNCOUNTED) when a paged file's count
    could not be read, which the review treats as several."""
    ctime_ns: int = 0
    inode: int = 0
    """The file's ctime (discovery.FileStamp; 0 on Windows) and file number (st_ino; 0
    where the drive gives none) when it was listed, 0 in results saved before they were
    kept: a file replaced by another of the same size and mtime (rsync -t, cp -p, a sync
    tool) differs in them, so the review does not act on it."""

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9


def quality_key(record: FileRecord) -> tuple:
    """Sort key that puts the image to keep first: most pixels, then the larger file,
    then the older one (the original, usually), then the path for a stable order."""
    return (-record.pixels, -record.size, record.mtime_ns, record.path)


@dataclass(frozen=True)
class Match:
    """A group member; mse is its true mean squared error to the kept image, and the
    member mirrored left to right (when mirrored), then turned clockwise by rotation
    degrees, gives that error."""

    path: str
    mse: float
    rotation: int = 0
    mirrored: bool = False

    @property
    def pose(self) -> Pose:
        """rotation and mirrored as one value, to compose and tell (poses.Pose)."""
        return Pose(self.rotation, self.mirrored)


@dataclass(frozen=True)
class Group:
    kept: str
    matches: tuple[Match, ...]
    folder: str | None = None
    """The input folder the group belongs to, when searching in-folder."""
    low_detail: bool = False
    """The kept image or a member is near-flat (sky, wall, blank page): they may only share
    a plain background. The review never marks such a group by a rule unless asked."""

    @property
    def is_duplicate(self) -> bool:
        """True when every member is pixel-identical to the kept image (MSE 0)."""
        return all(match.mse == 0 for match in self.matches)

    @property
    def paths(self) -> list[str]:
        return [self.kept, *(match.path for match in self.matches)]

    @property
    def poses(self) -> dict[str, Pose]:
        """Each member turned or mirrored against the kept image, as people should be
        told of it: none in a low-detail group, whose near-flat pictures match about as
        well in every pose, so the pose that scored best says nothing of how a file was
        saved (two blank portrait pages were shown "↻90°", read as a turned copy)."""
        if self.low_detail:
            return {}
        return {match.path: match.pose for match in self.matches if match.pose}


@dataclass(frozen=True)
class Chained:
    """An image that matches a group member but not its kept image (A~B, B~C, A≁C with A
    kept: C). It is in no group, so no bulk action touches it; it is listed so that no
    match is lost silently. other is the group member it matches most closely, mse their
    error, rotation and mirrored the pose of path that gives it (as Match says)."""

    path: str
    other: str
    mse: float
    rotation: int = 0
    mirrored: bool = False

    @property
    def pose(self) -> Pose:
        """As Match.pose."""
        return Pose(self.rotation, self.mirrored)


@dataclass(frozen=True)
class Verification:
    """How the verdicts were reached: the fast tensors proposed pairs within the threshold
    widened by the margin; pairs far inside it were decided on them, every other pair on
    full-decode tensors (README, "How it works")."""

    margin_rms: float = 0.0
    """The bound on one image's fast-to-full RMS drift the verdicts rest on: D, or wider
    when images drifted beyond D (drift_over_margin)."""
    already_full: int = 0
    """Images searched with their full-decode tensor from the start (any format but JPEG,
    a small JPEG, one whose full tensor the cache held): no margin, no second decode."""
    proposed: int = 0
    """Pairs the fast tensors proposed."""
    decided_fast: int = 0
    """Pairs decided, and their MSE given, by the fast tensors (far inside the threshold)."""
    checked: int = 0
    """Images whose full-decode tensors decided every other verdict."""
    full_decoded: int = 0
    """Decoded in full a second time by this search (the other checked images already
    were, or came from the cache or a byte-identical file)."""
    full_cached: int = 0
    byte_twins: int = 0
    full_failed: int = 0
    """Full decode failed: the fast tensor stood in (logged)."""
    drift_max: float = 0.0
    """The largest fast-to-full RMS drift among the images decoded again in full."""
    drift_over_margin: int = 0
    """Images that drifted more than D, which widened the margin to margin_rms and
    repeated the search (logged; expected 0 on photos)."""

    def summary(self) -> str:
        """How the matches were decided, in words for the search log (the README's terms,
        "How it works", in brackets for whoever compares)."""
        failed = f"; {self.full_failed} could not be read in full and kept their quick look" if self.full_failed else ""
        widened = (
            f"; {self.drift_over_margin} images differed more than that, so the margin was widened"
            if self.drift_over_margin
            else ""
        )
        return (
            f"{self.already_full} images were read in full from the start, the others at a quick look "
            f"(the fast decode). The quick look found {self.proposed} possible pairs and settled "
            f"{self.decided_fast}, far inside the threshold; the rest were decided on {self.checked} images "
            f"read in full (the full decode): {self.full_decoded} read now, {self.full_cached} remembered from "
            f"earlier searches, {self.byte_twins} exact copies of another file, the others read in full from "
            f"the start{failed}. Largest difference between an image's quick look and its full reading: RMS "
            f"{self.drift_max:.2f}, margin allowed {self.margin_rms:.2f}{widened}."
        )


@dataclass(frozen=True)
class Problem:
    """A file (or folder) that was not searched, and why, in words a user understands."""

    path: str
    reason: str
    folder: bool = False
    """A whole folder was not searched (unreadable, left out, a Trash): told when it was
    listed, as the folder may be gone when the result is read."""
    left_out: bool = False
    """Left out as the user's list asks (SearchOptions.exclude), not a problem."""


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass
class SearchResult:
    """Everything a search found; exporters live in result_io."""

    parameters: dict
    files: dict[str, FileRecord]
    groups: list[Group]
    invalid: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    started: str = field(default_factory=now_iso)
    finished: str = field(default_factory=now_iso)
    cache_hits: int = 0
    chained: list[Chained] = field(default_factory=list)
    """Images that match some group member but are in no group (see Chained)."""
    verification: Verification = field(default_factory=Verification)
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Real path -> the other names the search reached the same file by (symbolic links,
    linked folders, hard links). The file is searched and listed once, by its real path."""

    @property
    def lower_quality(self) -> list[str]:
        """Every group member that is not kept: difPy's candidates for move/delete."""
        return [match.path for group in self.groups for match in group.matches]

    @property
    def duplicate_count(self) -> int:
        """Matches with MSE 0 (difPy's 'duplicates' count)."""
        return sum(1 for group in self.groups for match in group.matches if match.mse == 0)

    @property
    def similar_count(self) -> int:
        return sum(1 for group in self.groups for match in group.matches if match.mse > 0)

    @property
    def files_searched(self) -> int:
        return len(self.files)

    @property
    def skipped_kinds(self) -> tuple[int, int]:
        """(files, folders) skipped, but for those the user's list left out (left_out)."""
        skipped = [problem for problem in self.skipped if not problem.left_out]
        folders = sum(problem.folder for problem in skipped)
        return len(skipped) - folders, folders

    @property
    def unsearched(self) -> tuple[int, int]:
        """(files, folders) not searched: the invalid files and skipped_kinds."""
        files, folders = self.skipped_kinds
        return len(self.invalid) + files, folders

    @property
    def left_out(self) -> int:
        """Files and folders the user's list left out (SearchOptions.exclude)."""
        return sum(problem.left_out for problem in self.skipped)

    def nothing_to_compare(self) -> str | None:
        """Why a search found nothing without looking (no image, or one), in plain words:
        "no duplicates" would read as a folder checked clean (a new user chose one of
        documents); None when there were images to compare."""
        if self.files_searched == 0:
            return "No images found: the chosen folders hold no image difpy_tk can read."
        if self.files_searched == 1:
            return "Only one image was found: there is nothing to compare it with."
        return None
