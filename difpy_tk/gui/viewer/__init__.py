"""The image viewer: review groups, keep and mark images, act on the marks safely, undo.

The app calls open_viewer from the results screen and after loading a saved result.
One viewer window at a time: opening the same result again brings its window forward;
another result replaces it (unless a file action is still running there)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence

from difpy_tk.review.journal import Journal, session_journal
from difpy_tk.review.keeper import KeeperRule
from difpy_tk.scan.result import SearchResult

ROOT_ATTRIBUTE = "_difpy_tk_viewer"
"""Where the app's root window remembers its viewer (one per app, so one per root)."""


def open_viewer(
    parent: tk.Misc,
    result: SearchResult,
    log: Callable[[str], None],
    journal: Journal | None = None,
    keeper_rule: KeeperRule | None = None,
    size: Sequence[int] = (),
    on_close: Callable[[tk.Toplevel], None] | None = None,
) -> tk.Toplevel:
    """Open (or bring forward) the viewer on result; every file action is reported
    through log (on the Tk thread) and journalled. journal defaults to the session's,
    shared by all viewers so undo covers every move of this app run. keeper_rule is the
    one in Settings (default: resolution, original format, size, date, folder). size:
    [width, height] at 96 DPI, as the viewer was last closed (default: as large as the
    screen allows); on_close(window) runs as the user closes it (to remember its size, to
    count the result again)."""
    # Imported here: the Settings dialog imports this package for ignore_settings only,
    # and should not pay for the window, Pillow's ImageTk and the thread pools.
    from difpy_tk.gui.viewer.window import ViewerWindow

    root = parent._root()
    current = getattr(root, ROOT_ATTRIBUTE, None)
    if current is not None and current.winfo_exists():
        if current.session.result is result or current.session.busy:
            if current.session.result is not result:
                current.say("Finish or stop the running action before opening another result.", error=True)
            current.deiconify()
            current.lift()
            current.focus_force()
            return current
        current.close()
    window = ViewerWindow(parent, result, log, journal or session_journal(), keeper_rule, size, on_close)
    setattr(root, ROOT_ATTRIBUTE, window)
    return window


def current_viewer(root: tk.Misc) -> tk.Toplevel | None:
    """The app's open Image Viewer, if one is open (the app and Settings ask for it)."""
    window = getattr(root._root(), ROOT_ATTRIBUTE, None)
    return window if window is not None and window.winfo_exists() else None
