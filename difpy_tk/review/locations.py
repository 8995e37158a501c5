"""Where a file lies relative to a folder, as the file system compares paths (any case
on Windows, never fooled by a shared prefix such as /photos2 for /photos)."""

from __future__ import annotations

import os


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
