"""Where a file lies relative to a folder, as the file system compares paths (any case
on Windows, never fooled by a shared prefix such as /photos2 for /photos)."""

from __future__ import annotations

import os


def _normalized(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def is_inside(path: str, folder: str) -> bool:
    """True when path lies in folder or one of its subfolders."""
    path, folder = _normalized(path), _normalized(folder)
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False
