"""Chained images, the low-detail flag and frame counts survive export: JSON round trip, CSV rows, log."""

import csv
import dataclasses
import json

import pytest

from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import Chained, FileRecord, Group, Match, Problem, SearchResult, Verification
from difpy_tk.scan.result_io import format_log, from_dict, load_json, to_dict, write_csv, write_json


def sample() -> SearchResult:
    files = {name: FileRecord(name, 100, 0, 10, 10) for name in ("/p/a", "/p/b", "/p/c", "/p/s1", "/p/s2")}
    files["/p/b"] = FileRecord("/p/b", 100, 0, 10, 10, frames=3, ctime_ns=5, inode=7)
    groups = [
        Group("/p/a", (Match("/p/b", 1.5, 270, mirrored=True),)),
        Group("/p/s1", (Match("/p/s2", 0.25, 0),), low_detail=True),
    ]
    return SearchResult(
        parameters={"directory": ["/p"]},
        files=files,
        groups=groups,
        chained=[Chained("/p/c", "/p/b", 2.5, 90)],
        skipped=[Problem("/p/locked", "folder cannot be read: Permission denied", folder=True),
                 Problem("/p/notes.txt", "not an image type we read (.txt)"),
                 Problem("/p/@eaDir", "left out: it matches “@eaDir” in your list", folder=True, left_out=True)],
        verification=Verification(
            margin_rms=5.0, already_full=2, proposed=7, decided_fast=1, checked=4, full_decoded=3, byte_twins=1,
            drift_max=1.25,
        ),
    )


def test_chained_and_low_detail_round_trip_through_json(tmp_path):
    result = sample()
    target = tmp_path / "r.json"
    write_json(result, target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["chained"] == [{"path": "/p/c", "other": "/p/b", "mse": 2.5, "rotation": 90, "mirrored": False}]
    assert data["groups"][0]["matches"] == [{"path": "/p/b", "mse": 1.5, "rotation": 270, "mirrored": True}]
    assert [g["low_detail"] for g in data["groups"]] == [False, True]
    # difPy's part is unchanged: a chained image is neither a group nor lower quality
    assert data["result"] == {"/p/a": [["/p/b", 1.5]], "/p/s1": [["/p/s2", 0.25]]}
    assert data["lower_quality"] == ["/p/b", "/p/s2"]
    assert data["files"]["/p/b"]["frames"] == 3
    loaded = load_json(target)
    assert loaded.chained == result.chained and loaded.groups == result.groups and loaded.files == result.files
    assert loaded.verification == result.verification
    assert loaded.skipped == result.skipped and loaded.unsearched == (1, 1), "a folder is told from a file"
    assert data["stats"]["invalid_files"]["count"] == 2, "what the user's list left out is no invalid file"


def test_csv_lists_chained_images_with_the_member_they_match(tmp_path):
    write_csv(sample(), tmp_path / "r.csv")
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["group"], r["role"], r["path"], r["compared_with"], r["low_detail"]) for r in rows] == [
        ("1", "kept", "/p/a", "", "no"),
        ("1", "match", "/p/b", "/p/a", "no"),
        ("1", "chained", "/p/c", "/p/b", "no"),  # under its group (a new user found it after all groups)
        ("2", "kept", "/p/s1", "", "yes"),
        ("2", "match", "/p/s2", "/p/s1", "yes"),
    ]
    assert rows[2]["mse"] == "2.5000" and rows[2]["rotation"] == "90" and rows[2]["mirrored"] == "no"
    assert (rows[1]["rotation"], rows[1]["mirrored"]) == ("270", "yes")
    assert [r["frames"] for r in rows] == ["1", "3", "1", "1", "1"]


def test_log_names_the_chained_images_and_how_verdicts_were_reached():
    result = sample()
    result.parameters["exclude"] = ["@eaDir", "/p/Backup"]
    log = format_log(dataclasses.replace(result, timings={"listing": 0.1, "verifying": 1.5}))
    assert "cache=off, left out: @eaDir; /p/Backup\n" in log
    assert "CHAINED /p/c ~ /p/b (MSE 2.5000)" in log
    assert "2 images were read in full from the start" in log
    assert "The quick look found 7 possible pairs and settled 1, far inside the threshold" in log
    assert "decided on 4 images read in full (the full decode): 3 read now, 0 remembered from earlier searches, " in log
    assert "1 exact copies of another file" in log and "could not be read in full" not in log
    assert "Skipped: 1 file, 1 folder, 1 left out by your list\n  SKIPPED /p/locked: folder cannot be read" in log
    assert "Time taken: finding the files 0.10 s, checking close matches in full 1.50 s" in log


def unmirrored(result: SearchResult) -> SearchResult:
    groups = [Group(g.kept, tuple(dataclasses.replace(m, mirrored=False) for m in g.matches), g.folder, g.low_detail)
              for g in result.groups]
    return dataclasses.replace(result, groups=groups)


def test_a_result_of_the_version_before_frames_loads_and_one_from_a_newer_version_is_refused(tmp_path):
    """Version 2 added files[].frames, which a version-1 reader cannot take: it must say
    "newer version" (not "damaged"), and this reader must still take version-1 files."""
    data = json.loads(json.dumps(to_dict(unmirrored(sample()))))
    assert data["format_version"] == 2, "a result with no mirrored match is still readable by version 2"
    assert to_dict(sample())["format_version"] == 3, "a version-2 reader would take a mirrored match for a plain one"
    old = json.loads(json.dumps(data))
    old["format_version"] = 1
    for record in old["files"].values():
        del record["frames"]
    assert {path: record.frames for path, record in from_dict(old).files.items()} == dict.fromkeys(data["files"], 1)
    data["format_version"] = 4
    with pytest.raises(ValueError, match="newer version"):
        from_dict(data)


def test_difpy_stats_count_every_phase_after_decoding_as_search_time():
    result = dataclasses.replace(
        sample(), timings={"listing": 0.5, "decoding": 2.0, "searching": 0.25, "verifying": 1.5,
                           "counting pages": 0.125, "grouping": 0.125},
        started="2026-12-03T10:00:00+00:00", finished="2026-12-03T10:00:04+00:00",  # whole seconds
    )
    stats = to_dict(result)["stats"]["process"]
    assert stats["build"]["duration"]["seconds_elapsed"] == 2.5
    assert stats["search"]["duration"]["seconds_elapsed"] == 2.0
    times = [stats[phase]["duration"][end] for phase in ("build", "search") for end in ("start", "end")]
    assert [t[-9:] for t in times] == ["00.000000", "02.500000", "02.500000", "04.500000"], (
        "each phase ends after it starts (the search's end was the finish in whole seconds, before its start)"
    )


def _spoiled(change) -> dict:
    data = json.loads(json.dumps(to_dict(sample())))
    change(data)
    return data


SPOILED = {
    "links as a list": lambda d: d.__setitem__("links", []),
    "parameters as a list": lambda d: d.__setitem__("parameters", []),
    "a width as text": lambda d: d["files"]["/p/b"].__setitem__("width", "wide"),
    "a size as a fraction": lambda d: d["files"]["/p/b"].__setitem__("size", 1.5),
    "a kept image not among the files": lambda d: d["files"].pop("/p/a"),
    "a match without a path": lambda d: d["groups"][0]["matches"][0].__setitem__("path", None),
    "an image twice in a group": lambda d: d["groups"][0]["matches"].append({"path": "/p/a", "mse": 0}),
    "an image in two groups": lambda d: d["groups"].append(
        {"kept": "/p/b", "folder": None, "matches": [{"path": "/p/c", "mse": 0, "rotation": 0}]}
    ),
    "a turn of 45 degrees": lambda d: d["groups"][0]["matches"][0].__setitem__("rotation", 45),
    "folders as a number": lambda d: d["parameters"].__setitem__("directory", 5),
    "folders as one text": lambda d: d["parameters"].__setitem__("directory", "/p"),
    "resolved folders as a number": lambda d: d["parameters"].__setitem__("directory_resolved", 5),
    "resolved folders of numbers": lambda d: d["parameters"].__setitem__("directory_resolved", [5]),
    "a chained turn of 45 degrees": lambda d: d["chained"][0].__setitem__("rotation", 45),
    "mirrored as text": lambda d: d["groups"][0]["matches"][0].__setitem__("mirrored", "yes"),
    "a chained mirrored as a number": lambda d: d["chained"][0].__setitem__("mirrored", 1),
    "a chained image not among the files": lambda d: d["chained"][0].__setitem__("path", "/elsewhere"),
    "verification as a list": lambda d: d.__setitem__("verification", []),
    "format_version as text": lambda d: d.__setitem__("format_version", "9"),
}


@pytest.mark.parametrize("spoil", SPOILED, ids=list(SPOILED))
def test_a_hand_edited_result_is_refused_in_plain_words(tmp_path, spoil):
    """Found by a safety review: such files loaded and then crashed a clean or the menu
    (an image in two groups was even planned twice)."""
    path = tmp_path / "result.json"
    path.write_text(json.dumps(_spoiled(SPOILED[spoil])))
    with pytest.raises(ValueError, match="damaged"):
        load_json(path)


def test_the_sample_itself_loads():
    assert from_dict(_spoiled(lambda d: None)) == sample()


def test_a_result_saved_before_mirrored_copies_were_searched_loads_unmirrored():
    def without_mirrored(data: dict) -> None:
        for item in [*data["groups"][0]["matches"], *data["chained"]]:
            del item["mirrored"]

    loaded = from_dict(_spoiled(without_mirrored))
    assert [m.pose for g in loaded.groups for m in g.matches] == [Pose(270), Pose()]
    assert loaded.chained[0].pose == Pose(90)
