"""Drag and drop of folders onto the app, through tkinterdnd2.

Tk has no drag and drop of its own; the tkinterdnd2 dependency ships the tkdnd Tcl
extension for Windows, macOS and Linux, and its TkinterDnD.Tk root loads it. Where the
extension cannot load (a platform tkdnd is not built for, or tkinterdnd2 missing from a
hand-made environment) the app logs why, creates a plain Tk root and the import screen
simply does not mention dropping."""

from __future__ import annotations

import contextlib
import logging
import tkinter as tk
from collections.abc import Callable

log = logging.getLogger("difpy_tk.gui")


WINDOW_CLASS = "difpy_tk"
"""The X11 window class: Linux docks match it to the desktop entry's StartupWMClass."""


def create_root() -> tk.Tk:
    """A Tk root that understands drops, or a plain one (logged) when tkdnd cannot load."""
    try:
        from tkinterdnd2 import TkinterDnD
    except ImportError as exc:
        log.info("drag and drop is unavailable: %s", exc)
        return tk.Tk(className=WINDOW_CLASS)
    # TkinterDnD.Tk creates the Tk window before it loads tkdnd. When the load fails that
    # window must be destroyed here: left alone it would show up as a second, empty
    # window, and the real root would be named "difpy_tk #2" (its X11 WM_CLASS instance).
    root = TkinterDnD.Tk.__new__(TkinterDnD.Tk)
    try:
        root.__init__(className=WINDOW_CLASS)
    except (RuntimeError, tk.TclError) as exc:
        log.info("drag and drop is unavailable: %s", exc)
        with contextlib.suppress(AttributeError, tk.TclError):  # Tk itself failed: no display
            root.withdraw()
            root.update_idletasks()  # ttk's pending theme setup, which fails once destroyed
            root.destroy()
        return tk.Tk(className=WINDOW_CLASS)
    return root


def enable_drop(widget: tk.Misc, on_paths: Callable[[list[str]], None]) -> bool:
    """Make `widget` accept dropped files and folders; False when this Tk cannot.

    A drop calls `on_paths` with the dropped paths: tkdnd hands them over as one Tcl
    list (%D of its <<Drop>> event), which keeps paths with spaces whole."""
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
