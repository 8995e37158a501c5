"""Finding the image files to search.

Walks folders itself instead of globbing (a folder named `br[1]` is a glob pattern),
follows symlinked folders at most once (a symlink loop must not list a file forty
times), and lists the same physical file only once: a file reached through a symbolic
link (or a linked folder) is named by its real path, and its other names (the links,
and hard links to the same data) are kept in Listing.links, so the review can say which
links an action breaks instead of acting on a link's name."""

from __future__ import annotations

import fnmatch
import logging
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import Problem

log = logging.getLogger("difpy_tk")

# difPy 4.2.1's list, plus the formats it misses that Pillow (or pillow-heif) decodes.
IMAGE_EXTENSIONS = frozenset(
    (
        "apng bw cdf cur dcx dds dib emf eps fli flc fpx ftex fits gd gd2 gif gbr icb icns iim ico im imt "
        "j2k jfif jfi jif jp2 jpe jpeg jpg jpm jpf jpx mic mpo msp nc pbm pcd pcx pgm png ppm psd pixar ras "
        "rgb rgba sgi spi spider sun tga tif tiff vda vst wal webp xbm xpm bmp"
    ).split()
)
HEIF_EXTENSIONS = frozenset({"heic", "heif", "avif"})
TRASH_FOLDER_NAMES = frozenset({"$recycle.bin", ".trash", ".trashes", "recycler"})


def heif_available() -> bool:
    """HEIC/HEIF/AVIF are searched only when pillow-heif is installed to decode them."""
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        return False
    return True


def supported_extensions() -> frozenset[str]:
    return IMAGE_EXTENSIONS | HEIF_EXTENSIONS if heif_available() else IMAGE_EXTENSIONS


def _is_trash(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRASH_FOLDER_NAMES or lowered.startswith(".trash-")


class FileStamp(NamedTuple):
    """What tells that a file changed since it was listed (the cache's key with its path):
    size, mtime and, outside Windows, ctime, the time its inode last changed, which an
    edit that keeps the size and restores the mtime (exiftool -P) still moves and no
    tool can set back. On Windows st_ctime is the creation time, so 0 there."""

    size: int
    mtime_ns: int
    ctime_ns: int = 0

    @staticmethod
    def of(stat: os.stat_result) -> FileStamp:
        return FileStamp(stat.st_size, stat.st_mtime_ns, 0 if sys.platform == "win32" else stat.st_ctime_ns)


@dataclass
class Listing:
    """The files to decode, each tagged with the input folder it was found under."""

    files: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    """roots[i] is the input (folder or file) files[i] came from: in-folder mode groups by it."""
    stats: list[FileStamp] = field(default_factory=list)
    """stats[i] is the FileStamp of files[i] when it was listed."""
    inodes: list[int] = field(default_factory=list)
    """inodes[i] is the file number of files[i] (st_ino; 0 where the drive gives none)."""
    skipped: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    """The inputs as absolute paths, folders and files, in the order given."""
    links: dict[str, list[str]] = field(default_factory=dict)
    """A listed file -> its other names found: symbolic links to it, names inside linked
    folders, hard links (the same data under a second name)."""


def _is_inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


class Exclusions:
    """The user's list of what a search leaves out (SearchOptions.exclude): a pattern that
    names a folder or file by its path (absolute, or starting with ~) leaves out that
    path and all below it; any other pattern is matched against each file's and folder's
    own name, case-insensitively, with * and ? as wildcards."""

    def __init__(self, patterns: Iterable[str], inputs: Iterable[str] = ()) -> None:
        """inputs: what the user chose to search; a path pattern that holds one of them is
        not applied (the choice made for this search wins over the standing list)."""
        chosen = [os.path.normcase(os.path.abspath(path)) for path in inputs]
        self.paths: list[tuple[str, str]] = []
        self.names: list[tuple[str, str]] = []
        for pattern in patterns:
            expanded = os.path.expanduser(pattern)
            if not os.path.isabs(expanded):
                self.names.append((pattern.casefold(), pattern))
                continue
            folder = os.path.normcase(os.path.abspath(expanded))
            if not any(_is_inside(path, folder) for path in chosen):
                self.paths.append((folder, pattern))

    def matching(self, path: str) -> str | None:
        """The pattern that leaves path out, or None."""
        if not (self.names or self.paths):
            return None
        name = os.path.basename(path).casefold()
        for wanted, pattern in self.names:
            if fnmatch.fnmatchcase(name, wanted):
                return pattern
        spelled = os.path.normcase(os.path.abspath(path))
        for folder, pattern in self.paths:
            if _is_inside(spelled, folder):
                return pattern
        return None


class _Walker:
    def __init__(self, extensions: frozenset[str], cancel: CancelToken | None, inputs: list[str],
                 exclusions: Exclusions | None = None) -> None:
        self.extensions = extensions
        self.cancel = cancel
        self.exclusions = exclusions or Exclusions(())
        self.listing = Listing()
        self.seen_files: dict[tuple[int, int | str], str] = {}
        self.seen_dirs: set[tuple[int, int | str]] = set()
        self.inputs = frozenset(inputs)
        resolved = [(folder, os.path.realpath(folder)) for folder in inputs]
        self._resolved_inputs = sorted(resolved, key=lambda pair: len(pair[1]), reverse=True)

    def real_name(self, path: str) -> str:
        """The path with its links resolved, spelled below the input folder it lies in
        (an input given through a link, such as /tmp on macOS, keeps the user's spelling)."""
        real = os.path.realpath(path)
        for spelled, resolved in self._resolved_inputs:
            if _is_inside(real, resolved):
                return os.path.normpath(os.path.join(spelled, os.path.relpath(real, resolved)))
        return real

    def add_file(self, path: str, root: str, stat: os.stat_result, linked: bool = False) -> None:
        """linked: path was reached through a symbolic link (itself, or a linked folder)."""
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext not in self.extensions:
            reason = f"not an image type we read (.{ext})" if ext else "no file extension"
            self.listing.skipped.append(Problem(path, reason))
            return
        name = self.real_name(path) if linked else path
        # A drive that gives no inode numbers (some network shares) cannot tell a second
        # name of a file from another file: each name counts as a file of its own there.
        key = (stat.st_dev, stat.st_ino) if stat.st_ino else (-1, name)
        new = key not in self.seen_files
        first = self.seen_files.setdefault(key, name)
        for other in (name, path):
            if other != first and other not in self.listing.links.get(first, []):
                self.listing.links.setdefault(first, []).append(other)
        if not new:
            return
        self.listing.files.append(name)
        self.listing.roots.append(root)
        self.listing.stats.append(FileStamp.of(stat))
        self.listing.inodes.append(stat.st_ino)

    def walk(self, folder: str, root: str, recursive: bool, linked: bool = False) -> None:
        try:
            stat = os.stat(folder)
        except OSError as error:
            self.listing.skipped.append(Problem(folder, f"folder cannot be read: {error.strerror}", folder=True))
            return
        key = (stat.st_dev, stat.st_ino) if stat.st_ino else (-1, os.path.realpath(folder))
        if key in self.seen_dirs:
            if folder in self.inputs:
                # Nothing was left out: a user who adds a folder and its parent gets every
                # image once, which the results must not count as a file not searched.
                log.info("%s was chosen and is also inside another chosen folder: its images were searched once.",
                         folder)
            else:
                self.listing.skipped.append(Problem(folder, "folder already searched (a link or loop)", folder=True))
            return
        self.seen_dirs.add(key)
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            self.listing.skipped.append(Problem(folder, f"folder cannot be read: {error.strerror}", folder=True))
            return
        subfolders = []
        for entry in children:
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
                entry_stat = _identified(entry) if is_file else None
            except OSError as error:
                self.listing.skipped.append(Problem(entry.path, f"cannot be read: {error.strerror}"))
                continue
            if (pattern := self.exclusions.matching(entry.path)) is not None:
                reason = f"left out: it matches “{pattern}” in your list"
                self.listing.skipped.append(Problem(entry.path, reason, folder=is_dir, left_out=True))
            elif is_dir:
                subfolders.append(entry)
            elif is_file and entry_stat is not None:
                self.add_file(entry.path, root, entry_stat, linked or entry.is_symlink())
            elif entry.is_symlink():
                self.listing.skipped.append(Problem(entry.path, "broken link"))
        if not recursive:
            return
        for entry in subfolders:
            if _is_trash(entry.name):
                self.listing.skipped.append(Problem(entry.path, "Recycle Bin/Trash folder, not searched", folder=True))
            else:
                self.walk(entry.path, root, recursive, linked or entry.is_symlink())


def _identified(entry: os.DirEntry) -> os.stat_result:
    """The entry's stat with its device and inode, which tell a second name (a hard or
    symbolic link) of a file already listed: on Windows DirEntry.stat() leaves both 0, so
    every file would look like the first one, and os.stat() is asked there instead."""
    found = entry.stat()
    return os.stat(entry.path) if found.st_ino == 0 else found


def list_images(
    inputs: Iterable[str], recursive: bool = True, cancel: CancelToken | None = None, exclude: Iterable[str] = ()
) -> Listing:
    """Expand folders and files into image paths, in a deterministic order, leaving out
    what exclude names (Exclusions; a chosen input is searched all the same).

    Raises FileNotFoundError for an input that does not exist (the user typed it), and
    ValueError for an input given twice (difPy refuses that too)."""
    normalised: list[str] = []
    for raw in inputs:
        path = os.path.abspath(os.path.expanduser(raw))
        if not os.path.exists(path):
            raise FileNotFoundError(f'"{raw}" does not exist')
        if path in normalised:
            raise ValueError(f'"{raw}" was given more than once')
        normalised.append(path)
    walker = _Walker(supported_extensions(), cancel, [path for path in normalised if os.path.isdir(path)],
                     Exclusions(exclude, normalised))
    walker.listing.inputs = normalised
    for path in normalised:
        if os.path.isdir(path):
            walker.walk(path, path, recursive)
        else:
            walker.add_file(path, path, os.stat(path), os.path.islink(path))
    return walker.listing
