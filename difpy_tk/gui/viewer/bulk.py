"""The viewer's Bulk actions menu: pick a scope and a selection rule, confirm, act.

Apart from the window because a bulk action is the one place that touches many files at
once, so its confirmation (count, size, groups, where the files go, what was left out)
deserves to be read on its own; running the files goes through FileActions like any move."""

from __future__ import annotations

import tkinter as tk
from tkinter import filedialog, messagebox, ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.viewer.file_actions import KEEPING_FOLDERS, FileActions
from difpy_tk.review import actions
from difpy_tk.review.journal import ActionResult
from difpy_tk.review.selection import Rule, summarize

if TYPE_CHECKING:
    from difpy_tk.gui.viewer.window import ViewerWindow


class BulkActions:
    """The menu behind button and the bulk actions its entries start."""

    def __init__(self, window: ViewerWindow, files: FileActions, button: ttk.Menubutton) -> None:
        self.window = window
        self.files = files
        self.scope = tk.StringVar(window, value="shown")
        self.menu = tk.Menu(button, tearoff=False)
        self.menu.add_radiobutton(label="Apply to every group shown in the list", variable=self.scope,
                                  value="shown")
        self.menu.add_radiobutton(label="Apply to this group only", variable=self.scope, value="group")
        for verb, keep_tree in (("Move", False), ("Move", True), ("Delete", False)):
            self.menu.add_separator()
            for rule in Rule:
                label = f"{verb} {rule.label}{KEEPING_FOLDERS if keep_tree else ''}…"
                self.menu.add_command(label=label, command=lambda v=verb, r=rule, k=keep_tree: self.run(v, r, k))
        button["menu"] = self.menu

    def run(self, verb: str, rule: Rule, keep_tree: bool = False) -> None:
        """Select by rule (checking each file is still as scanned, in the worker), confirm
        with count and size, then act. keep_tree: a move keeps each file's folders."""
        if not self.files.ready():
            return
        window = self.window
        keep_folder = None
        if rule is Rule.KEEP_FOLDER:
            keep_folder = filedialog.askdirectory(parent=window, title="Keep the images in which folder?",
                                                  mustexist=True)
            if not keep_folder:
                return
        numbers = [window.current_group] if self.scope.get() == "group" else window.model.visible_groups()
        groups = [window.model.members(number) for number in numbers if number is not None]
        window.say("Checking the files…")
        window.file_worker.submit(actions.plan_bulk, rule, groups, window.model.files, window.journal, keep_folder,
                                  done=lambda future: self._confirm(verb, rule, *future.result(), keep_tree))

    def _confirm(self, verb: str, rule: Rule, paths: list[str], skipped: list[ActionResult],
                 keep_tree: bool = False) -> None:
        """Ask with count and size; files found changed or gone are reported either way."""
        window = self.window
        groups = len({window.model.group_of(path) for path in paths})
        action = "move" if verb == "Move" else "trash"
        left_out = (f"\n\n{len(skipped)} files changed or vanished since the search; they are left out "
                    "and marked in their groups." if skipped else "")
        window.say("")
        if not paths:
            self.files.apply(skipped, action)
            messagebox.showinfo("Bulk actions", f"Nothing to {verb.lower()}: no group has images that "
                                f"“{rule.label}” selects.{left_out}", parent=window)
            return
        summary = summarize(paths, window.model.files)
        folder = None
        keep_tree = keep_tree and verb == "Move"
        keeping = KEEPING_FOLDERS if keep_tree else ""
        if verb == "Move":
            folder = filedialog.askdirectory(parent=window, title=f"Move {summary.describe()}{keeping} to…",
                                             mustexist=True)
        where = f"to {folder}" if folder else "to the Recycle Bin/Trash"
        question = (f"{verb} {summary.describe()} from {groups} group{'s' if groups != 1 else ''} {where}?\n\n"
                    f"{self._tree_note(paths, folder) if keep_tree else ''}"
                    f"At least one image of every group stays where it is.{left_out}")
        if (folder or verb != "Move") and messagebox.askokcancel(f"{verb} {rule.label}{keeping}", question,
                                                                 parent=window):
            self.files.start(action, [window.model.files[path] for path in paths], folder=folder, checked=skipped,
                             keep_tree=keep_tree)
        else:
            self.files.apply(skipped, action)

    def _tree_note(self, paths: list[str], folder: str | None) -> str:
        """The confirmation's paragraph on a move keeping folders: where the files go, and
        how many fall outside every searched folder and go straight into folder."""
        inputs = self.files.inputs()
        flat = sum(1 for path in paths if actions.tree_base(path, inputs) is None)
        note = ("Their folders are kept: each file goes into the same sub-folders below "
                f"{folder} as it had below the searched folder.")
        if flat:
            note += (f" {flat} of them {'is' if flat == 1 else 'are'} outside the searched folders and "
                     f"{'goes' if flat == 1 else 'go'} straight into {folder}.")
        return note + "\n\n"
