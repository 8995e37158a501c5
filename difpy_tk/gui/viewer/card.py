"""One image of a group: its mark, thumbnail, the facts needed to decide (resolution,
size, format, date, folder, name, other names, MSE) and Keep this one / Open / more.
Cards never act on files: marking and keeping go to the review session.

Cards are pooled and re-filled when the group changes instead of being rebuilt, which
keeps switching groups well under the 100 ms the issue asks for."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk
from typing import Protocol

from PIL import ImageTk

from difpy_tk.gui.viewer.styles import style_font
from difpy_tk.humanize import format_bytes, format_mtime
from difpy_tk.review.actions import SHORT_REASONS
from difpy_tk.scan.result import FileRecord

TEXT_BEYOND_THUMBNAIL = 60
"""How much wider than the thumbnail a card's text may be: about its row of buttons, so
long names and folders never make one card wider than the others."""
KEPT_NOTE = "Kept in its group: choose “Keep this one” on another first"
"""The menu's words on why the kept image has no Move or Trash of its own."""


class CardHost(Protocol):
    """What a card asks of the viewer window (which forwards to the review session)."""

    def set_current(self, path: str) -> None: ...
    def preview(self, path: str) -> None: ...
    def compare_with_keeper(self, path: str) -> None: ...
    def toggle_mark(self, path: str) -> None: ...
    def keep(self, path: str) -> None: ...
    def open_image(self, path: str) -> None: ...
    def show_in_folder(self, path: str) -> None: ...
    def copy_path(self, path: str) -> None: ...
    def not_duplicate_image(self, path: str) -> None: ...
    def trash_image(self, path: str) -> None: ...
    def move_image(self, path: str) -> None: ...


@dataclass(frozen=True)
class CardFacts:
    """What one card shows, decided by the window from the session."""

    record: FileRecord
    badge: str
    keeper: bool
    marked: bool
    current: bool
    failure: str | None = None
    links: str = ""
    """"Also reached as: …" for a file the search found under other names too."""
    protected: str = ""
    """The protected folder the image is in ("" when none): its Mark box says so and
    cannot be ticked, and its menu says why it cannot move the image."""


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
    """The font a ttk label draws with."""
    return style_font(label, str(label.cget("style")) or "TLabel")


class ImageCard(ttk.Frame):
    def __init__(self, parent: tk.Misc, host: CardHost, box: int) -> None:
        super().__init__(parent, style="Card.TFrame", padding=8)
        self.host = host
        self.path = ""
        self.box = box
        self._photo: ImageTk.PhotoImage | None = None
        self.marked = tk.BooleanVar(self, value=False)
        self.check = ttk.Checkbutton(self, text="Mark", variable=self.marked, style="Card.TCheckbutton",
                                     command=lambda: host.toggle_mark(self.path))
        # Greyed (the keeper, a protected image), a click is told why, not ignored.
        self.check.bind("<Button-1>", lambda _e: host.toggle_mark(self.path) if self.check.instate(["disabled"])
                        else None)
        self.check.grid(row=0, column=0, columnspan=3, sticky="w")
        self.badge = ttk.Label(self, style="CardStrong.TLabel")
        # Across the whole row, right-aligned, so the Mark box's column (as wide as the Keep
        # button below it) does not add to the card's width; the text is shortened to fit.
        self.badge.grid(row=0, column=0, columnspan=3, sticky="e")
        self.holder = ttk.Frame(self, width=box, height=box, style="Card.TFrame")
        self.holder.grid(row=1, column=0, columnspan=3, pady=(4, 6))
        self.holder.grid_propagate(False)
        self.holder.rowconfigure(0, weight=1)
        self.holder.columnconfigure(0, weight=1)
        self.picture = ttk.Label(self.holder, style="Card.TLabel", anchor="center", cursor="hand2",
                                 wraplength=box - 10, justify="center")
        self.picture.grid(sticky="nsew")
        self.name = ttk.Label(self, style="CardStrong.TLabel")
        self.folder = ttk.Label(self, style="CardHint.TLabel")
        self.facts = ttk.Label(self, style="Card.TLabel")
        self.date = ttk.Label(self, style="CardHint.TLabel")
        self.links = ttk.Label(self, style="CardHint.TLabel")
        self.status = ttk.Label(self, style="CardError.TLabel", wraplength=box)
        for row, label in enumerate((self.name, self.folder, self.facts, self.date, self.links, self.status), start=2):
            label.grid(row=row, column=0, columnspan=3, sticky="w")
        self.keep_button = ttk.Button(self, text="Keep this one", style="Card.TButton",
                                      command=lambda: host.keep(self.path))
        self.keep_button.grid(row=8, column=0, sticky="w", pady=(6, 0))
        self.open_button = ttk.Button(self, text="Open", style="Card.TButton",
                                      command=lambda: host.open_image(self.path))
        self.open_button.grid(row=8, column=1, sticky="e", padx=3, pady=(6, 0))
        self.more = ttk.Menubutton(self, text="⋯", width=2, style="Card.TMenubutton")
        self.menu = tk.Menu(self.more, tearoff=False)
        for label, command in (
            ("Large preview (Enter)", host.preview),
            ("Compare with the keeper", host.compare_with_keeper),
            ("Show in folder", host.show_in_folder),
            ("Copy path", host.copy_path),
            ("Not a duplicate of the others", host.not_duplicate_image),
            ("Move this image to Trash…", host.trash_image),
            ("Move this image to…", host.move_image),
        ):
            self.menu.add_command(label=label, command=lambda c=command: c(self.path))
        self.more["menu"] = self.menu
        self._menu_end = self.menu.index("end")
        self.more.grid(row=8, column=2, sticky="e", pady=(6, 0))
        self.columnconfigure(1, weight=1)
        for widget in (self, self.picture, self.name, self.folder, self.facts, self.date, self.links, self.badge):
            widget.bind("<Button-1>", self._clicked)
        self.picture.bind("<Double-Button-1>", lambda _e: host.open_image(self.path))

    def narrowest(self) -> int:
        """The card's width with the smallest thumbnail: its row of buttons and padding."""
        buttons = (self.keep_button, self.open_button, self.more)
        return sum(button.winfo_reqwidth() for button in buttons) + 3 + 2 * 8

    @property
    def text_width(self) -> int:
        return self.box + TEXT_BEYOND_THUMBNAIL

    def set_box(self, box: int) -> None:
        """A new thumbnail size (the window grew or shrank); the picture follows."""
        if box != self.box:
            self.box = box
            self.holder.configure(width=box, height=box)
            self.picture.configure(wraplength=box - 10)
            self.status.configure(wraplength=box)
            self._photo = None
            self.picture.configure(image="", text="Loading…")

    def _clicked(self, event: tk.Event) -> None:
        self.host.set_current(self.path)
        if event.widget is self.picture:
            self.host.preview(self.path)

    def show(self, facts: CardFacts) -> None:
        """Fill the card for an image; the thumbnail follows via set_photo."""
        record = facts.record
        if record.path != self.path:
            self._photo = None
            self.picture.configure(image="", text="Loading…")
        self.path = record.path
        folder, name = os.path.split(record.path)
        self.marked.set(facts.marked)
        self.check.state(["disabled"] if facts.keeper or facts.protected else ["!disabled"])
        for entry in ("Move this image to Trash…", "Move this image to…"):  # never the keeper or a protected one
            self.menu.entryconfigure(entry, state="disabled" if facts.keeper or facts.protected else "normal")
        self._note_in_menu(KEPT_NOTE if facts.keeper else f"In a protected folder: {facts.protected}" if facts.protected
                           else "")
        self.check.configure(text="Protected" if facts.protected and not facts.keeper else "Mark")
        self.keep_button.state(["disabled"] if facts.keeper else ["!disabled"])
        style = "CardKept.TLabel" if facts.keeper else "CardMarked.TLabel" if facts.marked else "CardStrong.TLabel"
        self.badge.configure(style=style)
        for label, text in ((self.name, name), (self.folder, folder)):
            label.configure(text=self._fitted(label, text))
        self.links.configure(text=facts.links, wraplength=self.text_width)  # each name matters: wrapped, whole
        extension = os.path.splitext(name)[1].lstrip(".").upper()
        self.facts.configure(text=f"{record.width} × {record.height} px · {format_bytes(record.size)} · {extension}")
        self.date.configure(text=f"modified {format_mtime(record.mtime_ns)}")
        self.status.configure(text=SHORT_REASONS.get(facts.failure or "", facts.failure or ""))
        # The badge shares its row with the Mark box, within the width the rest of the card
        # takes (thumbnail, texts, buttons): it was fitted to text_width, which a card with
        # short names does not reach, and ran over the Mark box.
        texts = (self.name, self.folder, self.facts, self.date, self.links, self.status)
        row = max(self.box, self.narrowest() - 2 * 8, *(label.winfo_reqwidth() for label in texts))
        beside = self.text_width - min(row, self.text_width) + self.check.winfo_reqwidth() + 4
        self.badge.configure(text=self._fitted(self.badge, facts.badge, beside, whole_or_before=" ("))
        for label, text in ((self.links, facts.links), (self.status, facts.failure)):
            if text:
                label.grid()
            else:
                label.grid_remove()  # no empty line above the buttons
        if facts.current:
            self.configure(style="Current.Card.TFrame")
        else:
            self.configure(style="Marked.Card.TFrame" if facts.marked else "Card.TFrame")

    def _note_in_menu(self, note: str) -> None:
        """Say at the menu's end why its Move and Trash are greyed (they said nothing)."""
        end = self.menu.index("end")
        if end is not None and end > self._menu_end:
            self.menu.delete(self._menu_end + 1, end)
        if note:
            self.menu.add_separator()
            self.menu.add_command(label=note, state="disabled")

    def _fitted(self, label: ttk.Label, text: str, beside: int = 0, whole_or_before: str = "") -> str:
        """text shortened to the card's text width, less beside (what shares its row).
        whole_or_before: a text too long is first cut before this, whole words being
        clearer than a middle cut ("KEEP", not "KEEP (ori…al format)")."""
        font = label_font(label)

        def fits(candidate: str) -> bool:
            return font.measure(candidate) <= self.text_width - beside

        if whole_or_before and whole_or_before in text and not fits(text):
            text = text.partition(whole_or_before)[0]
        return elide_to_fit(text, fits)

    def set_photo(self, path: str, photo: ImageTk.PhotoImage | None, reason: str) -> None:
        """Thumbnails arrive later; ignore one for an image this card no longer shows."""
        if path != self.path:
            return
        self._photo = photo
        self.picture.configure(image=photo or "", text="" if photo else reason)
