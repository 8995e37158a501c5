"""The main menu: start a search, see an earlier result again, search earlier folders again,
put back the files an earlier run moved, settings, about."""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from tkinter import filedialog, messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk import APP_NAME, __version__
from difpy_tk.gui.dialogs.about_dialog import TAGLINE, AboutDialog
from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.gui.widgets import add_mnemonic, hint
from difpy_tk.humanize import first_few, folder_names, plural
from difpy_tk.review import actions, ignore_list
from difpy_tk.review.journal import ActionResult, MoveIntent, earlier_run_moves, session_journal
from difpy_tk.scan.result import SearchResult
from difpy_tk.scan.result_io import load_json
from difpy_tk.state import appdirs
from difpy_tk.state.result_history import SavedResult, describe, load_saved, saved_results

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

log = logging.getLogger("difpy_tk.gui")
NOTICE_WIDTH = 60
"""Characters a line of a start-screen notice holds: wider than the buttons, within the smallest window."""


class MenuScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(app, "")
        self._center = center = ttk.Frame(self.content)
        center.place(relx=0.5, rely=0.45, anchor="center")
        self._logo_label: ttk.Label | None = None
        if app.icon is not None:
            self._logo = app.icon.subsample(2)
            self._logo_label = ttk.Label(center, image=self._logo)
            self._logo_label.pack(pady=(0, 8))
        self._title = ttk.Label(center, text=APP_NAME, style="Title.TLabel")
        self._title.pack()
        self._tagline = hint(center, TAGLINE, width=46, anchor="center", justify="center")
        self._tagline.pack(pady=(4, 20))
        self.start_button = ttk.Button(
            center, text="Start Search", style="Big.Primary.TButton", command=lambda: app.show("import")
        )
        self.start_button.pack(fill="x", pady=(0, 10))
        add_mnemonic(self.start_button, "s")

        grid = ttk.Frame(center)
        grid.pack(fill="x")
        grid.columnconfigure((0, 1), weight=1, uniform="menu")
        self.last_button = ttk.Button(grid, text="Open last result", style="Big.TButton", command=self.open_last)
        self.recent_results_button, self.recent_results = self._drop_down(grid, "Recent results")
        self.recent_folders_button, self.recent_folders = self._drop_down(grid, "Recent folders")
        self.open_button = ttk.Button(
            grid, text="Open saved result…", style="Big.TButton", command=self.open_saved_result
        )
        self.settings_button = ttk.Button(
            grid, text="Settings…", style="Big.TButton", command=lambda: SettingsDialog(app)
        )
        self.about_button = ttk.Button(grid, text="About", style="Big.TButton", command=lambda: AboutDialog(app))
        buttons = (
            self.last_button,
            self.recent_results_button,
            self.recent_folders_button,
            self.open_button,
            self.settings_button,
            self.about_button,
        )
        for index, button in enumerate(buttons):  # two columns, read left to right like Tab goes
            left = index % 2 == 0
            button.grid(row=index // 2, column=index % 2, sticky="ew", padx=(0, 6) if left else 0, pady=(0, 6))
        add_mnemonic(self.last_button, "l")
        # Shown only while an earlier run left moves to undo: the viewer's Undo covers its own
        # session only, and "Undo puts moved files back" must hold after a restart too.
        self.put_back_button = ttk.Button(grid, style="Big.TButton", command=self.put_back)
        self.put_back_button.grid(row=len(buttons) // 2, column=0, columnspan=2, sticky="ew", pady=(0, 6))
        self._moves: list[MoveIntent] = []
        self._mover = TkWorker(self, 1, "put-back")
        self.notices = ttk.Frame(center)
        self.notices.pack(fill="x")
        ttk.Label(self.nav, text=f"Version {__version__}", style="Hint.TLabel").pack(side="left")

    def _drop_down(self, parent: tk.Misc, text: str) -> tuple[ttk.Menubutton, tk.Menu]:
        button = ttk.Menubutton(parent, text=text, style="Big.TMenubutton", direction="below")
        menu = tk.Menu(button, tearoff=False)
        button.configure(menu=menu)
        return button, menu

    def on_show(self) -> None:
        self.refresh()
        self.start_button.focus_set()

    def refresh(self) -> None:
        """Fill the two drop-downs from what is stored; empty ones are disabled, not hidden.
        Reading the stored results may set a damaged index aside: the notices come after."""
        self.history = saved_results()
        self._fill(self.recent_results, [(describe(entry), self._opener(entry)) for entry in self.history])
        self.last_button.state(["!disabled"] if self.history else ["disabled"])
        self.recent_results_button.state(["!disabled"] if self.history else ["disabled"])
        sets = self.app.recent.sets
        self._fill(self.recent_folders, [(folder_names(folders, 70), self._importer(folders)) for folders in sets])
        self.recent_folders_button.state(["!disabled"] if sets else ["disabled"])
        self._moves = earlier_run_moves(session_journal())
        if self._moves and not self._mover.busy:
            self.put_back_button.configure(text=f"Put back the files moved {self._when()}…")
            self.put_back_button.grid()
        else:
            self.put_back_button.grid_remove()
        self._show_notices()

    def _show_notices(self) -> None:
        """Folders that cannot be written and damaged state files set aside, in plain words:
        wider than the buttons, in place of the logo and the tagline, from the top, so four
        of them still fit the smallest window (they ran off its bottom, the logo off its top)."""
        for label in self.notices.winfo_children():
            label.destroy()
        notices = appdirs.notices()
        self.app.notices_shown.update(notices)
        for notice in notices:
            hint(self.notices, notice, width=NOTICE_WIDTH, anchor="center", justify="center").pack(pady=(8, 0))
        if notices:
            for widget in (self._logo_label, self._tagline):
                if widget is not None:
                    widget.pack_forget()
            self._title.pack_configure(pady=(0, 12))
            self._center.place_configure(rely=0.0, anchor="n")  # centred, the title would go above the top
        else:
            if self._logo_label is not None and not self._logo_label.winfo_manager():
                self._logo_label.pack(pady=(0, 8), before=self._title)
            if not self._tagline.winfo_manager():
                self._tagline.pack(pady=(4, 20), after=self._title)
            self._title.pack_configure(pady=0)
            self._center.place_configure(rely=0.45, anchor="center")

    @staticmethod
    def _fill(menu: tk.Menu, items: list[tuple[str, Callable[[], None]]]) -> None:
        menu.delete(0, "end")
        for label, command in items:
            menu.add_command(label=label, command=command)

    def _opener(self, entry: SavedResult) -> Callable[[], None]:
        return lambda: self.open_saved(entry)

    def _importer(self, folders: list[str]) -> Callable[[], None]:
        def search_again() -> None:
            self.app.settings.folders = list(folders)
            self.app.show("import")

        return search_again

    def open_last(self) -> None:
        if self.history:
            self.open_saved(self.history[0])

    def open_saved(self, entry: SavedResult) -> None:
        """A result from the history, as if its search had just finished."""
        try:
            result = load_saved(entry)
        except (OSError, ValueError) as exc:
            messagebox.showerror("Cannot open this result", f"{describe(entry)}\n\n{exc}", parent=self)
            self.refresh()
            return
        self._show(result)

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
                f"{path}\n\nis not a saved search result that {APP_NAME} can read:\n{exc}",
                parent=self,
            )
            return
        self._show(result)

    def put_back(self) -> None:
        """Move back the files the last earlier run moved (in the app or by `difpy-tk
        clean`), as `difpy-tk undo` does: each only if it is still the file that was moved
        and its old name is free."""
        moves = list(reversed(self._moves))
        if not moves or self._mover.busy:
            return
        question = (
            f"Move {plural(len(moves), 'file')} back to where {'it was' if len(moves) == 1 else 'they were'} "
            f"before the clean-up {self._when()}?\n\n{first_few([intent.source for intent in moves], 3)}\n\n"
            "A file goes back only if it is still the file that was moved and nothing took its old name."
        )
        if not messagebox.askyesno("Put back moved files", question, parent=self):
            return
        self.put_back_button.state(["disabled"])
        journal = session_journal()
        self._mover.submit(
            lambda: [actions.move_back(journal, intent) for intent in moves], done=self._put_back_done
        )

    def _when(self) -> str:
        """When the moves offered were made ("on 2026-12-03 13:07"): after one clean-up is
        put back, the one before it is offered, and the two must not read alike."""
        try:
            return "on " + datetime.fromisoformat(self._moves[-1].time).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return "last time"

    def _put_back_done(self, future: Future) -> None:
        self.put_back_button.state(["!disabled"])
        try:
            results: list[ActionResult] = future.result()
        except Exception as exc:  # an unexpected failure: said, logged, and the menu stays usable
            log.exception("putting back moved files failed")
            messagebox.showerror("Put back moved files", f"The files could not be put back:\n\n{exc}", parent=self)
            self.refresh()
            return
        done = sum(result.ok for result in results)
        failed = [f"{result.source}: {result.reason}" for result in results if not result.ok]
        text = f"Put back {plural(done, 'file')}."
        if failed:
            text += f"\n\n{plural(len(failed), 'file')} stayed where {'it is' if len(failed) == 1 else 'they are'}:\n"
            text += "\n".join(failed[:5]) + ("\n…" if len(failed) > 5 else "")
        (messagebox.showwarning if failed else messagebox.showinfo)("Put back moved files", text, parent=self)
        self.refresh()

    def _show(self, result: SearchResult) -> None:
        """An earlier result as a new search would show it now: without the pairs marked
        "Not a duplicate" since it was saved (a new user saw them again on reopening it)."""
        self.app.logbook.clear()
        self.app.show_result(ignore_list.filter_result(result), saved=True)
