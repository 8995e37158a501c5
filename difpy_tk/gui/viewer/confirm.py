"""The confirmation before any file is touched: every file of the plan in a scrollable
list with its size and folder, under the image its group keeps, the total, the files
left out and why, and the links the action breaks. A permanent delete (offered only
where no Trash exists) says it cannot be undone and does not take Enter for yes."""

from __future__ import annotations

import os
import tkinter as tk
from tkinter import ttk

from difpy_tk.gui.widgets import WrapLabel, fit_to_screen
from difpy_tk.humanize import first_few, format_bytes, plural
from difpy_tk.review.session import LOW_DETAIL, SEVERAL_PAGES, ActionKind, Plan

CONFIRM_SIZE = (900, 560)
"""At 96 DPI, as much of it as the screen allows (widgets.fit_to_screen)."""
BUTTONS = {
    ActionKind.MOVE: "Move",
    ActionKind.MOVE_KEEPING_FOLDERS: "Move",
    ActionKind.TRASH: "Move to Trash",
    ActionKind.DELETE: "Delete permanently",
}
TITLES = {  # not "marked": a card's own Move and Trash ask the same of an image not marked
    ActionKind.MOVE: "Move images",
    ActionKind.MOVE_KEEPING_FOLDERS: "Move images, keeping folders",
    ActionKind.TRASH: "Move images to the Trash",
    ActionKind.DELETE: "No Trash: delete permanently?",
}


FLAG_NOTES = {
    LOW_DETAIL: "low detail: may match without being a copy",
    SEVERAL_PAGES: "several pages: only the first was compared",
}
"""The note of a file whose group was flagged (session.FLAGS) and included by the user."""


def file_note(links: tuple, flags: tuple[str, ...] = ()) -> str:
    """The list's last column: a flagged group's reason, then the file's other names."""
    broken = [os.path.basename(link.path) for link in links if link.breaks]
    hard = [os.path.basename(link.path) for link in links if not link.symbolic]
    notes = [FLAG_NOTES.get(flag, flag) for flag in flags]
    if broken:
        notes.append(f"link{'s' if len(broken) > 1 else ''} {', '.join(broken)} will break")
    if hard:
        notes.append(f"hard link{'s' if len(hard) > 1 else ''} {', '.join(hard)} keep{'' if len(hard) > 1 else 's'} "
                     "the data")
    return "; ".join(notes)


def common_folder(paths: list[str]) -> str:
    """The deepest folder holding every path ("" when they share none, as on two drives)."""
    try:
        return os.path.commonpath([os.path.dirname(path) for path in paths])
    except ValueError:
        return ""


def below(folder: str, base: str) -> str:
    """folder as the list shows it: below base, where the names differ ("." for base itself)."""
    return os.path.relpath(folder, base) if base and folder.startswith(base) else folder


def summary_lines(plan: Plan) -> list[str]:
    """The paragraph under the list: what stays, what is left out, which links break."""
    lines = ["The image each group keeps stays where it is: it is listed, in colour, above its group's files."]
    if plan.kind is ActionKind.MOVE_KEEPING_FOLDERS:
        lines.append("Each file goes into the sub-folders it had below the searched folder.")
    if plan.searched_folder is not None:
        lines.append(f"{plan.folder} is inside {plan.searched_folder}, which was searched: a later search "
                     "there will find these files again.")
    if plan.left_out:
        lines.append(f"{plural(len(plan.left_out), 'file')} changed or vanished since the search "
                     "(or their group's keeper did) and will not be touched; they are listed greyed with the reason.")
    if plan.breaking_links:
        lines.append(f"{plural(len(plan.breaking_links), 'link')} found in the search point"
                     f"{'s' if len(plan.breaking_links) == 1 else ''} to these files and will point nowhere: "
                     + first_few([link.path for link in plan.breaking_links], 5))
    if plan.hard_links:
        lines.append(f"{plural(len(plan.hard_links), 'hard link')} keep{'s' if len(plan.hard_links) == 1 else ''} "
                     "a file's data under another name: that name stays, and the space is not freed.")
    if plan.kind is ActionKind.DELETE:
        lines.append("Deleted files do not go to a Trash: this cannot be undone.")
    elif plan.kind is ActionKind.TRASH:
        lines.append("You can restore them from the Trash (Undo here cannot). Where a drive has no Trash, you will "
                     "be asked again.")
    else:
        lines.append('A file whose name is taken there gets a number added ("name (2).jpg"); nothing is '
                     "overwritten. Undo puts moved files back.")
    return lines


class ConfirmDialog(tk.Toplevel):
    def __init__(self, parent: tk.Misc, plan: Plan) -> None:
        super().__init__(parent)
        self.plan = plan
        self.answer = False
        self.title(TITLES[plan.kind])
        self.transient(parent.winfo_toplevel())
        fit_to_screen(self, *CONFIRM_SIZE)
        self.minsize(560, 360)
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        style = "Error.TLabel" if plan.kind is ActionKind.DELETE else "Pane.TLabel"
        self.headline = WrapLabel(body, text=plan.headline(), style=style)
        self.headline.pack(fill="x")
        # Above the list, where it is read before the files: allowed, but rarely meant.
        warning = plan.protected_warning()
        self.warning = WrapLabel(body, text=warning, style="Error.TLabel")
        if warning:
            self.warning.pack(fill="x", pady=(6, 0))
        table = ttk.Frame(body)
        table.pack(fill="both", expand=True, pady=(10, 8))
        self.list = ttk.Treeview(table, columns=("name", "size", "folder", "note"), show="headings",
                                 selectmode="none")
        for column, title, size, anchor in (("name", "File", 220, "w"), ("size", "Size", 80, "e"),
                                            ("folder", "Folder", 300, "w"), ("note", "Note", 220, "w")):
            self.list.heading(column, text=title, anchor=anchor)
            self.list.column(column, width=size, anchor=anchor, stretch=column in ("folder", "note"))
        scroll = ttk.Scrollbar(table, orient="vertical", command=self.list.yview)
        self.list.configure(yscrollcommand=scroll.set)
        self.list.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        style = ttk.Style(self)
        self.list.tag_configure("left", foreground=str(style.lookup("Hint.TLabel", "foreground") or "grey"))
        # The kept images in the card badges' colour: they stay, and must not read as left out.
        self.list.tag_configure("kept", foreground=str(style.lookup("CardKept.TLabel", "foreground") or "blue"))
        self.base = base = common_folder(
            [path for item in plan.files for path in (item.record.path, item.keeper.path)]
            + [r.source for r in plan.left_out]
        )
        self.list.heading("folder", text=f"Folder (in {base})" if base else "Folder")
        # Left-out files first: they are the surprise the user should not miss.
        for result in plan.left_out:
            folder, name = os.path.split(result.source)
            self.list.insert("", "end", values=(name, "", below(folder, base), f"left out: {result.reason}"),
                             tags=("left",))
        # Each group's kept image above its files: the rule that keeps it may not keep what
        # the user would (an enlarged copy has the highest resolution), and this is the
        # last place to see that before the files go.
        group = None
        for item in plan.files:
            if item.group != group:
                group = item.group
                folder, name = os.path.split(item.keeper.path)
                self.list.insert("", "end", tags=("kept",), values=(
                    name, format_bytes(item.keeper.size), below(folder, base), f"kept ({item.keeper_reason})"))
            folder, name = os.path.split(item.record.path)
            self.list.insert("", "end", values=(
                name, format_bytes(item.record.size), below(folder, base), file_note(item.links, item.flags)))
        self.total = ttk.Label(body, style="Strong.TLabel",
                               text=f"Total: {plural(len(plan.files), 'file')}, {format_bytes(plan.total_bytes)}")
        self.total.pack(anchor="w")
        self.notes = WrapLabel(body, text="\n".join(summary_lines(plan)), style="Hint.TLabel")
        self.notes.pack(fill="x", pady=(4, 10))
        buttons = ttk.Frame(body)
        buttons.pack(fill="x")
        self.cancel_button = ttk.Button(buttons, text="Cancel", command=self.destroy)
        self.cancel_button.pack(side="right")
        self.ok_button = ttk.Button(buttons, text=BUTTONS[plan.kind], command=self._yes,
                                    style="Primary.TButton" if plan.kind is not ActionKind.DELETE else "TButton")
        self.ok_button.pack(side="right", padx=8)
        self.bind("<Escape>", lambda _e: self.destroy())
        if plan.kind is not ActionKind.DELETE:
            self.bind("<Return>", lambda _e: self._yes())
        (self.cancel_button if plan.kind is ActionKind.DELETE else self.ok_button).focus_set()

    def _yes(self) -> None:
        self.answer = True
        self.destroy()

    def ask(self) -> bool:
        """Wait for the answer (modal); True for the action, False for Cancel or Esc."""
        self.wait_visibility()
        self.grab_set()
        self.wait_window()
        return self.answer
