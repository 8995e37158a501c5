"""Hostile state files: garbage, wrong types, deep nesting, huge, a FIFO, a folder, a device.
None may crash or hang the app or stop a search; each is set aside (content kept) with a
log line, and the defaults are used."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path

import pytest

from difpy_tk.review import ignore_list, safe_move
from difpy_tk.review import journal as journal_module
from difpy_tk.review.journal import Journal, Outcome
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.state.settings import Settings, load_settings, save_settings, settings_path

from .ledger import Ledger, snapshot

KINDS = ["garbage", "wrong types", "deep nesting", "huge", "fifo", "folder", "device"]
WRONG_TYPES = {
    "settings.json": [1, "not an object"],
    "ignore_list.json": {"version": 1, "entries": [{"paths": ["/a.jpg", 5]}, {"paths": "/b.jpg"}]},
    "moves.jsonl": {"op": "0" * 16, "event": "begin", "kind": "move", "source": 5, "evidence": []},
}


def make_hostile(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "garbage":
        path.write_bytes(b"\x00\xff{{not json at all" * 10)
    elif kind == "wrong types":
        path.write_text(json.dumps(WRONG_TYPES[path.name]) + "\n")
    elif kind == "deep nesting":
        path.write_bytes(b"[" * 200_000 + b"]" * 200_000 + b"\n")
    elif kind == "huge":
        with open(path, "wb") as stream:
            stream.truncate(80 * 1024 * 1024)  # sparse: large to read, cheap to make
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("a folder where a state file should be")
    elif kind == "device":
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero here")
        os.symlink("/dev/zero", path)


def in_thread(function, timeout=30.0):
    """Run function with a time limit: a FIFO must not make it wait for ever."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # reported below, with the test's own traceback
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{function} hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def set_aside_copy(path: Path) -> Path:
    (aside,) = path.parent.glob(path.name + ".damaged-*")
    return aside


def ledger_for(path: Path) -> Ledger | None:
    """A ledger of the state file's folder, when it holds data (a FIFO or device holds none)."""
    return Ledger(path.parent) if snapshot(path.parent) else None


def moved_aside(path: Path) -> dict[str, str]:
    aside = set_aside_copy(path)
    if aside.is_dir():
        return {str(path / p.relative_to(aside)): str(p) for p in aside.rglob("*") if p.is_file()}
    return {str(path): str(aside)}


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_settings_give_defaults(kind, caplog):
    path = settings_path()
    make_hostile(path, kind)
    ledger = ledger_for(path)
    settings = in_thread(load_settings)
    assert settings == Settings()
    assert "set aside" in caplog.text and str(path) in caplog.text
    if ledger:
        ledger.assert_nothing_lost(moved_aside(path))
    save_settings(Settings(theme="dark"))
    assert load_settings().theme == "dark", "the next save works"


def test_settings_with_wrong_value_types_keep_the_rest(caplog):
    settings_path().write_text(json.dumps({"processes": {"a": [1]}, "theme": 5, "folders": [1], "px_size": 60}))
    assert load_settings() == Settings(px_size=60)
    assert caplog.text.count("ignoring") == 3


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_ignore_list_never_stops_a_search(kind, tmp_path, caplog):
    from imagegen import picture, save

    path = ignore_list.default_path()
    make_hostile(path, kind)
    ledger = ledger_for(path)
    index = in_thread(ignore_list.load_index)
    assert "set aside" in caplog.text and not index.ignored("/a.jpg", "/b.jpg")
    if ledger:
        ledger.assert_nothing_lost(moved_aside(path))
    if kind == "wrong types":  # the reported crash: a path that is not text stopped every search
        save(picture(1), tmp_path / "images" / "a.png")
        save(picture(1), tmp_path / "images" / "b.png")
        options = SearchOptions(inputs=(str(tmp_path / "images"),), processes=1, use_cache=False)
        assert len(run_search(options, not_duplicates=index.ignored).groups) == 1
    ignore_list.add(["/x.jpg", "/y.jpg"])
    assert len(ignore_list.load()) == 1, "the list works again"


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_move_journal_is_set_aside_and_moves_go_on(kind, tmp_path, caplog):
    from difpy_tk.review import actions
    from difpy_tk.scan.result import FileRecord

    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    make_hostile(journal.moves_path, kind)
    ledger = ledger_for(journal.moves_path)
    assert in_thread(lambda: safe_move.recover_interrupted(journal)) == []
    assert "set aside" in caplog.text
    if ledger:
        ledger.assert_nothing_lost(moved_aside(journal.moves_path))
    photo = tmp_path / "a" / "x.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"photo")
    (tmp_path / "b").mkdir()
    info = photo.stat()
    moved = in_thread(
        lambda: actions.move_file(FileRecord(str(photo), 5, info.st_mtime_ns, 1, 1), tmp_path / "b", journal)
    )
    assert moved.ok and len(journal.moves()) == 1
    assert actions.undo_last(journal).ok and photo.read_bytes() == b"photo"


@pytest.mark.parametrize("pid", [2**31, 2**64, True, -1, 2.5])
def test_a_journal_with_an_impossible_process_id_is_set_aside(pid, tmp_path, caplog):
    """Found by a safety review: a process id past the OS's range (with no start time)
    made recovery's os.kill raise OverflowError, so every clean, undo and app start crashed."""
    photo = tmp_path / "a" / "x.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"photo")
    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    intent = safe_move.MoveIntent(
        "00000000000000ee", "move", str(photo), str(tmp_path / "b" / "x.jpg"),
        str(safe_move.partial_path(tmp_path / "b", "00000000000000ee")), safe_move.evidence_of(photo),
    )
    journal.begin(intent)
    line = json.loads(journal.moves_path.read_text())
    journal.moves_path.write_text(json.dumps({**line, "pid": pid, "started": 0}) + "\n")
    assert safe_move.recover_interrupted(journal) == []
    assert "set aside" in caplog.text and ("out of range" in caplog.text or "not a number" in caplog.text)
    assert photo.read_bytes() == b"photo"


@pytest.mark.parametrize("run", [None, "", "0123456789abcdef", "not hex at all!!", 12, ["0123456789abcdef"]])
def test_a_journals_run_ids_are_checked_and_older_journals_have_none(run, tmp_path, caplog):
    """Each move names the run that made it (journal.RUN_ID), which "the last run" goes by;
    a journal written before run ids (no "run") still reads, anything but 16 hex digits
    makes the journal damaged."""
    photo = tmp_path / "a" / "x.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"photo")
    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    op = "00000000000000ed"
    journal.begin(
        safe_move.MoveIntent(
            op, "move", str(photo), str(tmp_path / "b" / "x.jpg"),
            str(safe_move.partial_path(tmp_path / "b", op)), safe_move.evidence_of(photo),
        )
    )
    line = json.loads(journal.moves_path.read_text())
    assert line["run"] == journal_module.RUN_ID
    if run is None:
        del line["run"]
    else:
        line["run"] = run
    journal.moves_path.write_text(json.dumps(line) + "\n")
    moves = journal.moves()
    if run in (None, "", "0123456789abcdef"):
        assert moves[op][0].run == (run or "")
    else:
        assert moves == {} and "set aside" in caplog.text and "run id" in caplog.text


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_the_action_log_as_a_non_file_never_hangs(kind, tmp_path):
    from difpy_tk.review.journal import ActionResult

    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    make_hostile(journal.path, kind)
    result = in_thread(lambda: journal.record(ActionResult("open", "/x.jpg", Outcome.FAILED, reason="test")))
    assert result.outcome is Outcome.FAILED and journal.write_error is None
    assert journal.path.is_file() and "open failed" in journal.path.read_text()
    assert set_aside_copy(journal.path).exists() or set_aside_copy(journal.path).is_symlink()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_torn_last_journal_line_is_skipped_not_fatal(tmp_path):
    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    journal.moves_path.write_bytes(b'{"event": "begin", "op": "0123456789abcdef", "kind": "mo')
    assert journal.moves() == {}
    assert not list(journal.moves_path.parent.glob("*.damaged-*")), "a crash's torn line is no damage"


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ('{"event": "note", "op": "0123456789abcdef", "text": "from a later version"}', "note"),
        ('{"event": "begin", "op": "0123456789abcdef", "kind": "copy"}\n'
         '{"event": "end", "op": "0123456789abcdef", "end": "done", "time": "t"}', "a move of kind copy"),
        ('{"event": "end", "op": "OP", "end": "verified", "time": "t"}', "an end verified"),
    ],
    ids=["event", "kind of move", "end"],
)
def test_a_journal_entry_of_an_unknown_kind_is_skipped_not_the_whole_journal(tmp_path, caplog, entry, said):
    """A safety trial and a review: one entry of a kind this version does not know (a
    later version's, or added by hand) set the whole journal aside, and every earlier
    move lost its undo; compaction would have dropped it too."""
    from difpy_tk.review import actions
    from difpy_tk.scan.result import FileRecord

    photo = tmp_path / "a" / "x.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"photo")
    (tmp_path / "b").mkdir()
    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    info = photo.stat()
    done = actions.move_file(FileRecord(str(photo), 5, info.st_mtime_ns, 1, 1), tmp_path / "b", journal)
    assert done.ok
    with open(journal.moves_path, "a", encoding="ascii") as stream:
        stream.write(entry.replace("OP", done.op) + "\n")
    caplog.set_level(logging.INFO, logger="difpy_tk")
    later = Journal(journal.path)  # as a later run reads it
    (moved,) = journal_module.journalled_moves(later)
    assert f"entries this version does not know ({said}); skipped" in caplog.text
    assert not list(journal.moves_path.parent.glob("*.damaged-*"))
    before = journal.moves_path.read_bytes()
    with open(journal.moves_path, "ab") as stream:  # grown past the size that compacts it
        stream.write(b"\n" * (journal_module.COMPACT_OVER + 1))
    assert not later.compact() and journal.moves_path.read_bytes().startswith(before), "a later version's kept"
    assert actions.move_back(later, moved).ok and photo.read_bytes() == b"photo"
