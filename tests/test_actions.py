"""File actions on temp folders: nothing is overwritten, nothing stale is touched, every
outcome is reported and journalled, and moves can be undone."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from difpy_tk import system_open
from difpy_tk.review import actions, safe_move
from difpy_tk.review.journal import ActionResult, Journal, Outcome
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import FileRecord


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "actions.log")


def make_file(path: Path, data: bytes = b"image bytes") -> FileRecord:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stat = path.stat()
    return FileRecord(str(path), stat.st_size, stat.st_mtime_ns, 10, 10)


def _exdev_for(path, real_rename):
    """A rename of path that fails as between drives (the mover then copies)."""

    def rename(source, destination):
        if Path(source) == Path(path):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(source, destination)

    return rename


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


needs_posix_permissions = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions enforced (not root)"
)


def test_move_keeps_name_and_journals(tmp_path, journal):
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.ok and result.outcome is Outcome.OK
    assert result.destination == str(tmp_path / "b" / "x.jpg")
    assert (tmp_path / "b" / "x.jpg").read_bytes() == b"image bytes"
    assert not (tmp_path / "a" / "x.jpg").exists()
    log = journal.path.read_text()
    assert "move ok" in log and str(tmp_path / "a" / "x.jpg") in log and str(tmp_path / "b" / "x.jpg") in log
    assert journal.lines() == log.splitlines()


def test_move_never_overwrites_a_clash(tmp_path, journal):
    target = tmp_path / "target"
    make_file(target / "x.jpg", b"already here")
    make_file(target / "x (2).jpg", b"also here")
    first = actions.move_file(make_file(tmp_path / "a" / "x.jpg", b"first"), target, journal)
    second = actions.move_file(make_file(tmp_path / "b" / "x.jpg", b"second"), target, journal)
    assert first.destination == str(target / "x (3).jpg")
    assert second.destination == str(target / "x (4).jpg")
    assert (target / "x.jpg").read_bytes() == b"already here"
    assert (target / "x (2).jpg").read_bytes() == b"also here"
    assert (target / "x (3).jpg").read_bytes() == b"first"
    assert (target / "x (4).jpg").read_bytes() == b"second"


def test_move_across_drives_copies_then_removes(tmp_path, journal, monkeypatch):
    """os.replace fails with EXDEV between drives; the fallback must copy, keep the mtime
    and remove the source, and leave no partial file behind."""
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    monkeypatch.setattr(safe_move, "rename_no_replace", _exdev_for(record.path, safe_move.rename_no_replace))
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.ok
    moved = tmp_path / "b" / "x.jpg"
    assert moved.read_bytes() == b"image bytes" and moved.stat().st_mtime_ns == record.mtime_ns
    assert not Path(record.path).exists()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["x.jpg"]


def _other_device_folder(tmp_path: Path) -> Path | None:
    """A writable folder on another file system than tmp_path (Linux's /dev/shm), if any."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shm.stat().st_dev != tmp_path.stat().st_dev:
        return Path(tempfile.mkdtemp(dir=shm))
    return None


def test_move_to_a_real_other_file_system_and_back(tmp_path, journal):
    target = _other_device_folder(tmp_path)
    if target is None:
        pytest.skip("no second file system to move to")
    try:
        record = make_file(tmp_path / "a" / "x.jpg")
        moved = actions.move_file(record, target, journal)
        assert moved.ok and Path(moved.destination).read_bytes() == b"image bytes"
        assert not Path(record.path).exists()
        assert actions.undo_last(journal).ok and actions.check_unchanged(record) is None
        assert list(target.iterdir()) == []
    finally:
        shutil.rmtree(target)


def test_move_across_drives_keeps_source_when_it_cannot_be_removed(tmp_path, journal, monkeypatch):
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    monkeypatch.setattr(safe_move, "rename_no_replace", _exdev_for(record.path, safe_move.rename_no_replace))
    monkeypatch.setattr(safe_move.os, "remove", _raise(PermissionError(errno.EACCES, "Permission denied")))
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.outcome is Outcome.FAILED and "permission denied" in result.reason
    assert Path(record.path).exists()
    assert list((tmp_path / "b").iterdir()) == []


@contextlib.contextmanager
def locked(folder: Path, flag: str):
    """A folder no file can be taken out of: for root, whom permissions do not stop,
    immutable (chattr +i) or append-only (+a), where the file system allows it; for a
    user, read-only (either flag)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", f"+{flag}", str(folder)], capture_output=True).returncode != 0:
        pytest.skip(f"no chattr +{flag} on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", f"-{flag}", str(folder)], check=True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX folder permissions")
@pytest.mark.parametrize("keep_tree", [False, True], ids=["flat", "keeping folders"])
@pytest.mark.parametrize("flag", ["i", "a"], ids=["immutable", "append-only"])
def test_a_move_out_of_a_locked_folder_blames_that_folder(tmp_path, journal, flag, keep_tree):
    """A new user's move failed with "cannot move the file to <destination>: operation not
    permitted", a folder that did not even exist: the folder it leaves was locked. An
    append-only folder looks writable to os.access, yet nothing can leave it; keeping
    folders, the sub-folder made for the file is gone again when the blame is decided."""
    record = make_file(tmp_path / "locked" / "x.jpg")
    (tmp_path / "b").mkdir()
    with locked(tmp_path / "locked", flag):
        result = actions.move_file(record, tmp_path / "b", journal, keep_tree_from=str(tmp_path) if keep_tree else None)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith(f"cannot take the file out of {tmp_path / 'locked'}: ")
    assert Path(record.path).exists() and list((tmp_path / "b").iterdir()) == []


@pytest.mark.parametrize("across_drives", [False, True], ids=["same drive", "across drives"])
def test_no_move_without_its_journal_entry(tmp_path, journal, monkeypatch, across_drives):
    """A safety trial: with the journal's disk full, 16 files were moved with nothing
    journalled, and `undo` then said "Nothing to undo"."""
    from difpy_tk.review import journal as journal_module

    real_append = journal_module.append_line

    def append(path, line):
        if Path(path) == journal.moves_path:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_append(path, line)

    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    if across_drives:
        monkeypatch.setattr(safe_move, "rename_no_replace", _exdev_for(record.path, safe_move.rename_no_replace))
    monkeypatch.setattr(journal_module, "append_line", append)
    result = actions.move_file(record, tmp_path / "b", journal, keep_tree_from=str(tmp_path))
    assert result.outcome is Outcome.FAILED
    assert result.reason == (
        f"nothing was moved: the journal {journal.moves_path} cannot be written (No space left on device), "
        "and a move it does not record could not be undone later"
    )
    assert Path(record.path).read_bytes() == b"image bytes"
    assert list((tmp_path / "b").iterdir()) == [], "no partial copy, no folder made for it"


def moved_a_to_b(tmp_path: Path, journal: Journal) -> tuple[FileRecord, ActionResult]:
    """a/x.jpg moved into b/: its record and the move's result."""
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    moved = actions.move_file(record, tmp_path / "b", journal)
    assert moved.ok
    return record, moved


def test_no_move_back_without_its_journal_entry(tmp_path, journal, monkeypatch):
    from difpy_tk.review import journal as journal_module

    record, _moved = moved_a_to_b(tmp_path, journal)
    monkeypatch.setattr(journal_module, "append_line", _raise(OSError(errno.ENOSPC, "No space left on device")))
    result = actions.undo_last(journal)
    assert result.outcome is Outcome.FAILED and result.reason.startswith("it was not moved back: the journal ")
    assert (tmp_path / "b" / "x.jpg").read_bytes() == b"image bytes" and not Path(record.path).exists()


def test_a_refused_move_back_names_the_folder_that_refuses(tmp_path, journal, monkeypatch):
    """A trial: "cannot move the file back: permission denied" did not say where."""
    moved_a_to_b(tmp_path, journal)
    monkeypatch.setattr(safe_move, "rename_no_replace", _raise(PermissionError(errno.EACCES, "Permission denied")))
    result = actions.undo_last(journal)
    assert result.reason == f"cannot move the file back into {tmp_path / 'a'}: permission denied"
    assert (tmp_path / "b" / "x.jpg").read_bytes() == b"image bytes"


def test_a_file_gone_just_after_the_undo_looked_is_not_called_back(tmp_path, journal, monkeypatch):
    """A review: gone between two looks at it, a file was journalled "back already" (ok)
    although it was nowhere."""
    _record, moved = moved_a_to_b(tmp_path, journal)
    real_mismatch = actions.mismatch

    def then_gone(path, evidence, **kwargs):
        found = real_mismatch(path, evidence, **kwargs)
        if Path(path) == Path(moved.destination):
            os.remove(path)  # another run, or the user, takes it right after the look
        return found

    monkeypatch.setattr(actions, "mismatch", then_gone)
    result = actions.undo_last(journal)
    assert result.outcome is Outcome.FAILED and result.reason == actions.VANISHED_WHILE_MOVING


def test_a_file_taken_by_another_run_while_moving_is_said_so(tmp_path, journal, monkeypatch):
    """A safety trial's three clean runs at once: the file another one had just moved was
    reported as "cannot move the file to <destination>: no such file or directory"."""
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    real_rename = safe_move.rename_no_replace

    def taken_first(source, destination):
        os.rename(source, tmp_path / "taken.jpg")  # the other run wins the race
        return real_rename(source, destination)

    monkeypatch.setattr(safe_move, "rename_no_replace", taken_first)
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.outcome is Outcome.FAILED and result.reason == actions.VANISHED_WHILE_MOVING
    assert (tmp_path / "taken.jpg").read_bytes() == b"image bytes"


def test_undo_of_a_file_another_run_put_back_already_is_done(tmp_path, journal):
    """The GUI's Undo after `difpy-tk undo` had put the file back said "the moved file is
    no longer where it was moved to", as if it were lost."""
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    moved = actions.move_file(record, tmp_path / "b", journal)
    other_run = Journal(journal.path)
    assert actions.move_back(other_run, other_run.intent(moved.op)).ok
    result = actions.undo_last(journal)
    assert result.ok and result.reason == "it was back already (put back by another undo, or by hand)"
    assert Path(record.path).read_bytes() == b"image bytes"
    assert actions.undo_last(journal) is None, "nothing left to undo"


def test_a_file_moved_back_by_hand_is_journalled_as_undone_once(tmp_path, journal):
    """A review: `difpy-tk undo` of a file the user had moved back by hand said "Put back
    1 file." at every run, and never came to the earlier runs' moves."""
    from difpy_tk.review.journal import journalled_moves

    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    moved = actions.move_file(record, tmp_path / "b", journal)
    os.rename(moved.destination, record.path)  # by hand
    later = Journal(journal.path)
    (intent,) = journalled_moves(later)
    assert actions.move_back(later, intent).ok
    assert journalled_moves(Journal(journal.path)) == [], "not offered again"


def test_a_new_file_number_alone_is_a_swap_as_on_windows(tmp_path, journal):
    """Windows gives no inode-change time (0): there only the file number tells a file
    replaced by another of the same size and date (a review: no test covered it)."""
    record = actions.restamped(make_file(tmp_path / "a" / "x.jpg"))
    assert record.inode
    elsewhere = replace(record, ctime_ns=0, inode=record.inode + 1)
    assert actions.check_unchanged(replace(record, ctime_ns=0)) is None
    assert actions.check_unchanged(elsewhere) == actions.SWAPPED
    (tmp_path / "b").mkdir()
    assert actions.move_file(elsewhere, tmp_path / "b", journal).outcome is Outcome.SKIPPED
    assert Path(record.path).exists()


def test_vanished_and_changed_files_are_skipped(tmp_path, journal):
    (tmp_path / "b").mkdir()
    gone = make_file(tmp_path / "a" / "gone.jpg")
    os.remove(gone.path)
    changed = make_file(tmp_path / "a" / "changed.jpg")
    Path(changed.path).write_bytes(b"edited since the search, longer")
    touched = make_file(tmp_path / "a" / "touched.jpg")
    os.utime(touched.path, ns=(touched.mtime_ns + 10**9, touched.mtime_ns + 10**9))
    results = [actions.move_file(r, tmp_path / "b", journal) for r in (gone, changed, touched)]
    results.append(actions.trash_file(changed, journal))
    assert [r.outcome for r in results] == [Outcome.SKIPPED] * 4
    assert results[0].reason == "the file no longer exists"
    assert results[1].reason == results[2].reason == "the file changed since the search"
    assert list((tmp_path / "b").iterdir()) == []
    assert Path(changed.path).exists() and Path(touched.path).exists()
    assert journal.path.read_text().count("skipped") == 4


@needs_posix_permissions
def test_read_only_target_fails_and_keeps_the_file(tmp_path, journal):
    record = make_file(tmp_path / "a" / "x.jpg")
    target = tmp_path / "locked"
    target.mkdir()
    target.chmod(0o555)
    try:
        result = actions.move_file(record, target, journal)
    finally:
        target.chmod(0o755)
    assert result.outcome is Outcome.FAILED
    assert "permission denied" in result.reason and str(target) in result.reason
    assert Path(record.path).exists()


def test_read_only_target_simulated(tmp_path, journal, monkeypatch):
    """The same on any OS and as root: refusing to create the destination name."""
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    denied = PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(safe_move, "rename_no_replace", _raise(denied))
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.outcome is Outcome.FAILED and "permission denied" in result.reason
    assert Path(record.path).exists()


def test_move_to_missing_or_same_folder_fails(tmp_path, journal):
    record = make_file(tmp_path / "a" / "x.jpg")
    assert "does not exist" in actions.move_file(record, tmp_path / "nope", journal).reason
    assert "already in that folder" in actions.move_file(record, tmp_path / "a", journal).reason
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["x.jpg"]


def test_trash_ok(tmp_path, journal, monkeypatch):
    trashed = []
    monkeypatch.setattr("send2trash.send2trash", trashed.append)
    record = make_file(tmp_path / "x.jpg")
    result = actions.trash_file(record, journal)
    assert result.ok and result.action == "trash" and trashed == [record.path]


def test_a_read_only_file_goes_to_a_trash_that_takes_it(tmp_path, journal, monkeypatch):
    """A review: Send2Trash's GIO code (and macOS's) trashes a read-only photo; only its own
    freedesktop code refuses one, so only that is refused beforehand."""
    trashed = []
    monkeypatch.setattr("send2trash.send2trash", trashed.append)  # not plat_other's
    record = make_file(tmp_path / "x.jpg")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: path != record.path and real_access(path, mode))
    assert actions.trash_file(record, journal).ok and trashed == [record.path]


def test_trash_failure_is_reported_and_never_deletes(tmp_path, journal, monkeypatch):
    monkeypatch.setattr("send2trash.send2trash", _raise(PermissionError(errno.EACCES, "Permission denied")))
    record = make_file(tmp_path / "x.jpg")
    result = actions.trash_file(record, journal, permanent_if_no_trash=True)
    assert result.outcome is Outcome.FAILED and not result.trash_unavailable
    assert result.reason == (
        "cannot move it to the Trash: permission denied; the Trash folder cannot be written "
        "(a read-only home folder or drive?)"
    ), "the file's own folder is writable: a safety trial with a read-only home got a bare 'permission denied'"
    assert Path(record.path).exists()


def test_no_trash_needs_explicit_permanent_delete(tmp_path, journal, monkeypatch):
    from send2trash.exceptions import TrashPermissionError

    monkeypatch.setattr("send2trash.send2trash", _raise(TrashPermissionError("/mnt/.Trash")))
    record = make_file(tmp_path / "x.jpg")
    asked = actions.trash_file(record, journal)
    assert asked.outcome is Outcome.FAILED and asked.trash_unavailable
    assert Path(record.path).exists()
    deleted = actions.trash_file(record, journal, permanent_if_no_trash=True)
    assert deleted.ok and deleted.action == "delete" and "permanently" in deleted.reason
    assert not Path(record.path).exists()


def test_open_uses_an_argument_list(tmp_path, journal, monkeypatch):
    calls = []
    monkeypatch.setattr(
        system_open.subprocess, "Popen", lambda args, **kw: calls.append((args, kw)) or SimpleNamespace(wait=int)
    )
    monkeypatch.setattr(system_open.sys, "platform", "linux")
    record = make_file(tmp_path / "a b; rm -rf x.jpg")
    assert actions.open_file(record.path, journal).ok
    ((args, kwargs),) = calls
    assert args == ["xdg-open", record.path] and not kwargs.get("shell")
    monkeypatch.setattr(system_open.subprocess, "Popen", _raise(FileNotFoundError(errno.ENOENT, "No such file")))
    failed = actions.open_file(record.path, journal)
    assert failed.outcome is Outcome.FAILED and "cannot start the image viewer" in failed.reason
    assert actions.open_file(str(tmp_path / "missing.jpg"), journal).reason == "the file no longer exists"
    missing = FileNotFoundError(errno.ENOENT, "No such file", "xdg-open")  # what Popen raises without xdg-open
    monkeypatch.setattr(system_open.subprocess, "Popen", _raise(missing))
    plain = actions.open_file(record.path, journal)
    assert plain.outcome is Outcome.FAILED and "xdg-open was not found" in plain.reason and "xdg-utils" in plain.reason


def test_run_bulk_reports_every_file(tmp_path, journal):
    (tmp_path / "b").mkdir()
    records = [make_file(tmp_path / "a" / f"{i}.jpg") for i in range(4)]
    os.remove(records[1].path)
    cancel = CancelToken()
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == 3:
            cancel.cancel()

    results = actions.run_bulk(
        records, lambda r: actions.move_file(r, tmp_path / "b", journal), "move", progress, cancel
    )
    assert [r.source for r in results] == [r.path for r in records]
    assert [r.outcome for r in results] == [Outcome.OK, Outcome.SKIPPED, Outcome.OK, Outcome.SKIPPED]
    assert results[3].reason == "cancelled" and Path(records[3].path).exists()
    assert seen == [(1, 4), (2, 4), (3, 4)]


def test_undo_last_and_all(tmp_path, journal):
    (tmp_path / "b").mkdir()
    records = [make_file(tmp_path / "a" / f"{i}.jpg", bytes([i])) for i in range(3)]
    for record in records:
        assert actions.move_file(record, tmp_path / "b", journal).ok
    last = actions.undo_last(journal)
    assert last.ok and last.destination == records[2].path and Path(records[2].path).read_bytes() == b"\x02"
    undone = actions.undo_all(journal)
    assert [r.destination for r in undone] == [records[1].path, records[0].path]
    assert all(Path(r.path).exists() for r in records)
    assert list((tmp_path / "b").iterdir()) == []
    assert actions.undo_last(journal) is None and actions.undo_all(journal) == []
    assert all(actions.check_unchanged(r) is None for r in records), "a round trip keeps size and mtime"


def test_undo_never_overwrites_and_stays_undoable(tmp_path, journal):
    (tmp_path / "b").mkdir()
    record = make_file(tmp_path / "a" / "x.jpg", b"original")
    moved = actions.move_file(record, tmp_path / "b", journal)
    Path(record.path).write_bytes(b"a new file with the old name")
    failed = actions.undo_last(journal)
    assert failed.outcome is Outcome.FAILED and "not overwritten" in failed.reason
    assert Path(record.path).read_bytes() == b"a new file with the old name"
    assert Path(moved.destination).read_bytes() == b"original"
    os.remove(record.path)
    assert actions.undo_last(journal).ok
    assert Path(record.path).read_bytes() == b"original"


def test_undo_of_a_vanished_move_fails_plainly(tmp_path, journal):
    (tmp_path / "b").mkdir()
    moved = actions.move_file(make_file(tmp_path / "a" / "x.jpg"), tmp_path / "b", journal)
    os.remove(moved.destination)
    result = actions.undo_last(journal)
    assert result.outcome is Outcome.FAILED and "no longer where it was moved" in result.reason


def test_journal_defaults_to_the_data_dir_and_survives_an_unwritable_log(tmp_path):
    from difpy_tk.state import appdirs

    assert Journal().path.parent == appdirs.data_dir()
    broken = Journal(tmp_path / "no such folder" / "actions.log")
    assert actions.open_file(str(tmp_path / "missing.jpg"), broken).outcome is Outcome.FAILED
    assert broken.write_error and len(broken.lines()) == 1
    said = broken.take_write_error()
    assert said.startswith(f"cannot write {broken.path}") and broken.write_error is None, "said once"
    record = make_file(tmp_path / "a" / "x.jpg")
    (tmp_path / "b").mkdir()
    actions.move_file(record, tmp_path / "b", broken)
    said = broken.take_write_error()
    assert f"cannot write {broken.moves_path}" in said and f"cannot write {broken.path}" in said, (
        "each file that could not be written is named (a check: the warning named only the log)"
    )


def test_run_bulk_turns_an_unexpected_error_into_a_failed_result(tmp_path, caplog):
    records = [make_file(tmp_path / f"{i}.jpg") for i in range(3)]

    def flaky(record):
        if record is records[1]:
            raise RuntimeError("bug")
        return ActionResult("move", record.path, Outcome.OK)

    results = actions.run_bulk(records, flaky, "move")
    assert [r.outcome for r in results] == [Outcome.OK, Outcome.FAILED, Outcome.OK]
    assert results[1].reason == "unexpected error: bug" and "failed unexpectedly" in caplog.text


def test_keep_tree_puts_same_named_files_in_their_own_folders(tmp_path, journal):
    """K#1304: a flat move of two same-named files from different folders lost one."""
    photos, target = tmp_path / "photos", tmp_path / "target"
    target.mkdir()
    first = make_file(photos / "2019" / "trip" / "x.jpg", b"first")
    second = make_file(photos / "2020" / "x.jpg", b"second")
    top = make_file(photos / "top.jpg", b"top")
    move = actions.mover(target, journal, [str(tmp_path), str(photos)])
    results = actions.run_bulk([first, second, top], move, "move")
    assert all(r.ok for r in results)
    assert (target / "2019" / "trip" / "x.jpg").read_bytes() == b"first"
    assert (target / "2020" / "x.jpg").read_bytes() == b"second"
    assert (target / "top.jpg").read_bytes() == b"top", "the deepest input folder is the base"
    assert not any(Path(r.path).exists() for r in (first, second, top))
    assert results[0].created_folders == (str(target / "2019"), str(target / "2019" / "trip"))
    assert results[2].created_folders == ()


def test_keep_tree_clash_gets_a_unique_name_and_existing_folders_are_reused(tmp_path, journal):
    photos, target = tmp_path / "photos", tmp_path / "target"
    make_file(target / "a" / "x.jpg", b"already here")
    record = make_file(photos / "a" / "x.jpg", b"moved")
    result = actions.move_file(record, target, journal, keep_tree_from=str(photos))
    assert result.ok and result.destination == str(target / "a" / "x (2).jpg")
    assert result.created_folders == ()
    assert (target / "a" / "x.jpg").read_bytes() == b"already here"
    assert (target / "a" / "x (2).jpg").read_bytes() == b"moved"
    assert actions.undo_last(journal).ok
    assert Path(record.path).read_bytes() == b"moved"
    assert sorted(p.name for p in (target / "a").iterdir()) == ["x.jpg"], "a folder that was there stays"


def test_keep_tree_undo_restores_and_removes_only_empty_created_folders(tmp_path, journal):
    photos, target = tmp_path / "photos", tmp_path / "target"
    target.mkdir()
    records = [make_file(photos / "a" / "b" / f"{i}.jpg", bytes([i])) for i in range(2)]
    other = make_file(photos / "c" / "y.jpg")
    for record in (*records, other):
        assert actions.move_file(record, target, journal, keep_tree_from=str(photos)).ok
    assert sorted(p.name for p in (target / "a" / "b").iterdir()) == ["0.jpg", "1.jpg"]
    (target / "c" / "mine.txt").write_text("the user's own file, added after the move")
    undone = actions.undo_all(journal)
    assert all(r.ok for r in undone)
    assert all(actions.check_unchanged(r) is None for r in (*records, other))
    assert sorted(p.name for p in target.iterdir()) == ["c"], "created folders gone once empty"
    assert sorted(p.name for p in (target / "c").iterdir()) == ["mine.txt"]


def test_keep_tree_undo_out_of_order_still_cleans_up(tmp_path, journal):
    """The folder's creator is undone while a later move still uses it; the last one
    out removes it."""
    photos, target = tmp_path / "photos", tmp_path / "target"
    target.mkdir()
    first = make_file(photos / "a" / "1.jpg")
    second = make_file(photos / "a" / "2.jpg")
    for record in (first, second):
        assert actions.move_file(record, target, journal, keep_tree_from=str(photos)).ok
    (index_first, moved_first), (index_second, moved_second) = journal.undoable_moves()
    assert actions.undo_move(journal, index_first, moved_first).ok
    assert (target / "a").is_dir()
    assert actions.undo_move(journal, index_second, moved_second).ok
    assert list(target.iterdir()) == []


def test_keep_tree_falls_back_to_flat_outside_every_input_folder(tmp_path, journal):
    target = tmp_path / "target"
    target.mkdir()
    outside = make_file(tmp_path / "elsewhere" / "deep" / "z.jpg")
    assert actions.tree_base(outside.path, [str(tmp_path / "photos"), outside.path]) is None
    result = actions.mover(target, journal, [str(tmp_path / "photos")])(outside)
    assert result.ok and result.destination == str(target / "z.jpg") and result.created_folders == ()
    loose = make_file(tmp_path / "other" / "w.jpg")
    assert actions.move_file(loose, target, journal, keep_tree_from=str(tmp_path / "photos")).destination == str(
        target / "w.jpg"
    )


def test_tree_base_picks_the_deepest_containing_input(tmp_path):
    path = str(tmp_path / "photos" / "2019" / "x.jpg")
    inputs = [str(tmp_path), str(tmp_path / "photos"), str(tmp_path / "photos-old"), str(tmp_path / "photos" / "2019")]
    assert actions.tree_base(path, inputs) == str(tmp_path / "photos" / "2019")
    assert actions.tree_base(path, inputs[:3]) == str(tmp_path / "photos")
    assert actions.tree_base(path, []) is None


def test_keep_tree_into_its_own_folder_fails_and_a_file_in_the_way_is_reported(tmp_path, journal):
    photos = tmp_path / "photos"
    record = make_file(photos / "a" / "x.jpg")
    assert "already in that folder" in actions.move_file(record, photos, journal, keep_tree_from=str(photos)).reason
    target = tmp_path / "target"
    make_file(target / "a", b"a file where the folder would go")
    deep = make_file(photos / "a" / "b" / "y.jpg")
    result = actions.move_file(deep, target, journal, keep_tree_from=str(photos))
    assert result.outcome is Outcome.FAILED and "cannot create a file in" in result.reason
    assert Path(deep.path).exists() and sorted(p.name for p in target.iterdir()) == ["a"]
