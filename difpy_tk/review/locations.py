"""Where a file lies relative to a folder, as the file system compares paths (any case
on Windows, never fooled by a shared prefix such as /photos2 for /photos)."""

from __future__ import annotations

import os
from collections.abc import Iterable


def _normalized(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def same_entry(one: str | os.PathLike, other: str | os.PathLike) -> bool:
    """The two paths, links followed, name one file or folder: by device and inode, or,
    on a drive that gives no inode numbers (0: some network shares, where every path
    would look the same), by their resolved paths. Raises OSError as os.stat does."""
    first, second = os.stat(one), os.stat(other)
    if first.st_ino and second.st_ino:
        return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)
    return _normalized(os.path.realpath(one)) == _normalized(os.path.realpath(other))


def is_inside(path: str, folder: str) -> bool:
    """True when path lies in folder or one of its subfolders."""
    path, folder = _normalized(path), _normalized(folder)
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


class FolderSet:
    """Folders a path may lie in, matched as the file system names them: by the spelling
    given, and by the device and inode of each folder above the path (links followed),
    so a folder reached through a link, by a link's name, or in another case on macOS is
    the same folder. A protected folder the search reached by another name protected
    nothing. Each folder above a path is looked at once; folders that cannot be looked
    at (an unplugged drive) are matched by their spelling only."""

    def __init__(self, folders: Iterable[str]) -> None:
        self.folders = tuple(folders)
        self._ids: dict[tuple[int, int], str] = {}
        for folder in self.folders:
            try:
                found = os.stat(folder)
            except OSError:
                continue
            if found.st_ino:  # 0: a drive that gives no inode numbers
                self._ids.setdefault((found.st_dev, found.st_ino), folder)
        self._known: dict[str, str | None] = {}

    def holds(self, path: str) -> bool:
        """path is one of the folders, or lies in one of them."""
        return self.holding(path) is not None

    def holding(self, path: str) -> str | None:
        """The folder, as given, that the file path is or lies in; None when it lies in
        none. Its name is what the user is told (the refusal of a protected image names it)."""
        # From the folder holding it up: a folder is looked at once for all its files (each
        # file looked at on the UI thread froze it on a network drive).
        return self._holding(path, os.path.dirname(os.path.abspath(path)))

    def holding_folder(self, folder: str) -> str | None:
        """holding() for a folder, which is looked at itself too (a move's folder)."""
        return self._holding(folder, os.path.abspath(folder))

    def _holding(self, path: str, first_looked_at: str) -> str | None:
        spelled = next((folder for folder in self.folders if is_inside(path, folder)), None)
        if spelled is not None or not self._ids:
            return spelled
        return self._below_one(first_looked_at)

    def _below_one(self, path: str) -> str | None:
        seen, current = [], path
        while current not in self._known:
            seen.append(current)
            try:
                found = os.stat(current)
            except OSError:
                found = None
            if found is not None and found.st_ino and (found.st_dev, found.st_ino) in self._ids:
                self._known[current] = self._ids[(found.st_dev, found.st_ino)]
                break
            parent = os.path.dirname(current)
            if parent == current:
                self._known[current] = None
                break
            current = parent
        answer = self._known[current]
        self._known.update(dict.fromkeys(seen, answer))
        return answer
