"""Show a file in the system's file manager, selected where the platform allows.

Explorer (/select) and Finder (open -R) select the file; on Linux the freedesktop
FileManager1 D-Bus service (Nautilus, Dolphin, Nemo, Thunar…) does, and without it the
folder is opened. Commands go as argument lists, never through a shell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from difpy_tk.system_open import open_in_system


def reveal_command(path: str, platform: str = sys.platform) -> list[str]:
    """The command that shows path in the file manager on this platform."""
    if platform == "win32":
        return ["explorer", f"/select,{os.path.normpath(path)}"]
    if platform == "darwin":
        return ["open", "-R", path]
    if shutil.which("dbus-send"):
        return [
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.FileManager1",
            "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{Path(path).as_uri()}", "string:",
        ]
    return ["xdg-open", os.path.dirname(path) or "."]


def _start(command: list[str]) -> subprocess.Popen:
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    # Reap it when it exits: a child nobody waits for stays a zombie process.
    threading.Thread(target=process.wait, name="difpy_tk-reap-file-manager", daemon=True).start()
    return process


def show_in_folder(path: str) -> str | None:
    """Start the file manager on path; the reason in words when that cannot be done."""
    if not os.path.exists(path):
        return "the file no longer exists"
    command = reveal_command(path)
    try:
        process = _start(command)
        if command[0] == "dbus-send":
            try:
                no_service = process.wait(timeout=3) != 0
            except subprocess.TimeoutExpired:
                no_service = False
            if no_service:  # no FileManager1 service: open the folder instead
                open_in_system(os.path.dirname(path))
    except OSError as error:
        return f"cannot start the file manager: {error.strerror or error}"
    return None
