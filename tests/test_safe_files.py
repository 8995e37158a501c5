"""The one helper for untrusted state files and atomic writes."""

from __future__ import annotations

import errno
import json
import os
import sys
import threading

import pytest

from difpy_tk.state import appdirs, safe_files
from difpy_tk.state.safe_files import DamagedFile


def test_read_bounded_refuses_folders_fifos_and_oversize_without_blocking(tmp_path):
    assert safe_files.read_bounded(tmp_path / "missing") is None
    (tmp_path / "ok").write_bytes(b"12345")
    assert safe_files.read_bounded(tmp_path / "ok", limit=5) == b"12345"
    with pytest.raises(DamagedFile, match="too large"):
        safe_files.read_bounded(tmp_path / "ok", limit=4)
    with pytest.raises(DamagedFile, match="a folder"):
        safe_files.read_bounded(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(DamagedFile, match="named pipe"):
            safe_files.read_bounded(tmp_path / "fifo")


def test_parse_json_turns_deep_nesting_into_damage():
    assert safe_files.parse_json(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(DamagedFile, match="nested too deeply"):
        safe_files.parse_json(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(DamagedFile, match="not valid JSON"):
        safe_files.parse_json(b"\xff\xfe{")


def test_set_aside_never_overwrites_an_earlier_one(tmp_path, caplog):
    path = tmp_path / "settings.json"
    names = []
    for content in ("first", "second", "third"):
        path.write_text(content)
        names.append(safe_files.set_aside(path, "test"))
    assert len(set(names)) == 3 and not path.exists()
    assert sorted(p.read_text() for p in names) == ["first", "second", "third"]
    assert all(p.name.startswith("settings.json.damaged-") for p in names)
    assert caplog.text.count("set aside as") == 3


def test_rename_no_replace_refuses_a_taken_name(tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError):
        safe_files.rename_no_replace(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b").read_text() == "b" and (tmp_path / "a").read_text() == "a"
    if sys.platform != "win32":
        os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
        with pytest.raises(FileExistsError):
            safe_files.rename_no_replace(tmp_path / "a", tmp_path / "dangling")
    safe_files.rename_no_replace(tmp_path / "a", tmp_path / "c")
    assert (tmp_path / "c").read_text() == "a" and not (tmp_path / "a").exists()


def test_a_temp_name_someone_else_holds_gives_a_journal_for_this_run_only(tmp_path, monkeypatch):
    """A review: a fresh temp folder is never found by the next run; said so."""
    import tempfile

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp" / f"difpy_tk-{appdirs._user()}").write_text("not ours: a file where our folder would be")
    blocker = tmp_path / "a file"
    blocker.write_text("folders cannot be made under a file, not even by root")
    monkeypatch.setenv("DIFPY_TK_HOME", str(blocker / "home"))
    data = appdirs.data_dir()
    notice = next(text for text in appdirs.notices() if "move journal" in text)
    assert notice.endswith(f"kept in {data} for this run only (put back what you move before closing difpy_tk).")


@pytest.mark.skipif(sys.platform == "win32", reason="the hard-link path is POSIX")
def test_rename_by_link_leaves_no_second_name_when_the_source_cannot_go(tmp_path, monkeypatch):
    """Where the kernel's no-replace rename is missing (or refused with EPERM, as from a
    locked folder), the file is linked then unlinked: when the unlink fails, the link
    made a moment before is removed again and the file keeps its one name."""
    (tmp_path / "a").write_bytes(b"picture")
    monkeypatch.setattr(safe_files, "_NO_REPLACE", None)
    real_unlink = os.unlink

    def unlink(path, *args, **kwargs):
        if os.fspath(path) == str(tmp_path / "a"):
            raise PermissionError(1, "Operation not permitted", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(safe_files.os, "unlink", unlink)
    with pytest.raises(PermissionError):
        safe_files.rename_no_replace(tmp_path / "a", tmp_path / "b")
    assert sorted(os.listdir(tmp_path)) == ["a"] and (tmp_path / "a").read_bytes() == b"picture"


def test_write_atomic_leaves_no_temporary_on_failure(tmp_path):
    safe_files.write_atomic(tmp_path / "f.json", json.dumps({"x": 1}))
    assert json.loads((tmp_path / "f.json").read_text()) == {"x": 1}
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(OSError):
        safe_files.write_atomic(tmp_path / "dir.json", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.json", "f.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_append_line_sets_a_fifo_aside_instead_of_hanging(tmp_path):
    log = tmp_path / "actions.log"
    os.mkfifo(log)
    done = threading.Event()

    def append():
        safe_files.append_line(log, "one \udcff line")
        done.set()

    thread = threading.Thread(target=append, daemon=True)
    thread.start()
    thread.join(30)
    assert done.is_set(), "appending to a FIFO blocked"
    assert log.read_bytes() == b"one \\xff line\n"
    assert len(list(tmp_path.glob("actions.log.damaged-*"))) == 1


def test_unwritable_home_falls_back_and_says_so_once(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "a file"
    blocker.write_text("folders cannot be made under a file, not even by root")
    monkeypatch.setenv("DIFPY_TK_HOME", str(blocker / "home"))
    config = appdirs.config_dir()
    assert config == blocker / "home" / "config" and not appdirs.config_writable()
    data, cache = appdirs.data_dir(), appdirs.cache_dir()
    assert data.is_dir() and cache.is_dir() and data != cache
    assert appdirs.data_dir() == data and appdirs.config_dir() == config
    assert caplog.text.count("cannot be written") == 3
    assert len(appdirs.notices()) >= 3
    journal_notice = next(text for text in appdirs.notices() if "move journal" in text)
    assert journal_notice.endswith(f"kept in {data}, which the system may empty (put back what you move soon).")


@pytest.mark.skipif(sys.platform == "win32", reason="the hard-link path is POSIX")
def test_rename_by_link_removes_nothing_on_a_drive_without_inode_numbers(tmp_path, monkeypatch):
    """Inode 0 (some network shares) cannot tell our link from a file another client put
    there meanwhile: nothing is removed then, and the caller reports the failure."""
    (tmp_path / "a").write_bytes(b"picture")
    monkeypatch.setattr(safe_files, "_NO_REPLACE", None)
    real_unlink, real_lstat = os.unlink, os.lstat

    def unlink(path, *args, **kwargs):
        if os.fspath(path) == str(tmp_path / "a"):
            raise PermissionError(1, "Operation not permitted", str(path))
        real_unlink(path, *args, **kwargs)

    def lstat(path, *args, **kwargs):
        found = real_lstat(path, *args, **kwargs)
        return os.stat_result((found.st_mode, 0, *tuple(found)[2:]))

    monkeypatch.setattr(safe_files.os, "unlink", unlink)
    monkeypatch.setattr(safe_files.os, "lstat", lstat)
    with pytest.raises(PermissionError):
        safe_files.rename_no_replace(tmp_path / "a", tmp_path / "b")
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]


def test_a_line_the_disk_takes_only_part_of_is_not_left_half_written(tmp_path, monkeypatch):
    """A review: on a nearly full disk the journal line of a move was cut short without an
    error; the reader skips half a line, so the move went ahead unrecorded."""
    log = tmp_path / "moves.jsonl"
    safe_files.append_line(log, "first line")
    real_write = os.write
    calls = []

    def full_disk(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, data[:5])  # the disk takes five bytes
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_files.os, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        safe_files.append_line(log, "second line, the journal entry of a move")
    monkeypatch.undo()
    assert log.read_text() == "first line\n", "cut back to what was there"
