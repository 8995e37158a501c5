"""One image of a group: thumbnail, the facts needed to decide (resolution, size, date,
folder, name, MSE to the kept image) and its own Open / Move to… / Delete buttons.

Cards are pooled and re-filled when the group changes instead of being rebuilt, which
keeps switching groups well under the 100 ms the issue asks for."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk
from typing import Protocol

from PIL import ImageTk

from difpy_tk.humanize import format_bytes, format_mtime
from difpy_tk.scan.result import FileRecord

TEXT_BEYOND_THUMBNAIL = 60
"""How much wider than the thumbnail a card's text may be: about its row of buttons, so
long names and folders never make one card wider than the others."""


class CardHost(Protocol):
    """What a card asks of the viewer window."""

    def preview(self, path: str) -> None: ...
    def open_image(self, path: str) -> None: ...
    def move_image(self, path: str, keep_tree: bool = False) -> None: ...
    def delete_image(self, path: str) -> None: ...
    def hide_pair(self, path: str) -> None: ...
    def set_current(self, path: str) -> None: ...


def elide(text: str, limit: int) -> str:
    """Shorten in the middle, where names differ least ("IMG_20…0412.jpg")."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}…{text[-(limit - 1 - head):]}"


def elide_to_fit(text: str, fits: Callable[[str], bool]) -> str:
    """The longest middle-elided form of text that fits(). Measured in pixels rather than
    characters, since "WWW" and "iii" differ threefold in width."""
    if fits(text):
        return text
    shortest, longest = 2, len(text) - 1
    while shortest < longest:
        limit = (shortest + longest + 1) // 2
        if fits(elide(text, limit)):
            shortest = limit
        else:
            longest = limit - 1
    return elide(text, shortest)


def label_font(label: ttk.Label) -> tkfont.Font:
    """The font a ttk label draws with: its style's (or a parent style's), else Tk's default."""
    spec = ttk.Style(label).lookup(str(label.cget("style")) or "TLabel", "font") or "TkDefaultFont"
    try:
        return tkfont.nametofont(spec, root=label)
    except tk.TclError:  # a font description such as "Helvetica 10", not a named font
        return tkfont.Font(root=label, font=spec)


class ImageCard(ttk.Frame):
    def __init__(self, parent: tk.Misc, host: CardHost, box: int) -> None:
        super().__init__(parent, style="Card.TFrame", padding=8)
        self.host = host
        self.path = ""
        self.text_width = box + TEXT_BEYOND_THUMBNAIL
        self._photo: ImageTk.PhotoImage | None = None
        self.compare = tk.BooleanVar(self, value=False)
        self.badge = ttk.Label(self, style="CardStrong.TLabel")
        self.badge.grid(row=0, column=0, columnspan=4, sticky="w")
        holder = ttk.Frame(self, width=box, height=box, style="Card.TFrame")
        holder.grid(row=1, column=0, columnspan=4, pady=(4, 6))
        holder.grid_propagate(False)
        holder.rowconfigure(0, weight=1)
        holder.columnconfigure(0, weight=1)
        self.picture = ttk.Label(holder, style="Card.TLabel", anchor="center", cursor="hand2",
                                 wraplength=box - 10, justify="center")
        self.picture.grid(sticky="nsew")
        self.name = ttk.Label(self, style="CardStrong.TLabel")
        self.folder = ttk.Label(self, style="CardHint.TLabel")
        self.facts = ttk.Label(self, style="Card.TLabel")
        self.date = ttk.Label(self, style="CardHint.TLabel")
        self.status = ttk.Label(self, style="CardError.TLabel", wraplength=box)
        for row, label in enumerate((self.name, self.folder, self.facts, self.date, self.status), start=2):
            label.grid(row=row, column=0, columnspan=4, sticky="w")
        buttons = (
            ttk.Button(self, text="Open", style="Card.TButton", command=lambda: host.open_image(self.path)),
            ttk.Button(self, text="Move to…", style="Card.TButton", command=lambda: host.move_image(self.path)),
            ttk.Button(self, text="Delete", style="Card.TButton", command=lambda: host.delete_image(self.path)),
        )
        for column, button in enumerate(buttons):
            button.grid(row=7, column=column, sticky="ew", padx=(0, 3), pady=(6, 0))
        self.more = ttk.Menubutton(self, text="⋯", width=2, style="Card.TMenubutton")
        menu = tk.Menu(self.more, tearoff=False)
        menu.add_command(label="Large preview (Space)", command=lambda: host.preview(self.path))
        menu.add_command(label="Move to…, keeping folders",
                         command=lambda: host.move_image(self.path, keep_tree=True))
        menu.add_command(label="Not a duplicate of the kept image", command=lambda: host.hide_pair(self.path))
        self.more["menu"] = menu
        self.more.grid(row=7, column=3, sticky="e", pady=(6, 0))
        self.check = ttk.Checkbutton(self, text="Compare", variable=self.compare, style="Card.TCheckbutton")
        self.check.grid(row=8, column=0, columnspan=4, sticky="w", pady=(4, 0))
        for widget in (self, self.picture, self.name, self.folder, self.facts, self.date):
            widget.bind("<Button-1>", self._clicked)
        self.picture.bind("<Double-Button-1>", lambda _e: host.open_image(self.path))

    def _clicked(self, event: tk.Event) -> None:
        self.host.set_current(self.path)
        if event.widget is self.picture:
            self.host.preview(self.path)

    def show(self, record: FileRecord, badge: str, kept: bool, failure: str | None, current: bool) -> None:
        """Fill the card for another image; the thumbnail follows via set_photo."""
        if record.path != self.path:
            self.compare.set(False)
            self._photo = None
            self.picture.configure(image="", text="Loading…")
        self.path = record.path
        folder, name = os.path.split(record.path)
        self.badge.configure(style="CardKept.TLabel" if kept else "CardStrong.TLabel")
        for label, text in ((self.badge, badge), (self.name, name), (self.folder, folder)):
            label.configure(text=self._fitted(label, text))
        self.facts.configure(text=f"{record.width} × {record.height} px · {format_bytes(record.size)}")
        self.date.configure(text=f"modified {format_mtime(record.mtime_ns)}")
        self.status.configure(text=failure or "")
        if failure:
            self.status.grid()
        else:
            self.status.grid_remove()  # no empty line above the buttons
        self.configure(style="Current.Card.TFrame" if current else "Card.TFrame")

    def _fitted(self, label: ttk.Label, text: str) -> str:
        font = label_font(label)
        return elide_to_fit(text, lambda candidate: font.measure(candidate) <= self.text_width)

    def set_photo(self, path: str, photo: ImageTk.PhotoImage | None, reason: str) -> None:
        """Thumbnails arrive later; ignore one for an image this card no longer shows."""
        if path != self.path:
            return
        self._photo = photo
        self.picture.configure(image=photo or "", text="" if photo else reason)
