"""Open a file or folder in the program the system uses for it (image viewer, file manager).

One place for the three platforms, shared by the viewer's Open and About's links, so a
missing opener is explained the same way everywhere: on Linux that is `xdg-open` (the
xdg-utils package), which minimal installs and containers lack."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

LINUX_OPENER = "xdg-open"


class NoOpener(OSError):
    """The system has no program that opens files for us (Linux without xdg-open)."""


def open_in_system(path: str) -> None:
    """Hand `path` to the system's default program; arguments go as a list, never via a shell.

    Raises NoOpener when there is no such program, OSError when it cannot be started."""
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
        return
    opener = "open" if sys.platform == "darwin" else LINUX_OPENER
    try:
        child = subprocess.Popen(
            [opener, path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError as error:
        if error.filename != opener:
            raise
        raise NoOpener(
            f"no program to open files with is installed ({opener} was not found; "
            "on Linux it comes with the xdg-utils package)"
        ) from error
    # Reap it when it exits: a child nobody waits for stays a zombie process.
    threading.Thread(target=child.wait, name="difpy_tk-reap-opener", daemon=True).start()
