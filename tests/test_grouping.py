import numpy as np

from difpy_tk.scan.grouping import build_groups
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.result import Chained, FileRecord
from difpy_tk.scan.search import Matches


def record(name, width=100, height=100, size=1000, mtime_ns=0):
    return FileRecord(f"/p/{name}", size, mtime_ns, width, height)


def matches(*pairs):
    first, second, sse, turns = zip(*pairs) if pairs else ((), (), (), ())
    return Matches(np.array(first), np.array(second), np.array(sse), np.array(turns, dtype=np.int8))


def test_a_chain_is_not_grouped_but_listed_with_the_member_it_matches():
    # a~b and b~c but not a~c: a (biggest) keeps b; c is in no group (a bulk action on the
    # group must not touch it) but is listed with b, their MSE and the turn.
    records = [record("a", 200, 200), record("b"), record("c")]
    groups, chained = build_groups(records, matches((0, 1, 3, 0), (1, 2, 6, 1)), 3)
    assert [(g.kept, [m.path for m in g.matches]) for g in groups] == [("/p/a", ["/p/b"])]
    assert chained == [Chained("/p/c", "/p/b", 2.0, 270)]


def test_a_chained_image_is_listed_with_its_closest_match():
    # a keeps b and c; d matches both b (MSE 4) and c (MSE 1) but not a.
    records = [record("a", 200, 200), record("b"), record("c"), record("d")]
    pairs = matches((0, 1, 3, 0), (0, 2, 3, 0), (1, 3, 12, 0), (3, 2, 3, 3))
    groups, chained = build_groups(records, pairs, 3)
    assert len(groups) == 1 and chained == [Chained("/p/d", "/p/c", 1.0, 270)]


def test_every_matching_image_is_in_a_group_or_chained():
    rng = np.random.default_rng(5)
    records = [record(f"{i:02d}", 100 + i % 7, 100, size=i) for i in range(40)]
    first = rng.integers(0, 40, 80)
    second = rng.integers(0, 40, 80)
    keep = first != second
    pairs = Matches(first[keep], second[keep], rng.integers(0, 9, keep.sum()), np.zeros(keep.sum(), np.int8))
    groups, chained = build_groups(records, pairs, 3)
    grouped = {p for g in groups for p in g.paths}
    listed = {c.path for c in chained}
    assert not grouped & listed
    assert grouped | listed == {records[i].path for i in set(pairs.first.tolist()) | set(pairs.second.tolist())}
    for item in chained:
        assert item.other in grouped and item.other not in {g.kept for g in groups}


def test_kept_is_highest_resolution_then_larger_file_then_older():
    records = [record("small", 50, 50), record("big_new", mtime_ns=9), record("big_old", mtime_ns=1)]
    pairs = matches((0, 1, 0, 0), (0, 2, 0, 0), (1, 2, 0, 0))
    assert build_groups(records, pairs, 3)[0][0].kept == "/p/big_old"
    records[1] = record("big_new", size=5000, mtime_ns=9)
    assert build_groups(records, pairs, 3)[0][0].kept == "/p/big_new"


def test_every_image_in_at_most_one_group_and_mse_is_per_element():
    records = [record(n) for n in "abcdef"]
    pairs = matches((0, 1, 30, 0), (2, 3, 0, 0), (1, 2, 6, 0), (4, 5, 3, 0))
    groups, _ = build_groups(records, pairs, 3)
    seen = [p for g in groups for p in g.paths]
    assert len(seen) == len(set(seen))
    mse = {m.path: m.mse for g in groups for m in g.matches}
    assert mse["/p/b"] == 10.0


def test_rotation_is_reported_for_the_member():
    # rot90(second, 1) ≈ first: numpy turns counter-clockwise, so the second image
    # needs a 270° clockwise turn; seen from the first, 90° clockwise.
    assert Pose.of_match(1, member_is_second=True) == Pose(270)
    assert Pose.of_match(1, member_is_second=False) == Pose(90)
    assert Pose.of_match(0, member_is_second=True) == Pose()


def test_a_group_is_low_detail_when_its_kept_image_or_any_member_is():
    """A new user's plain sky matched a kite in that sky at MSE 39 (custom threshold 40):
    the kite was kept, the sky went unflagged, and a bulk rule would have trashed it."""
    records = [record("kite", 200, 200), record("sky"), record("other", 200, 200), record("copy"), record("chain")]
    pairs = matches((0, 1, 39 * 3, 0), (2, 3, 3, 0), (1, 4, 3, 0))
    flags = {"kite": False, "sky": True, "other": False, "copy": False, "chain": True}
    groups, chained = build_groups(records, pairs, 3, low_detail=[flags[r.path[3:]] for r in records])
    assert {(g.kept, g.low_detail) for g in groups} == {("/p/kite", True), ("/p/other", False)}
    assert [c.path for c in chained] == ["/p/chain"], "a chained image is in no group and flags none"
