"""What the search found, and where to go from there: viewer, logs, export, new search."""

from __future__ import annotations

import logging
import os
import tkinter as tk
from concurrent.futures import Future
from datetime import datetime
from tkinter import filedialog, messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.dialogs.logs_dialog import LogsDialog
from difpy_tk.gui.optional import VIEWER_PACKAGE, viewer_part
from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.gui.widgets import WrapLabel, add_mnemonic
from difpy_tk.humanize import format_bytes, plural
from difpy_tk.review.keeper import KeeperRule
from difpy_tk.review.vanished import find_vanished, still_there, vanished_notice
from difpy_tk.scan.result import SearchResult
from difpy_tk.scan.result_io import PHASE_WORDS, remembered, write_csv, write_json
from difpy_tk.state import appdirs

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

log = logging.getLogger("difpy_tk.gui")

FIGURES = (
    ("duplicates", "Duplicate matches"),
    ("similar", "Similar matches"),
    ("groups", "Groups"),
    ("files", "Files searched"),
    ("invalid", "Invalid files"),
    ("skipped", "Skipped files"),
    ("duration", "Duration"),
    ("space", "Space the copies take"),
)
COLUMNS = 4
EXPORTS = {"json": ("JSON (can be reopened)", write_json), "csv": ("CSV (spreadsheet)", write_csv)}


def figures(result: SearchResult, keeper_rule: KeeperRule) -> dict[str, str]:
    """The numbers the screen shows, keyed like FIGURES (tests compare them with the core's);
    the space the copies take is counted with the keeper the viewer will show."""
    return {
        "duplicates": f"{result.duplicate_count:,}",
        "similar": f"{result.similar_count:,}",
        "groups": f"{len(result.groups):,}",
        "files": f"{result.files_searched:,}",
        "invalid": f"{len(result.invalid):,}",
        "skipped": f"{len(result.skipped) - result.left_out:,}",
        "duration": f"{sum(result.timings.values()):.1f} s",
        "space": format_bytes(keeper_rule.copies_size(result)),
    }


def headline(result: SearchResult) -> str:
    """What the search found; without groups, whether there was anything to compare (a
    new user who chose a folder of documents was told it held no duplicates)."""
    if not result.groups:
        return result.nothing_to_compare() or "No duplicate or similar images found."
    matches = plural(result.duplicate_count + result.similar_count, "match")
    return (
        f"Found {matches} in {plural(len(result.groups), 'group')}: "
        f"{result.duplicate_count:,} duplicate, {result.similar_count:,} similar."
    )


def _when(result: SearchResult) -> str:
    try:
        return datetime.fromisoformat(result.started).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return result.started


def details(result: SearchResult) -> str:
    """When it ran and where the time went, in one line."""
    parts = [f"Started {_when(result)}"]
    if result.timings:
        parts.append(
            ", ".join(f"{PHASE_WORDS.get(name, name)} {seconds:.1f} s" for name, seconds in result.timings.items())
        )
    if result.cache_hits:
        parts.append(remembered(result))
    return " · ".join(parts)


def next_steps(result: SearchResult, saved: bool = False, vanished: int = 0) -> str:
    """What to do next; saved: the result is an earlier one opened again, vanished: how
    many of its images are gone since (left out of result already, see still_there)."""
    steps = []
    if saved:
        steps.append(
            f"This is a saved result of a search started {_when(result)}: files may have changed since. "
            "No action touches a file that changed; New search looks again."
        )
    if vanished:
        steps.append(vanished_notice(vanished, "these figures"))
    if result.groups:
        steps.append("Open the Image Viewer to review each group and move or delete the lower-quality copies.")
    flagged = sum(group.low_detail for group in result.groups)
    if flagged:
        steps.append(
            f"{plural(flagged, 'group')} of mostly plain images (sky, wall, page) {'is' if flagged == 1 else 'are'} "
            "flagged low detail: such images may match without being copies, and the Mark rules leave "
            f"{'it' if flagged == 1 else 'them'} to your eye."
        )
    if result.chained:
        steps.append(
            f"{plural(len(result.chained), 'more image')} {'is' if len(result.chained) == 1 else 'are'} like an "
            "image of a group but not like the one kept: in no group, so no bulk action touches them; "
            "the viewer names each under its group."
        )
    files, folders = result.unsearched
    if files or folders:
        what = " and ".join(plural(count, noun) for count, noun in ((files, "file"), (folders, "folder")) if count)
        verb, which = ("was", "it") if files + folders == 1 else ("were", "each one")
        steps.append(f"{what} {verb} not searched; View Logs lists {which} with the reason.")
    if result.left_out:
        steps.append(f"{plural(result.left_out, 'file or folder', 'files or folders')} left out as the "
                     "search was asked (Settings › Leave out, or --exclude).")
    return "\n".join(steps)


def export_name(result: SearchResult | None, kind: str) -> str:
    """A file name that says which search it holds: "difpy_tk-Holiday-2026-12-03.json"
    (the first folder searched, the day it started); each export was "difpy_tk-result"."""
    folders = (result.parameters.get("directory") or []) if result else []
    name = os.path.basename(os.path.normpath(folders[0])) if folders else ""
    name = "".join(char if char.isalnum() or char in " -_." else "_" for char in name).strip(" .") or "result"
    day = _when(result)[:10] if result else ""
    return f"difpy_tk-{name}{'-' + day if day[:4].isdigit() else ''}.{kind}"


def count_what_is_left(result: SearchResult, rule: KeeperRule) -> tuple[SearchResult, dict[str, str], int]:
    """Off the UI thread: the result without its images gone since, its figures (whose
    space counts look at the protected folders on disk) and how many are gone."""
    vanished = find_vanished(result)
    shown = still_there(result, vanished)
    return shown, figures(shown, rule), len(vanished)


class ResultsScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(app, "Search complete")
        self.result: SearchResult | None = None
        self._saved = False
        self.shown: SearchResult | None = None
        """What the figures count: result, or a saved one without the images gone since."""
        self._looker = TkWorker(self, 1, "result-recount")
        self.headline = WrapLabel(self.content)
        self.headline.pack(fill="x")
        self.notice = WrapLabel(self.content, style="Hint.TLabel")
        """A damaged state file set aside during the search (the not-a-duplicate list: its
        hidden pairs are back), said here too: the start screen was not shown."""
        grid = ttk.Frame(self.content)
        grid.pack(fill="x", pady=(16, 0))
        self.values: dict[str, tk.StringVar] = {}
        for index, (key, label) in enumerate(FIGURES):
            card = ttk.Frame(grid, style="Card.TFrame", padding=(14, 10))
            column = 2 * (index % COLUMNS)  # odd columns are the gaps between cards
            card.grid(row=index // COLUMNS, column=column, sticky="nsew", pady=(0, 10))
            self.values[key] = tk.StringVar()
            ttk.Label(card, textvariable=self.values[key], style="CardBig.TLabel").pack(anchor="w")
            # Wrapped: in the smallest window "Duplicate matches" was cut to "Duplicate matche".
            WrapLabel(card, text=label, style="CardHint.TLabel").pack(fill="x")
        for column in range(COLUMNS):
            grid.columnconfigure(2 * column, weight=1, uniform="figures")
        for gap in range(COLUMNS - 1):
            grid.columnconfigure(2 * gap + 1, minsize=10)
        self.detail = WrapLabel(self.content, style="Hint.TLabel")
        self.detail.pack(fill="x")

        actions = ttk.Frame(self.content)
        actions.pack(fill="x", pady=(16, 0))
        # Held like the bottom bar: one of these has the focus, so Enter or Space acts on it.
        self.viewer_button = ttk.Button(
            actions, text="Open Image Viewer", style="Primary.TButton", command=self.unless_held(self.open_viewer)
        )
        self.logs_button = ttk.Button(actions, text="View Logs", command=self.unless_held(lambda: LogsDialog(app)))
        self.export_json_button = ttk.Button(
            actions, text="Export JSON…", command=self.unless_held(lambda: self.export("json"))
        )
        self.export_csv_button = ttk.Button(
            actions, text="Export CSV…", command=self.unless_held(lambda: self.export("csv"))
        )
        for button in (self.viewer_button, self.logs_button, self.export_json_button, self.export_csv_button):
            button.pack(side="left", padx=(0, 8))
        self.saved_to = WrapLabel(self.content, style="Hint.TLabel")  # "Saved to …", shown after an export
        self.next_hint = WrapLabel(self.content, style="Hint.TLabel")
        self.next_hint.pack(fill="x", pady=(10, 0))
        self._export_folder = os.path.expanduser("~")
        """Where the next export's dialog opens: the home folder, then the last one used."""

        self.menu_button = self.nav_button("Main menu", lambda: app.show("menu"))
        self.new_button = ttk.Button(self.nav, text="New search", command=self.unless_held(lambda: app.show("import")))
        self.new_button.pack(side="right")
        for button, letter in (
            (self.viewer_button, "v"),
            (self.logs_button, "l"),
            (self.new_button, "n"),
            (self.menu_button, "m"),
        ):
            add_mnemonic(button, letter)

    def show_result(self, result: SearchResult, saved: bool = False) -> None:
        """saved: an earlier result opened again (a new user took one for a new search);
        its files are then looked for off the UI thread (a network drive takes a while),
        and the figures counted again without those gone since."""
        self.result = result
        self.heading.configure(text="Saved search result" if saved else "Search complete")
        self._count(result, saved)
        self.detail.configure(text=details(result))
        self.saved_to.pack_forget()
        fresh = [notice for notice in appdirs.notices() if notice not in self.app.notices_shown]
        self.app.notices_shown.update(fresh)
        self.notice.configure(text="\n".join(fresh))
        if fresh:
            self.notice.pack(fill="x", pady=(8, 0), after=self.headline)
        else:
            self.notice.pack_forget()
        self._saved = saved
        if saved:
            self.count_what_is_left()

    def count_what_is_left(self) -> None:
        """Look for the result's images off the UI thread and count again without those
        gone: for a saved result opened again, and when the viewer closes (the figures
        still counted the copies it had just trashed)."""
        result, rule = self.result, self.app.settings.keeper_rule()
        if result is not None:
            self._looker.submit(count_what_is_left, result, rule, done=lambda left: self._left_counted(result, left))

    def _count(self, shown: SearchResult, saved: bool) -> None:
        self._show_figures(shown, figures(shown, self.app.settings.keeper_rule()), saved)

    def _show_figures(self, shown: SearchResult, values: dict[str, str], saved: bool, vanished: int = 0) -> None:
        self.shown = shown
        self.headline.configure(text=headline(shown))
        for key, value in values.items():
            self.values[key].set(value)
        self.next_hint.configure(text=next_steps(shown, saved, vanished))
        self.viewer_button.state(["!disabled"] if shown.groups else ["disabled"])

    def _left_counted(self, result: SearchResult, counted: Future) -> None:
        shown, values, vanished = counted.result()
        if result is self.result:  # not another result shown meanwhile; a file undone back counts again
            self._show_figures(shown, values, self._saved, vanished=vanished)

    def on_show(self) -> None:
        (self.viewer_button if self.shown and self.shown.groups else self.logs_button).focus_set()

    def open_viewer(self) -> None:
        """The viewer is its own package; a build without it says so instead of failing."""
        open_viewer = viewer_part(VIEWER_PACKAGE, "open_viewer")
        if open_viewer is None:
            messagebox.showinfo(
                "Image viewer",
                "The image viewer is not available in this version yet. "
                "Export the result or view the logs to see the matches.",
                parent=self,
            )
            return
        open_viewer(self.app.root, self.result, self.app.logbook.add, keeper_rule=self.app.settings.keeper_rule(),
                    size=self.app.settings.viewer_size,
                    on_close=self._viewer_closed)

    def _viewer_closed(self, window: tk.Misc) -> None:
        self.app.remember_size("viewer_size", window)
        self.count_what_is_left()

    def export(self, kind: str) -> None:
        """JSON keeps everything (and can be opened again from the menu); CSV is for spreadsheets."""
        label, writer = EXPORTS[kind]
        path = filedialog.asksaveasfilename(
            parent=self,
            title=f"Export search result as {kind.upper()}",
            defaultextension=f".{kind}",
            initialdir=self._export_folder,
            initialfile=export_name(self.result, kind),
            filetypes=[(label, f"*.{kind}"), ("All files", "*")],
        )
        if not path:
            return
        try:
            writer(self.result, path)
        except OSError as exc:
            messagebox.showerror("Export failed", f"Could not write {path}:\n{exc}", parent=self)
            return
        self._export_folder = os.path.dirname(path)
        self.saved_to.configure(text=f"Saved to {path}")
        self.saved_to.pack(fill="x", pady=(6, 0), before=self.next_hint)
        log.info("exported the result to %s", path)

    def on_return(self) -> None:
        if self.shown and self.shown.groups:
            self.open_viewer()

    def on_escape(self) -> None:
        self.app.show("menu")
