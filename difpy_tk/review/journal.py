"""The record of every file action: a log file the user can read later, and the list of
moves this session that can still be undone.

Each action is written the moment it finishes, so a crash in the middle of a bulk action
still leaves a trail of what was moved where."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from difpy_tk.scan.result import now_iso
from difpy_tk.state import appdirs
from difpy_tk.state.safe_files import append_line

LOG_NAME = "actions.log"


class Outcome(str, Enum):
    OK = "ok"
    SKIPPED = "skipped"
    """Not attempted: the file changed or vanished since the search."""
    FAILED = "failed"


@dataclass(frozen=True)
class ActionResult:
    """What happened to one file; reason says why in plain words when it is not ok."""

    action: str
    """"open", "move", "trash", "delete" (permanent) or "undo move"."""
    source: str
    outcome: Outcome
    destination: str | None = None
    reason: str = ""
    trash_unavailable: bool = False
    """A trash failure where a permanent delete could still work, if the user agrees."""
    created_folders: tuple[str, ...] = ()
    """Folders a move keeping the folder structure created under its target, outermost
    first; undoing moves removes them again once they are empty."""
    time: str = field(default_factory=now_iso)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    def line(self) -> str:
        """One human-readable log line."""
        target = f" -> {self.destination}" if self.destination else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.time} {self.action} {self.outcome.value}: {self.source}{target}{why}"


class Journal:
    """Appends each result to the log file and remembers this session's moves for undo.

    Thread-safe: bulk actions run in a worker thread while the viewer reads lines."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else appdirs.data_dir() / LOG_NAME
        self.write_error: str | None = None
        """Why the log file could not be written, if it could not (the actions still run)."""
        self._lock = threading.Lock()
        self._results: list[ActionResult] = []
        self._undone: set[int] = set()

    def record(self, result: ActionResult) -> ActionResult:
        line = result.line()
        with self._lock:
            self._results.append(result)
            try:
                append_line(self.path, line)
            except OSError as error:
                self.write_error = f"cannot write the action log {self.path}: {error.strerror or error}"
        return result

    def lines(self) -> list[str]:
        """This session's log lines, oldest first."""
        with self._lock:
            return [result.line() for result in self._results]

    def undoable_moves(self) -> list[tuple[int, ActionResult]]:
        """Successful moves of this session not yet undone, oldest first, with their ids."""
        with self._lock:
            return [
                (index, result)
                for index, result in enumerate(self._results)
                if result.action == "move" and result.ok and index not in self._undone
            ]

    def created_folders(self) -> set[str]:
        """Every folder this session's moves created (see ActionResult.created_folders)."""
        with self._lock:
            return {folder for result in self._results for folder in result.created_folders}

    def mark_undone(self, index: int) -> None:
        with self._lock:
            self._undone.add(index)


_session: Journal | None = None
_session_lock = threading.Lock()


def session_journal() -> Journal:
    """The journal of this app run, shared by every viewer window so "Undo all" covers the
    whole session. Created on first use, so DIFPY_TK_HOME set by tests is honoured."""
    global _session
    with _session_lock:
        if _session is None:
            _session = Journal()
        return _session
