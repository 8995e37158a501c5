"""The keeper rule as a Settings section: the criteria in the order they are tried, and
the folder priority list, both reordered by the user. The viewer (an open one too) keeps,
in each group, the image these choose (and "Keep this one" overrides it per group)."""

from __future__ import annotations

import tkinter as tk
from tkinter import filedialog, ttk

from difpy_tk.gui.widgets import WrapLabel
from difpy_tk.review.keeper import Criterion
from difpy_tk.state.settings import Settings

INTRO = ("Which image of each group the viewer keeps. The keeper is never marked, so no group is "
         "ever emptied. The first criterion that tells two images apart decides; change the order "
         "with Up and Down.")


class OrderedList(ttk.Frame):
    """A short list with Up / Down (and optionally Add… / Remove) beside it."""

    def __init__(self, parent: tk.Misc, items: list[str], height: int, editable: bool = False,
                 ordered: bool = True, question: str = "") -> None:
        """ordered: with Up and Down; question: the folder chooser's title for Add…."""
        super().__init__(parent)
        self.items = list(items)
        self.question = question
        self.ordered = ordered
        self.listbox = tk.Listbox(self, height=height, activestyle="dotbox", exportselection=False)
        self.listbox.grid(row=0, column=0, sticky="nsew")
        buttons = ttk.Frame(self)
        buttons.grid(row=0, column=1, sticky="n", padx=(8, 0))
        commands = [("Up", lambda: self.move(-1)), ("Down", lambda: self.move(1))] if ordered else []
        if editable:
            commands += [("Add…", self.add), ("Remove", self.remove)]
        self.buttons: dict[str, ttk.Button] = {}
        for text, command in commands:
            self.buttons[text] = ttk.Button(buttons, text=text, command=command)
            self.buttons[text].pack(fill="x", pady=(0, 4))
        self.columnconfigure(0, weight=1)
        self.fill()

    def label(self, item: str) -> str:
        return item

    def fill(self, selected: int | None = None) -> None:
        self.listbox.delete(0, "end")
        for number, item in enumerate(self.items, start=1):
            self.listbox.insert("end", f"{number}. {self.label(item)}" if self.ordered else self.label(item))
        if selected is not None and self.items:
            self.listbox.selection_set(selected)
            self.listbox.see(selected)

    def move(self, offset: int) -> None:
        selection = self.listbox.curselection()
        if not selection:
            return
        here = selection[0]
        there = max(0, min(len(self.items) - 1, here + offset))
        self.items.insert(there, self.items.pop(here))
        self.fill(there)

    def add(self) -> None:
        folder = filedialog.askdirectory(parent=self, title=self.question, mustexist=True)
        if folder and folder not in self.items:
            self.items.append(folder)
            self.fill(len(self.items) - 1)

    def remove(self) -> None:
        selection = self.listbox.curselection()
        if selection:
            del self.items[selection[0]]
            self.fill()


class CriteriaList(OrderedList):
    def label(self, item: str) -> str:
        label = Criterion(item).label
        return label[:1].upper() + label[1:]  # not capitalize(): "Settings › Protected" keeps its capitals


class KeeperRuleFrame(ttk.Frame):
    def __init__(self, parent: tk.Misc, settings: Settings) -> None:
        super().__init__(parent, padding=4)
        WrapLabel(self, text=INTRO, style="Hint.TLabel").pack(fill="x", pady=(0, 6))
        self.criteria = CriteriaList(self, [criterion.value for criterion in settings.keeper_rule().criteria],
                                     height=len(Criterion))
        self.criteria.pack(fill="x")
        ttk.Label(self, text="Folder priority (first preferred):").pack(anchor="w", pady=(10, 4))
        self.folders = OrderedList(self, settings.keeper_folders, height=3, editable=True,
                                   question="Prefer to keep images in which folder?")
        self.folders.pack(fill="x")

    def store(self, settings: Settings) -> None:
        """Put the chosen rule into settings (the dialog saves them)."""
        settings.keeper_criteria = list(self.criteria.items)
        settings.keeper_folders = list(self.folders.items)


def build_frame(parent: tk.Misc, settings: Settings) -> KeeperRuleFrame:
    """The Settings dialog's "Keeper" section; call store(settings) on Save."""
    return KeeperRuleFrame(parent, settings)
