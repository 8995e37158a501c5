"""The search log in a read-only window, with Copy and Save.

It shows the search's own log (parameters, timings, every invalid and skipped file with
its reason) followed by the session log, which keeps growing while the window is open
(the viewer's file actions, for instance)."""

from __future__ import annotations

import tkinter as tk
from tkinter import filedialog, messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk import APP_NAME
from difpy_tk.gui.widgets import fit_to_screen, scrolled_text
from difpy_tk.scan.result_io import format_log

if TYPE_CHECKING:
    from difpy_tk.gui.app import App


def log_text(app: App) -> str:
    search_log = f"{format_log(app.result).rstrip()}\n\n" if app.result is not None else ""
    return "".join([search_log, "Session log\n", *(f"{line}\n" for line in app.logbook.lines)])


class LogsDialog(tk.Toplevel):
    def __init__(self, app: App) -> None:
        super().__init__(app.root)
        self.app = app
        self.title(f"{APP_NAME} · Search log")
        self.transient(app.root)
        fit_to_screen(self, 760, 520)
        self.minsize(480, 300)
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        buttons = ttk.Frame(frame)
        buttons.pack(side="bottom", fill="x", pady=(10, 0))
        self.copy_button = ttk.Button(buttons, text="Copy", command=self.copy)
        self.copy_button.pack(side="left")
        self.save_button = ttk.Button(buttons, text="Save…", command=self.save)
        self.save_button.pack(side="left", padx=(8, 0))
        self.close_button = ttk.Button(buttons, text="Close", style="Primary.TButton", command=self.destroy)
        self.close_button.pack(side="right")
        self.text = scrolled_text(frame)
        self.text.insert("1.0", log_text(app))
        self.text.configure(state="disabled")
        self._unsubscribe = app.logbook.subscribe(self.append)
        self.bind("<Destroy>", self._on_destroy, add="+")
        self.bind("<Escape>", lambda event: self.destroy())
        self.bind("<Control-c>", lambda event: self.copy())
        self.close_button.focus_set()

    def append(self, line: str) -> None:
        self.text.configure(state="normal")
        self.text.insert("end", line + "\n")
        self.text.configure(state="disabled")
        self.text.see("end")

    def contents(self) -> str:
        return self.text.get("1.0", "end-1c")

    def copy(self) -> None:
        """The selection if there is one, else the whole log."""
        ranges = self.text.tag_ranges("sel")
        self.clipboard_clear()
        self.clipboard_append(self.text.get(*ranges) if ranges else self.contents())

    def save(self) -> None:
        path = filedialog.asksaveasfilename(
            parent=self,
            title="Save search log",
            defaultextension=".txt",
            initialfile="difpy_tk-log.txt",
            filetypes=[("Text", "*.txt"), ("All files", "*")],
        )
        if not path:
            return
        try:
            with open(path, "w", encoding="utf-8") as file:
                file.write(self.contents())
        except OSError as exc:
            messagebox.showerror("Save failed", f"Could not write {path}:\n{exc}", parent=self)

    def _on_destroy(self, event: tk.Event) -> None:
        if event.widget is self:
            self._unsubscribe()
