"""Moves under faults: every file is accounted for after each (ledger), the destination
is never overwritten, only what the move created is removed, and a move killed half-way
is finished or rolled back at the next start."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from difpy_tk.review import actions, safe_move
from difpy_tk.review.journal import End, Journal, Outcome, journalled_moves
from difpy_tk.scan.result import FileRecord

from .ledger import Ledger, digest, journal_moves

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symlinks and signals as on POSIX")


def make_file(path: Path, data: bytes) -> FileRecord:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    info = path.stat()
    return FileRecord(str(path), info.st_size, info.st_mtime_ns, 10, 10)


@pytest.fixture
def journal(tmp_path):
    (tmp_path / "state").mkdir()
    return Journal(tmp_path / "state" / "actions.log")


@pytest.fixture
def across_drives(monkeypatch):
    """Every rename of a source file fails with EXDEV, as between drives: the move copies."""
    real = safe_move.rename_no_replace

    def rename(source, target):
        if safe_move.PARTIAL_PREFIX not in os.fspath(source):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(source, target)

    monkeypatch.setattr(safe_move, "rename_no_replace", rename)


@pytest.fixture
def fixed_op(monkeypatch):
    monkeypatch.setattr(actions, "new_op", lambda: "0123456789abcdef")
    return "0123456789abcdef"


def test_a_file_with_the_old_partial_name_is_never_touched(tmp_path, journal, across_drives):
    """The old mover wrote to and unlinked `<name>.difpy-partial`; now that is just a user file."""
    record = make_file(tmp_path / "a" / "x.jpg", b"image " * 1000)
    users = make_file(tmp_path / "b" / "x.jpg.difpy-partial", b"the user's own file")
    ledger = Ledger(tmp_path / "a", tmp_path / "b")
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.ok and Path(result.destination).name == "x.jpg"
    assert Path(users.path).read_bytes() == b"the user's own file"
    ledger.assert_nothing_lost(journal_moves(journal))


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="extended attributes through os: Linux")
def test_a_move_across_drives_and_its_undo_keep_extended_attributes(tmp_path, journal, across_drives):
    """Found by a safety review: a copy between drives dropped tags and a download's
    origin, which a rename within one drive keeps."""
    record = make_file(tmp_path / "a" / "x.jpg", b"image " * 1000)
    try:
        os.setxattr(record.path, "user.xdg.tags", b"holiday")
    except OSError:
        pytest.skip("this file system keeps no user extended attributes")
    (tmp_path / "b").mkdir()
    moved = actions.move_file(record, tmp_path / "b", journal)
    assert moved.ok and os.getxattr(moved.destination, "user.xdg.tags") == b"holiday"
    assert actions.undo_last(journal).ok and os.getxattr(record.path, "user.xdg.tags") == b"holiday"


def test_partial_name_taken_fails_cleanly(tmp_path, journal, across_drives, fixed_op):
    record = make_file(tmp_path / "a" / "x.jpg", b"image " * 1000)
    taken = make_file(safe_move.partial_path(tmp_path / "b", fixed_op), b"someone else's")
    ledger = Ledger(tmp_path / "a", tmp_path / "b")
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.outcome is Outcome.FAILED and "partial copy is taken" in result.reason
    assert Path(taken.path).read_bytes() == b"someone else's" and Path(record.path).exists()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [Path(taken.path).name]
    assert journal.moves()[fixed_op][1] is End.FAILED
    ledger.assert_nothing_lost()


@posix_only
def test_partial_name_as_a_symlink_is_never_written_through(tmp_path, journal, across_drives, fixed_op):
    record = make_file(tmp_path / "a" / "x.jpg", b"image " * 1000)
    victim = make_file(tmp_path / "elsewhere" / "victim.txt", b"must stay as it is")
    (tmp_path / "b").mkdir()
    os.symlink(victim.path, safe_move.partial_path(tmp_path / "b", fixed_op))
    os.symlink(victim.path, tmp_path / "b" / "x.jpg.difpy-partial")
    ledger = Ledger(tmp_path / "a", tmp_path / "elsewhere")
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.outcome is Outcome.FAILED
    assert Path(victim.path).read_bytes() == b"must stay as it is"
    assert os.path.islink(safe_move.partial_path(tmp_path / "b", fixed_op)), "not ours: not removed"
    ledger.assert_nothing_lost()


@pytest.mark.parametrize("drives", ["same drive", "across drives"])
def test_a_name_taken_at_the_last_moment_is_not_overwritten(tmp_path, journal, monkeypatch, request, drives):
    """Another program creates the destination name between our check and the rename."""
    if drives == "across drives":
        request.getfixturevalue("across_drives")
    record = make_file(tmp_path / "a" / "x.jpg", b"ours " * 1000)
    (tmp_path / "b").mkdir()
    ledger = Ledger(tmp_path / "a")
    real_begin = journal.begin
    racer = tmp_path / "b" / "x.jpg"

    def begin_and_race(intent):
        real_begin(intent)
        if not racer.exists():
            racer.write_bytes(b"the racer's file")

    monkeypatch.setattr(journal, "begin", begin_and_race)
    result = actions.move_file(record, tmp_path / "b", journal)
    assert result.ok and result.destination == str(tmp_path / "b" / "x (2).jpg")
    assert racer.read_bytes() == b"the racer's file"
    assert Path(result.destination).read_bytes() == b"ours " * 1000
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["x (2).jpg", "x.jpg"]
    ledger.assert_nothing_lost(journal_moves(journal))


def test_move_to_a_full_file_system_keeps_the_source(tmp_path, journal, small_tmpfs):
    record = make_file(tmp_path / "a" / "big.jpg", os.urandom(600 * 1024))
    ledger = Ledger(tmp_path / "a")
    result = actions.move_file(record, small_tmpfs, journal)
    assert result.outcome is Outcome.FAILED and "no space left" in result.reason
    assert digest(record.path) == ledger.before[record.path]
    assert list(small_tmpfs.iterdir()) == [], "no partial file, no placeholder left behind"
    ledger.assert_nothing_lost()


def test_a_full_destination_is_blamed_even_for_a_file_out_of_a_read_only_folder(tmp_path, journal, small_tmpfs,
                                                                                  monkeypatch):
    """A trial as a user: "cannot take the file out of …/readonly: no space left on device"."""
    record = make_file(tmp_path / "readonly" / "big.jpg", os.urandom(600 * 1024))
    real_access = os.access
    folder = str(tmp_path / "readonly")
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: str(path) != folder and real_access(path, mode))
    result = actions.move_file(record, small_tmpfs, journal)
    assert result.reason.startswith(f"cannot move the file to {small_tmpfs}: ") and "no space left" in result.reason
    assert Path(record.path).exists()


def test_real_move_to_another_file_system_and_undo(tmp_path, journal, small_tmpfs):
    record = make_file(tmp_path / "a" / "x.jpg", os.urandom(50 * 1024))
    ledger = Ledger(tmp_path / "a")
    moved = actions.move_file(record, small_tmpfs, journal)
    assert moved.ok and os.stat(moved.destination).st_mtime_ns == record.mtime_ns
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["x.jpg"]
    ledger.assert_nothing_lost(journal_moves(journal))
    assert actions.undo_last(journal).ok
    assert list(small_tmpfs.iterdir()) == [] and actions.check_unchanged(record) is None
    ledger.assert_nothing_lost()


@pytest.mark.parametrize("how", ["same size and time, other content", "a symlink", "a bigger file"])
def test_undo_refuses_a_file_that_replaced_the_moved_one(tmp_path, journal, how):
    record = make_file(tmp_path / "a" / "x.jpg", b"original content")
    moved = actions.move_file(record, tmp_path / "b" if (tmp_path / "b").mkdir() is None else None, journal)
    assert moved.ok
    destination = Path(moved.destination)
    os.remove(destination)
    if how == "a symlink":
        if sys.platform == "win32":
            pytest.skip("symlinks need privileges on Windows")
        other = make_file(tmp_path / "c" / "other.jpg", b"original content")
        os.symlink(other.path, destination)
    else:
        destination.write_bytes(b"other  content!!" if how.startswith("same") else b"another, bigger file")
        os.utime(destination, ns=(record.mtime_ns, record.mtime_ns))
    ledger = Ledger(tmp_path / "b", *([tmp_path / "c"] if (tmp_path / "c").exists() else []))
    result = actions.undo_last(journal)
    assert result.outcome is Outcome.FAILED
    assert "is not the one that was moved there" in result.reason
    assert not Path(record.path).exists(), "nothing was moved back"
    ledger.assert_nothing_lost()


CHILD = textwrap.dedent(
    """
    import errno, os, signal, sys
    from pathlib import Path
    from difpy_tk.review import actions, safe_move
    from difpy_tk.review.journal import Journal
    from difpy_tk.scan.result import FileRecord
    from difpy_tk.state import safe_files

    source, target, log, stage = sys.argv[1:5]
    journal = Journal(Path(log))
    if stage.startswith("undo "):  # move first, untouched; then kill the undo at the stage
        info = os.stat(source)
        moved = actions.move_file(FileRecord(source, info.st_size, info.st_mtime_ns, 1, 1), target, journal)
        source, stage = moved.destination, stage[len("undo "):]
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    real_rename, real_remove, real_unlink, real_write = (
        safe_move.rename_no_replace, os.remove, os.unlink, os.write)

    def rename(a, b):
        if stage != "link" and safe_move.PARTIAL_PREFIX not in os.fspath(a):
            raise OSError(errno.EXDEV, "cross-device")
        if stage == "copied":
            die()
        real_rename(a, b)
        if stage == "renamed":
            die()

    def remove(path, *args, **kwargs):
        real_remove(path, *args, **kwargs)
        if stage == "source removed" and os.fspath(path) == source:
            die()

    def unlink(path, *args, **kwargs):
        if stage == "link" and os.fspath(path) == source:
            die()
        real_unlink(path, *args, **kwargs)

    def write(fd, data):
        if stage == "copying" and safe_move.PARTIAL_PREFIX in os.readlink(f"/proc/self/fd/{fd}"):
            real_write(fd, bytes(data)[: len(data) // 2])
            die()
        return real_write(fd, data)

    safe_move.rename_no_replace = rename
    os.remove, os.unlink, os.write = remove, unlink, write
    if stage == "link":
        safe_files._NO_REPLACE = None  # the hard link + unlink way of a no-replace rename
    if journal.undoable_moves():
        actions.undo_last(journal)
    else:
        info = os.stat(source)
        actions.move_file(FileRecord(source, info.st_size, info.st_mtime_ns, 1, 1), target, journal)
    print("not killed")
    """
)


def _killed_half_way(tmp_path: Path, stage: str) -> tuple[FileRecord, Ledger, Journal]:
    """A 3 MB photo in a/, and a child process that moves it into b/ (or undoes that move,
    for "undo <stage>") and SIGKILLs itself at stage: the photo, a ledger of a/, the journal."""
    record = make_file(tmp_path / "a" / "photo.jpg", os.urandom(3 * 1024 * 1024))
    (tmp_path / "b").mkdir()
    log = tmp_path / "state" / "actions.log"
    log.parent.mkdir()
    ledger = Ledger(tmp_path / "a")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, record.path, str(tmp_path / "b"), str(log), stage],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr + child.stdout
    return record, ledger, Journal(log)


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc to find the partial file")
@pytest.mark.parametrize(
    "stage, end",
    [
        ("copying", End.ROLLED_BACK),
        ("copied", End.ROLLED_BACK),
        ("renamed", End.ROLLED_BACK),
        ("source removed", End.FINISHED),
        ("link", End.ROLLED_BACK),
    ],
)
def test_a_move_killed_half_way_is_recovered_at_the_next_start(tmp_path, stage, end):
    record, ledger, journal = _killed_half_way(tmp_path, stage)
    ((op, (intent, ended)),) = journal.moves().items()
    assert ended is None, "the journal holds the intent of the killed move"
    recovered = safe_move.recover_interrupted(journal)
    assert [(r.action, r.outcome) for r in recovered] == [("recover", Outcome.OK)]
    assert journal.moves()[op][1] is end
    left = sorted(p.name for p in (tmp_path / "b").iterdir())
    if end is End.ROLLED_BACK:
        assert left == [] and actions.check_unchanged(record) is None
    else:
        assert left == ["photo.jpg"] and not Path(record.path).exists()
        assert [m.op for m in journalled_moves(journal)] == [op], "a finished move can be undone"
        assert actions.move_back(journal, intent).ok and actions.check_unchanged(record) is None
    ledger.assert_nothing_lost(journal_moves(journal))
    assert safe_move.recover_interrupted(journal) == [], "recovered once"


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc to find the partial file")
@pytest.mark.parametrize("stage, end", [("copying", End.ROLLED_BACK), ("source removed", End.FINISHED)])
def test_an_undo_killed_half_way_is_recovered_at_the_next_start(tmp_path, stage, end):
    record, ledger, journal = _killed_half_way(tmp_path, f"undo {stage}")
    assert [(r.action, r.outcome) for r in safe_move.recover_interrupted(journal)] == [("recover", Outcome.OK)]
    undo = next(intent for intent, ended in journal.moves().values() if intent.kind == "undo")
    assert journal.moves()[undo.op][1] is end
    if end is End.ROLLED_BACK:  # the file stays where it was moved, and can still be moved back
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["photo.jpg"] and not Path(record.path).exists()
        assert [m.op for m in journalled_moves(journal)] == [undo.undoes]
    else:
        assert list((tmp_path / "b").iterdir()) == [] and actions.check_unchanged(record) is None
        assert journalled_moves(journal) == [], "the move counts as undone"
    ledger.assert_nothing_lost(journal_moves(journal))


def test_recovery_leaves_moves_of_a_running_process_alone(tmp_path, journal):
    record = make_file(tmp_path / "a" / "x.jpg", b"in flight")
    evidence = safe_move.evidence_of(record.path)
    intent = safe_move.MoveIntent(
        "00000000000000aa",
        "move",
        record.path,
        str(tmp_path / "b" / "x.jpg"),
        str(safe_move.partial_path(tmp_path / "b", "00000000000000aa")),
        evidence,
    )
    journal.begin(intent)  # this process is alive: its move may be in progress
    assert safe_move.recover_interrupted(journal) == []
    assert journal.moves()[intent.op][1] is None


def test_a_hostile_journal_cannot_make_recovery_remove_a_users_file(tmp_path, journal):
    """A journal entry naming the user's files as partial and destination of a dead move."""
    keep = make_file(tmp_path / "photos" / "keep.jpg", b"twin")
    twin = make_file(tmp_path / "photos" / "twin.jpg", b"twin")
    other = make_file(tmp_path / "photos" / "other.jpg", b"ot")
    os.utime(twin.path, ns=(keep.mtime_ns, keep.mtime_ns))
    ledger = Ledger(tmp_path / "photos")
    intent = safe_move.MoveIntent(
        "00000000000000bb", "move", keep.path, twin.path, other.path, safe_move.evidence_of(keep.path), pid=2**22 + 7
    )
    journal.begin(intent)
    safe_move.recover_interrupted(journal)
    assert Path(other.path).read_bytes() == b"ot", "a 'partial' not named as ours stays"
    ledger.assert_nothing_lost()


@posix_only
@pytest.mark.parametrize(
    "reached",
    ["the same path", "a folder link", "a folder link, the file linked elsewhere too", "a second link elsewhere"],
)
def test_recovery_never_removes_a_files_own_name_reached_another_way(tmp_path, journal, reached):
    """Found by a safety review: an unfinished entry whose destination named its source's
    own file (the same path, or through a folder link) made recovery 'roll back' by
    unlinking it, deleting the only copy outright. A real second link still goes."""
    record = make_file(tmp_path / "photos" / "only copy.jpg", b"the one photo")
    destination = Path(record.path)
    if reached.startswith("a folder link"):
        (tmp_path / "via").symlink_to(tmp_path / "photos")
        destination = tmp_path / "via" / "only copy.jpg"
        if reached.endswith("elsewhere too"):  # two names: only the directory entry tells them apart
            os.link(record.path, tmp_path / "backup.jpg")
    elif reached == "a second link elsewhere":
        (tmp_path / "b").mkdir()
        destination = tmp_path / "b" / "only copy.jpg"
        os.link(record.path, destination)
    intent = safe_move.MoveIntent(
        "00000000000000dd",
        "move",
        record.path,
        str(destination),
        str(safe_move.partial_path(destination.parent, "00000000000000dd")),
        safe_move.evidence_of(record.path),
        pid=2**22 + 9,
    )
    journal.begin(intent)
    assert [r.outcome for r in safe_move.recover_interrupted(journal)] == [Outcome.OK]
    assert actions.check_unchanged(record) is None
    assert os.path.lexists(destination) == (reached != "a second link elsewhere")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process start times from /proc")
def test_recovery_tells_a_dead_process_from_a_later_one_with_the_same_id(tmp_path, journal):
    """In a container the app may get the same process id every run: the start time decides."""
    record = make_file(tmp_path / "a" / "x.jpg", b"left half-moved by an earlier run")
    (tmp_path / "b").mkdir()
    os.link(record.path, tmp_path / "b" / "x.jpg")  # killed between the link and the unlink
    intent = safe_move.MoveIntent(
        "00000000000000cc",
        "move",
        record.path,
        str(tmp_path / "b" / "x.jpg"),
        str(safe_move.partial_path(tmp_path / "b", "00000000000000cc")),
        safe_move.evidence_of(record.path),
        started=1,  # our own id, but a process that started at another time
    )
    journal.begin(intent)
    ledger = Ledger(tmp_path / "a")
    assert [r.outcome for r in safe_move.recover_interrupted(journal)] == [Outcome.OK]
    assert journal.moves()[intent.op][1] is End.ROLLED_BACK
    assert list((tmp_path / "b").iterdir()) == [] and actions.check_unchanged(record) is None
    ledger.assert_nothing_lost()


def test_a_grown_journal_is_compacted_to_what_undo_and_recovery_need(tmp_path, journal, monkeypatch):
    from difpy_tk.review import journal as journal_module

    (tmp_path / "b").mkdir()
    records = [make_file(tmp_path / "a" / f"{number}.jpg", bytes([number]) * 10) for number in range(6)]
    for record in records:
        assert actions.move_file(record, tmp_path / "b", journal).ok
    for _ in range(2):
        assert actions.undo_last(journal).ok  # 4 and 5 are back: over with
    failed = actions.move_file(records[5], tmp_path / "nowhere", journal)
    assert not failed.ok
    before = journalled_moves(journal)
    size = journal.moves_path.stat().st_size
    monkeypatch.setattr(journal_module, "COMPACT_OVER", size - 1)
    assert safe_move.recover_interrupted(journal) == []
    assert journal.moves_path.stat().st_size < size / 2
    assert journalled_moves(journal) == before and len(before) == 4
    assert set(journal.moves()) == {intent.op for intent in before}
    assert all(actions.move_back(journal, intent).ok for intent in reversed(before))
    assert journalled_moves(journal) == []


def test_a_source_edited_while_it_was_copied_across_drives_is_not_removed(tmp_path, monkeypatch):
    """A mutation audit: without the check before the source is removed, an edit saved
    after the copy was made would be deleted with the source."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    source = tmp_path / "a" / "x.jpg"
    source.write_bytes(b"original" * 100)
    evidence = safe_move.evidence_of(source)
    real_rename = safe_move.rename_no_replace

    def across_drives(old, new):
        if Path(old) == source:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(old, new)

    def announce(_destination, copied):
        if copied:  # the copy is complete, not yet in place: the user saves an edit
            with open(source, "ab") as stream:
                stream.write(b"EDIT")

    monkeypatch.setattr(safe_move, "rename_no_replace", across_drives)
    with pytest.raises(OSError, match="changed while it was being moved"):
        safe_move.move_exclusive(
            source, [tmp_path / "b" / "x.jpg"], safe_move.partial_path(tmp_path / "b", "0123456789abcdef"),
            evidence, announce,
        )
    assert source.read_bytes().endswith(b"EDIT") and list((tmp_path / "b").iterdir()) == []


def test_file_number_zero_never_proves_two_files_the_same():
    """Drives without inode numbers (some network shares) give 0 for every file."""
    assert safe_move._same_file((5, 123), (5, 123))
    assert not safe_move._same_file((5, 0), (5, 0))


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_what_keeps_a_file_from_the_trash_is_named_and_leaves_no_trace_in_it(tmp_path, journal, temp_trash,
                                                                              monkeypatch, locked):
    """A trial as a user: a read-only photo (chmod 444, as copied from a camera or a CD)
    was refused with "the Trash folder cannot be written", and every try out of a
    read-only folder left an index entry in the Trash with no file."""
    record = make_file(tmp_path / "photos" / "IMG_1.jpg", b"a photo")
    refused = record.path if locked == "file" else str(tmp_path / "photos")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if os.path.abspath(path) == refused and mode & os.W_OK else real_access(path, mode)))
    if locked == "folder":  # as the rename in a read-only folder fails, after the index entry is written
        def rename_refused(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(os, "rename", rename_refused)
    result = actions.trash_file(record, journal, permanent_if_no_trash=True)
    assert result.outcome is Outcome.FAILED and not result.trash_unavailable
    expected = "the file is read-only" if locked == "file" else f"its folder {tmp_path / 'photos'} is read-only"
    assert expected in result.reason and "Trash folder" not in result.reason
    assert Path(record.path).read_bytes() == b"a photo"
    assert not any((temp_trash / part).exists() and any((temp_trash / part).iterdir()) for part in ("info", "files"))
