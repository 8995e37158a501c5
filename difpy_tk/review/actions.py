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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from difpy_tk.humanize import describe_error
from difpy_tk.review.journal import MOVED, ActionResult, End, Journal, JournalUnwritable, MoveIntent, Outcome
from difpy_tk.review.locations import is_inside, same_entry
from difpy_tk.review.safe_move import (
    evidence_of,
    mismatch,
    move_exclusive,
    new_op,
    partial_path,
    remove_empty_folders,
)
from difpy_tk.scan.discovery import FileStamp
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import FileRecord
from difpy_tk.state.safe_files import can_create_file_in
from difpy_tk.system_open import NoOpener, open_in_system

log = logging.getLogger("difpy_tk")


SWAPPED = (
    "the file may have been replaced since the search (same size and date, yet the system saw a "
    "change: new permissions or a drive plugged in again look the same): search again to act on it"
)
"""check_unchanged's word for a file whose ctime or file number changed. It errs on the
safe side: a chmod or a replugged FAT drive is refused too, and a search again (quick,
from the cache) clears it."""
SHORT_REASONS = {SWAPPED: "the file may have been replaced since the search: search again to act on it"}
"""A card's form of a reason too long for it (the whole one ran past the card's bottom
and hid its buttons); the outcome and the log keep the whole one."""
VANISHED_WHILE_MOVING = "the file went away while it was being moved (another program, or another difpy_tk, took it)"


def check_unchanged(record: FileRecord) -> str | None:
    """Why the file may not be acted on (vanished or changed since the search, or replaced
    by a link: the search names files by their real path, and moving a link moves the
    link, not the picture), or None."""
    try:
        if os.path.islink(record.path):
            return "the file was replaced by a link since the search"
        stat = os.stat(record.path)
    except FileNotFoundError:
        return "the file no longer exists"
    except OSError as error:
        return f"cannot read the file: {describe_error(error)}"
    if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
        return "the file changed since the search"
    if (record.inode and stat.st_ino != record.inode) or (
        record.ctime_ns and FileStamp.of(stat).ctime_ns != record.ctime_ns
    ):
        return SWAPPED
    return None


def put_back_files(journal: Journal, files: dict[str, FileRecord]) -> dict[str, FileRecord]:
    """Re-stamped records (see restamped) of the files an undo of any run put back where
    the search saw them: moving a file back gives it a new ctime (from another drive, a
    new file number too), which check_unchanged would take for a swap, so a saved result
    could not be cleaned up again after `difpy-tk undo`. Only a file whose content is
    still what was moved (its digest, which the move took from the file the search saw)
    counts."""
    fresh: dict[str, FileRecord] = {}
    for intent, end in journal.moves().values():
        record = files.get(intent.destination)
        if intent.kind != "undo" or end not in MOVED or record is None or record.path in fresh:
            continue
        if (record.size, record.mtime_ns) != (intent.evidence.size, intent.evidence.mtime_ns):
            continue
        if check_unchanged(record) == SWAPPED and mismatch(record.path, intent.evidence) is None:
            fresh[record.path] = restamped(record)
    return fresh


def restamped(record: FileRecord) -> FileRecord:
    """record with the ctime and file number its file has now: for a file this app just
    moved back, whose content digest proved it the very file moved (the move changed its
    ctime, and its file number when it went to another drive)."""
    try:
        stat = os.stat(record.path)
    except OSError:
        return record
    return replace(record, ctime_ns=FileStamp.of(stat).ctime_ns, inode=stat.st_ino)


def keeper_problem(keeper: FileRecord, path: str) -> str | None:
    """Why path may not be removed on the strength of keeper, the copy its group keeps
    (None: it may): the keeper vanished or changed since the search, or it now IS the
    file at path (the keeper, or its folder, replaced by a link to it), so removing
    path would take away the only copy. Checked when the plan is made and again right
    before each file is acted on, since files change while a confirmation is open."""
    name = os.path.basename(keeper.path)
    problem = check_unchanged(keeper)
    if problem is not None:
        return f"the image kept in its group ({name}): {problem}"
    with contextlib.suppress(OSError):  # path itself unreadable: its own check says so
        if same_entry(keeper.path, path):
            return f"the image kept in its group ({name}) is now this very file, through a link"
    return None


def _numbered(folder: Path, name: str) -> Iterator[Path]:
    """folder/name, then "stem (2).ext", "stem (3).ext"… : the names a move may take."""
    stem, suffix = os.path.splitext(name)
    yield folder / name
    for number in itertools.count(2):
        yield folder / f"{stem} ({number}){suffix}"


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
        open_in_system(path)
    except NoOpener as error:
        return journal.record(ActionResult("open", path, Outcome.FAILED, reason=f"cannot open it: {error}"))
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


def tree_destination(path: str, folder: str | os.PathLike, keep_tree_from: str | None) -> str:
    """The folder a move puts path into: folder itself, or with keep_tree_from (see
    tree_base) folder/<path's folder below keep_tree_from>. A file not inside
    keep_tree_from goes into folder itself."""
    parent = os.path.dirname(os.path.abspath(path))
    if keep_tree_from is None or not is_inside(parent, keep_tree_from):
        return os.fspath(folder)
    return os.path.normpath(os.path.join(folder, os.path.relpath(parent, os.path.abspath(keep_tree_from))))


def make_folder(folder: str | os.PathLike) -> list[str]:
    """Make folder and the parents it lacks (see _make_folders: a failure half-way takes
    back what it made); returns those made, outermost first, to take away again when
    nothing is moved into them."""
    existing = Path(folder).absolute()
    while not os.path.lexists(existing):
        existing = existing.parent
    _made, created = _make_folders(existing, os.path.relpath(Path(folder).absolute(), existing))
    return [str(path) for path in created]


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
                remove_empty_folders(map(str, created))
                raise NotADirectoryError(
                    errno.ENOTDIR, "a file has the name of a folder to create", str(folder)
                ) from error
            continue
        except OSError:
            remove_empty_folders(map(str, created))
            raise
        created.append(folder)
    return folder, created


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
    relative = os.path.relpath(tree_destination(record.path, target, keep_tree_from), target)
    into, created = target / relative, []
    try:
        if into.is_dir() and same_entry(into, source.parent):
            return failed("the file is already in that folder")
        into, created = _make_folders(target, relative)
    except OSError as error:
        remove_empty_folders(map(str, created))
        return failed(f"cannot create a file in {into}: {describe_error(error)}")
    try:
        evidence = evidence_of(source)
    except OSError as error:
        remove_empty_folders(map(str, created))
        return failed(f"cannot read the file: {describe_error(error)}")
    if (evidence.size, evidence.mtime_ns) != (record.size, record.mtime_ns):
        remove_empty_folders(map(str, created))
        return journal.record(
            ActionResult("move", record.path, Outcome.SKIPPED, reason="the file changed since the search")
        )
    op = new_op()
    partial = partial_path(into, op)
    folders = tuple(map(str, created))

    def announce(destination: Path, copied: tuple[int, ...]) -> None:
        journal.begin(
            MoveIntent(op, "move", str(source), str(destination), str(partial), evidence, folders, copied=copied)
        )

    try:
        destination = move_exclusive(source, _numbered(into, source.name), partial, evidence, announce)
    except JournalUnwritable as error:
        remove_empty_folders(folders)
        return failed(f"nothing was moved: {error}, and a move it does not record could not be undone later")
    except OSError as error:
        journal.end(op, End.FAILED)
        leaving_refused = _leaving_is_refused(source.parent, into, error)  # while into is there
        remove_empty_folders(folders)
        if isinstance(error, FileNotFoundError) and not os.path.lexists(source):
            return failed(VANISHED_WHILE_MOVING)
        if leaving_refused:
            return failed(f"cannot take the file out of {source.parent}: {describe_error(error)}")
        return failed(f"cannot move the file to {into}: {describe_error(error)}")
    journal.end(op, End.DONE)
    return journal.record(
        ActionResult("move", record.path, Outcome.OK, destination=str(destination), created_folders=folders, op=op)
    )


def _leaving_is_refused(folder: Path, into: Path, error: OSError) -> bool:
    """Whether a failed move is the fault of the folder the file leaves, not of where it
    was going: that folder is read-only, or permission was refused while new files can
    be made in the destination (an append-only or locked folder, a shared sticky folder
    holding someone else's file, which os.access calls writable). Only a refusal is: a
    full disk is the destination's, even for a file out of a read-only folder (a trial
    was told "cannot take the file out of …: no space left on device")."""
    if error.errno not in (errno.EPERM, errno.EACCES, errno.EROFS):
        return False
    return not os.access(folder, os.W_OK) or can_create_file_in(into)


def mover(
    folder: str | os.PathLike, journal: Journal, keep_tree_inputs: Sequence[str] | None = None
) -> Callable[[FileRecord], ActionResult]:
    """The per-file action of a bulk move, for run_bulk: flat into folder, or, given the
    search's input folders (result.parameters["directory_resolved"]), keeping each file's folders
    below the input folder it was found in (flat for a file outside all of them)."""

    def move(record: FileRecord) -> ActionResult:
        base = tree_base(record.path, keep_tree_inputs) if keep_tree_inputs is not None else None
        return move_file(record, folder, journal, keep_tree_from=base)

    return move


def _trash_unavailable(error: Exception) -> bool:
    """True when the failure is about the Trash itself (none on this drive, no right to
    create one, no Trash support), not about the file, so deleting the file outright could
    still work. An error the OS names (a name too long for the Trash's index, a full or
    read-only disk, no permission) is about this file and is reported as what it is: a
    drive that has a Trash must never be offered a permanent delete."""
    from send2trash.exceptions import TrashPermissionError

    if isinstance(error, (TrashPermissionError, ImportError)):
        return True
    return isinstance(error, OSError) and error.errno is None


def _send2trash_refuses_read_only() -> bool:
    """Send2Trash's own freedesktop code (plat_other) is the one that refuses a read-only
    file; its GIO one (where PyGObject is installed) and macOS's take it."""
    try:
        import send2trash
        from send2trash import plat_other
    except ImportError:
        return False
    return send2trash.send2trash is plat_other.send2trash


def _kept_from_trash(path: str) -> str | None:
    """Why a file cannot go to the Trash, found before trying, in words that name the
    cause; None when nothing known stands in the way. Send2Trash on Linux refuses a file
    that is read-only (photos copied from a camera or a CD often are), which a file
    manager's Trash takes, and blamed the Trash; and out of a folder that cannot be
    changed it fails only after writing the Trash's index entry, which then stays in the
    Trash with no file. Permission bits tell this on POSIX systems only."""
    if os.name != "posix":
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot move it to the Trash: its folder {folder} is read-only for you, so no file can leave it"
    if _send2trash_refuses_read_only() and not os.access(path, os.W_OK):
        return ("cannot move it to the Trash: the file is read-only, and the Trash here takes only files you "
                "may change; use Move marked to…, or make it writable first")
    return None


def trash_file(record: FileRecord, journal: Journal, permanent_if_no_trash: bool = False) -> ActionResult:
    """Send one file to the Recycle Bin/Trash.

    Only when there is no usable Trash for it and the caller passes
    permanent_if_no_trash=True (the user confirmed a permanent delete) is it deleted
    outright; otherwise the result says trash_unavailable so the caller can ask."""
    skipped = _skipped_or_none("trash", record, journal)
    if skipped:
        return skipped
    if refusal := _kept_from_trash(record.path):
        return journal.record(ActionResult("trash", record.path, Outcome.FAILED, reason=refusal))
    try:
        from send2trash import send2trash

        send2trash(record.path)
    except Exception as error:  # send2trash's backends raise OSError, GLib errors, ImportError
        trash_error = error
    else:
        return journal.record(ActionResult("trash", record.path, Outcome.OK))
    reason = f"cannot move it to the Trash: {describe_error(trash_error)}"
    if isinstance(trash_error, PermissionError) and can_create_file_in(os.path.dirname(record.path)):
        # Its own folder lets it go: the Trash's folder is what refuses (send2trash names it
        # only as "Trash"), in the home folder for a file of the home's drive.
        reason += "; the Trash folder cannot be written (a read-only home folder or drive?)"
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


BACK_ALREADY = "back already"
"""move_back_refusal's word for a file that is where it came from already (another undo,
or the user, put it back): move_back journals it as undone."""


def move_back_refusal(intent: MoveIntent, coming_back: Collection[str] = ()) -> str | None:
    """Why move_back would leave the file where it is, BACK_ALREADY, or None when it
    would move it back; asked by `undo --dry-run` and the list before an undo too.
    coming_back: paths an earlier step of the same undo puts files back to: a file moved
    twice (A to B, then B to C) is at B again when the first move's turn comes."""
    current, original = Path(intent.destination), Path(intent.source)
    if str(current) in coming_back:
        return f"{original} exists again and is not overwritten" if os.path.lexists(original) else None
    if not os.path.lexists(current):
        if os.path.lexists(original) and mismatch(original, intent.evidence) is None:
            return BACK_ALREADY
        return "the moved file is no longer where it was moved to"
    wrong = mismatch(current, intent.evidence)
    if wrong is not None:
        return f"the file at {current} is not the one that was moved there ({wrong}), so it stays"
    if os.path.lexists(original):
        return f"{original} exists again and is not overwritten"
    return None


def move_back(journal: Journal, intent: MoveIntent) -> ActionResult:
    """Move the file a journalled move took back to where it came from, if it is still
    the very file that was moved (size, mtime and content digest), never over another file."""
    current, original = Path(intent.destination), Path(intent.source)

    def failed(reason: str) -> ActionResult:
        return journal.record(
            ActionResult("undo move", str(current), Outcome.FAILED, destination=str(original), reason=reason)
        )

    refusal = move_back_refusal(intent)  # looked at once: a second look could see it gone
    if refusal == BACK_ALREADY:
        return _back_already(journal, intent)
    if refusal is not None:
        return failed(refusal)
    try:
        original.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return failed(f"cannot write to {original.parent}: {describe_error(error)}")
    op = new_op()
    partial = partial_path(original.parent, op)

    def announce(destination: Path, copied: tuple[int, ...]) -> None:
        journal.begin(
            MoveIntent(
                op,
                "undo",
                str(current),
                str(destination),
                str(partial),
                intent.evidence,
                undoes=intent.op,
                copied=copied,
            )
        )

    try:
        move_exclusive(current, [original], partial, intent.evidence, announce)
    except JournalUnwritable as error:
        return failed(f"it was not moved back: {error}")
    except FileExistsError:
        journal.end(op, End.FAILED)
        return failed(f"{original} exists again and is not overwritten")
    except OSError as error:
        journal.end(op, End.FAILED)
        if isinstance(error, FileNotFoundError) and not os.path.lexists(current):
            return failed(VANISHED_WHILE_MOVING)
        return failed(f"cannot move the file back into {original.parent}: {describe_error(error)}")
    journal.end(op, End.DONE)
    _remove_created_parents(current.parent, journal.created_folders() | set(intent.created_folders))
    return journal.record(ActionResult("undo move", str(current), Outcome.OK, destination=str(original), op=op))


def _back_already(journal: Journal, intent: MoveIntent) -> ActionResult:
    """The moved file is where it came from again, the very content that was moved (put
    back by another run's undo, or by hand): journalled as undone, so `difpy-tk undo`
    does not offer it (and say "Put back 1 file.") again and again."""
    op = new_op()
    undone = MoveIntent(
        op, "undo", intent.destination, intent.source, str(partial_path(Path(intent.source).parent, op)),
        intent.evidence, undoes=intent.op,
    )
    with contextlib.suppress(JournalUnwritable):  # it is back all the same; a later run finds it so again
        journal.begin(undone)
        journal.end(op, End.DONE)
    return journal.record(
        ActionResult(
            "undo move", intent.destination, Outcome.OK, destination=intent.source,
            reason="it was back already (put back by another undo, or by hand)", op=op,
        )
    )


def undo_move(journal: Journal, index: int, moved: ActionResult) -> ActionResult:
    """Undo one move of this session (see move_back); a move without a journal record
    (one this version did not make) is not moved back."""
    intent = journal.intent(moved.op) if moved.op else None
    if intent is None:
        return journal.record(
            ActionResult(
                "undo move",
                str(moved.destination),
                Outcome.FAILED,
                destination=moved.source,
                reason="there is no journal record of what was moved, so nothing is moved back",
            )
        )
    result = move_back(journal, intent)
    if result.ok:
        journal.mark_undone(index)
    return result


def _remove_created_parents(folder: Path, created: set[str]) -> None:
    """After an undo, remove folder and its parents while they are empty and were
    created by a move; folders that were there before always stay."""
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
