"""The image viewer: review groups, compare images, move or delete them safely, undo.

The app calls open_viewer from the results screen and after loading a saved result."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable

from difpy_tk.review.journal import Journal, session_journal
from difpy_tk.scan.result import SearchResult


def open_viewer(
    parent: tk.Misc, result: SearchResult, log: Callable[[str], None], journal: Journal | None = None
) -> tk.Toplevel:
    """Open a viewer window on result; every file action is reported through log (on the
    Tk thread) and journalled. journal defaults to the session's, shared by all viewers
    so "Undo all" covers every move of this app run."""
    # Imported here: the Settings dialog imports this package for ignore_settings only,
    # and should not pay for the window, Pillow's ImageTk and the thread pools.
    from difpy_tk.gui.viewer.window import ViewerWindow

    return ViewerWindow(parent, result, log, journal or session_journal())
