"""The main menu: start a search, reopen a saved one, settings, about."""

from __future__ import annotations

from tkinter import filedialog, messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk import __version__
from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.widgets import add_mnemonic, hint
from difpy_tk.scan.result_io import load_json
from difpy_tk.state import appdirs

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

TAGLINE = "Find duplicate and similar images by comparing their pixels, then clean up safely."


class MenuScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(app, "")
        center = ttk.Frame(self.content)
        center.place(relx=0.5, rely=0.45, anchor="center")
        if app.icon is not None:
            self._logo = app.icon.subsample(2)
            ttk.Label(center, image=self._logo).pack(pady=(0, 8))
        ttk.Label(center, text="difpy_tk", style="Title.TLabel").pack()
        hint(center, TAGLINE, width=46, anchor="center", justify="center").pack(pady=(4, 24))
        self.start_button = ttk.Button(
            center, text="Start Search", style="Big.Primary.TButton", command=lambda: app.show("import")
        )
        self.start_button.pack(fill="x", pady=(0, 10))
        add_mnemonic(self.start_button, "s")
        self.open_button = ttk.Button(
            center, text="Open saved result…", style="Big.TButton", command=self.open_saved_result
        )
        self.settings_button = ttk.Button(
            center, text="Settings…", style="Big.TButton", command=lambda: SettingsDialog(app)
        )
        self.about_button = ttk.Button(center, text="About", style="Big.TButton", command=self.about)
        for button in (self.open_button, self.settings_button, self.about_button):
            button.pack(fill="x", pady=(0, 6))
        for notice in appdirs.notices():  # a folder that cannot be written, said once in plain words
            hint(center, notice, width=46, anchor="center", justify="center").pack(pady=(10, 0))
        ttk.Label(self.nav, text=f"Version {__version__}", style="Hint.TLabel").pack(side="left")

    def on_show(self) -> None:
        self.start_button.focus_set()

    def on_return(self) -> None:
        self.start_button.invoke()

    def open_saved_result(self) -> None:
        """Show a result exported earlier as JSON, as if the search had just finished."""
        path = filedialog.askopenfilename(
            parent=self,
            title="Open saved result",
            filetypes=[("Search results", "*.json"), ("All files", "*")],
        )
        if not path:
            return
        try:
            result = load_json(path)
        except (OSError, ValueError) as exc:  # what load_json raises for an unreadable file
            messagebox.showerror(
                "Cannot open this file",
                f"{path}\n\nis not a saved search result that difpy_tk can read:\n{exc}",
                parent=self,
            )
            return
        self.app.logbook.clear()
        self.app.show_result(result)

    def about(self) -> None:
        messagebox.showinfo(
            "About difpy_tk",
            f"difpy_tk {__version__}\n\n{TAGLINE}\n\nA desktop re-creation of difPy for Desktop.",
            parent=self,
        )
