"""Where settings, the cache and logs live: the user's folders, or beside a portable exe.

A portable build (a marker file `difpy_tk.portable` next to the executable) keeps
everything on the USB stick it runs from. DIFPY_TK_HOME overrides both, for tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "difpy_tk"
PORTABLE_MARKER = "difpy_tk.portable"


def executable_dir() -> Path:
    """The folder of the frozen executable (not PyInstaller's temporary _MEIPASS)."""
    return Path(sys.executable).resolve().parent


def is_portable() -> bool:
    return bool(getattr(sys, "frozen", False)) and (executable_dir() / PORTABLE_MARKER).exists()


def _platform_dir(kind: str) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA" if kind == "data" else "APPDATA")
        return Path(base) if base else home / "AppData" / ("Local" if kind == "data" else "Roaming")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    variable, fallback = {
        "data": ("XDG_DATA_HOME", home / ".local" / "share"),
        "config": ("XDG_CONFIG_HOME", home / ".config"),
    }[kind]
    value = os.environ.get(variable)
    return Path(value) if value else fallback


def _app_dir(kind: str) -> Path:
    override = os.environ.get("DIFPY_TK_HOME")
    if override:
        path = Path(override) / kind
    elif is_portable():
        path = executable_dir() / f"{APP_NAME}-{kind}"
    else:
        path = _platform_dir(kind) / APP_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Cache and logs."""
    return _app_dir("data")


def config_dir() -> Path:
    """Settings and the not-a-duplicate list."""
    return _app_dir("config")
