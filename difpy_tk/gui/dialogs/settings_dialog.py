"""The settings window: processes and chunksize, the cache, the theme, the not-a-duplicate list,
one tab each.

Changes apply on Save and are written to the settings file at once, so they survive a
crash as well as a restart."""

from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from difpy_tk import APP_NAME
from difpy_tk.gui.optional import VIEWER_PACKAGE, viewer_part
from difpy_tk.gui.theme import apply_theme
from difpy_tk.gui.widgets import (
    WrapLabel,
    bind_dialog_keys,
    clear_when_valid,
    error_label,
    fit_to_screen,
    hint,
    option_message,
    read_int,
)
from difpy_tk.humanize import format_bytes
from difpy_tk.scan.options import OptionError, cpu_count
from difpy_tk.state.settings import THEMES, Settings, save_settings, validate_setting

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

log = logging.getLogger("difpy_tk.gui")

WARNING = (
    "It is not recommended to change these settings unless you know what you are doing. "
    "They matter from about 5,000 images on. Fewer processes lower the CPU load; a smaller "
    "chunksize lowers memory use. Higher values are faster but use more resources."
)
PROCESSES_HINT = "Worker processes (parallel tasks) used for the search, 1 to {count}."
CHUNKSIZE_HINT = "Image sets compared at once per process. Leave blank to choose automatically."


class SettingsDialog(tk.Toplevel):
    """One tab per subject, so the window stays small enough for a 1366×768 laptop whatever
    a section adds; Save and Cancel sit below the tabs and are always visible."""

    def __init__(self, app: App) -> None:
        super().__init__(app.root)
        self.app = app
        self.title(f"{APP_NAME} · Settings")
        self.transient(app.root)
        settings = app.settings
        self.processes_var = tk.StringVar(value=str(settings.processes))
        self.chunksize_var = tk.StringVar(value="" if settings.chunksize is None else str(settings.chunksize))
        self.theme_var = tk.StringVar(value=settings.theme)
        self.cache_var = tk.StringVar()

        frame = ttk.Frame(self, padding=16)
        frame.pack(fill="both", expand=True)
        buttons = ttk.Frame(frame)
        buttons.pack(side="bottom", fill="x", pady=(12, 0))  # packed first: a short window shrinks the tabs
        self.notebook = ttk.Notebook(frame)
        self.notebook.pack(fill="both", expand=True)
        self.notebook.enable_traversal()  # Ctrl+Tab / Ctrl+Shift+Tab switch tabs

        search = self.add_tab("Search")
        WrapLabel(search, text=f"⚠ {WARNING}").pack(fill="x", pady=(0, 8))
        form = ttk.Frame(search)
        form.pack(fill="x")
        form.columnconfigure(2, weight=1)
        ttk.Label(form, text="Processes").grid(row=0, column=0, sticky="w")
        self.processes_spin = ttk.Spinbox(form, from_=1, to=cpu_count(), width=6, textvariable=self.processes_var)
        self.processes_spin.grid(row=0, column=1, sticky="w", padx=8)
        hint(form, PROCESSES_HINT.format(count=cpu_count())).grid(row=0, column=2, sticky="ew")
        ttk.Label(form, text="Chunksize").grid(row=1, column=0, sticky="w", pady=(6, 0))
        self.chunksize_entry = ttk.Entry(form, width=8, textvariable=self.chunksize_var)
        self.chunksize_entry.grid(row=1, column=1, sticky="w", padx=8, pady=(6, 0))
        hint(form, CHUNKSIZE_HINT).grid(row=1, column=2, sticky="ew", pady=(6, 0))
        self.error = error_label(search)
        self.error.pack(fill="x")
        self.reset_button = ttk.Button(search, text="Reset to defaults", command=self.reset)
        self.reset_button.pack(anchor="w", pady=(6, 0))
        for variable in (self.processes_var, self.chunksize_var):
            variable.trace_add("write", lambda *args: clear_when_valid(self.error, self._values))

        cache = self.add_tab("Cache")
        hint(cache, "Remembers decoded images, so searching the same folders again is fast.").pack(fill="x")
        row = ttk.Frame(cache)
        row.pack(fill="x", pady=(6, 0))
        ttk.Label(row, textvariable=self.cache_var).pack(side="left")
        self.clear_cache_button = ttk.Button(row, text="Clear cache", command=self.clear_cache)
        self.clear_cache_button.pack(side="right")
        self._show_cache_size()

        look = self.add_tab("Appearance")
        for theme in THEMES:
            ttk.Radiobutton(
                look,
                text=theme.capitalize(),
                value=theme,
                variable=self.theme_var,
                command=self.preview_theme,
            ).pack(anchor="w", pady=(0, 6))

        self.keeper_frame = self._add_viewer_tab("keeper_settings", "Keeper", settings)
        self._add_viewer_tab("ignore_settings", "Not-a-duplicate list")

        # Created left to right (the Tab order), packed right to left.
        self.cancel_button = ttk.Button(buttons, text="Cancel", command=self.cancel)
        self.save_button = ttk.Button(buttons, text="Save", style="Primary.TButton", command=self.save)
        self.save_button.pack(side="right")
        self.cancel_button.pack(side="right", padx=(0, 8))
        buttons.lift()  # Tab order follows the layout: the tabs' fields first, then Cancel and Save
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        bind_dialog_keys(self, self.save, self.cancel)
        fit_to_screen(self)
        self.minsize(480, 360)
        self.processes_spin.focus_set()
        self.grab_set()

    def add_tab(self, title: str) -> ttk.Frame:
        """A new tab for one subject of the settings; the caller fills the frame it returns."""
        tab = ttk.Frame(self.notebook, padding=12)
        self.notebook.add(tab, text=title)
        return tab

    def _add_viewer_tab(self, module: str, title: str, *arguments: object) -> ttk.Frame | None:
        """The viewer package owns the keeper rule and the not-a-duplicate list; their
        editors get a tab here when the package is present."""
        build_frame = viewer_part(f"{VIEWER_PACKAGE}.{module}", "build_frame")
        if build_frame is None:
            return None
        frame = build_frame(self.add_tab(title), *arguments)
        frame.pack(fill="both", expand=True)
        return frame

    def _show_cache_size(self) -> None:
        # core.cache imports numpy; the app opens faster without it until it is needed
        from difpy_tk.scan.cache import cache_size_bytes

        self.cache_var.set(f"Cache size: {format_bytes(cache_size_bytes())}")

    def clear_cache(self) -> None:
        from difpy_tk.scan.cache import clear_cache

        try:
            clear_cache()
        except OSError as exc:
            self.cache_var.set(f"Could not clear the cache: {exc}")
            log.warning("could not clear the cache: %s", exc)
            return
        log.info("cache cleared")
        self._show_cache_size()

    def reset(self) -> None:
        defaults = Settings()
        self.processes_var.set(str(defaults.processes))
        self.chunksize_var.set("")
        self.error.configure(text="")

    def preview_theme(self) -> None:
        apply_theme(self.app.root, self.theme_var.get())

    def _values(self) -> tuple[int, int | None]:
        """The typed processes and chunksize; OptionError names the field that is wrong."""
        processes = read_int(self.processes_var.get(), "processes")
        validate_setting("processes", processes)
        chunksize = read_int(self.chunksize_var.get(), "chunksize", allow_blank=True)
        validate_setting("chunksize", chunksize)
        return processes, chunksize

    def _problem(self) -> str | None:
        """What is wrong with the typed numbers, in words, or None."""
        try:
            self._values()
        except OptionError as exc:
            return f"{exc.parameter.capitalize()}: {option_message(exc)}"
        return None

    def _read(self) -> tuple[int, int | None] | None:
        """The typed processes and chunksize, or None after showing what is wrong (on its tab)."""
        problem = self._problem()
        if problem is not None:
            self.error.configure(text=problem)
            self.notebook.select(0)
            return None
        return self._values()

    def save(self) -> None:
        values = self._read()
        if values is None:
            return
        settings = self.app.settings
        settings.processes, settings.chunksize = values
        settings.theme = self.theme_var.get()
        if self.keeper_frame is not None:
            self.keeper_frame.store(settings)
        try:
            save_settings(settings)
        except OSError as exc:
            self.error.configure(text=f"The settings could not be saved: {exc}")
            log.warning("could not save the settings: %s", exc)
            return
        self.destroy()

    def cancel(self) -> None:
        """Undo the theme preview; nothing else was applied yet."""
        if self.theme_var.get() != self.app.settings.theme:
            apply_theme(self.app.root, self.app.settings.theme)
        self.destroy()
