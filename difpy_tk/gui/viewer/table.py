"""All matches in one sortable, filterable table: group, name, folder, resolution, size,
date, format, MSE, and the mark, toggled here too (click the first column, or select
rows and press Space). Double-click shows the image's group as cards.

The rows come from ReviewSession.entries, so sorting and filtering are the model's and
tested without a display; the table only renders them."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Protocol

from difpy_tk.gui.viewer.confirm import below, common_folder
from difpy_tk.gui.viewer.styles import style_font
from difpy_tk.gui.widgets import dpi_scale, grid_scrolled
from difpy_tk.humanize import format_bytes, format_mtime, plural
from difpy_tk.review.session import Entry, ReviewSession

COLUMNS = (  # name, title, its longest usual text, anchor; Name and Folder take any room beyond
    ("mark", "Mark", "protected", "center"),
    ("group", "Group", "999", "e"),
    ("name", "Name", "IMG_0", "w"),  # these two start narrow and take the room left
    ("folder", "Folder", "DCIM", "w"),
    ("resolution", "Resolution", "12032 × 9024", "e"),
    ("size", "Size", "999.9 KB", "e"),
    ("date", "Modified", "2026-12-31 23:59", "w"),
    ("format", "Format", "WEBP", "w"),
    ("mse", "MSE", "12.34 ⇆↻270°", "e"),
)
MARKED, UNMARKED, KEEPER, PROTECTED = "☒", "☐", "keep", "protected"


class TableHost(Protocol):
    session: ReviewSession

    def toggle_marks(self, paths: list[str]) -> None: ...
    def show_image(self, path: str) -> None: ...
    def set_current(self, path: str) -> None: ...


def mark_cell(keeper: bool, protected: bool, marked: bool) -> str:
    return KEEPER if keeper else PROTECTED if protected else MARKED if marked else UNMARKED


def row_values(entry: Entry, base: str = "") -> tuple:
    """The row of one image; its folder below base, the folder holding every file of the
    result (at 1366 pixels the Folder column showed only the start all paths share)."""
    record = entry.record
    mse = "" if entry.mse is None else f"{entry.mse:.2f}" + (f" {entry.pose.label()}" if entry.pose else "")
    name = entry.name + (f"  (+{len(entry.links)} other name{'s' if len(entry.links) > 1 else ''})"
                         if entry.links else "")
    mark = mark_cell(entry.keeper, entry.protected, entry.marked)
    return (mark, entry.position, name, below(entry.folder, base), f"{record.width} × {record.height}",
            format_bytes(record.size), format_mtime(record.mtime_ns), entry.format, mse)


TABLE_CHROME = 60
"""Pixels (at 96 DPI) the table's pane takes beside its columns: the scrollbar, the
frame's and the notebook's padding and borders."""


class MatchTable(ttk.Frame):
    def __init__(self, parent: tk.Misc, host: TableHost) -> None:
        super().__init__(parent)
        self.host = host
        self.sort = "group"
        self.descending = False
        self.paths: dict[str, str] = {}
        """Row id -> image path (paths are not safe as Treeview ids)."""
        self._rows: dict[str, str] = {}
        """Image path -> row id."""
        self._group_paths: dict[int, set[str]] = {}
        """Group number -> the paths of its rows (what update_groups may update in place)."""
        top = ttk.Frame(self)
        top.grid(row=0, column=0, columnspan=2, sticky="ew", pady=(0, 6))
        ttk.Label(top, text="Filter:").pack(side="left")
        self.filter_text = tk.StringVar(self)
        self.filter_entry = ttk.Entry(top, textvariable=self.filter_text, width=24)
        self.filter_entry.pack(side="left", padx=(4, 8))
        self.filter_text.trace_add("write", lambda *_a: self.refresh())
        self.count = ttk.Label(top, style="Status.TLabel")
        self.count.pack(side="left")
        ttk.Label(top, style="Status.TLabel",
                  text="☐ or Space: mark · Enter or double-click: cards").pack(side="right")
        self.tree = ttk.Treeview(self, columns=[c[0] for c in COLUMNS], show="headings", selectmode="extended",
                                 style="Viewer.Treeview")
        # sized from the fonts in use: pixels fixed for one font cut "6000 × 4000" to "6000 × 400"
        body, heading = style_font(self, "Viewer.Treeview"), style_font(self, "Viewer.Treeview.Heading")
        for column, title, sample, anchor in COLUMNS:
            self.tree.heading(column, text=title, anchor=anchor, command=lambda c=column: self.sort_by(c))
            width = max(body.measure(sample) + body.measure("0"), heading.measure(f"{title} ▼") + 4)
            self.tree.column(column, width=width, anchor=anchor, stretch=column in ("name", "folder"))
        grid_scrolled(self, self.tree)
        self.base_label = ttk.Label(self, style="Status.TLabel")  # a column heading cut the folder off
        self.base_label.grid(row=2, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.tree.bind("<Button-1>", self._clicked)
        self.tree.bind("<space>", self._space)
        self.tree.bind("<Double-Button-1>", self._double)
        self.tree.bind("<Return>", self._enter)
        self.tree.bind("<<TreeviewSelect>>", self._selected)

    def needed_width(self) -> int:
        """Pixels the table's pane needs to show every column (Name and Folder at their
        start): the group list beside it takes no more than the rest (GroupList.wanted_width)."""
        columns = sum(int(self.tree.column(name, "width")) for name, *_rest in COLUMNS)
        return columns + int(TABLE_CHROME * dpi_scale(self))

    def restyle(self, accent: str, error: str) -> None:
        self.tree.tag_configure("keeper", foreground=accent)
        self.tree.tag_configure("marked", foreground=error)

    def sort_by(self, column: str) -> None:
        """Sort by column; the same column again reverses the order."""
        self.descending = not self.descending if column == self.sort else column in ("size", "resolution", "mse")
        self.sort = column
        for name, title, _sample, _anchor in COLUMNS:
            arrow = (" ▼" if self.descending else " ▲") if name == column else ""
            self.tree.heading(name, text=title + arrow)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows from the session (filter and order kept)."""
        session = self.host.session
        selected = {self.paths[iid] for iid in self.tree.selection() if iid in self.paths}
        self.tree.delete(*self.tree.get_children())
        self.paths.clear()
        self._rows.clear()
        self._group_paths.clear()
        entries = session.entries(self.filter_text.get().strip(), self.sort, self.descending)
        base = common_folder(list(session.files))
        for number, entry in enumerate(entries):
            iid = str(number)
            self.paths[iid] = entry.record.path
            self._rows[entry.record.path] = iid
            self._group_paths.setdefault(entry.group, set()).add(entry.record.path)
            self.tree.insert("", "end", iid=iid, values=row_values(entry, base), tags=self._tags(entry))
        keep = [self._rows[path] for path in selected if path in self._rows]
        if keep:
            self.tree.selection_set(keep)
        groups = len({entry.group for entry in entries})
        self.count.configure(text=f"{plural(len(entries), 'image')} in {plural(groups, 'group')}")
        self.base_label.configure(text=f"Folders are shown below {base}" if base else "")

    def _tags(self, entry: Entry) -> tuple[str, ...]:
        if entry.keeper:
            return ("keeper",)
        return ("marked",) if entry.marked else ()

    def update_groups(self, numbers: set[int]) -> bool:
        """Refresh the mark cells of these groups in place, when their rows are still the
        ones shown (a toggle, a new keeper); False when the table must be rebuilt."""
        session = self.host.session
        needle = self.filter_text.get().strip().casefold()
        for number in numbers:
            wanted = {path for path in session.members(number) if needle in path.casefold()}
            if wanted != self._group_paths.get(number, set()):
                return False
        for number in numbers:
            keeper = session.keeper(number)
            for path in self._group_paths.get(number, ()):
                iid = self._rows[path]
                marked = session.is_marked(path)
                self.tree.set(iid, "mark", mark_cell(path == keeper, session.is_protected(path), marked))
                self.tree.item(iid, tags=("keeper",) if path == keeper else ("marked",) if marked else ())
        return True

    def _clicked(self, event: tk.Event) -> str | None:
        if self.tree.identify_region(event.x, event.y) != "cell" or self.tree.identify_column(event.x) != "#1":
            return None
        iid = self.tree.identify_row(event.y)
        if iid in self.paths:
            self.host.toggle_marks([self.paths[iid]])
        return "break"

    def _space(self, _event: tk.Event) -> str:
        paths = [self.paths[iid] for iid in self.tree.selection() if iid in self.paths]
        if paths:
            self.host.toggle_marks(paths)
        return "break"

    def _double(self, event: tk.Event) -> None:
        iid = self.tree.identify_row(event.y)
        if iid in self.paths:
            self.host.show_image(self.paths[iid])

    def _enter(self, _event: tk.Event) -> str:
        focus = self.tree.focus()
        if focus in self.paths:
            self.host.show_image(self.paths[focus])
        return "break"

    def _selected(self, _event: tk.Event) -> None:
        focus = self.tree.focus()
        if focus in self.paths:
            self.host.set_current(self.paths[focus])
