"""The difPy-compatible part of the JSON is what difPy 4.2.1 writes: a whole threshold as
an int, its timestamp format, file names relative below a relative input folder."""

import json
from datetime import datetime

import pytest
from imagegen import picture, save

from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.result_io import load_json, write_json

DIFPY_TIME = "%Y-%m-%dT%H:%M:%S.%f"


@pytest.fixture()
def relative_folder(tmp_path, monkeypatch):
    """imgs/ below the working directory: a duplicate pair, another image, a bad file."""
    monkeypatch.chdir(tmp_path)
    save(picture(1), tmp_path / "imgs" / "a.png")
    save(picture(1), tmp_path / "imgs" / "sub" / "a copy.png")
    save(picture(2), tmp_path / "imgs" / "b.png")
    (tmp_path / "imgs" / "bad.jpg").write_bytes(b"not a jpeg")
    return tmp_path


def exported(similarity, folder: str = "imgs") -> dict:
    result = run_search(SearchOptions(inputs=(folder,), similarity=similarity, processes=1, use_cache=False))
    write_json(result, "result.json")
    with open("result.json", encoding="utf-8") as handle:
        return json.load(handle)


def all_names(data: dict) -> set[str]:
    names = set(data["result"]) | set(data["lower_quality"]) | set(data["stats"]["invalid_files"]["logs"])
    for matches in data["result"].values():
        names |= {match[0] for match in matches}
    return names


def test_relative_inputs_stay_relative_and_numbers_and_times_are_difpys(relative_folder):
    data = exported("duplicates")
    assert all_names(data) == {"imgs/a.png", "imgs/sub/a copy.png", "imgs/bad.jpg"}
    assert data["stats"]["directory"] == ["imgs"]
    search = data["stats"]["process"]["search"]
    assert search["parameters"]["similarity_mse"] == 0 and isinstance(search["parameters"]["similarity_mse"], int)
    for phase in ("build", "search"):
        for end in ("start", "end"):
            stamp = data["stats"]["process"][phase]["duration"][end]
            assert datetime.strptime(stamp, DIFPY_TIME).tzinfo is None, stamp
    # Our own part keeps the absolute names and reads back.
    assert all(path.startswith(str(relative_folder)) for path in data["files"])
    assert {group.kept for group in load_json("result.json").groups} <= set(data["files"])


def test_whole_and_fractional_thresholds(relative_folder):
    similar = exported("similar")["stats"]["process"]["search"]["parameters"]["similarity_mse"]
    assert similar == 5 and isinstance(similar, int)
    typed = exported("0.3")["stats"]["process"]["search"]["parameters"]["similarity_mse"]
    assert typed == 0.3 and isinstance(typed, float)


def test_absolute_inputs_stay_absolute(relative_folder):
    data = exported("duplicates", folder=str(relative_folder / "imgs"))
    assert all(name.startswith(str(relative_folder / "imgs")) for name in all_names(data))


def test_the_same_names_and_formats_as_difpy_itself(relative_folder):
    difpy = pytest.importorskip("difPy")
    theirs = difpy.search(difpy.build("imgs", show_progress=False, processes=1), show_progress=False)
    ours = exported("duplicates")
    # difPy keeps whichever image it met first; compare the names, not who is kept.
    theirs_names = set(theirs.result) | set(theirs.lower_quality)
    for matches in theirs.result.values():
        theirs_names |= {match[0] for match in matches}
    assert theirs_names == all_names(ours) - {"imgs/bad.jpg"}
    assert type(theirs.stats["process"]["search"]["parameters"]["similarity_mse"]) is int
    for phase in ("build", "search"):
        datetime.strptime(theirs.stats["process"][phase]["duration"]["start"], DIFPY_TIME)


def test_in_folder_keys_are_the_folders_as_typed(relative_folder):
    save(picture(3), relative_folder / "other" / "c.png")
    save(picture(3), relative_folder / "other" / "c again.png")
    result = run_search(SearchOptions(inputs=("imgs", "other"), in_folder=True, processes=1, use_cache=False))
    write_json(result, "result.json")
    with open("result.json", encoding="utf-8") as handle:
        nested = json.load(handle)["result"]
    assert {folder: sorted(groups) for folder, groups in nested.items()} in (
        {"imgs": ["imgs/a.png"], "other": ["other/c again.png"]},
        {"imgs": ["imgs/sub/a copy.png"], "other": ["other/c.png"]},
        {"imgs": ["imgs/a.png"], "other": ["other/c.png"]},
        {"imgs": ["imgs/sub/a copy.png"], "other": ["other/c again.png"]},
    )
