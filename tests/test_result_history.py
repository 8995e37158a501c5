"""Results saved automatically: newest first, bounded, readable back, a damaged index rebuilt."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult
from difpy_tk.state.result_history import (
    INDEX_FILE,
    MAX_RESULTS,
    describe,
    history_dir,
    load_saved,
    save_result,
    saved_results,
)


def a_result(folder: str, groups: int = 1) -> SearchResult:
    files = {f"{folder}/{i}.png": FileRecord(f"{folder}/{i}.png", 10, 0, 4, 4) for i in range(2 * groups)}
    names = sorted(files)
    return SearchResult(
        parameters={"directory": [folder]},
        files=files,
        groups=[Group(names[2 * i], (Match(names[2 * i + 1], 0.0),)) for i in range(groups)],
        started="2026-12-02T10:40:00",
    )


def test_saved_results_come_back_newest_first():
    start = datetime(2026, 12, 2, 10, 0)
    save_result(a_result("/photos/Holiday"), start)
    save_result(a_result("/photos/Scans", groups=2), start + timedelta(seconds=1))
    entries = saved_results()
    assert [entry.folders for entry in entries] == [("/photos/Scans",), ("/photos/Holiday",)]
    assert describe(entries[0]) == "2026-12-02 10:40 · Scans · 2 groups"
    assert describe(entries[1]).endswith("Holiday · 1 group")
    assert load_saved(entries[0]).groups == a_result("/photos/Scans", groups=2).groups


def test_only_the_newest_are_kept():
    start = datetime(2026, 12, 2, 10, 0)
    for index in range(MAX_RESULTS + 2):
        save_result(a_result(f"/f{index}"), start + timedelta(seconds=index))
    entries = saved_results()
    assert len(entries) == MAX_RESULTS and entries[0].folders == (f"/f{MAX_RESULTS + 1}",)
    assert len(list(history_dir().glob("result-*.json"))) == MAX_RESULTS


def test_a_damaged_index_is_set_aside_and_rebuilt_from_the_files():
    save_result(a_result("/photos/Holiday"))
    (history_dir() / INDEX_FILE).write_text('[{"file": "../../etc/passwd"}]', encoding="utf-8")
    entries = saved_results()
    assert [entry.folders for entry in entries] == [("/photos/Holiday",)]
    assert list(history_dir().glob(f"{INDEX_FILE}.damaged-*"))


@pytest.mark.parametrize(
    "field", ['"groups": 1e400', '"groups": Infinity', '"images": true', '"folders": "abc"', '"folders": [1]']
)
def test_an_index_entry_of_the_wrong_types_is_damage_not_a_crash_at_every_start(field):
    """A safety trial: "groups": 1e400 (valid JSON, read as infinity) raised OverflowError,
    which nothing caught, so the app crashed at every start until the file was deleted."""
    entry = save_result(a_result("/photos/Holiday"))
    index = history_dir() / INDEX_FILE
    good = json.loads(index.read_text(encoding="utf-8"))[0]
    name, value = field.split(": ", 1)
    bad = json.dumps(good)[:-1] + f", {name}: {value}" + "}"
    index.write_text(f"[{bad}]", encoding="utf-8")
    assert [saved.file for saved in saved_results()] == [entry.file], "rebuilt from the files"
    assert list(history_dir().glob(f"{INDEX_FILE}.damaged-*"))


def test_an_entry_whose_file_went_is_left_out():
    entry = save_result(a_result("/photos/Holiday"))
    (history_dir() / entry.file).unlink()
    assert saved_results() == []


def test_two_searches_of_the_same_folders_read_apart_by_their_settings():
    """A new user's Recent results showed "13:07 · b0, photos · 53 groups" twice."""
    similar = a_result("/photos/Holiday")
    similar.parameters.update(similarity="similar", px_size=50, rotate=True)
    custom = a_result("/photos/Holiday")
    custom.parameters.update(similarity=20, px_size=100, thorough=True, rotate=False, mirror=True)
    save_result(similar, datetime(2026, 12, 2, 10, 0))
    save_result(custom, datetime(2026, 12, 2, 10, 1))
    assert [describe(entry) for entry in saved_results()] == [
        "2026-12-02 10:40 · Holiday · MSE ≤ 20, px 100, thorough, mirror, no turns · 1 group",
        "2026-12-02 10:40 · Holiday · similar · 1 group",
    ]


def test_an_index_from_before_settings_were_kept_still_reads():
    save_result(a_result("/photos/Holiday"))
    index = history_dir() / INDEX_FILE
    entries = json.loads(index.read_text(encoding="utf-8"))
    for entry in entries:
        del entry["settings"]
    index.write_text(json.dumps(entries), encoding="utf-8")
    assert [describe(entry) for entry in saved_results()] == ["2026-12-02 10:40 · Holiday · 1 group"]
