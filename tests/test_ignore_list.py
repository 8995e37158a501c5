"""The not-a-duplicate list persists, hides pairs and groups in later results, and can
be edited; a damaged file is set aside rather than crashing or being overwritten."""

from __future__ import annotations

import json

import pytest

from difpy_tk.review import ignore_list
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult
from difpy_tk.state import appdirs


def make_result(*groups: Group) -> SearchResult:
    paths = {path for group in groups for path in group.paths}
    files = {path: FileRecord(path, 1, 1, 1, 1) for path in paths}
    return SearchResult(parameters={}, files=files, groups=list(groups))


G1 = Group("/k1.jpg", (Match("/a.jpg", 0.0), Match("/b.jpg", 1.5)))
G2 = Group("/k2.jpg", (Match("/c.jpg", 0.0),))


def test_empty_list_changes_nothing():
    result = make_result(G1, G2)
    assert ignore_list.load() == []
    assert ignore_list.filter_result(result).groups == [G1, G2]


def test_pair_hides_one_match_and_persists():
    entry = ignore_list.add(["/k1.jpg", "/b.jpg"])
    assert entry.kind == "pair"
    assert (appdirs.config_dir() / ignore_list.FILE_NAME).is_file()
    filtered = ignore_list.filter_result(make_result(G1, G2))
    assert [group.paths for group in filtered.groups] == [["/k1.jpg", "/a.jpg"], G2.paths]
    assert ignore_list.load() == [entry]


def test_group_hides_the_group_but_not_a_newcomer_in_a_later_search():
    entry = ignore_list.add(G1.paths)
    assert entry.kind == "group"
    assert ignore_list.filter_result(make_result(G1, G2)).groups == [G2]
    later = Group("/k1.jpg", (*G1.matches, Match("/new.jpg", 0.0)))
    assert ignore_list.filter_result(make_result(later)).groups[0].paths == ["/k1.jpg", "/new.jpg"]


def test_a_pair_between_two_matches_does_not_hide_them():
    """Both still match the kept image; the pair only says they differ from each other."""
    ignore_list.add(["/a.jpg", "/b.jpg"])
    assert ignore_list.filter_result(make_result(G1)).groups == [G1]


def test_remove_and_duplicates():
    first = ignore_list.add(["/b.jpg", "/k1.jpg"])
    assert ignore_list.add(["/k1.jpg", "/b.jpg"]) == first
    second = ignore_list.add(G2.paths)
    assert ignore_list.load() == [first, second]
    ignore_list.remove(first)
    assert ignore_list.load() == [second]
    assert ignore_list.filter_result(make_result(G1, G2)).groups == [G1]


def test_entry_needs_two_images():
    with pytest.raises(ValueError):
        ignore_list.add(["/a.jpg", "/a.jpg"])


def test_damaged_file_is_set_aside(caplog):
    path = ignore_list.default_path()
    path.write_text("{not json")
    assert ignore_list.load() == []
    (aside,) = path.parent.glob(path.name + ".damaged-*")
    assert aside.read_text() == "{not json"
    assert "set aside" in caplog.text
    ignore_list.add(["/x.jpg", "/y.jpg"])
    assert json.loads(path.read_text())["entries"][0]["paths"] == ["/x.jpg", "/y.jpg"]


def test_filter_keeps_everything_else_of_the_result():
    result = make_result(G1, G2)
    result.cache_hits = 7
    ignore_list.add(G2.paths)
    filtered = ignore_list.filter_result(result)
    assert filtered.files == result.files and filtered.cache_hits == 7
    assert result.groups == [G1, G2], "the input is not modified"
