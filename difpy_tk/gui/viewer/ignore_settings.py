"""The not-a-duplicate list as a Settings section: see what was hidden and bring it back.

The Settings dialog embeds build_frame(parent); the list is read from disk each time the
frame is shown, so entries hidden in a viewer meanwhile appear without a restart."""

from __future__ import annotations

import os
import tkinter as tk
from tkinter import messagebox, ttk

from difpy_tk.gui.widgets import WrapLabel
from difpy_tk.review import ignore_list


class IgnoreListFrame(ttk.Frame):
    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, padding=4)
        ttk.Label(self, style="Hint.TLabel", wraplength=520, justify="left", text=(
            "Images you marked as “Not a duplicate” in the image viewer. They stay hidden in "
            "later searches; remove an entry to see them as matches again.")).grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 6))
        self.tree = ttk.Treeview(self, columns=("kind", "images", "added"), show="headings", height=8)
        for column, title, width in (("kind", "Kind", 70), ("images", "Images", 380), ("added", "Added", 150)):
            self.tree.heading(column, text=title, anchor="w")
            self.tree.column(column, width=width, stretch=column == "images")
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=1, column=0, sticky="nsew")
        scroll.grid(row=1, column=1, sticky="ns")
        buttons = ttk.Frame(self)
        buttons.grid(row=2, column=0, columnspan=2, sticky="w", pady=(6, 0))
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove_selected)
        self.remove_button.pack(side="left")
        self.count = ttk.Label(buttons, style="Hint.TLabel")
        self.count.pack(side="left", padx=10)
        self.rowconfigure(1, weight=1)
        self.columnconfigure(0, weight=1)
        self.detail = WrapLabel(self, style="Hint.TLabel")  # long paths wrap instead of losing their ends
        self.detail.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(6, 0))
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._update_button())
        self.tree.bind("<Delete>", lambda _e: self.remove_selected())
        self.bind("<Map>", lambda _e: self.refresh())
        self._entries: dict[str, ignore_list.IgnoreEntry] = {}
        self.refresh()

    def refresh(self) -> None:
        self.tree.delete(*self.tree.get_children())
        self._entries.clear()
        entries = ignore_list.load()
        for number, entry in enumerate(entries):
            iid = str(number)
            self._entries[iid] = entry
            added = entry.added.replace("T", " ")[:16]
            self.tree.insert("", "end", iid=iid, values=(entry.kind, short_names(entry.paths), added))
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        self.count.configure(text=count if entries else "The list is empty.")
        self._update_button()

    def _update_button(self) -> None:
        """Enable Remove and show the selected entry's full paths."""
        selection = self.tree.selection()
        self.remove_button.state(["!disabled"] if selection else ["disabled"])
        self.detail.configure(text="\n".join(self._entries[selection[0]].paths) if selection else "")

    def remove_selected(self) -> None:
        selected = [self._entries[iid] for iid in self.tree.selection()]
        try:
            for entry in selected:
                ignore_list.remove(entry)
        except OSError as error:
            messagebox.showerror("Not-a-duplicate list", f"Could not save the list: {error}", parent=self)
        self.refresh()


def short_names(paths: tuple[str, ...]) -> str:
    """The paths below their common folder, so same-named copies stay distinguishable."""
    try:
        common = os.path.commonpath(paths)
    except ValueError:  # different drives
        return " ↔ ".join(paths)
    return " ↔ ".join(os.path.relpath(path, common) if common else path for path in paths)


def build_frame(parent: tk.Misc) -> ttk.Frame:
    """The Settings dialog's "Not-a-duplicate list" section."""
    return IgnoreListFrame(parent)
