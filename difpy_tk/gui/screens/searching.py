"""The progress screen: which phase, how far, how long; Cancel goes back to step 2."""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.search_worker import SearchWorker
from difpy_tk.gui.widgets import add_mnemonic, option_message
from difpy_tk.humanize import plural
from difpy_tk.scan.eta import ScanEstimate
from difpy_tk.scan.options import OptionError, SearchOptions
from difpy_tk.scan.progress import PHASES
from difpy_tk.scan.result import SearchResult
from difpy_tk.state.result_history import save_result

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

PHASE_NAMES = {
    "listing": "Finding images",
    "decoding": "Reading images",
    "searching": "Comparing images",
    "verifying": "Checking close matches",
    "grouping": "Grouping matches",
}
COUNTED_IN_IMAGES = ("decoding", "searching", "verifying")
CLOCK_MS = 250


def cancelled_message(decoded: int, cached: bool) -> str:
    """What a cancel leaves behind: the images decoded so far are in the cache."""
    if decoded and cached:
        was, are = ("was", "is") if decoded == 1 else ("were", "are")
        return f"Search cancelled — {plural(decoded, 'image')} {was} already decoded and {are} kept for next time."
    return "Search cancelled."


def format_duration(seconds: float) -> str:
    """0:07, 2:05, 1:02:05: how long, at a glance."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


class SearchingScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(app, "Searching…", "You can keep using your computer; cancelling stops within a second.")
        self.worker: SearchWorker | None = None
        self.phase_var = tk.StringVar()
        self.count_var = tk.StringVar()
        self.elapsed_var = tk.StringVar()
        self.eta_var = tk.StringVar()
        self._started = 0.0
        self._search_options: SearchOptions | None = None
        self.estimate = ScanEstimate()
        self._clock: str | None = None

        box = ttk.Frame(self.content)
        box.pack(fill="x", expand=True, pady=(0, 60))  # vertically centred, a little above the middle
        ttk.Label(box, textvariable=self.phase_var, style="Big.TLabel").pack(anchor="w")
        self.progressbar = ttk.Progressbar(box, orient="horizontal", mode="determinate")
        self.progressbar.pack(fill="x", pady=(12, 8))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Label(row, textvariable=self.count_var).pack(side="left")
        ttk.Label(row, textvariable=self.eta_var, style="Hint.TLabel").pack(side="right")
        ttk.Label(box, textvariable=self.elapsed_var, style="Hint.TLabel").pack(anchor="w", pady=(4, 0))
        self.cancel_button = self.nav_button("Cancel", self.cancel)
        add_mnemonic(self.cancel_button, "c")

    def start(self, options: SearchOptions) -> None:
        self._started = time.monotonic()
        self._search_options = options
        self.estimate = ScanEstimate(full_at_once=options.full_at_once)
        self.phase_var.set("Starting…")
        self.count_var.set("")
        self.eta_var.set("")
        self.progressbar.configure(mode="indeterminate", value=0)
        self.progressbar.start(15)
        self.cancel_button.state(["!disabled"])
        self.worker = SearchWorker(
            self.app.ui,
            options,
            on_progress=self.on_progress,
            on_done=self.on_done,
            on_cancelled=self.on_cancelled,
            on_error=self.on_error,
            keep=save_result,
        )
        self._tick()

    def on_progress(self, phase: str, done: int, total: int) -> None:
        if self.worker is None or self.worker.token.cancelled:
            return
        now = time.monotonic()
        self.estimate.update(now - self._started, phase, done, total)
        name = PHASE_NAMES.get(phase, phase.capitalize())
        step = f" (step {PHASES.index(phase) + 1} of {len(PHASES)})" if phase in PHASES else ""
        self.phase_var.set(f"{name}…{step}")
        if total > 0:
            if str(self.progressbar.cget("mode")) != "determinate":
                self.progressbar.stop()
                self.progressbar.configure(mode="determinate")
            self.progressbar.configure(maximum=total, value=done)
            count = f"{done:,} of {plural(total, 'image')}" if phase in COUNTED_IN_IMAGES else f"{done:,} of {total:,}"
            if phase == "decoding" and self.estimate.cached:
                count += f" ({self.estimate.cached:,} from the cache)"
            note = self.estimate.count_note()
            if note:
                count += f" {note}"
            self.count_var.set(count)
        self._show_times(now)

    def _show_times(self, now: float) -> None:
        """Elapsed and left, both for the whole search (ScanEstimate knows each phase's cost)."""
        self.elapsed_var.set(f"Elapsed {format_duration(now - self._started)}")
        if self.worker is None or self.worker.token.cancelled:
            return
        remaining = self.estimate.remaining(now - self._started)
        if remaining is None:
            self.eta_var.set("Estimating the time left…" if now - self._started > 1 else "")
        else:
            self.eta_var.set(f"About {format_duration(remaining + 1)} left")

    def _tick(self) -> None:
        """Keeps the clock running while the engine is quiet (a long comparison, say)."""
        self._show_times(time.monotonic())
        self._clock = self.after(CLOCK_MS, self._tick)

    def _finish(self) -> None:
        self.progressbar.stop()
        if self._clock is not None:
            self.after_cancel(self._clock)
            self._clock = None
        self.worker = None

    def cancel(self) -> None:
        if self.worker is None:
            return
        self.worker.cancel()
        self.cancel_button.state(["disabled"])
        self.phase_var.set("Cancelling…")
        self.eta_var.set("")

    def on_done(self, result: SearchResult) -> None:
        self._finish()
        self.app.show_result(result, hold_input=True)

    def on_cancelled(self) -> None:
        self._finish()
        message = cancelled_message(
            self.estimate.decoded, self._search_options is not None and self._search_options.use_cache
        )
        self.app.logbook.add(message)
        self.app.show("configure")
        self.app.screens["configure"].show_notice(message)

    def on_error(self, exc: BaseException) -> None:
        self._finish()
        self.app.show("configure")
        # An option the engine refuses (too large a pixel size for the memory) is said
        # without the parameter's code name.
        reason = option_message(exc) if isinstance(exc, OptionError) else str(exc)
        messagebox.showerror("The search stopped", f"The search could not finish:\n\n{reason}", parent=self.app.root)

    def on_escape(self) -> None:
        self.cancel()
