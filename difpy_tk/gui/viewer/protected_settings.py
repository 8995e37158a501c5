"""Protected folders as a Settings section: folders whose images the review never marks,
moves or trashes; a group holding one keeps it (KeeperRule.protected)."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from difpy_tk.gui.viewer.keeper_settings import OrderedList
from difpy_tk.gui.widgets import WrapLabel
from difpy_tk.state.settings import Settings

INTRO = ("Images in these folders, and in the folders inside them, are never marked, moved or "
         "trashed: an archive of originals, a backup you keep as it is. The Keeper tab's first "
         "criterion keeps such an image over its copies elsewhere, which can still be cleaned up "
         "(move it down there to keep the highest resolution first). The command line's clean "
         "takes them too, and more as --protect.")


class ProtectedFoldersFrame(ttk.Frame):
    def __init__(self, parent: tk.Misc, settings: Settings) -> None:
        super().__init__(parent, padding=4)
        WrapLabel(self, text=INTRO, style="Hint.TLabel").pack(fill="x", pady=(0, 6))
        self.folders = OrderedList(self, settings.protected_folders, height=6, editable=True, ordered=False,
                                   question="Never touch the images in which folder?")
        self.folders.pack(fill="x")

    def store(self, settings: Settings) -> None:
        """Put the list into settings (the dialog saves them)."""
        settings.protected_folders = list(self.folders.items)


def build_frame(parent: tk.Misc, settings: Settings) -> ProtectedFoldersFrame:
    """The Settings dialog's "Protected" section; call store(settings) on Save."""
    return ProtectedFoldersFrame(parent, settings)
