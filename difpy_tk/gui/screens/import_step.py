"""Step 1: choose the folders to search and how to walk them."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Iterable
from tkinter import filedialog, ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.dnd import enable_drop
from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.widgets import (
    Collapsible,
    add_mnemonic,
    clear_when_valid,
    error_label,
    hint,
    option_message,
    read_int,
)
from difpy_tk.humanize import plural
from difpy_tk.scan.options import PX_SIZE_RANGE, OptionError
from difpy_tk.state.recent_folders import browse_start
from difpy_tk.state.settings import validate_setting

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

PX_SIZE_HINT = (
    "The width and height images are shrunk to before they are compared (default 50). Larger is "
    "more precise but slower and needs far more memory; keep the default unless you know you "
    "need more. For images that contain text, raise it in steps of 50."
)
IN_FOLDER_HINT = "Treat each folder separately: only find matches inside the same folder. Needs 2 or more folders."


def split_pasted(text: str) -> list[str]:
    """Paths separated by ';', without the quotes "Copy as path" puts around them."""
    parts = (part.strip().strip('"').strip() for part in text.split(";"))
    return [part for part in parts if part]


def folder_problem(path: str) -> str | None:
    """Why `path` cannot be imported, in words, or None when it is a folder."""
    if not os.path.exists(path):
        return "not found"
    if not os.path.isdir(path):
        return "not a folder"
    return None


SHOWN_REJECTED = 2
"""Paths explained under the paste box; more lines would push the folder list and the
Remove buttons out of a small window (eight bad paths hid both)."""


def rejected_text(rejected: list[tuple[str, str]]) -> str:
    """One line per path that is no folder to import, the first SHOWN_REJECTED of them."""
    lines = [f"{path}: {problem}" for path, problem in rejected[:SHOWN_REJECTED]]
    if len(rejected) > SHOWN_REJECTED:
        lines.append(f"and {plural(len(rejected) - SHOWN_REJECTED, 'more path')} that cannot be imported "
                     "(they stay in the box above)")
    return "\n".join(lines)


class ImportScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(
            app, "Step 1 of 2 · Import folders", "Add the folders to search for duplicate and similar images."
        )
        self.folders: list[str] = []
        self.paste_var = tk.StringVar()
        self.recursive_var = tk.BooleanVar()
        self.in_folder_var = tk.BooleanVar()
        self.px_size_var = tk.StringVar()
        self._rejected_text: str | None = None  # the paste box's text when it was found wrong

        add_row = ttk.Frame(self.content)
        add_row.pack(fill="x")
        self.browse_button = ttk.Button(add_row, text="Browse…", command=self.browse)
        self.browse_button.pack(side="left")
        self.paste_entry = ttk.Entry(add_row, textvariable=self.paste_var)
        self.paste_entry.pack(side="left", fill="x", expand=True, padx=(8, 8), ipady=2)
        self.add_button = ttk.Button(add_row, text="Add", command=self.add_pasted)
        self.add_button.pack(side="left")
        hint(self.content, "Or paste folder paths separated by “;” and press Enter.").pack(fill="x", pady=(4, 0))
        self.paste_error = error_label(self.content)
        self.paste_error.pack(fill="x")

        list_frame = ttk.Frame(self.content)
        self.listbox = tk.Listbox(
            list_frame,
            selectmode="extended",
            height=6,
            activestyle="none",
            relief="flat",
            borderwidth=0,
            highlightthickness=1,
        )
        scrollbar = ttk.Scrollbar(list_frame, orient="vertical", command=self.listbox.yview)
        self.listbox.configure(yscrollcommand=scrollbar.set)
        self.listbox.pack(side="left", fill="both", expand=True)
        scrollbar.pack(side="left", fill="y")
        self.empty_label = ttk.Label(self.listbox, style="CardHint.TLabel")  # grey on the list's colour
        self.listbox.bind("<Delete>", lambda event: self.remove_selected())
        self.listbox.bind("<BackSpace>", lambda event: self.remove_selected())
        self.listbox.bind("<<ListboxSelect>>", lambda event: self._update_state())
        buttons = ttk.Frame(list_frame)
        buttons.pack(side="left", fill="y", padx=(8, 0))
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove_selected)
        self.remove_button.pack(fill="x")
        self.clear_button = ttk.Button(buttons, text="Remove all", command=self.remove_all)
        self.clear_button.pack(fill="x", pady=(6, 0))
        self.drop_enabled = enable_drop(self.listbox, self.add_paths)

        options = ttk.Frame(self.content)
        ttk.Checkbutton(options, text="Recursive", variable=self.recursive_var).pack(anchor="w")
        hint(options, "Also search every subfolder of the imported folders.").pack(fill="x", padx=(24, 0))
        self.in_folder_check = ttk.Checkbutton(options, text="In-folder", variable=self.in_folder_var)
        self.in_folder_check.pack(anchor="w", pady=(6, 0))
        hint(options, IN_FOLDER_HINT).pack(fill="x", padx=(24, 0))

        self.advanced = Collapsible(self.content, "Advanced")
        # Packed bottom-up and the list last, so a short window shrinks the list, not the options.
        self.advanced.pack(side="bottom", fill="x", pady=(10, 0))
        options.pack(side="bottom", fill="x", pady=(12, 0))
        list_frame.pack(fill="both", expand=True, pady=(8, 0))
        px_row = ttk.Frame(self.advanced.body)
        px_row.pack(fill="x")
        ttk.Label(px_row, text="Pixel size").pack(side="left")
        low, high = PX_SIZE_RANGE
        self.px_size_spin = ttk.Spinbox(
            px_row, from_=low, to=high, increment=50, width=7, textvariable=self.px_size_var
        )
        self.px_size_spin.pack(side="left", padx=(8, 0))
        hint(self.advanced.body, PX_SIZE_HINT).pack(fill="x", pady=(4, 0))
        self.px_size_error = error_label(self.advanced.body)
        self.px_size_error.pack(fill="x")

        self.px_size_var.trace_add("write", lambda *args: clear_when_valid(self.px_size_error, self._px_size))
        self.paste_var.trace_add("write", lambda *args: self._clear_paste_error())

        self.back_button = self.nav_button("← Back", self.back)
        self.next_button = self.nav_button("Next →", self.next, primary=True)
        add_mnemonic(self.browse_button, "b")
        add_mnemonic(self.next_button, "n")

    def on_show(self) -> None:
        settings = self.app.settings
        self.recursive_var.set(settings.recursive)
        self.in_folder_var.set(settings.in_folder)
        self.px_size_var.set(str(settings.px_size))
        self.px_size_error.configure(text="")
        self.folders = []
        self.paste_var.set("")
        self.add_paths(settings.folders)
        self.paste_entry.focus_set()

    def add_paths(self, paths: Iterable[str]) -> None:
        """Import every folder among `paths`; the others stay in the paste box, explained."""
        rejected = []
        for path in paths:
            full = os.path.abspath(os.path.expanduser(path))
            problem = folder_problem(full)
            if problem:
                rejected.append((path, problem))
            elif full not in self.folders:
                self.folders.append(full)
        self._rejected_text = None
        self.paste_var.set("; ".join(path for path, _ in rejected))
        self._rejected_text = self.paste_var.get() if rejected else None
        self.paste_error.configure(text=rejected_text(rejected))
        self.paste_entry.configure(style="Invalid.TEntry" if rejected else "TEntry")
        self._refresh_list()

    def add_pasted(self) -> None:
        self.add_paths(split_pasted(self.paste_var.get()))

    def browse(self) -> None:
        """Tk's folder dialogs pick one folder at a time on every platform, so Browse turns
        into "Browse for another…" once there is a folder, and opens beside the last one chosen
        (the user's Pictures folder the first time)."""
        recent = self.app.recent
        path = filedialog.askdirectory(
            parent=self,
            title="Add another folder" if self.folders else "Add a folder",
            initialdir=browse_start(recent),
            mustexist=True,
        )
        if path:
            recent.last_browsed = os.path.dirname(os.path.normpath(path)) or path
            self.add_paths([path])

    def remove_selected(self) -> None:
        for index in sorted(self.listbox.curselection(), reverse=True):
            del self.folders[index]
        self._refresh_list()

    def remove_all(self) -> None:
        self.folders.clear()
        self._refresh_list()

    def _refresh_list(self) -> None:
        self.listbox.delete(0, "end")
        self.listbox.insert("end", *self.folders)
        if self.folders:
            self.empty_label.place_forget()
        else:
            ways = (
                "Browse, paste paths above or drop folders here" if self.drop_enabled else "Browse or paste paths above"
            )
            self.empty_label.configure(text=f"No folders yet. {ways}.")
            self.empty_label.place(relx=0.5, rely=0.5, anchor="center")
        self._update_state()

    def _update_state(self) -> None:
        """In-folder means nothing with one folder, so it is only offered from two on."""
        if len(self.folders) < 2:
            self.in_folder_var.set(False)
            self.in_folder_check.state(["disabled"])
        else:
            self.in_folder_check.state(["!disabled"])
        self.next_button.state(["!disabled"] if self.folders else ["disabled"])
        self.remove_button.state(["!disabled"] if self.listbox.curselection() else ["disabled"])
        self.clear_button.state(["!disabled"] if self.folders else ["disabled"])
        self.browse_button.configure(text="Browse for another…" if self.folders else "Browse…")

    def _px_size(self) -> int:
        """The typed pixel size; OptionError says what is wrong with it."""
        px_size = read_int(self.px_size_var.get(), "px_size")
        validate_setting("px_size", px_size)
        return px_size

    def _clear_paste_error(self) -> None:
        """The paths an error names are the ones in the box: editing them retires the message."""
        if self._rejected_text is not None and self.paste_var.get() != self._rejected_text:
            self._rejected_text = None
            self.paste_error.configure(text="")
            self.paste_entry.configure(style="TEntry")

    def store(self) -> bool:
        try:
            px_size = self._px_size()
        except OptionError as exc:
            if not self.advanced.expanded:
                self.advanced.toggle()
            self.px_size_error.configure(text=f"Pixel size: {option_message(exc)}")
            return False
        self.px_size_error.configure(text="")
        settings = self.app.settings
        settings.folders = list(self.folders)
        settings.recursive = self.recursive_var.get()
        settings.in_folder = self.in_folder_var.get()
        settings.px_size = px_size
        return True

    def next(self) -> None:
        if self.folders and self.store():
            self.app.show("configure")

    def back(self) -> None:
        self.store()
        self.app.show("menu")

    def on_return(self) -> None:
        if self.paste_var.get().strip():
            self.add_pasted()
        else:
            self.next()

    def on_escape(self) -> None:
        self.back()
