"""Per-file actions on search results: open, move, delete to the Trash, undo a move.

Every action re-checks that the file is the one the search saw (same size and mtime), so
a file edited or replaced since the scan is never moved or deleted on stale evidence.
Nothing overwrites: a move reserves its destination name exclusively before the data
moves, and each outcome, ok or not, is returned per file and written to the journal."""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from difpy_tk.review.journal import ActionResult, Journal, Outcome
from difpy_tk.review.selection import Rule, is_inside, select
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import FileRecord

log = logging.getLogger("difpy_tk")
PARTIAL_SUFFIX = ".difpy-partial"
_NOT_TRASH_PROBLEMS = {errno.ENOENT, errno.EACCES, errno.EPERM, errno.EBUSY}


def describe_error(error: BaseException) -> str:
    """An OSError in words, without Python's "[Errno 13]" prefix."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.rstrip(".").lower()
    return str(error) or type(error).__name__


def check_unchanged(record: FileRecord) -> str | None:
    """Why the file may not be acted on (vanished or changed since the search), or None."""
    try:
        stat = os.stat(record.path)
    except FileNotFoundError:
        return "the file no longer exists"
    except OSError as error:
        return f"cannot read the file: {describe_error(error)}"
    if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
        return "the file changed since the search"
    return None


def _create_exclusive(path: Path) -> None:
    """Create an empty file at path, failing with FileExistsError if anything is there."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))


def reserve_name(folder: Path, name: str) -> Path:
    """Claim a free file name in folder: name, else "stem (2).ext", "stem (3).ext"…

    The placeholder is created atomically, so two moves of same-named files can never
    pick the same destination."""
    stem, suffix = os.path.splitext(name)
    for number in itertools.count(1):
        candidate = folder / (name if number == 1 else f"{stem} ({number}){suffix}")
        try:
            _create_exclusive(candidate)
        except FileExistsError:
            continue
        return candidate
    raise AssertionError("unreachable")


def _move_onto_placeholder(source: Path, destination: Path) -> None:
    """Move source to destination, whose empty placeholder we created ourselves.

    Same drive: one atomic rename. Across drives: copy to a hidden temporary name, rename
    it over the placeholder, then remove the source; if the source cannot be removed the
    copy is removed again, so the file never ends up in two places. On any failure the
    placeholder is removed."""
    try:
        os.replace(source, destination)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            destination.unlink(missing_ok=True)
            raise
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX)
    try:
        shutil.copy2(source, partial)
        os.replace(partial, destination)
    except OSError:
        partial.unlink(missing_ok=True)
        destination.unlink(missing_ok=True)
        raise
    try:
        os.remove(source)
    except OSError:
        destination.unlink(missing_ok=True)
        raise


def _skipped_or_none(action: str, record: FileRecord, journal: Journal) -> ActionResult | None:
    reason = check_unchanged(record)
    if reason is None:
        return None
    return journal.record(ActionResult(action, record.path, Outcome.SKIPPED, reason=reason))


def open_file(path: str, journal: Journal) -> ActionResult:
    """Show the image in the system's viewer; arguments go as a list, never via a shell."""
    if not os.path.isfile(path):
        return journal.record(ActionResult("open", path, Outcome.FAILED, reason="the file no longer exists"))
    try:
        if sys.platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]
        else:
            opener = "open" if sys.platform == "darwin" else "xdg-open"
            viewer = subprocess.Popen(
                [opener, path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            # Reap it when it exits: a child nobody waits for stays a zombie process.
            threading.Thread(target=viewer.wait, name="difpy_tk-reap-viewer", daemon=True).start()
    except OSError as error:
        reason = f"cannot start the image viewer: {describe_error(error)}"
        return journal.record(ActionResult("open", path, Outcome.FAILED, reason=reason))
    return journal.record(ActionResult("open", path, Outcome.OK))


def tree_base(path: str, inputs: Iterable[str]) -> str | None:
    """The search input folder a file was found under: the deepest of inputs that
    contains it, or None when none does (an input that is the file itself is no folder).
    Moves keeping the folder structure rebuild the file's folders from there."""
    parent = os.path.dirname(os.path.abspath(path))
    containing = [os.path.abspath(folder) for folder in inputs if is_inside(parent, folder)]
    return max(containing, key=len) if containing else None


def _make_folders(target: Path, relative: str) -> tuple[Path, list[Path]]:
    """target/relative, creating the sub-folders that are missing; returns it and the
    folders created, outermost first."""
    folder, created = target, []
    for part in Path(relative).parts:
        folder = folder / part
        try:
            folder.mkdir()
        except FileExistsError as error:
            if not folder.is_dir():
                _remove_empty(created)
                raise NotADirectoryError(
                    errno.ENOTDIR, "a file has the name of a folder to create", str(folder)
                ) from error
            continue
        except OSError:
            _remove_empty(created)
            raise
        created.append(folder)
    return folder, created


def _remove_empty(folders: Iterable[Path | str]) -> None:
    """Remove each folder that is empty, innermost first; a folder with files stays."""
    for folder in sorted(map(str, folders), key=len, reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def move_file(
    record: FileRecord, folder: str | os.PathLike, journal: Journal, keep_tree_from: str | None = None
) -> ActionResult:
    """Move one file into folder under its own name, or a numbered one if it is taken.

    keep_tree_from: a folder containing the file (its search input folder, see
    tree_base); the file then goes to folder/<its path below keep_tree_from>/, and the
    sub-folders missing there are created. A file not inside it is moved flat."""
    skipped = _skipped_or_none("move", record, journal)
    if skipped:
        return skipped
    source, target = Path(record.path), Path(folder)

    def failed(reason: str) -> ActionResult:
        return journal.record(ActionResult("move", record.path, Outcome.FAILED, reason=reason))

    if not target.is_dir():
        return failed(f"the folder {target} does not exist")
    relative = "."
    if keep_tree_from is not None and is_inside(str(source.parent), keep_tree_from):
        relative = os.path.relpath(os.path.abspath(source.parent), os.path.abspath(keep_tree_from))
    into, created = target / relative, []
    try:
        if into.is_dir() and os.path.samefile(into, source.parent):
            return failed("the file is already in that folder")
        into, created = _make_folders(target, relative)
        destination = reserve_name(into, source.name)
    except OSError as error:
        _remove_empty(created)
        return failed(f"cannot create a file in {into}: {describe_error(error)}")
    try:
        _move_onto_placeholder(source, destination)
    except OSError as error:
        _remove_empty(created)
        return failed(f"cannot move the file: {describe_error(error)}")
    return journal.record(
        ActionResult(
            "move", record.path, Outcome.OK, destination=str(destination), created_folders=tuple(map(str, created))
        )
    )


def mover(
    folder: str | os.PathLike, journal: Journal, keep_tree_inputs: Sequence[str] | None = None
) -> Callable[[FileRecord], ActionResult]:
    """The per-file action of a bulk move, for run_bulk: flat into folder, or, given the
    search's input folders (result.parameters["directory"]), keeping each file's folders
    below the input folder it was found in (flat for a file outside all of them)."""

    def move(record: FileRecord) -> ActionResult:
        base = tree_base(record.path, keep_tree_inputs) if keep_tree_inputs is not None else None
        return move_file(record, folder, journal, keep_tree_from=base)

    return move


def _trash_unavailable(error: Exception) -> bool:
    """True when the failure is about the Trash itself (none on this drive, no right to
    create one), not about the file, so deleting the file outright could still work."""
    from send2trash.exceptions import TrashPermissionError

    if isinstance(error, TrashPermissionError):
        return True
    return getattr(error, "errno", None) not in _NOT_TRASH_PROBLEMS


def trash_file(record: FileRecord, journal: Journal, permanent_if_no_trash: bool = False) -> ActionResult:
    """Send one file to the Recycle Bin/Trash.

    Only when there is no usable Trash for it and the caller passes
    permanent_if_no_trash=True (the user confirmed a permanent delete) is it deleted
    outright; otherwise the result says trash_unavailable so the caller can ask."""
    skipped = _skipped_or_none("trash", record, journal)
    if skipped:
        return skipped
    try:
        from send2trash import send2trash

        send2trash(record.path)
    except Exception as error:  # send2trash's backends raise OSError, GLib errors, ImportError
        trash_error = error
    else:
        return journal.record(ActionResult("trash", record.path, Outcome.OK))
    reason = f"cannot move it to the Trash: {describe_error(trash_error)}"
    if not _trash_unavailable(trash_error) or not os.path.exists(record.path):
        return journal.record(ActionResult("trash", record.path, Outcome.FAILED, reason=reason))
    if not permanent_if_no_trash:
        return journal.record(ActionResult("trash", record.path, Outcome.FAILED, reason=reason, trash_unavailable=True))
    try:
        os.remove(record.path)
    except OSError as error:
        reason = f"{reason}; permanent delete failed too: {describe_error(error)}"
        return journal.record(ActionResult("delete", record.path, Outcome.FAILED, reason=reason))
    return journal.record(
        ActionResult("delete", record.path, Outcome.OK, reason="no Trash available: deleted permanently")
    )


def run_bulk(
    records: Iterable[FileRecord],
    action: Callable[[FileRecord], ActionResult],
    name: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: CancelToken | None = None,
) -> list[ActionResult]:
    """Apply action (called name in results) to each record; one result per record, in order.

    Files not reached because the user cancelled come back as skipped, so the caller
    accounts for every file it asked about."""
    records = list(records)
    results: list[ActionResult] = []
    for done, record in enumerate(records):
        if cancel is not None and cancel.cancelled:
            results.append(ActionResult(name, record.path, Outcome.SKIPPED, reason="cancelled"))
            continue
        try:
            results.append(action(record))
        except Exception as error:  # a bug in one file's action must not hide the others' outcomes
            log.exception("%s of %s failed unexpectedly", name, record.path)
            reason = f"unexpected error: {describe_error(error)}"
            results.append(ActionResult(name, record.path, Outcome.FAILED, reason=reason))
        if progress is not None:
            progress(done + 1, len(records))
    return results


def plan_bulk(
    rule: Rule,
    groups: Iterable[Sequence[str]],
    files: Mapping[str, FileRecord],
    journal: Journal,
    folder: str | None = None,
) -> tuple[list[str], list[ActionResult]]:
    """The paths a rule selects over all groups, and a skipped result for every member
    that changed or vanished since the search (journalled, so the user sees why it was
    left out). Such files are neither selected nor counted as kept: if the image a rule
    would keep is gone, the next best one is kept instead."""
    skipped: list[ActionResult] = []

    def usable(record: FileRecord) -> bool:
        reason = check_unchanged(record)
        if reason is not None:
            skipped.append(journal.record(ActionResult("check", record.path, Outcome.SKIPPED, reason=reason)))
        return reason is None

    selections = select(rule, groups, files, folder, usable)
    return [path for selection in selections for path in selection], skipped


def undo_move(journal: Journal, index: int, moved: ActionResult) -> ActionResult:
    """Move a file back to where a journalled move took it from, never over another file."""
    assert moved.destination is not None
    current, original = Path(moved.destination), Path(moved.source)

    def failed(reason: str) -> ActionResult:
        return journal.record(
            ActionResult("undo move", str(current), Outcome.FAILED, destination=str(original), reason=reason)
        )

    if not current.is_file():
        return failed("the moved file is no longer where it was moved to")
    try:
        original.parent.mkdir(parents=True, exist_ok=True)
        _create_exclusive(original)
    except FileExistsError:
        return failed(f"{original} exists again and is not overwritten")
    except OSError as error:
        return failed(f"cannot write to {original.parent}: {describe_error(error)}")
    try:
        _move_onto_placeholder(current, original)
    except OSError as error:
        return failed(f"cannot move the file back: {describe_error(error)}")
    journal.mark_undone(index)
    _remove_created_parents(current.parent, journal.created_folders())
    return journal.record(ActionResult("undo move", str(current), Outcome.OK, destination=str(original)))


def _remove_created_parents(folder: Path, created: set[str]) -> None:
    """After an undo, remove folder and its parents while they are empty and were
    created by a move of this session; folders that were there before always stay."""
    while str(folder) in created:
        try:
            folder.rmdir()
        except OSError:  # not empty (another moved file, or the user's own), or gone
            return
        folder = folder.parent


def undo_last(journal: Journal) -> ActionResult | None:
    """Undo the latest move of this session not undone yet; None when there is none."""
    moves = journal.undoable_moves()
    return undo_move(journal, *moves[-1]) if moves else None


def undo_all(journal: Journal) -> list[ActionResult]:
    """Undo every move of this session, newest first; failures stay undoable later."""
    return [undo_move(journal, index, moved) for index, moved in reversed(journal.undoable_moves())]
