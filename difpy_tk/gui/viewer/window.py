"""The image viewer window: the group list on the left, the current group's images as
cards on the right, and the actions (per image, bulk, not-a-duplicate, undo) on top.

File actions run in a worker thread, one batch at a time, and their per-file results
come back to the model, the cards, the group list and the app's log together. Only a
success takes a file out of its group; a failure stays on its card with the reason."""

from __future__ import annotations

import os
import time
import tkinter as tk
from collections.abc import Callable
from concurrent.futures import Future
from tkinter import filedialog, messagebox, ttk

from difpy_tk.core import actions, ignore_list
from difpy_tk.core.humanize import format_bytes
from difpy_tk.core.journal import ActionResult, Journal, Outcome
from difpy_tk.core.progress import CancelToken
from difpy_tk.core.result import FileRecord, SearchResult
from difpy_tk.core.selection import Rule, summarize
from difpy_tk.gui.viewer.card import ImageCard, elide
from difpy_tk.gui.viewer.model import ViewerModel
from difpy_tk.gui.viewer.preview import PreviewWindow
from difpy_tk.gui.viewer.styles import configure_styles
from difpy_tk.gui.viewer.thumbnails import ThumbnailCache
from difpy_tk.gui.viewer.worker import TkWorker
from difpy_tk.gui.widgets import WrapLabel

THUMB_BOX = 200
CARD_GAP = 10
"""Pixels between cards, right of and below each one."""
CARDS_PER_PAGE = 40
PREFETCH_GROUPS = 2
SHOWN_FAILURES = 12
KIND_CHOICES = {"All groups": "all", "Duplicates (identical)": "duplicates", "Similar": "similar"}
KEYS_HINT = ("← → or Page Up/Down: previous/next group · click an image or press Space: large preview · "
             "Ctrl+Z: undo the last move")
KEEPING_FOLDERS = ", keeping folders"
"""Appended to a move's label when it rebuilds each file's folders (below the searched
folder it was found in) under the chosen folder, instead of putting all files side by side."""
NOT_INTERACTIVE = ("TButton", "TCheckbutton", "TMenubutton", "TCombobox", "TEntry", "Button", "Entry")
"""Widget classes where Space belongs to the widget, not to the preview shortcut."""


class ViewerWindow(tk.Toplevel):
    def __init__(self, parent: tk.Misc, result: SearchResult, log: Callable[[str], None],
                 journal: Journal) -> None:
        super().__init__(parent)
        self.title("difPy Image Viewer")
        self.geometry(f"{min(1360, self.winfo_screenwidth() - 40)}x{min(900, self.winfo_screenheight() - 60)}")
        self.minsize(820, 560)
        self.model = ViewerModel(result)
        self.log = log
        self.journal = journal
        self.thumbnails = ThumbnailCache(self, THUMB_BOX)
        self.file_worker = TkWorker(self, 1, "file-actions")
        self.current_group: int | None = None
        self.current_path: str | None = None
        self.last_switch_ms = 0.0
        """How long the last group switch took on the Tk thread (shown cards, no decoding)."""
        self._cards: list[ImageCard] = []
        self._rows: list[int] = []
        """Group numbers in list order, and each one's position: the Treeview's own
        get_children() costs milliseconds at 10,000 rows, too much for every keypress."""
        self._position: dict[int, int] = {}
        self._card_limit = CARDS_PER_PAGE
        self._columns = 1
        self._progress: tuple[int, int] | None = None
        self._cancel: CancelToken | None = None
        self._tick_id: str | None = None
        self._build_toolbar()
        self._build_body()
        self._restyle()
        # Tk sends <<ThemeChanged>> to every widget, and the window's binding sees them all.
        self.bind("<<ThemeChanged>>", lambda e: self._theme_changed() if e.widget is self else None, add="+")
        footer = ttk.Frame(self, padding=(10, 4))
        footer.grid(row=2, column=0, sticky="ew")
        self.status = ttk.Label(footer, style="Status.TLabel", anchor="w", text=KEYS_HINT)
        self.undo_all_button = ttk.Button(footer, text="Undo all moves", command=self.undo_all)
        self.undo_all_button.pack(side="right")
        self.undo_button = ttk.Button(footer, text="Undo last move", command=self.undo_last)
        self.undo_button.pack(side="right", padx=4)
        self.stop_button = ttk.Button(footer, text="Stop", command=self.stop)
        self.status.pack(side="left", fill="x", expand=True)
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._bind_keys()
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Destroy>", self._destroyed, add="+")
        self.fill_group_list()
        self._update_undo_buttons()

    # ----- layout -------------------------------------------------------------------

    def _restyle(self) -> None:
        muted = configure_styles(self)
        self.tree.tag_configure("done", foreground=muted)
        self.canvas.configure(background=str(ttk.Style(self).lookup("TFrame", "background")))

    def _theme_changed(self) -> None:
        """Restyle, then re-fill the cards: their names are shortened to fit in the theme's
        fonts, and its fonts and padding set how many cards fit in a row."""
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
        self.kind_choice = ttk.Combobox(bar, values=list(KIND_CHOICES), state="readonly", width=20,
                                        style="Viewer.TCombobox")
        self.kind_choice.current(0)
        self.kind_choice.bind("<<ComboboxSelected>>", lambda _e: self.set_kind(KIND_CHOICES[self.kind_choice.get()]))
        self.kind_choice.pack(side="left", padx=(4, 12))
        self.bulk_button = ttk.Menubutton(bar, text="Bulk actions…")
        self.bulk_menu = tk.Menu(self.bulk_button, tearoff=False)
        self._fill_bulk_menu(self.bulk_menu)
        self.bulk_button["menu"] = self.bulk_menu
        self.bulk_button.pack(side="right")

    def _fill_bulk_menu(self, menu: tk.Menu) -> None:
        self.scope = tk.StringVar(self, value="shown")
        menu.add_radiobutton(label="Apply to every group shown in the list", variable=self.scope, value="shown")
        menu.add_radiobutton(label="Apply to this group only", variable=self.scope, value="group")
        for verb, keep_tree in (("Move", False), ("Move", True), ("Delete", False)):
            menu.add_separator()
            for rule in Rule:
                label = f"{verb} {rule.label}{KEEPING_FOLDERS if keep_tree else ''}…"
                menu.add_command(label=label, command=lambda v=verb, r=rule, k=keep_tree: self.bulk(v, r, k))

    def _build_body(self) -> None:
        panes = ttk.PanedWindow(self, orient="horizontal")
        panes.grid(row=1, column=0, sticky="nsew", padx=10)
        left = ttk.Frame(panes)
        self.list_title = ttk.Label(left, style="Pane.TLabel")
        self.list_title.grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 4))
        self.tree = ttk.Treeview(left, columns=("group", "images", "kind", "kept"), show="headings",
                                 selectmode="browse", style="Viewer.Treeview")
        for column, title, width, anchor in (("group", "#", 50, "e"), ("images", "Images", 66, "e"),
                                             ("kind", "Kind", 86, "w"), ("kept", "Kept image", 150, "w")):
            self.tree.heading(column, text=title, anchor=anchor)
            self.tree.column(column, width=width, anchor=anchor, stretch=column == "kept")
        scroll = ttk.Scrollbar(left, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=1, column=0, sticky="nsew")
        scroll.grid(row=1, column=1, sticky="ns")
        left.rowconfigure(1, weight=1)
        left.columnconfigure(0, weight=1)
        self.tree.bind("<<TreeviewSelect>>", self._tree_selected)
        panes.add(left, weight=0)

        right = ttk.Frame(panes, padding=(10, 0, 0, 0))
        header = ttk.Frame(right)
        header.grid(row=0, column=0, columnspan=2, sticky="ew", pady=(0, 6))
        ttk.Button(header, text="Not a duplicate", command=self.hide_group).pack(side="right")
        ttk.Button(header, text="Compare", command=self.compare).pack(side="right", padx=4)
        self.group_title = WrapLabel(header, style="Pane.TLabel")
        self.group_title.pack(side="left", fill="x", expand=True)
        self.canvas = tk.Canvas(right, highlightthickness=0, borderwidth=0,
                                background=str(ttk.Style(self).lookup("TFrame", "background")))
        cards_scroll = ttk.Scrollbar(right, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=cards_scroll.set)
        self.canvas.grid(row=1, column=0, sticky="nsew")
        cards_scroll.grid(row=1, column=1, sticky="ns")
        right.rowconfigure(1, weight=1)
        right.columnconfigure(0, weight=1)
        self.cards_frame = ttk.Frame(self.canvas)
        self.canvas.create_window(0, 0, window=self.cards_frame, anchor="nw")
        self.cards_frame.bind("<Configure>", lambda _e: self.canvas.configure(scrollregion=self.canvas.bbox("all")))
        self.canvas.bind("<Configure>", self._canvas_resized)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.bind(sequence, self._wheel, add="+")
        self.more_button = ttk.Button(self.cards_frame, command=self._show_more)
        panes.add(right, weight=1)

    def _bind_keys(self) -> None:
        for key, action in (("<Left>", lambda: self.step(-1)), ("<Right>", lambda: self.step(1)),
                            ("<Prior>", lambda: self.step(-1)), ("<Next>", lambda: self.step(1)),
                            ("<Home>", lambda: self.step_to(0)), ("<End>", lambda: self.step_to(-1)),
                            ("<Control-z>", self.undo_last)):
            self.bind(key, lambda _e, a=action: a())
        self.bind("<space>", self._space)

    def _space(self, event: tk.Event) -> None:
        if event.widget.winfo_class() in NOT_INTERACTIVE:
            return
        path = self.current_path or next(iter(self._members()), None)
        if path:
            self.preview(path)

    def _wheel(self, event: tk.Event) -> None:
        """Scroll the cards when the pointer is over them; the binding is on the window
        because the cards, not the canvas, receive the wheel events."""
        if str(event.widget).startswith(str(self.canvas)):
            direction = -1 if event.num == 4 or (event.delta or 0) > 0 else 1
            self.canvas.yview_scroll(direction * 3, "units")

    def _canvas_resized(self, event: tk.Event) -> None:
        """Re-flow the cards into as many columns as the new width holds."""
        count = len(self._shown_paths())
        if self._fitting_columns(event.width, count) != self._columns:
            self._place_cards(count)

    def _fitting_columns(self, width: int, count: int) -> int:
        """How many of the first count cards fit side by side in width. Measured, not
        assumed: a card is as wide as its row of buttons in the theme's font, which is
        wider than the thumbnail and differs between themes and systems."""
        card = max((card.winfo_reqwidth() for card in self._cards[:count]), default=1)
        return max(1, width // (card + CARD_GAP))

    # ----- group list and navigation ------------------------------------------------

    def _row_values(self, number: int) -> tuple:
        group = self.model.group(number)
        count = len(self.model.members(number))
        return (number + 1, count, "duplicates" if group.is_duplicate else "similar",
                os.path.basename(group.kept))

    def fill_group_list(self, prefer: int | None = None) -> None:
        """(Re)build the list for the current filter and show `prefer`, else the current
        group, else the first one. 10,000 rows take about 0.15 s."""
        visible = self.model.visible_groups()
        self._rows = visible
        self._position = {number: index for index, number in enumerate(visible)}
        self.tree.delete(*self.tree.get_children())
        for number in visible:
            self.tree.insert("", "end", iid=str(number), values=self._row_values(number),
                             tags=("done",) if len(self.model.members(number)) < 2 else ())
        images = sum(len(self.model.members(number)) for number in visible)
        self.list_title.configure(text=f"{len(visible)} groups · {images} images")
        shown = next((n for n in (prefer, self.current_group) if n in self._position), None)
        self.current_group = None
        if shown is not None or visible:
            self.select_group(visible[0] if shown is None else shown)
        else:
            self._show_group()

    def _update_rows(self, numbers: set[int]) -> None:
        for number in numbers:
            if number in self._position:
                self.tree.item(str(number), values=self._row_values(number),
                               tags=("done",) if len(self.model.members(number)) < 2 else ())

    def select_group(self, number: int) -> None:
        iid = str(number)
        self.tree.selection_set(iid)
        self.tree.focus(iid)
        self.tree.see(iid)
        if number != self.current_group:
            self.current_group = number
            self.current_path = None
            self._card_limit = CARDS_PER_PAGE
            self._show_group()

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

    def set_kind(self, kind: str) -> None:
        self.model.kind = kind
        self.fill_group_list()

    # ----- the current group's cards ------------------------------------------------

    def _members(self) -> list[str]:
        return [] if self.current_group is None else self.model.members(self.current_group)

    def _shown_paths(self) -> list[str]:
        return [path for path in self._members() if path in self.model.files][: self._card_limit]

    def _show_group(self) -> None:
        """Re-fill the pooled cards for the current group; thumbnails arrive as decoded."""
        started = time.perf_counter()
        self.thumbnails.new_generation()
        members = self._members()
        paths = self._shown_paths()
        for index, path in enumerate(paths):
            if index == len(self._cards):
                self._cards.append(ImageCard(self.cards_frame, self, THUMB_BOX))
            card = self._cards[index]
            record = self.model.files[path]
            card.show(record, self.model.badge(path), path == self.model.group(self.current_group).kept,
                      self.model.failures.get(path), path == self.current_path)
            self.thumbnails.request(record, lambda photo, reason, c=card, p=path: c.set_photo(p, photo, reason))
        self._place_cards(len(paths))
        self._update_title(members)
        self.canvas.yview_moveto(0)
        self._prefetch_neighbours()
        self.last_switch_ms = (time.perf_counter() - started) * 1000

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
        hidden = len(self._members()) - count
        if hidden > 0:
            self.more_button.configure(text=f"Show {min(hidden, CARDS_PER_PAGE)} more of {hidden}")
            self.more_button.grid(row=count // self._columns + 1, column=0, columnspan=self._columns,
                                  sticky="w", pady=(0, 10))
        else:
            self.more_button.grid_remove()

    def _show_more(self) -> None:
        self._card_limit += CARDS_PER_PAGE
        self._show_group()

    def _update_title(self, members: list[str]) -> None:
        rows = self._rows
        if self.current_group is None:
            self.group_title.configure(text="No groups to show" if not rows else "")
            self.title("difPy Image Viewer")
            return
        group = self.model.group(self.current_group)
        position = self._position.get(self.current_group, -1) + 1
        gone = len(group.paths) - len(members)
        total = summarize(members[1:], self.model.files) if members else None
        parts = [f"Group {position} of {len(rows)}", f"{len(members)} images",
                 "duplicates" if group.is_duplicate else "similar"]
        if group.folder:
            parts.append(f"in {group.folder}")
        if total and total.count:
            parts.append(f"copies use {format_bytes(total.total_bytes)}")
        if gone:
            parts.append(f"{gone} moved, deleted or hidden")
        self.group_title.configure(text=" · ".join(parts))
        self.title(f"difPy Image Viewer — group {position} of {len(rows)}")
        self.prev_button.state(["disabled"] if position <= 1 else ["!disabled"])
        self.next_button.state(["disabled"] if position >= len(rows) else ["!disabled"])

    def _prefetch_neighbours(self) -> None:
        here = self._position.get(self.current_group)
        if here is None:
            return
        for offset in (*range(1, PREFETCH_GROUPS + 1), -1):
            if 0 <= here + offset < len(self._rows):
                for path in self.model.members(self._rows[here + offset])[:10]:
                    if path in self.model.files:
                        self.thumbnails.request(self.model.files[path])

    def set_current(self, path: str) -> None:
        """The image Space previews and the one Compare pairs with the kept image."""
        self.current_path = path
        for card in self._cards:
            if card.winfo_ismapped():
                card.configure(style="Current.Card.TFrame" if card.path == path else "Card.TFrame")

    def _card_caption(self, path: str) -> str:
        record = self.model.files[path]
        return (f"{elide(os.path.basename(path), 50)} — {record.width} × {record.height} px, "
                f"{format_bytes(record.size)} — {self.model.badge(path)}")

    def preview(self, path: str) -> None:
        self.set_current(path)
        PreviewWindow(self, [path], self._card_caption, sequence=self._members())

    def compare(self) -> None:
        """Compare the two ticked images; with fewer ticked, pair with the kept image."""
        members = self._members()
        ticked = [card.path for card in self._cards if card.winfo_ismapped() and card.compare.get()]
        if len(ticked) > 2:
            messagebox.showinfo("Compare", "Tick two images to compare them side by side.", parent=self)
            return
        current = [path for path in (self.current_path,) if path in members and path not in ticked]
        pair = sorted([*ticked, *current, *(p for p in members if p not in ticked + current)][:2],
                      key=members.index)
        if len(pair) < 2:
            messagebox.showinfo("Compare", "This group has fewer than two images left.", parent=self)
            return
        turns = {path: match.rotation for path in pair if (match := self.model.match(path))}
        PreviewWindow(self, pair, self._card_caption, turns=turns)

    # ----- file actions -------------------------------------------------------------

    def _say(self, text: str, error: bool = False) -> None:
        self.status.configure(text=text, style="StatusError.TLabel" if error else "Status.TLabel")

    def _ready(self) -> bool:
        if self.file_worker.busy:
            self.bell()
            self._say("Please wait: the previous action is still running.")
            return False
        return True

    def open_image(self, path: str) -> None:
        self._apply([actions.open_file(path, self.journal)], "open")

    def move_image(self, path: str, keep_tree: bool = False) -> None:
        """Move one image to a chosen folder; keep_tree: into the sub-folder matching its
        place below the searched folder (see actions.tree_base)."""
        if not self._ready():
            return
        title = f"Move this image{KEEPING_FOLDERS if keep_tree else ''} to…"
        folder = filedialog.askdirectory(parent=self, title=title, mustexist=True)
        if folder:
            self._start("move", [self.model.files[path]], folder=folder, keep_tree=keep_tree)

    def _inputs(self) -> list[str]:
        """The search's input folders, which moves keeping folders rebuild the tree from."""
        inputs = self.model.result.parameters.get("directory") or []
        return [inputs] if isinstance(inputs, str) else list(inputs)

    def delete_image(self, path: str) -> None:
        if not self._ready():
            return
        size = format_bytes(self.model.files[path].size)
        last = ("\n\nIt is the last image of its group still in place."
                if self._members() == [path] else "")
        if messagebox.askyesno("Delete", f"Move {os.path.basename(path)} ({size}) to the Recycle Bin/Trash?{last}",
                               parent=self):
            self._start("trash", [self.model.files[path]])

    def bulk(self, verb: str, rule: Rule, keep_tree: bool = False) -> None:
        """Select by rule (checking each file is still as scanned, in the worker), confirm
        with count and size, then act. keep_tree: a move keeps each file's folders."""
        if not self._ready():
            return
        keep_folder = None
        if rule is Rule.KEEP_FOLDER:
            keep_folder = filedialog.askdirectory(parent=self, title="Keep the images in which folder?",
                                                  mustexist=True)
            if not keep_folder:
                return
        numbers = [self.current_group] if self.scope.get() == "group" else self.model.visible_groups()
        groups = [self.model.members(number) for number in numbers if number is not None]
        self._say("Checking the files…")
        self.file_worker.submit(actions.plan_bulk, rule, groups, self.model.files, self.journal, keep_folder,
                                done=lambda future: self._confirm_bulk(verb, rule, *future.result(), keep_tree))

    def _confirm_bulk(self, verb: str, rule: Rule, paths: list[str], skipped: list[ActionResult],
                      keep_tree: bool = False) -> None:
        """Ask with count and size; files found changed or gone are reported either way."""
        groups = len({self.model.group_of(path) for path in paths})
        action = "move" if verb == "Move" else "trash"
        left_out = (f"\n\n{len(skipped)} files changed or vanished since the search; they are left out "
                    "and marked in their groups." if skipped else "")
        self._say("")
        if not paths:
            self._apply(skipped, action)
            messagebox.showinfo("Bulk actions", f"Nothing to {verb.lower()}: no group has images that "
                                f"“{rule.label}” selects.{left_out}", parent=self)
            return
        summary = summarize(paths, self.model.files)
        folder = None
        keep_tree = keep_tree and verb == "Move"
        keeping = KEEPING_FOLDERS if keep_tree else ""
        if verb == "Move":
            folder = filedialog.askdirectory(parent=self, title=f"Move {summary.describe()}{keeping} to…",
                                             mustexist=True)
        where = f"to {folder}" if folder else "to the Recycle Bin/Trash"
        question = (f"{verb} {summary.describe()} from {groups} group{'s' if groups != 1 else ''} {where}?\n\n"
                    f"{self._tree_note(paths, folder) if keep_tree else ''}"
                    f"At least one image of every group stays where it is.{left_out}")
        if (folder or verb != "Move") and messagebox.askokcancel(f"{verb} {rule.label}{keeping}", question,
                                                                 parent=self):
            self._start(action, [self.model.files[path] for path in paths], folder=folder, checked=skipped,
                        keep_tree=keep_tree)
        else:
            self._apply(skipped, action)

    def _tree_note(self, paths: list[str], folder: str | None) -> str:
        """The confirmation's paragraph on a move keeping folders: where the files go, and
        how many fall outside every searched folder and go straight into folder."""
        inputs = self._inputs()
        flat = sum(1 for path in paths if actions.tree_base(path, inputs) is None)
        note = ("Their folders are kept: each file goes into the same sub-folders below "
                f"{folder} as it had below the searched folder.")
        if flat:
            note += (f" {flat} of them {'is' if flat == 1 else 'are'} outside the searched folders and "
                     f"{'goes' if flat == 1 else 'go'} straight into {folder}.")
        return note + "\n\n"

    def _start(self, action: str, records: list[FileRecord], folder: str | None = None,
               permanent: bool = False, checked: list[ActionResult] | None = None, keep_tree: bool = False) -> None:
        """Run one action over records in the worker; progress shows in the status bar.
        checked: files already skipped while planning, reported with the outcome.
        keep_tree: a move keeps each file's folders below its searched folder."""
        move = actions.mover(folder, self.journal, self._inputs() if keep_tree else None) if action == "move" else None

        def one(record: FileRecord) -> ActionResult:
            if move is not None:
                return move(record)
            return actions.trash_file(record, self.journal, permanent_if_no_trash=permanent)

        def progress(done: int, total: int) -> None:
            self._progress = (done, total)  # read by _tick on the Tk thread

        self._cancel = CancelToken()
        self._progress = (0, len(records))
        self.file_worker.submit(actions.run_bulk, records, one, action, progress, self._cancel,
                                done=lambda future: self._finished(action, future, checked or []))
        self._tick(action)

    def _tick(self, action: str) -> None:
        if self.file_worker.busy and self._progress:
            done, total = self._progress
            self._say(f"{'Moving' if action == 'move' else 'Deleting'}… {done} of {total}")
            self.stop_button.pack(side="right", padx=4, before=self.undo_button)
            self._tick_id = self.after(100, self._tick, action)
        else:
            self.stop_button.pack_forget()
            self._tick_id = None

    def stop(self) -> None:
        """Stop a running bulk action after the current file; the rest are reported skipped."""
        if self._cancel is not None:
            self._cancel.cancel()

    def _finished(self, action: str, future: Future, checked: list[ActionResult]) -> None:
        self._progress = None
        results: list[ActionResult] = checked + future.result()
        self._apply(results, action)
        unavailable = [r for r in results if r.trash_unavailable]
        if unavailable and messagebox.askyesno(
            "No Recycle Bin/Trash",
            f"{summarize([r.source for r in unavailable], self.model.files).describe()} cannot go to the "
            "Recycle Bin/Trash (there is none for their drive).\n\nDelete them permanently? "
            "This cannot be undone.", icon="warning", default="no", parent=self,
        ):
            self._start("trash", [self.model.files[r.source] for r in unavailable], permanent=True)

    def _apply(self, results: list[ActionResult], action: str) -> None:
        """Show outcomes everywhere: model, list rows, cards, log, status and, for
        failures, a dialog naming each file and why."""
        if not results:
            return
        for result in results:
            self.log(result.line())
        if self.journal.write_error:
            self.log(self.journal.write_error)
        self._update_rows(self.model.apply(results))
        self._show_group()
        self._update_undo_buttons()
        counts = {outcome: sum(1 for r in results if r.outcome is outcome) for outcome in Outcome}
        if action == "open":
            if not counts[Outcome.OK]:
                self._say(results[0].reason, error=True)
            return
        done_word = {"move": "Moved", "trash": "Deleted", "undo": "Restored"}[action]
        text = f"{done_word} {counts[Outcome.OK]} of {len(results)} files."
        if counts[Outcome.SKIPPED]:
            text += f" {counts[Outcome.SKIPPED]} skipped."
        if counts[Outcome.FAILED]:
            text += f" {counts[Outcome.FAILED]} failed."
        self._say(text, error=bool(counts[Outcome.FAILED] or counts[Outcome.SKIPPED]))
        self.log(text)
        problems = [r for r in results if not r.ok and not r.trash_unavailable]
        if problems:
            lines = [f"• {os.path.basename(r.source)}: {r.reason}" for r in problems[:SHOWN_FAILURES]]
            if len(problems) > SHOWN_FAILURES:
                lines.append(f"… and {len(problems) - SHOWN_FAILURES} more (see the log)")
            messagebox.showwarning("Some files were not changed", text + "\n\n" + "\n".join(lines), parent=self)

    def undo_last(self) -> None:
        if self._ready():
            self.file_worker.submit(actions.undo_last, self.journal,
                                    done=lambda f: self._undone([f.result()] if f.result() else []))

    def undo_all(self) -> None:
        if self._ready():
            self.file_worker.submit(actions.undo_all, self.journal, done=lambda f: self._undone(f.result()))

    def _undone(self, results: list[ActionResult]) -> None:
        if results:
            self._apply(results, "undo")
        else:
            self._say("Nothing to undo: no moves in this session.")

    def _update_undo_buttons(self) -> None:
        state = ["!disabled"] if self.journal.undoable_moves() else ["disabled"]
        self.undo_button.state(state)
        self.undo_all_button.state(state)

    # ----- not a duplicate ----------------------------------------------------------

    def _remember(self, paths: list[str]) -> bool:
        try:
            ignore_list.add(paths)
        except OSError as error:
            messagebox.showerror("Not a duplicate", f"Could not save the not-a-duplicate list: {error}", parent=self)
            return False
        return True

    def hide_group(self) -> None:
        """Hide the whole group now and in later searches (reversible in Settings)."""
        if self.current_group is None:
            return
        group = self.model.group(self.current_group)
        if not self._remember(group.paths):
            return
        here = self._position[self.current_group]
        self.model.hidden_groups.add(self.current_group)
        self.log(f"Not a duplicate: hid the group of {os.path.basename(group.kept)} ({len(group.paths)} images)")
        following = self._rows[here + 1:] + self._rows[:here][::-1]
        self.fill_group_list(prefer=following[0] if following else None)
        self._say("Group hidden. Settings › Not-a-duplicate list brings it back in later searches.")

    def hide_pair(self, path: str) -> None:
        """Hide one image from its group: it is not a duplicate of the kept image."""
        number = self.model.group_of(path)
        if number is None:
            return
        kept = self.model.group(number).kept
        if path == kept:
            messagebox.showinfo("Not a duplicate", "Use “Not a duplicate” in the toolbar to hide the whole "
                                "group; this entry hides one match from the kept image.", parent=self)
            return
        if not self._remember([kept, path]):
            return
        self.model.hidden_matches.add(path)
        self.log(f"Not a duplicate: {path} is not a duplicate of {kept}")
        self._update_rows({number})
        self._show_group()

    def close(self) -> None:
        self.destroy()

    def _destroyed(self, event: tk.Event) -> None:
        """Also runs when the app's main window takes the viewer down with it."""
        if event.widget is self:
            self.stop()
            self.thumbnails.close()
            self.file_worker.close()
            if self._tick_id is not None:
                self.after_cancel(self._tick_id)
