"""Where settings, data (the action log and move journal) and the cache live: the OS's
folders for them (from platformdirs), or beside a portable exe.

A portable build (a marker file `difpy_tk.portable` next to the executable) keeps
everything on the USB stick it runs from. DIFPY_TK_HOME overrides both, for tests.

A folder that cannot be written (the portable exe on a read-only stick, a HOME the user
may not write) never stops the app: settings are still read from it but kept in memory,
data and cache go to a private temp folder, and each such case is said once, in plain
words, in the log (which the CLI prints and the app shows in View Logs)."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path

import platformdirs

from difpy_tk.state.safe_files import can_create_file_in, set_aside_notices

APP_NAME = "difpy_tk"
PORTABLE_MARKER = "difpy_tk.portable"
log = logging.getLogger("difpy_tk")

_lock = threading.Lock()
_checked: dict[Path, bool] = {}
_said: dict[tuple[str, Path], str] = {}


def executable_dir() -> Path:
    """The folder of the frozen executable (not PyInstaller's temporary _MEIPASS)."""
    return Path(sys.executable).resolve().parent


def is_portable() -> bool:
    return bool(getattr(sys, "frozen", False)) and (executable_dir() / PORTABLE_MARKER).exists()


def _platform_dir(kind: str) -> Path:
    if kind == "config":  # Roaming on Windows, as before platformdirs: settings follow the user
        return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))
    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def preferred_dir(kind: str) -> Path:
    """Where files of kind ("config", "data", "cache") belong, writable or not."""
    override = os.environ.get("DIFPY_TK_HOME")
    if override:
        return Path(override) / kind
    if is_portable():
        return executable_dir() / f"{APP_NAME}-{kind}"
    return _platform_dir(kind)


def _writable(path: Path) -> bool:
    """Create the folder if needed and prove a file can be made in it (checked once per
    folder and process: a permission bit says nothing on a read-only medium or to root)."""
    with _lock:
        known = _checked.get(path)
    if known is not None:
        if known:  # a test, or the user, may have removed it since
            with contextlib.suppress(OSError):
                path.mkdir(parents=True, exist_ok=True)
        return known
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        ok = False
    else:
        ok = can_create_file_in(path)
    with _lock:
        _checked[path] = ok
    return ok


def say_once(kind: str, path: Path, text: str) -> None:
    """A notice for the start screen (notices()) and one log line, once per kind, path and
    process however often it is asked for: an unwritable folder, settings not usable."""
    with _lock:
        if (kind, path) in _said:
            return
        _said[(kind, path)] = text
    log.warning("%s", text)


def _user() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def _private_temp_dir(kind: str) -> Path:
    """A folder in the temp directory only this user can use: a fixed name so a later run
    finds its journal again, unless someone else owns that name (then a fresh one)."""
    base = Path(tempfile.gettempdir()) / f"{APP_NAME}-{_user()}"
    with contextlib.suppress(OSError):
        base.mkdir(mode=0o700)
    try:
        info = os.lstat(base)
        mine = stat.S_ISDIR(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid())
    except OSError:
        mine = False
    if not mine:
        base = Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-"))
    path = base / kind
    with contextlib.suppress(OSError):
        path.mkdir(exist_ok=True)
    return path


def _fallback_dir(kind: str) -> Path:
    """The folder of kind, or a private temp folder when it cannot be written."""
    preferred = preferred_dir(kind)
    if _writable(preferred):
        return preferred
    fallback = _private_temp_dir(kind)
    what = "the action log and move journal are" if kind == "data" else "the image cache is"
    if _writable(fallback):
        # The system may empty a temp folder (at a restart, or files a few days old), and
        # moves can be put back only while their journal is there: said, for the data folder.
        fresh = fallback.parent.name != f"{APP_NAME}-{_user()}"  # the fixed name was someone else's
        until = (
            (" for this run only (put back what you move before closing difpy_tk)" if fresh
             else ", which the system may empty (put back what you move soon)") if kind == "data" else ""
        )
        say_once(kind, preferred,
                  f"The {kind} folder {preferred} cannot be written, so {what} kept in {fallback}{until}.")
    else:
        say_once(kind, preferred, f"Neither {preferred} nor {fallback} can be written, so {what} not saved.")
    return fallback


def config_dir() -> Path:
    """Settings and the not-a-duplicate list. Returned even when it cannot be written:
    what is there is still read, and changes last until the app closes (said once)."""
    path = preferred_dir("config")
    if not _writable(path):
        say_once(
            "config",
            path,
            f"The settings folder {path} cannot be written, so changes to settings and to the "
            "not-a-duplicate list last only until difpy_tk closes.",
        )
    return path


def config_writable() -> bool:
    """False when settings can only be kept in memory (see config_dir)."""
    return _writable(preferred_dir("config"))


def data_dir() -> Path:
    """The action log and the move journal."""
    return _fallback_dir("data")


def cache_dir() -> Path:
    """The tensor cache: the OS's cache folder (a private temp folder when that cannot
    be written; the cache then lasts until the temp folder is cleaned)."""
    return _fallback_dir("cache")


def notices() -> list[str]:
    """The plain-words notices said so far (unwritable folders, damaged state files set
    aside), for the start screen."""
    with _lock:
        said = list(_said.values())
    return said + set_aside_notices()
