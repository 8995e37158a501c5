"""Optional drag and drop of folders, when the tkinterdnd2 package is installed.

It is not a dependency: without it the app creates a plain Tk root and the import
screen simply does not mention dropping."""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable

log = logging.getLogger("difpy_tk.gui")


WINDOW_CLASS = "difpy_tk"
"""The X11 window class: Linux docks match it to the desktop entry's StartupWMClass."""


def create_root() -> tk.Tk:
    """A Tk root that understands drops when tkinterdnd2 can load its Tcl extension."""
    try:
        from tkinterdnd2 import TkinterDnD
    except ImportError:
        return tk.Tk(className=WINDOW_CLASS)
    try:
        return TkinterDnD.Tk(className=WINDOW_CLASS)
    except (RuntimeError, tk.TclError) as exc:
        log.info("drag and drop is unavailable: %s", exc)
        return tk.Tk(className=WINDOW_CLASS)


def enable_drop(widget: tk.Misc, on_paths: Callable[[list[str]], None]) -> bool:
    """Make `widget` accept dropped files and folders; False when this Tk cannot."""
    try:
        from tkinterdnd2 import DND_FILES
    except ImportError:
        return False
    try:
        widget.drop_target_register(DND_FILES)
    except (AttributeError, tk.TclError):
        return False  # a plain tk.Tk root: tkdnd is not loaded in this interpreter
    widget.dnd_bind("<<Drop>>", lambda event: on_paths(list(widget.tk.splitlist(event.data))))
    return True
