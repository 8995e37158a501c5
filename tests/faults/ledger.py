"""The fault suite's one question: was any file lost?

A Ledger records the SHA-256 of every regular file under some folders before a fault, and
afterwards accounts for each: still there with the same content, or in the (temporary)
Trash, or moved where the move journal says. Anything else is a lost file; the session
summary prints how many fault cases ran and how many files were lost (must be 0)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

LOST: list[str] = []
"""Every file any ledger found lost in this run (the summary's count)."""


def digest(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def snapshot(*roots: Path) -> dict[str, str]:
    """path -> digest of every regular file under roots (links and FIFOs not followed)."""
    found = {}
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if stat.S_ISREG(os.lstat(path).st_mode):
                    found[path] = digest(path)
    return found


class Ledger:
    def __init__(self, *roots: Path, trash: Path | None = None) -> None:
        self.roots = roots
        self.trash = trash
        self.before = snapshot(*roots)
        assert self.before, "a ledger over no files proves nothing"

    def lost(self, moved: dict[str, str] | None = None) -> list[str]:
        """The files recorded before that are nowhere now. moved: source -> destination,
        from the move journal (where a file is allowed to be instead)."""
        trashed = set(snapshot(self.trash).values()) if self.trash and self.trash.exists() else set()
        lost = []
        for path, before in self.before.items():
            places = [path] + ([moved[path]] if moved and path in moved else [])
            here = any(
                os.path.isfile(place) and not os.path.islink(place) and digest(place) == before for place in places
            )
            if not here and before not in trashed:
                lost.append(path)
        return lost

    def assert_nothing_lost(self, moved: dict[str, str] | None = None) -> None:
        lost = self.lost(moved)
        LOST.extend(lost)
        assert lost == [], f"files lost: {lost}"


def journal_moves(journal) -> dict[str, str]:
    """source -> destination of every move the journal says is done and not undone."""
    from difpy_tk.review.journal import journalled_moves

    return {intent.source: intent.destination for intent in journalled_moves(journal)}
