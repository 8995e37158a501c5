"""Bulk selection rules: each keeps what it promises and never selects a whole group."""

from __future__ import annotations

import itertools

import pytest

from difpy_tk.review.selection import Rule, is_inside, select, select_in_group, summarize
from difpy_tk.scan.result import FileRecord

DAY = 86_400 * 10**9


def record(path: str, size: int, mtime_days: int, side: int) -> FileRecord:
    return FileRecord(path, size, mtime_days * DAY, side, side)


BIG = record("/p/a/big.jpg", 900, 5, 4000)  # most pixels
HEAVY = record("/p/b/heavy.png", 5000, 3, 2000)  # largest file
NEW = record("/p/b/new.jpg", 400, 9, 1000)  # newest
OLD = record("/p/c/old.jpg", 300, 1, 1000)  # oldest
FILES = {r.path: r for r in (BIG, HEAVY, NEW, OLD)}
GROUP = [BIG.path, HEAVY.path, NEW.path, OLD.path]


@pytest.mark.parametrize(
    ("rule", "kept"),
    [
        (Rule.LOWER_RESOLUTION, BIG.path),
        (Rule.KEEP_LARGEST, HEAVY.path),
        (Rule.KEEP_NEWEST, NEW.path),
        (Rule.KEEP_OLDEST, OLD.path),
    ],
)
def test_single_keeper_rules(rule, kept):
    selected = select_in_group(rule, GROUP, FILES)
    assert sorted(selected) == sorted(p for p in GROUP if p != kept)


def test_ties_fall_back_to_quality():
    twin = record("/p/z/twin.jpg", HEAVY.size, 0, 10)
    files = {**FILES, twin.path: twin}
    assert twin.path in select_in_group(Rule.KEEP_LARGEST, [*GROUP, twin.path], files)


def test_keep_folder_keeps_every_file_inside_it_and_its_subfolders():
    nested = record("/p/b/sub/copy.jpg", 10, 2, 10)
    files = {**FILES, nested.path: nested}
    selected = select_in_group(Rule.KEEP_FOLDER, [*GROUP, nested.path], files, folder="/p/b")
    assert sorted(selected) == sorted([BIG.path, OLD.path])


def test_keep_folder_selects_nothing_when_no_member_is_in_it():
    assert select_in_group(Rule.KEEP_FOLDER, GROUP, FILES, folder="/elsewhere") == []
    assert select_in_group(Rule.KEEP_FOLDER, GROUP, FILES, folder="/p") == []
    with pytest.raises(ValueError):
        select_in_group(Rule.KEEP_FOLDER, GROUP, FILES)


def test_is_inside_is_not_fooled_by_a_shared_prefix():
    assert is_inside("/p/b/x.jpg", "/p/b")
    assert not is_inside("/p/bb/x.jpg", "/p/b")


@pytest.mark.parametrize("rule", list(Rule))
def test_no_rule_ever_selects_every_image(rule):
    """Every subset of the group, including after some members are gone."""
    for size in range(len(GROUP) + 1):
        for paths in itertools.combinations(GROUP, size):
            selected = select_in_group(rule, paths, FILES, folder="/p/b")
            assert len(selected) < max(1, len(paths)), (rule, paths, selected)


def test_a_vanished_keeper_is_replaced_by_the_next_best():
    """The kept image was deleted outside the app: keep the best one that still exists."""
    usable = lambda r: r is not BIG  # noqa: E731
    assert select_in_group(Rule.LOWER_RESOLUTION, GROUP, FILES, usable=usable) == [NEW.path, OLD.path]
    only_big_usable = lambda r: r is BIG  # noqa: E731
    assert select_in_group(Rule.KEEP_OLDEST, GROUP, FILES, usable=only_big_usable) == []


def test_unknown_paths_are_never_selected():
    assert select_in_group(Rule.LOWER_RESOLUTION, [BIG.path, "/p/unknown.jpg"], FILES) == []


def test_select_runs_per_group_and_summarize_counts_bytes():
    groups = [[BIG.path, OLD.path], [HEAVY.path, NEW.path]]
    selections = select(Rule.KEEP_NEWEST, groups, FILES)
    assert selections == [[OLD.path], [HEAVY.path]]
    summary = summarize(itertools.chain.from_iterable(selections), FILES)
    assert (summary.count, summary.total_bytes) == (2, 5300)
    assert summary.describe() == "2 files (5.3 KB)"
    assert summarize([OLD.path], FILES).describe() == "1 file (300 bytes)"


def test_labels_name_what_is_selected():
    assert Rule.LOWER_RESOLUTION.label == "all lower-resolution matches"
    assert all(rule.label for rule in Rule)
