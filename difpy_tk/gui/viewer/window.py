"""The image viewer window: the group list on the left, the current group's images as
cards on the right, the toolbar on top and the status bar with Stop/Undo below.

It lays these out, navigates the groups and hides not-a-duplicate ones; touching files
is FileActions' job (file_actions.py) and the Bulk actions menu is BulkActions' (bulk.py),
so the rules for moving and deleting are read in one place each."""

from __future__ import annotations

import os
import time
import tkinter as tk
from collections.abc import Callable
from tkinter import messagebox, ttk

from difpy_tk.gui.viewer.bulk import BulkActions
from difpy_tk.gui.viewer.card import ImageCard, elide
from difpy_tk.gui.viewer.file_actions import FileActions
from difpy_tk.gui.viewer.model import ViewerModel
from difpy_tk.gui.viewer.preview import PreviewWindow
from difpy_tk.gui.viewer.styles import configure_styles
from difpy_tk.gui.viewer.thumbnails import ThumbnailCache
from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.gui.widgets import WrapLabel
from difpy_tk.humanize import format_bytes
from difpy_tk.review import ignore_list
from difpy_tk.review.journal import Journal
from difpy_tk.review.selection import Rule, summarize
from difpy_tk.scan.result import SearchResult

THUMB_BOX = 200
CARD_GAP = 10
"""Pixels between cards, right of and below each one."""
CARDS_PER_PAGE = 40
PREFETCH_GROUPS = 2
KIND_CHOICES = {"All groups": "all", "Duplicates (identical)": "duplicates", "Similar": "similar"}
KEYS_HINT = ("← → or Page Up/Down: previous/next group · click an image or press Space: large preview · "
             "Ctrl+Z: undo the last move")
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
        self.files = FileActions(self)
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
        self.undo_button = ttk.Button(footer, text="Undo last move", command=self.files.undo_last)
        self.undo_button.pack(side="right", padx=4)
        self.stop_button = ttk.Button(footer, text="Stop", command=self.files.stop)
        self.status.pack(side="left", fill="x", expand=True)
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self._bind_keys()
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Destroy>", self._destroyed, add="+")
        self.fill_group_list()
        self.files.update_undo_buttons()

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
        self.bulk_actions = BulkActions(self, self.files, self.bulk_button)
        self.bulk_menu = self.bulk_actions.menu
        self.scope = self.bulk_actions.scope
        """Which groups a bulk action covers: "shown" (the list) or "group" (the current one)."""
        self.bulk_button.pack(side="right")

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
        _grid_scrolled(left, self.tree)
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
        _grid_scrolled(right, self.canvas)
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
                            ("<Control-z>", self.files.undo_last)):
            self.bind(key, lambda _e, a=action: a())
        self.bind("<space>", self._space)

    def _space(self, event: tk.Event) -> None:
        if event.widget.winfo_class() in NOT_INTERACTIVE:
            return
        path = self.current_path or next(iter(self.members()), None)
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

    def update_rows(self, numbers: set[int]) -> None:
        """Refresh just these groups' rows after actions changed them: rebuilding the
        whole list would cost 0.15 s at 10,000 groups."""
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

    def members(self) -> list[str]:
        """The current group's images still in it (none without a current group)."""
        return [] if self.current_group is None else self.model.members(self.current_group)

    def _shown_paths(self) -> list[str]:
        return [path for path in self.members() if path in self.model.files][: self._card_limit]

    def _show_group(self) -> None:
        """Re-fill the pooled cards for the current group; thumbnails arrive as decoded."""
        started = time.perf_counter()
        self.thumbnails.new_generation()
        members = self.members()
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
        hidden = len(self.members()) - count
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
        PreviewWindow(self, [path], self._card_caption, sequence=self.members())

    def compare(self) -> None:
        """Compare the two ticked images; with fewer ticked, pair with the kept image."""
        members = self.members()
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

    # ----- status bar and file actions ---------------------------------------------

    def say(self, text: str, error: bool = False) -> None:
        """Show text in the status bar; errors in the error style so they stand out."""
        self.status.configure(text=text, style="StatusError.TLabel" if error else "Status.TLabel")

    def open_image(self, path: str) -> None:
        """A card's Open button (see CardHost)."""
        self.files.open_image(path)

    def move_image(self, path: str, keep_tree: bool = False) -> None:
        """A card's Move to… entries (see CardHost)."""
        self.files.move_image(path, keep_tree)

    def delete_image(self, path: str) -> None:
        """A card's Delete button (see CardHost)."""
        self.files.delete_image(path)

    def undo_all(self) -> None:
        """The "Undo all moves" button."""
        self.files.undo_all()

    def bulk(self, verb: str, rule: Rule, keep_tree: bool = False) -> None:
        """Run a bulk action as its Bulk actions menu entry does (see BulkActions.run)."""
        self.bulk_actions.run(verb, rule, keep_tree)

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
        self.say("Group hidden. Settings › Not-a-duplicate list brings it back in later searches.")

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
        self.update_rows({number})
        self._show_group()

    def close(self) -> None:
        self.destroy()

    def _destroyed(self, event: tk.Event) -> None:
        """Also runs when the app's main window takes the viewer down with it."""
        if event.widget is self:
            self.files.close()
            self.thumbnails.close()
            self.file_worker.close()


def _grid_scrolled(parent: ttk.Frame, widget: tk.Canvas | ttk.Treeview) -> None:
    """Put widget in row 1 of parent with a vertical scrollbar, taking the spare room."""
    scroll = ttk.Scrollbar(parent, orient="vertical", command=widget.yview)
    widget.configure(yscrollcommand=scroll.set)
    widget.grid(row=1, column=0, sticky="nsew")
    scroll.grid(row=1, column=1, sticky="ns")
    parent.rowconfigure(1, weight=1)
    parent.columnconfigure(0, weight=1)
