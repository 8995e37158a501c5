"""About: what the app is, its version and licence, where its guide and logs are, and the
licences of everything it is built from (Licences…, from difpy_tk.licensing)."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import TYPE_CHECKING

from difpy_tk import APP_NAME, __version__
from difpy_tk.gui.widgets import WrapLabel, add_mnemonic, bind_dialog_keys, fit_to_screen, scrolled_text
from difpy_tk.licensing import notice_text
from difpy_tk.state.appdirs import data_dir
from difpy_tk.system_open import open_in_system

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

TAGLINE = "Find duplicate and similar images by comparing their pixels, then clean up safely."
ORIGIN = "A desktop re-creation of difPy for Desktop, free and offline."
LICENCE = "MIT licence"
GUIDE_PATH = Path(__file__).resolve().parents[2] / "assets" / "user-guide.html"
"""The user guide, a page for the web browser: package data, so the frozen builds and the
installers ship it (the README, which this button opened before, is for developers and
is in no build)."""


def guide_path() -> Path | None:
    """The user guide shipped with the app; None when this installation has none."""
    return GUIDE_PATH if GUIDE_PATH.is_file() else None


class AboutDialog(tk.Toplevel):
    def __init__(self, app: App) -> None:
        super().__init__(app.root)
        self.app = app
        self.title(f"About {APP_NAME}")
        self.transient(app.root)
        self.resizable(False, False)
        frame = ttk.Frame(self, padding=20)
        frame.pack(fill="both", expand=True)
        top = ttk.Frame(frame)
        top.pack(fill="x")
        if app.icon is not None:
            self._logo = app.icon.subsample(2)
            ttk.Label(top, image=self._logo).pack(side="left", anchor="n", padx=(0, 16))
        text = ttk.Frame(top)
        text.pack(side="left", fill="x", expand=True)
        ttk.Label(text, text=APP_NAME, style="Heading.TLabel").pack(anchor="w")
        self.version_label = ttk.Label(text, text=f"Version {__version__} · {LICENCE}", style="Hint.TLabel")
        self.version_label.pack(anchor="w")
        WrapLabel(text, text=f"{TAGLINE}\n{ORIGIN}", wraplength=340).pack(fill="x", pady=(10, 0))

        links = ttk.Frame(text)  # under the text, beside the logo
        links.pack(fill="x", pady=(12, 0))
        self.guide = guide_path()
        if self.guide is not None:
            self.guide_button = ttk.Button(
                links, text="User guide", style="Link.TButton", command=lambda: self.open(self.guide)
            )
            self.guide_button.pack(anchor="w")
        self.logs_folder = data_dir()
        self.logs_button = ttk.Button(
            links, text="Logs folder", style="Link.TButton", command=lambda: self.open(self.logs_folder)
        )
        self.logs_button.pack(anchor="w")
        WrapLabel(links, text=str(self.logs_folder), style="Hint.TLabel", wraplength=340).pack(fill="x")
        self.status = WrapLabel(frame, style="Error.TLabel", wraplength=400)
        self.status.pack(fill="x", pady=(8, 0))

        buttons = ttk.Frame(frame)
        buttons.pack(fill="x", pady=(12, 0))
        self.licences_button = ttk.Button(buttons, text="Licences…", command=self.show_licences)
        self.licences_button.pack(side="left")
        self.close_button = ttk.Button(buttons, text="Close", style="Primary.TButton", command=self.destroy)
        self.close_button.pack(side="right")
        add_mnemonic(self.licences_button, "l")
        bind_dialog_keys(self, self.destroy, self.destroy)
        fit_to_screen(self)
        self.close_button.focus_set()

    def open(self, path: Path) -> None:
        """Open the guide or the logs folder; a failure is said here, in words."""
        self.status.configure(text="")
        try:
            open_in_system(str(path))
        except OSError as exc:
            self.status.configure(text=f"Cannot open {path}: {exc.strerror or exc}")
            fit_to_screen(self)  # the message takes lines the dialog was not sized for

    def show_licences(self) -> None:
        LicencesWindow(self)


class LicencesWindow(tk.Toplevel):
    """The licence of the app and of every component it ships, to read, copy or search."""

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent)
        self.title(f"{APP_NAME} · Licences")
        self.transient(parent)
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        buttons = ttk.Frame(frame)
        buttons.pack(side="bottom", fill="x", pady=(10, 0))
        self.close_button = ttk.Button(buttons, text="Close", style="Primary.TButton", command=self.destroy)
        self.close_button.pack(side="right")
        self.text = scrolled_text(frame)
        self.text.insert("1.0", licence_text())
        self.text.configure(state="disabled")
        bind_dialog_keys(self, self.destroy, self.destroy)
        fit_to_screen(self, 720, 560)
        self.close_button.focus_set()


def licence_text() -> str:
    """difpy_tk.licensing's text, or why it is missing from this installation."""
    try:
        return notice_text()
    except OSError as exc:
        return f"The licence files are missing from this installation: {exc}"
