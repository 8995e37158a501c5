"""`difpy-tk clean` and `difpy-tk undo`: prints everything first, asks unless --yes, acts
through the review model, loses nothing (ledger), and undoes from the journal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from imagegen import picture, save

from difpy_tk import cli
from difpy_tk.review import safe_move
from difpy_tk.review.journal import Journal
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.result_io import write_json
from difpy_tk.state import appdirs

from .ledger import Ledger, journal_moves


@pytest.fixture
def scanned(tmp_path) -> tuple[Path, Path]:
    """photos/ with two groups (a: original, sub/a copy, a smaller copy; b: two copies) and its result."""
    photos = tmp_path / "photos"
    save(picture(1), photos / "a.png")
    save(picture(1), photos / "sub" / "a.png")
    save(picture(1).resize((160, 120)), photos / "small.png")
    save(picture(2), photos / "b.png")
    save(picture(2), photos / "b copy.png")
    options = SearchOptions(inputs=(str(photos),), similarity="similar", same_dim=False, processes=1, use_cache=False)
    result = run_search(options)
    assert len(result.groups) == 2
    write_json(result, tmp_path / "r.json")
    return photos, tmp_path / "r.json"


def journal() -> Journal:
    return Journal(appdirs.data_dir() / "actions.log")


def test_dry_run_and_no_answer_change_nothing(scanned, tmp_path, capsys, monkeypatch):
    photos, result = scanned
    ledger = Ledger(photos)
    before = sorted(photos.rglob("*"))
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "out"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Move 3 files" in out and "Dry run: nothing was changed." in out
    assert str(photos / "sub" / "a.png") in out and str(photos / "small.png") in out
    assert f"keeping {photos / 'a.png'} (" in out, "which image stays, as the app's confirmation says (a check)"
    with open(os.devnull) as no_terminal:  # a script: no terminal to ask on
        monkeypatch.setattr(sys, "stdin", no_terminal)
        assert cli.main(["clean", str(result), "--trash"]) == 5
    assert sorted(photos.rglob("*")) == before and not (tmp_path / "out").exists()
    ledger.assert_nothing_lost()


def test_flagged_groups_are_cleaned_only_when_asked(tmp_path, capsys):
    """Two scans with the same cover page, different further pages: a flagged group."""
    scans = tmp_path / "scans"
    scans.mkdir()
    for name, pages in (("contract.tif", [2]), ("contract draft.tif", [3, 2])):
        picture(1).save(scans / name, save_all=True, append_images=[picture(seed) for seed in pages])
    write_json(run_search(SearchOptions((str(scans),), processes=1, use_cache=False)), tmp_path / "r.json")
    assert cli.main(["clean", str(tmp_path / "r.json"), "--move-to", str(tmp_path / "out"), "--dry-run"]) == 0
    assert "1 flagged group left alone (see --include-flagged)" in capsys.readouterr().out
    # The older flag keeps its meaning: near-flat groups, not files of several pages.
    assert cli.main(["clean", str(tmp_path / "r.json"), "--move-to", str(tmp_path / "out"), "--dry-run",
                     "--include-low-detail"]) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert cli.main(["clean", str(tmp_path / "r.json"), "--move-to", str(tmp_path / "out"), "--dry-run",
                     "--include-flagged"]) == 0
    assert "Move 1 file" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:  # one would quietly undo the other
        cli.main(["clean", str(tmp_path / "r.json"), "--trash", "--include-flagged", "--include-low-detail"])
    assert usage.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_a_move_folder_that_cannot_be_made_fails_the_run(scanned, tmp_path, capsys):
    """A script must not read 'nothing moved' as success."""
    photos, result = scanned
    ledger = Ledger(photos)
    (tmp_path / "a file").write_text("")
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "a file" / "out"), "--yes"]) == 1
    assert "difpy-tk: error: Cannot create the folder" in capsys.readouterr().err
    ledger.assert_nothing_lost()


def test_clean_keeping_folders_then_undo(scanned, tmp_path, capsys):
    photos, result = scanned
    ledger = Ledger(photos)
    out = tmp_path / "out"
    assert cli.main(["clean", str(result), "--move-to", str(out), "--keep-folders", "--yes"]) == 0
    assert "Moved to" in capsys.readouterr().out
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == ["b copy.png", "small.png", "sub/a.png"]
    assert sorted(str(p.relative_to(photos)) for p in photos.rglob("*.png")) == ["a.png", "b.png"]
    ledger.assert_nothing_lost(journal_moves(journal()))
    assert cli.main(["undo", "--yes"]) == 0
    assert "Put back 3 files." in capsys.readouterr().out
    assert list(out.rglob("*.png")) == [] and len(list(photos.rglob("*.png"))) == 5
    ledger.assert_nothing_lost()
    assert cli.main(["undo", "--yes"]) == 0 and "Nothing to undo" in capsys.readouterr().out


def test_the_undo_list_follows_a_file_moved_twice(tmp_path, capsys):
    """A review: for a file moved A to B, then B to C, the list before the undo said the
    first move was refused; the undo then put both back."""
    from difpy_tk.review import actions
    from difpy_tk.scan.result import FileRecord

    source = tmp_path / "A" / "x.png"
    source.parent.mkdir()
    source.write_bytes(b"a picture")
    stat = source.stat()
    first = actions.move_file(FileRecord(str(source), stat.st_size, stat.st_mtime_ns, 8, 8), tmp_path, journal())
    (tmp_path / "C").mkdir()
    stat = os.stat(first.destination)
    moved = FileRecord(first.destination, stat.st_size, stat.st_mtime_ns, 8, 8)
    assert actions.move_file(moved, tmp_path / "C", journal()).ok
    assert cli.main(["undo", "--all", "--dry-run"]) == 0
    assert "refused" not in capsys.readouterr().out
    assert cli.main(["undo", "--all", "--yes"]) == 0 and source.read_bytes() == b"a picture"


def test_clean_keeps_the_apps_protected_folders_and_refuses_one_that_is_not_there(scanned, tmp_path, capsys):
    """A review: Settings › Protected promised "never", and clean took the folder's copies."""
    from difpy_tk.state.settings import Settings, save_settings

    photos, result = scanned
    save_settings(Settings(protected_folders=[str(photos / "sub")]))
    assert cli.main(["clean", str(result), "--trash", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"keeping {photos / 'sub' / 'a.png'} (protected folder):" in out
    assert f"    {photos / 'sub' / 'a.png'}  (" not in out, "kept, never listed to go"
    assert cli.main(["clean", str(result), "--trash", "--protect", str(photos / "sbu"), "--dry-run"]) == 2
    assert capsys.readouterr().err == f"difpy-tk: error: --protect: {photos / 'sbu'} does not exist\n"


def test_clean_never_touches_a_protected_folder(scanned, tmp_path, capsys):
    photos, result = scanned  # group a: a.png, sub/a.png, small.png; group b: b.png, "b copy.png"
    ledger = Ledger(photos)
    out = tmp_path / "out"
    assert cli.main(["clean", str(result), "--move-to", str(out), "--dry-run"]) == 0
    assert str(photos / "sub" / "a.png") in capsys.readouterr().out, "without --protect it goes"
    assert cli.main(["clean", str(result), "--move-to", str(out), "--protect", str(photos / "sub"), "--yes"]) == 0
    assert (photos / "sub" / "a.png").exists() and not (photos / "small.png").exists()
    b_moved = "b copy.png" if (photos / "b.png").exists() else "b.png"
    assert sorted(path.name for path in out.iterdir()) == sorted(["a.png", b_moved, "small.png"])
    ledger.assert_nothing_lost(journal_moves(journal()))


def test_a_move_into_a_protected_folder_is_said_first(scanned, tmp_path, capsys):
    _photos, result = scanned
    archive = tmp_path / "Archive"
    archive.mkdir()
    assert cli.main(["clean", str(result), "--move-to", str(archive), "--protect", str(archive), "--dry-run"]) == 0
    headline, warning = capsys.readouterr().out.splitlines()[:2]
    assert headline.startswith("Move 3 files") and warning == (
        f"Careful: {archive} is a protected folder (Settings › Protected). The files moved there will be protected "
        "too: no later clean-up will mark, move or trash them, and a later search will keep them over the copies "
        "elsewhere, originals included.")


def test_marking_rule_and_the_trash(scanned, temp_trash, capsys):
    photos, result = scanned
    ledger = Ledger(photos, trash=temp_trash)
    assert cli.main(["clean", str(result), "--trash", "--mark", "lower-resolution", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Moved to Trash: 1 file." in out
    # difPy's "lower resolution" took same-size copies too: where they are is said
    assert "2 groups hold copies as large as the keeper, left by this rule: --mark all-but-keeper marks them." in out
    assert not (photos / "small.png").exists() and len(list((temp_trash / "files").iterdir())) == 1
    ledger.assert_nothing_lost()


def test_changed_files_and_changed_keepers_are_left_alone(scanned, tmp_path, capsys):
    photos, result = scanned
    (photos / "small.png").write_bytes((photos / "small.png").read_bytes() + b"edited")
    os.utime(photos / "b.png", ns=(1, 1))  # the keeper of group 2 is no longer as scanned
    ledger = Ledger(photos)
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "out"), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Left alone (2 files)" in out and "the image kept in its group (b.png)" in out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.png"]
    ledger.assert_nothing_lost(journal_moves(journal()))


def test_undo_refuses_a_replaced_file_and_undoes_only_the_last_run(scanned, tmp_path, capsys):
    photos, result = scanned
    ledger = Ledger(photos)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for mark, out in (("lower-resolution", "out1"), ("all-but-keeper", "out2")):  # two runs: two processes
        command = [
            sys.executable,
            "-m",
            "difpy_tk",
            "clean",
            str(result),
            "--mark",
            mark,
            "--yes",
            "--move-to",
            str(tmp_path / out),
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    moved = sorted(p.name for p in (tmp_path / "out2").iterdir())
    assert moved == ["a.png", "b copy.png"] or moved == ["a.png", "b.png"]
    replaced = tmp_path / "out2" / "a.png"
    replaced.write_bytes(b"not the image that was moved")
    replaced_digest_before = replaced.read_bytes()
    assert cli.main(["undo", "--dry-run"]) == 0  # a trial: the dry run listed the file as going back
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(f"  {replaced} -> "))
    assert f"  (refused: the file at {replaced} is not the one that was moved there" in listed
    assert cli.main(["undo", "--yes"]) == 1
    out = capsys.readouterr().out
    assert "Move back 2 files of the last run" in out and "is not the one that was moved there" in out
    assert replaced.read_bytes() == replaced_digest_before and list((tmp_path / "out1").iterdir())
    assert cli.main(["undo", "--all", "--yes"]) == 1, "the replaced file is still refused"
    assert list((tmp_path / "out1").iterdir()) == [] and (photos / "small.png").is_file()
    lost = ledger.lost(journal_moves(journal()))
    assert lost == [str(photos / "sub" / "a.png")], "only the file the user overwrote by hand"


def test_a_dry_run_writes_nothing_even_when_every_marked_file_changed(scanned, tmp_path, capsys):
    """Found by a safety review: with nothing left to act on, the dry run skipped its
    confirmation, ran the empty plan and wrote to the journal; `undo --dry-run` ran
    the recovery of an interrupted run."""
    photos, result = scanned
    for name in ("sub/a.png", "small.png", "b copy.png"):
        os.utime(photos / name, ns=(2, 2))
    log = appdirs.data_dir() / "actions.log"
    before = log.read_bytes() if log.exists() else None
    assert cli.main(["clean", str(result), "--trash", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Left alone (3 files)" in out and "Dry run: nothing was changed." in out
    assert (log.read_bytes() if log.exists() else None) == before
    interrupted = journal()
    photo = photos / "b.png"
    interrupted.begin(
        safe_move.MoveIntent(
            "00000000000000ff", "move", str(photo), str(tmp_path / "out" / "b.png"),
            str(safe_move.partial_path(tmp_path / "out", "00000000000000ff")), safe_move.evidence_of(photo),
            pid=2**22 + 11,
        )
    )
    moves = interrupted.moves_path.read_bytes()
    capsys.readouterr()
    assert cli.main(["undo", "--dry-run"]) == 0
    assert interrupted.moves_path.read_bytes() == moves, "a dry run recovers nothing"
    assert f"An earlier run was interrupted moving {photo}: a real run first finishes or rolls it back." in (
        capsys.readouterr().out
    ), "but says what the real one does first (a check: it said only 'Nothing to undo')"
    assert cli.main(["undo", "--yes"]) == 0 and "An earlier run was interrupted" in capsys.readouterr().out


def test_keeping_folders_works_for_a_folder_scanned_by_a_relative_name(tmp_path, capsys, monkeypatch):
    """Found by a safety review: `scan photos` then `clean --keep-folders` from another
    working directory moved every file flat (the relative name meant nothing there)."""
    photos = tmp_path / "photos"
    save(picture(3), photos / "2019" / "x.png")
    save(picture(3), photos / "2020" / "x.png")
    save(picture(3), photos / "x.png")
    monkeypatch.chdir(tmp_path)
    options = SearchOptions(inputs=("photos",), similarity="duplicates", processes=1, use_cache=False)
    write_json(run_search(options), tmp_path / "r.json")
    monkeypatch.chdir(tmp_path / "photos" / "2019")
    out = tmp_path / "out"
    assert cli.main(["clean", str(tmp_path / "r.json"), "--move-to", str(out), "--keep-folders", "--yes"]) == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.png")) == ["2020/x.png", "x.png"]


@pytest.mark.parametrize("same_start", [False, True], ids=["start times differ", "no start times"])
def test_undo_tells_runs_apart_when_they_share_a_process_id(scanned, tmp_path, capsys, monkeypatch, same_start):
    """Found by a safety review: in a container every run may be process 1, and undo of
    'the last run' moved back the files of every run. Outside Linux there is no start
    time (0) and a later run may get an earlier one's id: each run's random id tells them
    apart there."""
    from difpy_tk.review import journal as journal_module

    _photos, result = scanned
    for run, mark, folder in ((1, "lower-resolution", "out1"), (2, "all-but-keeper", "out2")):
        start = 0 if same_start else 1000 * run
        monkeypatch.setattr(journal_module, "process_start", lambda _pid, start=start: start)
        monkeypatch.setattr(journal_module, "RUN_ID", f"{run:016x}")
        assert cli.main(["clean", str(result), "--mark", mark, "--yes", "--move-to", str(tmp_path / folder)]) == 0
    capsys.readouterr()
    assert cli.main(["undo", "--yes"]) == 0
    assert "Move back 2 files of the last run" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "out1").iterdir()] == ["small.png"]


def _swap_keeping_size_and_mtime(path: Path, other: Path, in_place: bool) -> None:
    """Put other's bytes (same length) at path with path's mtime: by rename, as rsync -t
    and sync tools do, or rewritten in place, as cp -p does."""
    stamp = path.stat()
    data = other.read_bytes()
    assert len(data) == stamp.st_size
    if in_place:
        with open(path, "r+b") as stream:
            stream.write(data)
    else:
        fresh = path.with_name(path.name + ".new")
        fresh.write_bytes(data)
        os.replace(fresh, path)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


@pytest.mark.parametrize("in_place", [False, True], ids=["replaced", "rewritten in place"])
@pytest.mark.parametrize("swapped", ["keeper", "copy"])
def test_a_file_swapped_for_another_of_the_same_size_and_date_is_not_acted_on(tmp_path, capsys, swapped, in_place):
    """A safety trial: the kept BMP was swapped for another picture of the same size and
    mtime, and `clean --trash` sent the only copy of the first picture to the Trash."""
    if in_place and sys.platform == "win32":
        pytest.skip("Windows gives no inode-change time")
    photos = tmp_path / "photos"
    save(picture(3, (64, 48)), photos / "keep.bmp")
    save(picture(3, (64, 48)), photos / "dup.bmp")
    save(picture(4, (64, 48)), tmp_path / "other.bmp")
    os.utime(photos / "keep.bmp", ns=(10**18, 10**18))  # older: the one kept
    options = SearchOptions(inputs=(str(photos),), processes=1, use_cache=False)
    write_json(run_search(options), tmp_path / "r.json")
    target = photos / ("keep.bmp" if swapped == "keeper" else "dup.bmp")
    _swap_keeping_size_and_mtime(target, tmp_path / "other.bmp", in_place)
    ledger = Ledger(photos)
    assert cli.main(["clean", str(tmp_path / "r.json"), "--move-to", str(tmp_path / "out"), "--yes"]) == 0
    out = capsys.readouterr().out
    keeper = "the image kept in its group (keep.bmp): " if swapped == "keeper" else ""
    assert f"skipped: {photos / 'dup.bmp'}: {keeper}the file may have been replaced since the search" in out
    assert list((tmp_path / "out").glob("*")) == [], "nothing moved"
    ledger.assert_nothing_lost()


def test_a_saved_result_can_be_cleaned_up_again_after_undo(scanned, tmp_path, capsys):
    """Moving a file back gives it a new inode-change time; without the journal's word
    that an undo put back this very content, the second clean-up refused every file as
    swapped since the search."""
    _photos, result = scanned
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "first"), "--yes"]) == 0
    assert cli.main(["undo", "--yes"]) == 0
    assert not any((tmp_path / "first").rglob("*.png"))
    capsys.readouterr()
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "second"), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "skipped" not in out and len(list((tmp_path / "second").rglob("*.png"))) == 3


def test_a_file_put_back_then_swapped_is_still_refused(scanned, tmp_path, capsys):
    photos, result = scanned
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "first"), "--yes"]) == 0
    assert cli.main(["undo", "--yes"]) == 0
    copy = photos / "b copy.png"
    stamp = copy.stat()
    data = bytearray(copy.read_bytes())
    data[-20] ^= 0xFF  # another picture of the same size, its date kept (cp -p)
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    capsys.readouterr()
    assert cli.main(["clean", str(result), "--move-to", str(tmp_path / "second"), "--yes"]) == 0
    assert f"skipped: {copy}: the file may have been replaced since the search" in capsys.readouterr().out
    assert copy.exists()
