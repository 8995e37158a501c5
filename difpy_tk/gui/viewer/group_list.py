"""The viewer's list of groups: each group's place, images, kind and the image it keeps,
in columns as wide as what they hold, over a title that counts them.

From a trial at 1,100 pixels: the Keeper column was cut off mid-name. The list asks for
the width its longest keeper name needs, up to a share of the viewer's width (the cards
need the rest), and a name longer than its column is shortened in the middle, where
names differ least, so its start and its extension stay in view."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from tkinter import font, ttk

from difpy_tk.gui.viewer.card import elide_to_fit
from difpy_tk.gui.viewer.styles import style_font
from difpy_tk.gui.widgets import dpi_scale, grid_scrolled
from difpy_tk.humanize import plural

COLUMNS = (("group", "#", "e"), ("images", "Images", "e"), ("kind", "Kind", "w"), ("kept", "Keeper", "w"))
LIST_SHARE = 0.4
"""The most of the viewer's width the list takes to show keeper names whole: at 1,100
pixels a camera's names ("IMG_20190712_183455.jpg") stay whole, and two cards fit beside."""
LIST_LEAST = 440
"""Pixels (at 96 DPI) the list may take however little that leaves the table: 40 % of
1,100, where the cards matter more than the table's last columns."""
KEEPER_ROOM = "picture_000.jpg"
"""What the Keeper column always has room for, however narrow the viewer."""
KEEPER_MOST = "WhatsApp Image 2023-08-15 at 14.30.22.jpeg"
"""The most the Keeper column asks for, however wide the viewer: a longer name is
shortened rather than take the cards' room."""
KIND_ROOM = "duplicates"
"""What the Kind column always has room for."""
FRAME = 4
"""Pixels the list's border takes beside its columns."""
SHORTEN_MS = 60
"""How long after the list is resized its names are fitted again (once per drag)."""


@dataclass(frozen=True)
class GroupRow:
    """One group as the list shows it."""

    number: int
    position: int
    """Place in the list, from 1."""
    images: int
    kind: str
    keeper: str
    """The kept image's file name, whole."""
    flagged: bool


class TextWidth:
    """Widths in pixels of texts in one font, summed from their characters' widths, each
    measured once: Tk takes about 0.2 ms to measure a string, seconds for a list of
    10,000 groups. Tk draws a list's text without kerning on X11, where the sum is exact;
    elsewhere it is as close as the cells' padding needs."""

    def __init__(self, face: font.Font) -> None:
        self._face = face
        self._widths: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        widths = self._widths
        for char in text:
            if char not in widths:
                widths[char] = self._face.measure(char)
        return sum(widths[char] for char in text)


class GroupList(ttk.Frame):
    """The viewer's list of groups (number, images, kind, keeper): its own module so that
    the window only says which rows there are, while the list sizes its columns to what
    they hold and shortens keeper names in the middle to the width it is given."""

    def __init__(self, parent: tk.Misc, style: str) -> None:
        super().__init__(parent)
        self.style = style
        self.title = ttk.Label(self, style="Pane.TLabel")
        self.title.grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 4))
        self.tree = ttk.Treeview(self, columns=[column for column, _title, _anchor in COLUMNS], show="headings",
                                 selectmode="browse", style=style)
        for column, title, anchor in COLUMNS:
            self.tree.heading(column, text=title, anchor=anchor)
            self.tree.column(column, anchor=anchor, stretch=column == "kept")
        self._scrollbar = grid_scrolled(self, self.tree)
        self._rows: dict[int, GroupRow] = {}
        self._longest = 0
        """The widest keeper name in pixels, whole."""
        self._room = 0
        """The width keeper names were fitted to; 0: whole (the list is not shown yet)."""
        self._width: TextWidth | None = None
        self._fit_job: str | None = None
        self.tree.bind("<Configure>", self._resized, add="+")
        self.bind("<Destroy>", self._destroyed, add="+")

    def fill(self, rows: Sequence[GroupRow]) -> None:
        """Show these rows in place of all others, the columns fitted to them."""
        self.tree.delete(*self.tree.get_children())
        self._rows = {row.number: row for row in rows}
        width = self._text_width()
        self._longest = max((width(row.keeper) for row in rows), default=0)
        self._fit_columns()
        self._room = self._keeper_room()
        for row in rows:
            self.tree.insert("", "end", iid=str(row.number), values=self._values(row),
                             tags=("flagged",) if row.flagged else ())
        self._count()

    def update_rows(self, rows: Iterable[GroupRow]) -> None:
        """Show these groups' new figures (a mark, an image moved away, a new keeper)."""
        width = self._text_width()
        kinds = int(self.tree.column("kind", "width")) - self._padding()
        for row in rows:
            if row.number in self._rows:
                self._rows[row.number] = row
                self._longest = max(self._longest, width(row.keeper))
                self.tree.item(str(row.number), values=self._values(row))
                if width(row.kind) > kinds:  # a flag back with an undo
                    self._fit_columns()
                    self._fit_keepers()
        self._count()

    def restyle(self, muted: str) -> None:
        """The theme changed: its colours for flagged groups, and its fonts for the widths."""
        self.tree.tag_configure("flagged", foreground=muted)
        self._width = None
        rows = list(self._rows.values())
        self._longest = max((self._text_width()(row.keeper) for row in rows), default=0)
        self._fit_columns()
        self._room = self._keeper_room()
        self._show_keepers()

    def wanted_width(self, window_width: int, beside: int) -> int:
        """How wide the list should be in a viewer window_width wide, beside a pane that
        needs beside pixels (the table of all matches: 40 % of 1,366 left it too little
        room, and MSE was cut off): every keeper name whole when LIST_SHARE of the window
        allows it and leaves the pane its room (or the list takes LIST_LEAST), else as
        much as it does, between KEEPER_ROOM and KEEPER_MOST."""
        width, fixed = self._text_width(), self._fixed_width() + self._chrome()
        beside_table = max(int(LIST_LEAST * dpi_scale(self)), window_width - beside)
        most = min(int(window_width * LIST_SHARE), beside_table)
        keeper = min(self._longest, width(KEEPER_MOST), most - fixed - self._padding())
        return fixed + max(width(KEEPER_ROOM), keeper) + self._padding()

    # ----- fitting --------------------------------------------------------------

    def _text_width(self) -> TextWidth:
        if self._width is None:
            self._width = TextWidth(style_font(self, self.style))
        return self._width

    def _padding(self) -> int:
        """Room a cell's text needs beside it."""
        return 2 * self._text_width()("0")

    def _chrome(self) -> int:
        """Pixels beside the columns: the border and the scrollbar."""
        return FRAME + self._scrollbar.winfo_reqwidth()

    def _fixed_width(self) -> int:
        return sum(int(self.tree.column(column, "width")) for column, _title, _anchor in COLUMNS[:-1])

    def _fit_columns(self) -> None:
        """Each column but Keeper as wide as its heading or its widest text; Keeper takes
        the rest of the list's width (it stretches), never less than KEEPER_ROOM."""
        width, rows = self._text_width(), self._rows.values()
        heading = style_font(self, f"{self.style}.Heading")
        widest = {
            "group": width(str(len(rows))),
            "images": width(str(max((row.images for row in rows), default=0))),
            "kind": max(width(text) for text in {KIND_ROOM, *(row.kind for row in rows)}),
            "kept": width(KEEPER_ROOM),
        }
        for column, title, _anchor in COLUMNS:
            fitted = max(heading.measure(title), widest[column]) + self._padding()
            self.tree.column(column, width=fitted, minwidth=fitted)

    def _keeper_room(self) -> int:
        """The width a keeper name may take in the Keeper column as the list is now; 0
        before the list is shown (names stay whole until then)."""
        shown = self.tree.winfo_width()
        if shown <= 1:
            return 0
        least = self._text_width()(KEEPER_ROOM)
        return max(least, shown - FRAME - self._fixed_width() - self._padding())

    def _values(self, row: GroupRow) -> tuple:
        return (row.position, row.images, row.kind, self._keeper_text(row))

    def _keeper_text(self, row: GroupRow) -> str:
        if not self._room:
            return row.keeper
        width, room = self._text_width(), self._room
        return elide_to_fit(row.keeper, lambda text: width(text) <= room)

    def _resized(self, _event: tk.Event) -> None:
        if self._fit_job is not None:
            self.after_cancel(self._fit_job)
        self._fit_job = self.after(SHORTEN_MS, self._resize_settled)

    def _resize_settled(self) -> None:
        self._fit_job = None
        self._fit_keepers()

    def _fit_keepers(self) -> None:
        """Fit the keeper names to the Keeper column's width, if it changed."""
        room = self._keeper_room()
        if room != self._room:
            self._room = room
            self._show_keepers()

    def _show_keepers(self) -> None:
        for row in self._rows.values():
            self.tree.set(str(row.number), "kept", self._keeper_text(row))

    def _count(self) -> None:
        images = sum(row.images for row in self._rows.values())
        self.title.configure(text=f"{plural(len(self._rows), 'group')} · {plural(images, 'image')}")

    def _destroyed(self, event: tk.Event) -> None:
        if event.widget is self and self._fit_job is not None:
            self.after_cancel(self._fit_job)
