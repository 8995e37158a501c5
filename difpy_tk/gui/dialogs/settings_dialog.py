"""The settings window: processes and chunksize, the cache, the theme, the not-a-duplicate list,
one tab each.

Changes apply on Save and are written to the settings file at once, so they survive a
crash as well as a restart."""

from __future__ import annotations

import logging
import tkinter as tk
from tkinter import messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk import APP_NAME
from difpy_tk.gui.dialogs.exclusions_tab import ExclusionsFrame
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
from difpy_tk.humanize import describe_error, format_bytes
from difpy_tk.scan import cache_files
from difpy_tk.scan.options import OptionError, cpu_count
from difpy_tk.state.settings import CACHE_LIMIT_MB, THEMES, Settings, save_settings, settings_path, validate_setting

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
CACHE_LIMIT_HINT = (
    "Beyond this size, the images used least recently are forgotten. 1,000 MB holds about "
    "80,000 images at pixel size 50 and 20,000 at 100 (fewer as the pixel size grows)."
)
LIMIT_FIELD = "size limit"


def _not_kept_reason(error: OSError) -> str:
    """Why the settings file cannot be written, in plain words: its folder refuses (the
    error names a temporary file of ours), or the file itself was not replaced."""
    path = settings_path()
    why = describe_error(error)
    if error.filename == str(path):
        return f"{path} was {why}" if why.startswith("not replaced") else f"{path}: {why}"
    return f"its folder {path.parent} cannot be written ({why})"


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
        self.cache_limit_var = tk.StringVar(value=str(settings.cache_limit_mb))

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

        self.exclusions_frame = ExclusionsFrame(self.add_tab("Leave out"), settings)
        self.exclusions_frame.pack(fill="both", expand=True)

        cache = self.add_tab("Cache")
        hint(cache, "Remembers decoded images, so searching the same folders again is fast.").pack(fill="x")
        row = ttk.Frame(cache)
        row.pack(fill="x", pady=(6, 0))
        ttk.Label(row, textvariable=self.cache_var).pack(side="left")
        self.clear_cache_button = ttk.Button(row, text="Clear cache", command=self.clear_cache)
        self.clear_cache_button.pack(side="right")
        self._show_cache_size()
        limit = ttk.Frame(cache)
        limit.pack(fill="x", pady=(12, 0))
        ttk.Label(limit, text="Size limit (MB)").pack(side="left")
        self.cache_limit_spin = ttk.Spinbox(
            limit,
            from_=CACHE_LIMIT_MB[0],
            to=CACHE_LIMIT_MB[1],
            increment=250,
            width=9,
            textvariable=self.cache_limit_var,
        )
        self.cache_limit_spin.pack(side="left", padx=8)
        hint(cache, CACHE_LIMIT_HINT).pack(fill="x", pady=(4, 0))
        self.cache_error = error_label(cache)
        self.cache_error.pack(fill="x")
        self.cache_tab = cache
        self.cache_limit_var.trace_add("write", lambda *args: clear_when_valid(self.cache_error, self._values))

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
        self.protected_frame = self._add_viewer_tab("protected_settings", "Protected", settings)
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
        self.cache_var.set(f"Cache size: {format_bytes(cache_files.cache_size_bytes())}")

    def clear_cache(self) -> None:
        try:
            freed = cache_files.clear_cache()
        except OSError as exc:
            self.cache_var.set(f"Could not clear the cache: {exc}")
            log.warning("could not clear the cache: %s", exc)
            return
        log.info("cache cleared, %s freed", format_bytes(freed))
        self.cache_var.set(f"Cache cleared: {format_bytes(freed)} freed.")

    def reset(self) -> None:
        defaults = Settings()
        self.processes_var.set(str(defaults.processes))
        self.chunksize_var.set("")
        self.cache_limit_var.set(str(defaults.cache_limit_mb))
        self.error.configure(text="")
        self.cache_error.configure(text="")

    def preview_theme(self) -> None:
        apply_theme(self.app.root, self.theme_var.get())

    def _values(self) -> tuple[int, int | None, int]:
        """The typed processes, chunksize and cache size limit; OptionError names the field
        that is wrong."""
        processes = read_int(self.processes_var.get(), "processes")
        validate_setting("processes", processes)
        chunksize = read_int(self.chunksize_var.get(), "chunksize", allow_blank=True)
        validate_setting("chunksize", chunksize)
        limit = read_int(self.cache_limit_var.get(), LIMIT_FIELD)
        try:
            validate_setting("cache_limit_mb", limit)
        except OptionError as exc:
            raise OptionError(LIMIT_FIELD, option_message(exc)) from None
        return processes, chunksize, limit

    def _problem(self) -> OptionError | None:
        """What is wrong with the typed numbers, or None."""
        try:
            self._values()
        except OptionError as exc:
            return exc
        return None

    def _read(self) -> tuple[int, int | None, int] | None:
        """The typed numbers, or None after showing what is wrong on the field's tab."""
        problem = self._problem()
        if problem is not None:
            label, tab = (self.cache_error, self.cache_tab) if problem.parameter == LIMIT_FIELD else (self.error, 0)
            label.configure(text=f"{problem.parameter.capitalize()}: {option_message(problem)}")
            self.notebook.select(tab)
            return None
        return self._values()

    def save(self) -> None:
        values = self._read()
        if values is None:
            return
        settings = self.app.settings
        settings.processes, settings.chunksize, settings.cache_limit_mb = values
        settings.theme = self.theme_var.get()
        for frame in (self.exclusions_frame, self.keeper_frame, self.protected_frame):
            if frame is not None:
                frame.store(settings)
        self._apply_to_open_viewer(settings)
        try:
            save_settings(settings)
        except OSError as exc:
            # They apply all the same, as the start screen promised for a folder that cannot be
            # written; said once. (The error went to a tab not shown, the dialog stayed open,
            # and Cancel then kept the change.)
            log.warning("could not save the settings: %s", exc)
            self.destroy()
            messagebox.showwarning(
                "Settings not kept",
                f"The new settings apply until {APP_NAME} closes, but they cannot be kept for next time: "
                f"{_not_kept_reason(exc)}.",
                parent=self.app.root,
            )
            return
        self.destroy()

    def _apply_to_open_viewer(self, settings: Settings) -> None:
        """An open Image Viewer follows the new keeper rule and protected folders at once: a
        folder protected while its images were marked must not be acted on by that viewer."""
        current_viewer = viewer_part(VIEWER_PACKAGE, "current_viewer")
        viewer = current_viewer(self.app.root) if current_viewer else None
        if viewer is not None:
            viewer.session.set_keeper_rule(settings.keeper_rule())

    def cancel(self) -> None:
        """Undo the theme preview; nothing else was applied yet."""
        if self.theme_var.get() != self.app.settings.theme:
            apply_theme(self.app.root, self.app.settings.theme)
        self.destroy()
