"""Names: a name that is not valid UTF-8 through scan, export, move, trash and undo; a name
too long for the Trash's index; names a spreadsheet would run as formulas; a closed pipe."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from imagegen import picture, save

from difpy_tk.review import actions
from difpy_tk.review.journal import Journal, Outcome
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.result_io import load_json, write_csv, write_json

from .ledger import Ledger, journal_moves

posix_bytes_names = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="the file system must accept names that are not UTF-8"
)


@posix_bytes_names
def test_a_name_that_is_not_utf8_goes_through_scan_export_move_undo_and_trash(tmp_path, temp_trash):
    folder = tmp_path / "photos"
    odd = Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9 \xff.png"))  # Latin-1 bytes, as from an old camera
    save(picture(1), odd)
    save(picture(1), folder / "plain.png")
    ledger = Ledger(folder, trash=temp_trash)
    options = SearchOptions(inputs=(str(folder),), processes=1)
    cache = tmp_path / "cache.sqlite3"
    run_search(options, cache_path=cache)
    result = run_search(options, cache_path=cache)
    assert result.cache_hits == 2, "the second scan reads both from the cache"
    assert sorted(result.groups[0].paths) == sorted([str(odd), str(folder / "plain.png")])

    write_json(result, tmp_path / "r.json")
    write_csv(result, tmp_path / "r.csv")
    loaded = load_json(tmp_path / "r.json")
    assert str(odd) in loaded.files and loaded.groups[0].paths == result.groups[0].paths
    assert "caf\\xe9 \\xff.png" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")

    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    (tmp_path / "moved").mkdir()
    moved = actions.move_file(loaded.files[str(odd)], tmp_path / "moved", journal)
    assert moved.ok, moved.reason
    assert os.fsencode(moved.destination).endswith(b"caf\xe9 \xff.png")
    assert "caf\\xe9 \\xff.png" in journal.path.read_text(encoding="utf-8")
    ledger.assert_nothing_lost(journal_moves(Journal(journal.path)))
    assert actions.undo_last(journal).ok and odd.is_file()

    trashed = actions.trash_file(actions.restamped(loaded.files[str(odd)]), journal)  # as the review does after undo
    assert trashed.ok, trashed.reason
    assert not odd.exists() and len(list((temp_trash / "files").iterdir())) == 1
    ledger.assert_nothing_lost()


def test_a_name_too_long_for_the_trash_is_reported_as_such(tmp_path, temp_trash):
    """A 246-character name fits the folder but not the Trash's `<name>.trashinfo`."""
    path = tmp_path / ("x" * 242 + ".jpg")
    path.write_bytes(b"photo")
    info = path.stat()
    from difpy_tk.scan.result import FileRecord

    ledger = Ledger(tmp_path, trash=temp_trash)
    (tmp_path / "state").mkdir()
    journal = Journal(tmp_path / "state" / "actions.log")
    result = actions.trash_file(FileRecord(str(path), 5, info.st_mtime_ns, 1, 1), journal, permanent_if_no_trash=True)
    assert result.outcome is Outcome.FAILED and result.action == "trash"
    assert "file name too long" in result.reason
    assert not result.trash_unavailable, "a drive with a Trash is never offered a permanent delete"
    assert path.read_bytes() == b"photo"
    ledger.assert_nothing_lost()


def test_csv_cells_never_run_as_formulas(tmp_path):
    from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult

    names = ['=HYPERLINK("evil.example","y").jpg', "@SUM(A1).jpg", "+1.jpg", "-2.jpg", "\tx.jpg", "plain.jpg"]
    paths = [str(tmp_path / name) for name in names]
    group = Group(paths[0], tuple(Match(path, 0.0) for path in paths[1:]))
    files = {path: FileRecord(path, 1, 1, 1, 1) for path in paths}
    write_csv(SearchResult(parameters={}, files=files, groups=[group]), tmp_path / "r.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert [row["name"] for row in rows] == [f"'{name}" for name in names[:-1]] + ["plain.jpg"]
    assert all(not row[column].startswith(("=", "+", "-", "@", "\t")) for row in rows for column in row)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE and closed pipes as on POSIX")
def test_scan_into_a_closed_pipe_exits_quietly(tmp_path):
    """`difpy-tk scan … | head`: the reader is gone before the results are printed (its end
    of the pipe is closed at once, so every write fails, deterministically)."""
    for number in range(3):
        save(picture(number % 2), tmp_path / "photos" / f"{number}.png")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "difpy_tk",
                "scan",
                str(tmp_path / "photos"),
                "--processes",
                "1",
                "--quiet",
                "--no-cache",
                "--json",
                str(tmp_path / "r.json"),
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    finally:
        os.close(write_end)
    assert done.stderr == "" and done.returncode == 0
    assert (tmp_path / "r.json").is_file(), "the export is saved even though the reader left"
