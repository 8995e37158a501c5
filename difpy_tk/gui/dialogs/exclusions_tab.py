"""The Settings dialog's "Leave out" tab: what every search leaves out (SearchOptions.exclude).

A pattern is typed (a name with * and ?, such as a NAS's "@eaDir" thumbnail folders) or a
folder is chosen; the list is stored on Save."""

from __future__ import annotations

import tkinter as tk
from tkinter import filedialog, ttk

from difpy_tk.gui.widgets import WrapLabel
from difpy_tk.scan.options import OptionError, SearchOptions
from difpy_tk.state.settings import Settings

INTRO = ("Every search leaves these out. A folder chosen with Add folder… is left out with all "
         "the folders inside it; a name (with * and ? as wildcards) leaves out every file and "
         "folder of that name: @eaDir (a NAS's thumbnails), .git, *_thumb.jpg. A folder you choose "
         "in step 1 is searched all the same.")


class ExclusionsFrame(ttk.Frame):
    def __init__(self, parent: tk.Misc, settings: Settings) -> None:
        super().__init__(parent, padding=4)
        self.patterns = list(settings.exclude)
        WrapLabel(self, text=INTRO, style="Hint.TLabel").pack(fill="x", pady=(0, 6))
        row = ttk.Frame(self)
        row.pack(fill="x")
        self.listbox = tk.Listbox(row, height=6, activestyle="dotbox", exportselection=False)
        self.listbox.pack(side="left", fill="both", expand=True)
        buttons = ttk.Frame(row)
        buttons.pack(side="left", anchor="n", padx=(8, 0))
        self.add_folder_button = ttk.Button(buttons, text="Add folder…", command=self.add_folder)
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove)
        for button in (self.add_folder_button, self.remove_button):
            button.pack(fill="x", pady=(0, 4))
        typed = ttk.Frame(self)
        typed.pack(fill="x", pady=(8, 0))
        ttk.Label(typed, text="Name:").pack(side="left")
        self.name_var = tk.StringVar()
        self.name_entry = ttk.Entry(typed, textvariable=self.name_var)
        self.name_entry.pack(side="left", fill="x", expand=True, padx=8)
        self.name_entry.bind("<Return>", lambda _e: self.add_name() or "break")
        self.add_name_button = ttk.Button(typed, text="Add name", command=self.add_name)
        self.add_name_button.pack(side="left")
        self.error = ttk.Label(self, style="Error.TLabel")
        self.error.pack(fill="x", pady=(4, 0))
        self.fill()

    def fill(self) -> None:
        self.listbox.delete(0, "end")
        for pattern in self.patterns:
            self.listbox.insert("end", pattern)

    def _add(self, pattern: str) -> None:
        """Add a pattern the search can take (said in the tab when it cannot)."""
        pattern = pattern.strip()
        if not pattern or pattern in self.patterns:
            return
        try:
            SearchOptions(inputs=(".",), exclude=(pattern,))
        except OptionError as error:
            self.error.configure(text=str(error))
            return
        self.error.configure(text="")
        self.patterns.append(pattern)
        self.fill()

    def add_folder(self) -> None:
        folder = filedialog.askdirectory(parent=self, title="Leave out which folder?", mustexist=True)
        if folder:
            self._add(folder)

    def add_name(self) -> None:
        self._add(self.name_var.get())
        if not self.error.cget("text"):
            self.name_var.set("")

    def remove(self) -> None:
        selection = self.listbox.curselection()
        if selection:
            del self.patterns[selection[0]]
            self.fill()

    def store(self, settings: Settings) -> None:
        """Put the list into settings (the dialog saves them)."""
        settings.exclude = list(self.patterns)
