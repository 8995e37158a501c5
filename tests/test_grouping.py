import numpy as np

from difpy_tk.scan.grouping import build_groups, clockwise_degrees
from difpy_tk.scan.result import FileRecord
from difpy_tk.scan.search import Matches


def record(name, width=100, height=100, size=1000, mtime_ns=0):
    return FileRecord(f"/p/{name}", size, mtime_ns, width, height)


def matches(*pairs):
    first, second, sse, turns = zip(*pairs) if pairs else ((), (), (), ())
    return Matches(np.array(first), np.array(second), np.array(sse), np.array(turns, dtype=np.int8))


def test_no_chaining_through_a_look_alike():
    # a~b and b~c but not a~c: a (biggest) keeps b; c is left out rather than chained.
    records = [record("a", 200, 200), record("b"), record("c")]
    groups = build_groups(records, matches((0, 1, 3, 0), (1, 2, 3, 0)), 3)
    assert [(g.kept, [m.path for m in g.matches]) for g in groups] == [("/p/a", ["/p/b"])]


def test_kept_is_highest_resolution_then_larger_file_then_older():
    records = [record("small", 50, 50), record("big_new", mtime_ns=9), record("big_old", mtime_ns=1)]
    pairs = matches((0, 1, 0, 0), (0, 2, 0, 0), (1, 2, 0, 0))
    assert build_groups(records, pairs, 3)[0].kept == "/p/big_old"
    records[1] = record("big_new", size=5000, mtime_ns=9)
    assert build_groups(records, pairs, 3)[0].kept == "/p/big_new"


def test_every_image_in_at_most_one_group_and_mse_is_per_element():
    records = [record(n) for n in "abcdef"]
    pairs = matches((0, 1, 30, 0), (2, 3, 0, 0), (1, 2, 6, 0), (4, 5, 3, 0))
    groups = build_groups(records, pairs, 3)
    seen = [p for g in groups for p in g.paths]
    assert len(seen) == len(set(seen))
    mse = {m.path: m.mse for g in groups for m in g.matches}
    assert mse["/p/b"] == 10.0


def test_rotation_is_reported_for_the_member():
    # rot90(second, 1) ≈ first: numpy turns counter-clockwise, so the second image
    # needs a 270° clockwise turn; seen from the first, 90° clockwise.
    assert clockwise_degrees(1, member_is_second=True) == 270
    assert clockwise_degrees(1, member_is_second=False) == 90
    assert clockwise_degrees(0, member_is_second=True) == 0
