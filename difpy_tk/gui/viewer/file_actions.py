"""The viewer's file actions: open, move and delete one image, run a batch of them, undo.

Kept apart from the window so that the one rule for touching files lives in one place:
actions run in the worker thread, one batch at a time, and their per-file results come
back to the model, the cards, the group list and the app's log together. Only a success
takes a file out of its group; a failure stays on its card with the reason."""

from __future__ import annotations

import os
from concurrent.futures import Future
from tkinter import filedialog, messagebox
from typing import TYPE_CHECKING

from difpy_tk.humanize import format_bytes
from difpy_tk.review import actions
from difpy_tk.review.journal import ActionResult, Outcome
from difpy_tk.review.selection import summarize
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import FileRecord

if TYPE_CHECKING:
    from difpy_tk.gui.viewer.window import ViewerWindow

SHOWN_FAILURES = 12
KEEPING_FOLDERS = ", keeping folders"
"""Appended to a move's label when it rebuilds each file's folders (below the searched
folder it was found in) under the chosen folder, instead of putting all files side by side."""


class FileActions:
    """Runs the window's file actions and shows their outcomes; the window owns the
    worker, the status bar and the Stop/Undo buttons this drives."""

    def __init__(self, window: ViewerWindow) -> None:
        self.window = window
        self._progress: tuple[int, int] | None = None
        self._cancel: CancelToken | None = None
        self._tick_id: str | None = None

    def ready(self) -> bool:
        """False, with a bell and a word why, while the previous action still runs: one
        batch at a time keeps the journal and the undo order simple."""
        window = self.window
        if window.file_worker.busy:
            window.bell()
            window.say("Please wait: the previous action is still running.")
            return False
        return True

    def inputs(self) -> list[str]:
        """The search's input folders, which moves keeping folders rebuild the tree from."""
        inputs = self.window.model.result.parameters.get("directory") or []
        return [inputs] if isinstance(inputs, str) else list(inputs)

    def open_image(self, path: str) -> None:
        """Open in the system's viewer; journalled and logged like any other action."""
        self.apply([actions.open_file(path, self.window.journal)], "open")

    def move_image(self, path: str, keep_tree: bool = False) -> None:
        """Move one image to a chosen folder; keep_tree: into the sub-folder matching its
        place below the searched folder (see actions.tree_base)."""
        if not self.ready():
            return
        title = f"Move this image{KEEPING_FOLDERS if keep_tree else ''} to…"
        folder = filedialog.askdirectory(parent=self.window, title=title, mustexist=True)
        if folder:
            self.start("move", [self.window.model.files[path]], folder=folder, keep_tree=keep_tree)

    def delete_image(self, path: str) -> None:
        """Trash one image after asking, warning when it is its group's last one left."""
        if not self.ready():
            return
        window = self.window
        size = format_bytes(window.model.files[path].size)
        last = ("\n\nIt is the last image of its group still in place."
                if window.members() == [path] else "")
        if messagebox.askyesno("Delete", f"Move {os.path.basename(path)} ({size}) to the Recycle Bin/Trash?{last}",
                               parent=window):
            self.start("trash", [window.model.files[path]])

    def start(self, action: str, records: list[FileRecord], folder: str | None = None,
              permanent: bool = False, checked: list[ActionResult] | None = None, keep_tree: bool = False) -> None:
        """Run one action over records in the worker; progress shows in the status bar.
        checked: files already skipped while planning, reported with the outcome.
        keep_tree: a move keeps each file's folders below its searched folder."""
        journal = self.window.journal
        move = actions.mover(folder, journal, self.inputs() if keep_tree else None) if action == "move" else None

        def one(record: FileRecord) -> ActionResult:
            if move is not None:
                return move(record)
            return actions.trash_file(record, journal, permanent_if_no_trash=permanent)

        def progress(done: int, total: int) -> None:
            self._progress = (done, total)  # read by _tick on the Tk thread

        self._cancel = CancelToken()
        self._progress = (0, len(records))
        self.window.file_worker.submit(actions.run_bulk, records, one, action, progress, self._cancel,
                                       done=lambda future: self._finished(action, future, checked or []))
        self._tick(action)

    def _tick(self, action: str) -> None:
        window = self.window
        if window.file_worker.busy and self._progress:
            done, total = self._progress
            window.say(f"{'Moving' if action == 'move' else 'Deleting'}… {done} of {total}")
            window.stop_button.pack(side="right", padx=4, before=window.undo_button)
            self._tick_id = window.after(100, self._tick, action)
        else:
            window.stop_button.pack_forget()
            self._tick_id = None

    def stop(self) -> None:
        """Stop a running bulk action after the current file; the rest are reported skipped."""
        if self._cancel is not None:
            self._cancel.cancel()

    def close(self) -> None:
        """Stop, and end the progress ticks: the window is going away."""
        self.stop()
        if self._tick_id is not None:
            self.window.after_cancel(self._tick_id)

    def _finished(self, action: str, future: Future, checked: list[ActionResult]) -> None:
        self._progress = None
        results: list[ActionResult] = checked + future.result()
        self.apply(results, action)
        unavailable = [r for r in results if r.trash_unavailable]
        if unavailable and messagebox.askyesno(
            "No Recycle Bin/Trash",
            f"{summarize([r.source for r in unavailable], self.window.model.files).describe()} cannot go to the "
            "Recycle Bin/Trash (there is none for their drive).\n\nDelete them permanently? "
            "This cannot be undone.", icon="warning", default="no", parent=self.window,
        ):
            self.start("trash", [self.window.model.files[r.source] for r in unavailable], permanent=True)

    def apply(self, results: list[ActionResult], action: str) -> None:
        """Show outcomes everywhere: model, list rows, cards, log, status and, for
        failures, a dialog naming each file and why."""
        if not results:
            return
        window = self.window
        for result in results:
            window.log(result.line())
        if window.journal.write_error:
            window.log(window.journal.write_error)
        window.update_rows(window.model.apply(results))
        window._show_group()
        self.update_undo_buttons()
        counts = {outcome: sum(1 for r in results if r.outcome is outcome) for outcome in Outcome}
        if action == "open":
            if not counts[Outcome.OK]:
                window.say(results[0].reason, error=True)
            return
        done_word = {"move": "Moved", "trash": "Deleted", "undo": "Restored"}[action]
        text = f"{done_word} {counts[Outcome.OK]} of {len(results)} files."
        if counts[Outcome.SKIPPED]:
            text += f" {counts[Outcome.SKIPPED]} skipped."
        if counts[Outcome.FAILED]:
            text += f" {counts[Outcome.FAILED]} failed."
        window.say(text, error=bool(counts[Outcome.FAILED] or counts[Outcome.SKIPPED]))
        window.log(text)
        problems = [r for r in results if not r.ok and not r.trash_unavailable]
        if problems:
            lines = [f"• {os.path.basename(r.source)}: {r.reason}" for r in problems[:SHOWN_FAILURES]]
            if len(problems) > SHOWN_FAILURES:
                lines.append(f"… and {len(problems) - SHOWN_FAILURES} more (see the log)")
            messagebox.showwarning("Some files were not changed", text + "\n\n" + "\n".join(lines), parent=window)

    def undo_last(self) -> None:
        """Put the session's last move back (Ctrl+Z), in the worker like every action."""
        if self.ready():
            self.window.file_worker.submit(actions.undo_last, self.window.journal,
                                           done=lambda f: self._undone([f.result()] if f.result() else []))

    def undo_all(self) -> None:
        """Put every move of the session back, newest first, in the worker."""
        if self.ready():
            self.window.file_worker.submit(actions.undo_all, self.window.journal,
                                           done=lambda f: self._undone(f.result()))

    def _undone(self, results: list[ActionResult]) -> None:
        if results:
            self.apply(results, "undo")
        else:
            self.window.say("Nothing to undo: no moves in this session.")

    def update_undo_buttons(self) -> None:
        """Enable the Undo buttons only while the journal holds a move to undo."""
        state = ["!disabled"] if self.window.journal.undoable_moves() else ["disabled"]
        self.window.undo_button.state(state)
        self.window.undo_all_button.state(state)
