"""The image viewer window: the group list on the left; on the right the current group as
cards, or all matches as a table; the Mark and Act menus on top; the marks bar, status,
Stop and Undo below.

It renders a ReviewSession and forwards every user decision to it: the session decides
what is kept, what is marked, what an action touches and what happened. The window is
the session's view (ReviewView): it confirms plans, chooses folders, runs the file work
in a worker thread and shows outcomes."""

from __future__ import annotations

import os
import time
import tkinter as tk
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from tkinter import filedialog, messagebox, ttk
from typing import Any

from difpy_tk import APP_NAME
from difpy_tk.gui.viewer.card import CardFacts, ImageCard, elide
from difpy_tk.gui.viewer.confirm import ConfirmDialog, common_folder
from difpy_tk.gui.viewer.desktop import show_in_folder
from difpy_tk.gui.viewer.group_list import GroupList, GroupRow
from difpy_tk.gui.viewer.preview import PreviewWindow
from difpy_tk.gui.viewer.styles import configure_styles
from difpy_tk.gui.viewer.table import MatchTable
from difpy_tk.gui.viewer.thumbnails import ThumbnailCache
from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.gui.widgets import WrapLabel, fit_to_screen, join_unbroken, shortcut_modifier
from difpy_tk.humanize import first_few, format_bytes, plural
from difpy_tk.review import actions
from difpy_tk.review.journal import Journal
from difpy_tk.review.keeper import KeeperRule
from difpy_tk.review.marking import MarkRule, as_large_note
from difpy_tk.review.session import FLAGS, ActionKind, Plan, Report, ReviewSession
from difpy_tk.scan.frames import UNCOUNTED
from difpy_tk.scan.result import SearchResult

MIN_BOX, MAX_BOX, BOX_STEP = 150, 360, 30
"""Thumbnail sizes: they grow with the window in steps (each size is decoded apart)."""
CARD_CHROME = 76
"""A card's width beyond its thumbnail: padding and the text allowed past the picture."""
CARD_TEXT_HEIGHT = 200
"""A card's height beyond its thumbnail: mark and badge, name, folder, facts, date,
other names and buttons."""
CARD_GAP = 10
"""Pixels between cards, right of and below each one."""
CARDS_PER_PAGE = 40
PREFETCH_GROUPS = 2
PROGRESS_MS = 200
SHOWN_FAILURES = 12
INCLUDE_FLAGGED = "Include flagged groups (low detail, several pages)"
"""The Mark menu's tick for the groups rules leave alone (ReviewSession.flags)."""
KIND_CHOICES = {
    "All groups": "all",
    "Duplicates (identical)": "duplicates",
    "Similar": "similar",
    "Flagged (left to your eye)": "flagged",
}
KEYS_HINT = ("← →: groups · ↑ ↓: images · Space: mark · K: keep this one · Enter: preview · "
             "Delete: Trash marked… · Ctrl+M: move marked… · Ctrl+Z: undo · Ctrl+W: close. Marking touches no file.")
TEXT_INPUT = ("TEntry", "Entry", "TCombobox")
"""Widget classes where Left/Right/Home/End move the text cursor, not between groups."""
NOT_INTERACTIVE = ("TButton", "TCheckbutton", "TMenubutton", "Button", "Treeview", *TEXT_INPUT)
"""Widget classes where Space, Enter and Up/Down belong to the widget, not to the window."""

VIEWER_TITLE = f"{APP_NAME} · Image Viewer"  # the one product name (difpy_tk.APP_NAME) on every window
VIEWER_SIZE = (1800, 1100)
"""At 96 DPI; a smaller screen gets all of itself (widgets.fit_to_screen)."""


def choose_box(width: int, count: int, narrowest: int = 0, height: int = 0) -> int:
    """The thumbnail size for a canvas width and a group of count images: as large as
    the cards a row holds allow, between MIN_BOX and MAX_BOX, in BOX_STEP steps.
    narrowest: the width a card cannot go below (its row of buttons in the theme's font);
    height: the canvas height, so a whole card (picture, facts, buttons) stays in view."""
    card = max(MIN_BOX + CARD_CHROME, narrowest)
    columns = max(1, min(count, width // (card + CARD_GAP)))
    box = width // columns - CARD_CHROME - CARD_GAP
    if height:
        box = min(box, height - CARD_TEXT_HEIGHT)
    return max(MIN_BOX, min(MAX_BOX, box - box % BOX_STEP))


class ViewerWindow(tk.Toplevel):
    def __init__(self, parent: tk.Misc, result: SearchResult, log: Callable[[str], None], journal: Journal,
                 keeper_rule: KeeperRule | None = None, size: Sequence[int] = (),
                 on_close: Callable[[tk.Toplevel], None] | None = None) -> None:
        super().__init__(parent)
        self.title(VIEWER_TITLE)
        fit_to_screen(self, *(size or VIEWER_SIZE))
        self.on_close = on_close
        self.minsize(820, 540)
        self.log = log
        self.session = ReviewSession(result, self, journal, keeper_rule)
        self.box = MIN_BOX
        self.thumbnails = ThumbnailCache(self, self.box)
        self.file_worker = TkWorker(self, 1, "file-actions")
        self.current_group: int | None = None
        self.current_path: str | None = None
        self._move_folder = os.path.expanduser("~")
        self.last_switch_ms = 0.0
        """How long the last group switch took on the Tk thread (shown cards, no decoding)."""
        self._cards: list[ImageCard] = []
        self._rows: list[int] = []
        """Group numbers in list order, and each one's position: the Treeview's own
        get_children() costs milliseconds at 10,000 rows, too much for every keypress."""
        self._position: dict[int, int] = {}
        self._list_fitted_to = 0
        """The width of the panes the group list's width was last fitted to."""
        self._list_job: str | None = None
        self._card_limit = CARDS_PER_PAGE
        self._columns = 1
        self._table_stale = True
        self._resize_job: str | None = None
        self._tick_id: str | None = None
        self.scope = tk.StringVar(self, value="shown")
        self.include_flagged = tk.BooleanVar(self, value=False)
        self._build_toolbar()
        self._build_body()
        self._build_footer()
        self._restyle()
        self._theme_shown = self._theme_signature()
        # Tk sends <<ThemeChanged>> to every widget, and the window's binding sees them all.
        self.bind("<<ThemeChanged>>", lambda e: self._theme_changed() if e.widget is self else None, add="+")
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._bind_keys()
        self.protocol("WM_DELETE_WINDOW", self.request_close)
        self.bind("<Destroy>", self._destroyed, add="+")
        self.fill_group_list()
        self._update_bar()
        self.file_worker.submit(self.session.find_vanished, done=self._vanished_found)

    # ----- layout -------------------------------------------------------------------

    def _restyle(self) -> None:
        muted = configure_styles(self)
        style = ttk.Style(self)
        self.group_list.restyle(muted)
        self.canvas.configure(background=str(style.lookup("TFrame", "background")))
        self.table.restyle(str(style.lookup("CardKept.TLabel", "foreground")),
                           str(style.lookup("CardMarked.TLabel", "foreground")))

    def _theme_signature(self) -> tuple[str, ...]:
        style = ttk.Style(self)
        return (style.theme_use(), *(str(style.lookup(".", option)) for option in ("background", "foreground", "font")))

    def _theme_changed(self) -> None:
        """Restyle, then re-fill the cards: their names are shortened to fit in the theme's
        fonts, and its fonts and padding set how many cards fit in a row. Restyling changes
        styles, which makes Tk announce a theme change once more: that one, with the same
        theme and palette, is let pass (it would re-fill every card a second time)."""
        signature = self._theme_signature()
        if signature == self._theme_shown:
            return
        self._theme_shown = signature
        self._restyle()
        self._show_group()

    def _build_toolbar(self) -> None:
        bar = ttk.Frame(self, padding=(10, 8))
        bar.grid(row=0, column=0, sticky="ew")
        self.prev_button = ttk.Button(bar, text="◀ Previous", command=lambda: self.step(-1))
        self.next_button = ttk.Button(bar, text="Next ▶", command=lambda: self.step(1))
        self.prev_button.pack(side="left")
        self.next_button.pack(side="left", padx=(4, 12))
        ttk.Label(bar, text="Show:").pack(side="left")
        self.kind_choice = ttk.Combobox(bar, values=list(KIND_CHOICES), state="readonly", width=26,
                                        style="Viewer.TCombobox")
        self.kind_choice.current(0)
        self.kind_choice.bind("<<ComboboxSelected>>", lambda _e: self.set_kind(KIND_CHOICES[self.kind_choice.get()]))
        self.kind_choice.pack(side="left", padx=(4, 12))
        self.mark_button = ttk.Menubutton(bar, text="Mark ▾")
        self.mark_menu = tk.Menu(self.mark_button, tearoff=False)
        self.mark_menu.add_radiobutton(label="In every group shown in the list", variable=self.scope, value="shown")
        self.mark_menu.add_radiobutton(label="In this group only", variable=self.scope, value="group")
        self.mark_menu.add_separator()
        for rule in MarkRule:
            self.mark_menu.add_command(label=rule.label, command=lambda r=rule: self.apply_rule(r))
        self.mark_menu.add_separator()
        self.mark_menu.add_command(label="Mark none", command=self._mark_none)
        self.mark_menu.add_command(label="Invert marks", command=self._invert_marks)
        self.mark_menu.add_separator()
        self.mark_menu.add_checkbutton(label=INCLUDE_FLAGGED,
                                       variable=self.include_flagged, command=self._include_flagged_changed)
        self.mark_button["menu"] = self.mark_menu
        self.mark_button.pack(side="right")

    def _build_body(self) -> None:
        self.panes = panes = ttk.PanedWindow(self, orient="horizontal")
        panes.grid(row=1, column=0, sticky="nsew", padx=10)
        self.group_list = GroupList(panes, style="Viewer.Treeview")
        self.tree = self.group_list.tree
        self.tree.bind("<<TreeviewSelect>>", self._tree_selected)
        # A click picks a group, then the keys of the hint (Space, Up/Down) are the cards'
        # again, not the list's; the list keeps them only when reached with Tab.
        self.tree.bind("<ButtonRelease-1>", lambda _e: self.focus_set())
        panes.add(self.group_list, weight=0)
        panes.bind("<Configure>", self._panes_resized, add="+")

        self.notebook = ttk.Notebook(panes, style="Viewer.TNotebook")
        right = ttk.Frame(self.notebook, padding=(10, 6, 0, 0))
        header = ttk.Frame(right)
        header.grid(row=0, column=0, columnspan=2, sticky="ew", pady=(0, 4))
        ttk.Button(header, text="Not a duplicate", command=self.not_duplicate).pack(side="right")
        ttk.Button(header, text="Compare", command=self.compare).pack(side="right", padx=4)
        self.flag_badge = ttk.Label(header, style="Badge.TLabel")
        self.group_title = WrapLabel(header, style="Pane.TLabel")
        self.group_title.pack(side="left", fill="x", expand=True)
        self.group_note = WrapLabel(right, style="Status.TLabel")
        self.canvas = tk.Canvas(right, highlightthickness=0, borderwidth=0)
        scroll = ttk.Scrollbar(right, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=scroll.set)
        self.canvas.grid(row=2, column=0, sticky="nsew")
        scroll.grid(row=2, column=1, sticky="ns")
        right.rowconfigure(2, weight=1)
        right.columnconfigure(0, weight=1)
        self.cards_frame = ttk.Frame(self.canvas)
        self.canvas.create_window(0, 0, window=self.cards_frame, anchor="nw")
        self.cards_frame.bind("<Configure>", lambda _e: self.canvas.configure(scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", self._canvas_resized)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.bind(sequence, self._wheel, add="+")
        self.more_button = ttk.Button(self.cards_frame, command=self._show_more)
        self.notebook.add(right, text="Cards")
        self.table = MatchTable(self.notebook, self)
        self.table.configure(padding=(10, 6, 0, 0))
        self.notebook.add(self.table, text="All matches (table)")
        self.notebook.bind("<<NotebookTabChanged>>", lambda _e: self._tab_changed())
        panes.add(self.notebook, weight=1)

    def _build_footer(self) -> None:
        footer = ttk.Frame(self, padding=(10, 6))
        footer.grid(row=2, column=0, sticky="ew")
        self.marks_label = ttk.Label(footer, style="Pane.TLabel")
        self.marks_label.pack(side="left")
        self.trash_button = ttk.Button(footer, text="Move marked to Trash…",
                                       command=lambda: self.act(ActionKind.TRASH))
        self.move_button = ttk.Menubutton(footer, text="Move marked to ▾")
        move_menu = tk.Menu(self.move_button, tearoff=False)
        for kind in (ActionKind.MOVE, ActionKind.MOVE_KEEPING_FOLDERS):
            move_menu.add_command(label=kind.label, command=lambda k=kind: self.act(k))
        self.move_button["menu"] = move_menu
        self.undo_button = ttk.Button(footer, text="Undo", command=self.undo)
        for widget in (self.trash_button, self.move_button, self.undo_button):
            widget.pack(side="right", padx=(6, 0))
        status_row = ttk.Frame(self, padding=(10, 0, 10, 6))
        status_row.grid(row=3, column=0, sticky="ew")
        self.stop_button = ttk.Button(status_row, text="Stop", command=self.session.stop)
        # Wrapped: what a rule left and where ran off a 1366-pixel screen's edge on one line.
        self.status = WrapLabel(status_row, style="Status.TLabel", anchor="w", text=KEYS_HINT)
        self._notice_shown = False
        """The status shows a notice of the session (tell), which the next mark clears."""
        self._group_said: str | None = None
        """What the status says of the current group only (a keeper chosen), which moving
        to another group takes away."""
        self.status.pack(side="left", fill="x", expand=True)

    def _bind_keys(self) -> None:
        for key, action in (("<Left>", lambda: self.step(-1)), ("<Right>", lambda: self.step(1)),
                            ("<Prior>", lambda: self.step(-1)), ("<Next>", lambda: self.step(1)),
                            ("<Home>", lambda: self.step_to(0)), ("<End>", lambda: self.step_to(-1))):
            self.bind(key, lambda e, a=action: None if e.widget.winfo_class() in TEXT_INPUT else a())
        for key, action in (("<Up>", lambda: self.step_image(-1)), ("<Down>", lambda: self.step_image(1)),
                            ("<space>", self._toggle_current), ("<Return>", self._preview_current),
                            ("<KP_Enter>", self._preview_current), ("<k>", self._keep_current),
                            ("<K>", self._keep_current)):
            self.bind(key, lambda e, a=action: None if e.widget.winfo_class() in NOT_INTERACTIVE else a())
        for key, kind in (("<Delete>", ActionKind.TRASH), ("<Control-m>", ActionKind.MOVE)):
            # Each asks for confirmation first; 13 Tabs reached the Trash button before.
            self.bind(key, lambda e, k=kind: None if e.widget.winfo_class() in TEXT_INPUT else self.act(k))
        self.bind("<Control-z>", lambda _e: self.undo())
        self.bind(f"<{shortcut_modifier(self)}-w>", lambda _e: self.request_close())

    def _wheel(self, event: tk.Event) -> None:
        """Scroll the cards when the pointer is over them; the binding is on the window
        because the cards, not the canvas, receive the wheel events."""
        if str(event.widget).startswith(str(self.canvas)):
            direction = -1 if event.num == 4 or (event.delta or 0) > 0 else 1
            self.canvas.yview_scroll(direction * 3, "units")

    def _canvas_resized(self, _event: tk.Event) -> None:
        """Re-flow (and re-size) the cards once the resize settles."""
        if self._resize_job is not None:
            self.after_cancel(self._resize_job)
        self._resize_job = self.after(60, self._resized)

    def _resized(self) -> None:
        self._resize_job = None
        count = len(self._shown_paths())
        width = self.canvas.winfo_width()
        if choose_box(width, count, self._narrowest(), self.canvas.winfo_height()) != self.box:
            self._show_group(scroll_to_top=False)
        elif self._fitting_columns(width, count) != self._columns:
            self._place_cards(count)

    def _narrowest(self) -> int:
        return self._cards[0].narrowest() if self._cards else 0

    def _fitting_columns(self, width: int, count: int) -> int:
        """How many of the first count cards fit side by side in width. Measured, not
        assumed: a card is as wide as its row of buttons in the theme's font, which may be
        wider than the thumbnail and differs between themes and systems."""
        card = max((card.winfo_reqwidth() for card in self._cards[:count]), default=1)
        return max(1, width // (card + CARD_GAP))

    def _tab_changed(self) -> None:
        if self._table_shown() and self._table_stale:
            self._refresh_table()

    def _table_shown(self) -> bool:
        return self.notebook.index("current") == 1

    def _refresh_table(self) -> None:
        self._table_stale = False
        self.table.refresh()

    # ----- the session's view (ReviewView) ------------------------------------------

    def refresh(self, groups: set[int] | None = None) -> None:
        """Show the session's state again; groups: only these changed."""
        if groups is None or self.session.rows() != self._rows:
            self.fill_group_list()
            groups = None
        else:
            self._update_rows(groups)
            if self.current_group in groups:
                self._show_group(scroll_to_top=False)
        if not self._table_shown():
            self._table_stale = True
        elif groups is None or not self.table.update_groups(groups):
            self._refresh_table()
        self._update_bar()

    def choose_folder(self, title: str, must_exist: bool = False) -> str | None:
        """must_exist: a folder to mark by, looked for from the folder holding the result's
        files (it began where the app was started); a folder to move to may be typed in
        new, and is looked for where the last move went, else from the home folder, not
        from a searched folder, where moved copies would be found again."""
        home = os.path.expanduser("~")
        start = (common_folder(list(self.session.files)) if must_exist
                 else self._move_folder if os.path.isdir(self._move_folder) else home)
        return filedialog.askdirectory(parent=self, title=title, mustexist=must_exist,
                                       initialdir=start if os.path.isdir(start) else home) or None

    def confirm(self, plan: Plan) -> bool:
        return ConfirmDialog(self, plan).ask()

    def show_outcome(self, report: Report) -> None:
        if report.folder and any(result.ok for result in report.results):
            self._move_folder = report.folder  # where the next move looks first (a trial always began at home)
        for result in report.results:
            self.log(result.line())
        write_error = self.session.journal.take_write_error()
        if write_error:
            self.log(write_error)
        text = report.message()
        self.log(text)
        self.say(text, error=bool(report.problems))
        problems = report.problems
        if problems:
            lines = [f"• {os.path.basename(r.source)}: {r.reason}" for r in problems[:SHOWN_FAILURES]]
            if len(problems) > SHOWN_FAILURES:
                lines.append(f"… and {len(problems) - SHOWN_FAILURES} more (see View Logs)")
            messagebox.showwarning("Some files were not changed", text + "\n\n" + "\n".join(lines), parent=self)

    def tell(self, text: str) -> None:
        """The session's passing notices: refusals, "Nothing to undo" and the like."""
        self.say(text)
        self._notice_shown = True

    def _vanished_found(self, future: Future) -> None:
        self.session.leave_out_vanished(future.result())
        self._update_bar()
        if notice := self.session.vanished_notice():
            self.say(notice)

    def run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """File work in the worker thread, with progress and Stop in the status bar."""
        self.stop_button.pack(side="right")
        self._tick()
        self.file_worker.submit(work, done=lambda future: self._ran(future, done))

    def _ran(self, future: Future, done: Callable[[Any], None]) -> None:
        self.stop_button.pack_forget()
        if self._tick_id is not None:
            self.after_cancel(self._tick_id)
            self._tick_id = None
        done(future.result())
        self._update_bar()

    def _tick(self) -> None:
        progress = self.session.progress
        if progress is not None:
            self.say(f"Working… {progress[0]:,} of {plural(progress[1], 'file')}")
        self._tick_id = self.after(PROGRESS_MS, self._tick)

    # ----- forwarding user actions to the session ------------------------------------

    def _scope(self) -> list[int] | None:
        if self.scope.get() == "group":
            return [] if self.current_group is None else [self.current_group]
        return None

    def _mark_none(self) -> None:
        before = len(self.session.marks)
        self.session.mark_none(self._scope())
        self.say(f"{plural(before - len(self.session.marks), 'mark')} removed.")

    def _invert_marks(self) -> None:
        self.session.invert(self._scope())
        self.say("Marks inverted. Nothing is moved until you choose an action.")

    def apply_rule(self, rule: MarkRule) -> None:
        folder = None
        if rule is MarkRule.IN_FOLDER:
            folder = self.choose_folder("Mark the images in which folder?", must_exist=True)
            if folder is None:
                return
        scope = self._scope()
        added = self.session.apply_rule(rule, folder, scope)
        skipped = self.session.left_alone(scope)
        note = f" {plural(skipped, 'flagged group')} left alone (see the Mark menu)." if skipped else ""
        if rule is MarkRule.LOWER_RESOLUTION:
            note += as_large_note(self.session.as_large_as_kept(scope), f"“{MarkRule.ALL_BUT_KEEPER.label}”")
        self.say(f"{plural(added, 'image')} newly marked. Nothing is moved until you choose an action.{note}")

    def _include_flagged_changed(self) -> None:
        self.session.included_flags = FLAGS if self.include_flagged.get() else frozenset()

    def act(self, kind: ActionKind) -> None:
        self.session.act(kind)

    def trash_image(self, path: str) -> None:
        """A card's own "Move this image to Trash…": the same confirmation as for marks."""
        self.session.act(ActionKind.TRASH, path)

    def move_image(self, path: str) -> None:
        self.session.act(ActionKind.MOVE, path)

    def undo(self) -> None:
        self.session.undo()

    def toggle_mark(self, path: str) -> None:
        self.set_current(path)
        self.toggle_marks([path])

    def toggle_marks(self, paths: list[str]) -> None:
        """The table's toggle: one refresh for all rows. A notice shown before (a refusal
        such as "the kept image cannot be marked") goes back to the keys' hint first, so
        it does not stand beside a mark that was made; an action's outcome ("3 got a new
        name…") stays until something else is said."""
        if self._notice_shown:
            self.say(KEYS_HINT)
        self.session.toggle_many(paths)

    def keep(self, path: str) -> None:
        self.session.set_keeper(path)
        self.say(f"Keeping {os.path.basename(path)} in this group.")
        self._group_said = self.status.cget("text")
        self._scroll_to_current()  # the kept card moves to the first place, maybe out of view

    def not_duplicate(self) -> None:
        """Hide the current group; the list shows the group that takes its place."""
        if self.current_group is not None and self.session.not_duplicate(self.current_group):
            self.say("Not a duplicate: hidden now and in later searches. Undo (Ctrl+Z) shows it again.")

    def not_duplicate_image(self, path: str) -> None:
        """Otherwise the session said why it holds for this review only."""
        if self.session.not_duplicate_image(path):
            self.say(f"{os.path.basename(path)} is no longer matched with this group. Undo (Ctrl+Z) brings it back.")

    def open_image(self, path: str) -> None:
        result = actions.open_file(path, self.session.journal)
        self.log(result.line())
        if not result.ok:
            self.say(f"Cannot open {os.path.basename(path)}: {result.reason}", error=True)

    def show_in_folder(self, path: str) -> None:
        problem = show_in_folder(path)
        if problem:
            self.say(f"Cannot show {os.path.basename(path)}: {problem}", error=True)

    def copy_path(self, path: str) -> None:
        self.clipboard_clear()
        self.clipboard_append(path)
        self.say(f"Copied: {path}")

    def show_image(self, path: str) -> None:
        """The table's double-click: the image's group as cards, the image current."""
        number = self.session.group_of(path)
        if number in self._position:
            self.notebook.select(0)
            self.select_group(number)
            self.set_current(path)

    # ----- group list and navigation ------------------------------------------------

    def _row(self, number: int) -> GroupRow:
        group = self.session.result.groups[number]
        flags = self.session.flags(number)
        kind = "duplicates" if group.is_duplicate else "similar"
        kind += "".join(f" · {flag}" for flag in flags)
        keeper = self.session.keeper(number) or group.kept
        return GroupRow(number, self._position[number] + 1, len(self.session.members(number)), kind,
                        os.path.basename(keeper), bool(flags))

    def fill_group_list(self) -> None:
        """(Re)build the list from the session and keep showing the current group, else
        the one now at its place, else the first. 10,000 rows take about 0.15 s."""
        before = self._position.get(self.current_group, 0) if self.current_group is not None else 0
        visible = self.session.rows()
        self._rows = visible
        self._position = {number: index for index, number in enumerate(visible)}
        self.group_list.fill([self._row(number) for number in visible])
        current = self.current_group
        self.current_group = None
        if current in self._position:
            self.select_group(current, keep_place=True)
        elif visible:
            self.select_group(visible[min(before, len(visible) - 1)])
        else:
            self._show_group()

    def _update_rows(self, numbers: set[int]) -> None:
        self.group_list.update_rows(self._row(number) for number in numbers if number in self._position)

    def _panes_resized(self, event: tk.Event) -> None:
        """Give the group list its width in the viewer's new width (GroupList.wanted_width);
        the cards take the rest. Once the panes are laid out in their new width: a sash
        placed before that is held within the old one."""
        if event.width != self._list_fitted_to:
            self._list_fitted_to = event.width
            if self._list_job is None:
                self._list_job = self.after_idle(self._fit_list)

    def _fit_list(self) -> None:
        self._list_job = None
        self.panes.sashpos(0, self.group_list.wanted_width(self.winfo_width(), self.table.needed_width()))

    def select_group(self, number: int, keep_place: bool = False) -> None:
        iid = str(number)
        self.tree.selection_set(iid)
        self.tree.focus(iid)
        self.tree.see(iid)
        if number != self.current_group:
            if self._group_said is not None and self._group_said == self.status.cget("text"):
                self.say(KEYS_HINT)  # "Keeping x.jpg in this group." stood under another group
            self._group_said = None
            self.current_group = number
            if not keep_place:
                self.current_path = None
                self._card_limit = CARDS_PER_PAGE
            self._show_group(scroll_to_top=not keep_place)

    def _tree_selected(self, _event: tk.Event) -> None:
        selection = self.tree.selection()
        if selection and int(selection[0]) != self.current_group:
            self.select_group(int(selection[0]))

    def step(self, offset: int) -> None:
        if self._rows:
            here = self._position.get(self.current_group, 0)
            self.select_group(self._rows[max(0, min(len(self._rows) - 1, here + offset))])

    def step_to(self, position: int) -> None:
        if self._rows:
            self.select_group(self._rows[position])

    def step_image(self, offset: int) -> None:
        """Make the previous/next image of the group current (Up/Down)."""
        members = self.members()
        if members:
            here = members.index(self.current_path) if self.current_path in members else -offset
            self.set_current(members[max(0, min(len(members) - 1, here + offset))])
            self._scroll_to_current()

    def _scroll_to_current(self) -> None:
        """Scroll the cards as little as needed for the current one to be seen whole (the
        fourth card of a group, reached with ↓, stayed below the window's edge)."""
        card = next((card for card in self._cards if card.path == self.current_path and card.winfo_ismapped()), None)
        if card is None:
            return
        self.update_idletasks()
        total = self.cards_frame.winfo_height()
        if total <= 0:
            return
        first, last = self.canvas.yview()
        top, bottom = card.winfo_y(), card.winfo_y() + card.winfo_height()
        seen = (last - first) * total
        if top < first * total:
            self.canvas.yview_moveto(top / total)
        elif bottom > last * total:
            self.canvas.yview_moveto(max(0.0, bottom - seen) / total)

    def set_kind(self, kind: str) -> None:
        self.session.kind = kind
        self.refresh()

    # ----- the current group's cards ------------------------------------------------

    def members(self) -> list[str]:
        """The current group's images still in it (none without a current group)."""
        return [] if self.current_group is None else self.session.members(self.current_group)

    def _shown_paths(self) -> list[str]:
        return self.members()[: self._card_limit]

    def _facts(self, path: str, keeper: str | None) -> CardFacts:
        session = self.session
        links = session.links(path)
        also = ("Also reached as: " + ", ".join(
            f"{os.path.basename(link.path)} ({'link' if link.symbolic else 'hard link'})" for link in links)
            if links else "")
        return CardFacts(session.files[path], self.badge(path), path == keeper, session.is_marked(path),
                         path == self.current_path, session.failures.get(path), also,
                         session.protected_folder(path) or "")

    def badge(self, path: str) -> str:
        """What a card and a preview say about the image: kept and why, or how close it
        is to the image the search matched it with (for that image, to the kept one)."""
        number = self.session.group_of(path)
        if number is not None and path == self.session.keeper(number):
            return f"KEEP ({self.session.keeper_reason(number)})"
        mse, pose = self.session.closeness(path)
        if mse is None:
            return "others matched to it"
        # The table's short form of a turn: "MSE 0.13, turned 270°" was cut to
        # "MSE 0.13…rned 270°" in a card's header at the viewer's usual size.
        posed = f" {pose.label()}" if pose else ""
        return f"MSE {mse:.2f}{posed}" if mse else f"identical{posed}"

    def _show_group(self, scroll_to_top: bool = True) -> None:
        """Re-fill the pooled cards for the current group; thumbnails arrive as decoded."""
        started = time.perf_counter()
        self.thumbnails.new_generation()
        members = self.members()
        paths = self._shown_paths()
        box = choose_box(self.canvas.winfo_width(), len(paths), self._narrowest(), self.canvas.winfo_height())
        if box != self.box:
            self.box = self.thumbnails.box = box
        keeper = self.session.keeper(self.current_group) if self.current_group is not None else None
        focused_card = self._card_holding_focus()
        shown_before = focused_card.path if focused_card is not None else None
        for index, path in enumerate(paths):
            if index == len(self._cards):
                self._cards.append(ImageCard(self.cards_frame, self, self.box))
            card = self._cards[index]
            card.set_box(self.box)
            card.show(self._facts(path, keeper))
            self.thumbnails.request(self.session.files[path],
                                    lambda photo, reason, c=card, p=path: c.set_photo(p, photo, reason))
        self._place_cards(len(paths))
        still_shown = focused_card in self._cards[: len(paths)]
        if focused_card is not None and (focused_card.path != shown_before or not still_shown):
            # A pooled card now shows another file (or none): Space on its focused Mark box
            # would mark that file, or one of a group no longer shown.
            self.focus_set()
        self._update_title(members)
        if scroll_to_top:
            self.canvas.yview_moveto(0)
        self._prefetch_neighbours()
        self.last_switch_ms = (time.perf_counter() - started) * 1000

    def _card_holding_focus(self) -> ImageCard | None:
        focused = self.focus_get()
        return next((card for card in self._cards if focused is not None and str(focused).startswith(f"{card}.")), None)

    def _place_cards(self, count: int) -> None:
        """Lay the first count cards out in rows that fit the canvas width, so a group is
        reached by scrolling down only and no card is cut off at the right edge."""
        self.cards_frame.update_idletasks()  # the cards' requested sizes for their new content
        self._columns = self._fitting_columns(self.canvas.winfo_width(), count)
        for index, card in enumerate(self._cards):
            if index < count:
                card.grid(row=index // self._columns, column=index % self._columns, padx=(0, CARD_GAP),
                          pady=(0, CARD_GAP), sticky="n")
            else:
                card.grid_remove()
        hidden = len(self.members()) - count
        if hidden > 0:
            self.more_button.configure(text=f"Show {min(hidden, CARDS_PER_PAGE)} more of {hidden}")
            self.more_button.grid(row=count // self._columns + 1, column=0, columnspan=self._columns,
                                  sticky="w", pady=(0, 10))
        else:
            self.more_button.grid_remove()

    def _show_more(self) -> None:
        self._card_limit += CARDS_PER_PAGE
        self._show_group(scroll_to_top=False)

    def _update_title(self, members: list[str]) -> None:
        rows = self._rows
        self.flag_badge.pack_forget()
        self.group_note.grid_remove()
        if self.current_group is None:
            self.group_title.configure(text="No groups left to review." if not rows else "")
            self.title(VIEWER_TITLE)
            return
        group = self.session.result.groups[self.current_group]
        position = self._position.get(self.current_group, -1) + 1
        gone = len(group.paths) - len(members)
        copies = sum(self.session.files[path].size for path in members[1:] if not self.session.is_protected(path))
        parts = [f"Group {position} of {len(rows)}", plural(len(members), "image"),
                 "duplicates" if group.is_duplicate else "similar"]
        folder = f"in {group.folder}" if group.folder else ""
        if folder:
            parts.append(folder)
        if copies:
            parts.append(f"copies use {format_bytes(copies)}")
        if gone:
            parts.append(f"{gone} moved or hidden")
        self.group_title.configure(text=join_unbroken(parts, breakable=[folder]))
        flags = self.session.flags(self.current_group)
        if flags:
            self.flag_badge.configure(text=" · ".join(flags))
            self.flag_badge.pack(side="left", padx=(0, 8), before=self.group_title)
        notes = []
        if group.low_detail:
            notes.append("Low detail: these images are mostly plain (sky, wall, page), so they may match without "
                         "being copies.")
        several = self.session.several_frames(self.current_group)
        if several:
            uncounted = [os.path.basename(p) for p in several if self.session.files[p].frames == UNCOUNTED]
            counted = [os.path.basename(p) for p in several if self.session.files[p].frames != UNCOUNTED]
            parts = []
            if counted:
                verb = "holds" if len(counted) == 1 else "hold"
                parts.append(f"{first_few(counted, 4)} {verb} more than one page or frame")
            if uncounted:
                parts.append(f"the pages of {first_few(uncounted, 4)} could not be counted (a damaged file?)")
            notes.append(f"Several pages: {'; '.join(parts)}. Only the first was compared; the others may differ "
                         "(Page Down in the large preview or Compare shows them).")
        if flags:
            notes[-1] += " Mark rules leave this group alone unless you tick it in the Mark menu."
        chained = self.session.chained(self.current_group)
        if chained:
            likes = [f"{os.path.basename(c.path)} (like {os.path.basename(c.other)}, MSE {c.mse:.2f})" for c in chained]
            notes.append(f"Also similar to an image here but not to the others, so in no group: {first_few(likes, 4)}")
        if notes:
            self.group_note.configure(text="\n".join(notes))
            self.group_note.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(0, 6))
        self.title(f"{VIEWER_TITLE} — group {position} of {len(rows)}")
        self.prev_button.state(["disabled"] if position <= 1 else ["!disabled"])
        self.next_button.state(["disabled"] if position >= len(rows) else ["!disabled"])

    def _update_bar(self) -> None:
        summary = self.session.summary()
        self.marks_label.configure(text=summary.describe())
        state = ["!disabled"] if summary.count and not self.session.busy else ["disabled"]
        self.trash_button.state(state)
        self.move_button.state(state)
        self.undo_button.state(["!disabled"] if self.session.can_undo and not self.session.busy else ["disabled"])

    def _prefetch_neighbours(self) -> None:
        here = self._position.get(self.current_group)
        if here is None:
            return
        for offset in (*range(1, PREFETCH_GROUPS + 1), -1):
            if 0 <= here + offset < len(self._rows):
                for path in self.session.members(self._rows[here + offset])[:10]:
                    self.thumbnails.request(self.session.files[path])

    def set_current(self, path: str) -> None:
        """The image Space marks, Enter previews and Compare pairs with the keeper."""
        self.current_path = path
        for card in self._cards:
            if card.winfo_ismapped():
                marked = self.session.is_marked(card.path)
                card.configure(style="Current.Card.TFrame" if card.path == path
                               else "Marked.Card.TFrame" if marked else "Card.TFrame")

    def _current(self) -> str | None:
        members = self.members()
        return self.current_path if self.current_path in members else next(iter(members), None)

    def _keep_current(self) -> None:
        """K: "Keep this one" for the current image (it was about 11 Tabs away)."""
        path = self._current()
        if path and path != self.session.keeper(self.current_group):
            self.keep(path)

    def _toggle_current(self) -> None:
        path = self._current()
        if path:
            self.toggle_mark(path)

    def _preview_current(self) -> None:
        path = self._current()
        if path:
            self.preview(path)

    def _caption(self, path: str) -> str:
        record = self.session.files[path]
        return (f"{elide(os.path.basename(path), 50)} — {record.width} × {record.height} px, "
                f"{format_bytes(record.size)} — {self.badge(path)}")

    def preview(self, path: str) -> None:
        self.set_current(path)
        PreviewWindow(self, [path], self._caption, sequence=self.members(), pages=self._pages())

    def compare_with_keeper(self, path: str) -> None:
        self.set_current(path)
        self.compare()

    def compare(self) -> None:
        """The current image beside the keeper (the next image when the keeper is current)."""
        members = self.members()
        if len(members) < 2:
            return
        current = self._current()
        pair = [members[0], current if current != members[0] else members[1]]
        # The kept image as it is, the other lined up with it (as its card says)
        PreviewWindow(self, pair, self._caption, poses={pair[1]: self.session.closeness(pair[1])[1]},
                      pages=self._pages())

    def _pages(self) -> dict[str, int]:
        """The frame counts of the current group's files, for the preview's pages."""
        return {path: self.session.files[path].frames for path in self.members()}

    def say(self, text: str, error: bool = False) -> None:
        """Show text in the status bar; errors in the error style so they stand out."""
        self.status.configure(text=text, style="StatusError.TLabel" if error else "Status.TLabel")
        self._notice_shown = False

    def request_close(self) -> None:
        """The window's close button and Ctrl+W."""
        if self.may_close():
            self.close()

    def may_close(self, quitting: bool = False) -> bool:
        """Marks live only in this window, so with marks made this asks first whether to
        close (a new user's Ctrl+W threw them away without a word); quitting the app asks
        it too, in its own words, with the viewer brought forward (asked from the main
        window, the question opened behind it and the app looked frozen)."""
        marked = len(self.session.marks)
        if not marked:
            return True
        if quitting:
            self.deiconify()
            self.lift()
            self.focus_force()
        closing = "Quitting difpy_tk" if quitting else "Closing the viewer"
        return messagebox.askyesno(
            "Quit difpy_tk?" if quitting else "Close the Image Viewer?",
            f"{plural(marked, 'image')} {'is' if marked == 1 else 'are'} marked in the Image Viewer. {closing} "
            f"forgets the marks; nothing has been moved or deleted.\n\n{'Quit' if quitting else 'Close it'} anyway?",
            icon="warning",
            default="no",
            parent=self,
        )

    def close(self) -> None:
        if self.on_close is not None:
            self.on_close(self)
        self.session.stop()
        self.destroy()

    def _destroyed(self, event: tk.Event) -> None:
        """Also runs when the app's main window takes the viewer down with it."""
        if event.widget is self:
            for job in (self._tick_id, self._resize_job, self._list_job):
                if job is not None:
                    self.after_cancel(job)
            self.session.stop()
            self.thumbnails.close()
            self.file_worker.close()

