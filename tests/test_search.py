"""The pruned search must return exactly what the brute-force reference returns."""

import numpy as np
import pytest
from imagegen import smooth_tensors
from reference import as_cliques, brute_force_pairs

from difpy_tk.scan.features import block_boundaries
from difpy_tk.scan.poses import allowed_poses, posed
from difpy_tk.scan.search import Matches, find_matches, pair_limits


def as_pairs(matches: Matches) -> dict[tuple[int, int], int]:
    return {
        (min(a, b), max(a, b)): sse
        for a, b, sse in zip(matches.first.tolist(), matches.second.tolist(), matches.sse.tolist())
    }


def planted(count: int, px: int, seed: int) -> np.ndarray:
    """Smooth tensors plus near-copies with small noise and random quarter turns."""
    rng = np.random.default_rng(seed)
    tensors = smooth_tensors(count, px, seed)
    for _ in range(count // 3):
        source, target = rng.integers(0, count, 2)
        amplitude, density = int(rng.integers(1, 5)), rng.uniform(0.1, 1.0)
        noise = rng.integers(-amplitude, amplitude + 1, tensors[source].shape) * (
            rng.random(tensors[source].shape) < density
        )
        turned = np.rot90(tensors[source].astype(int) + noise, int(rng.choice([0, 0, 0, 1, 2, 3])))
        tensors[target] = np.clip(turned, 0, 255)
    return tensors


@pytest.mark.parametrize("rotate", [True, False])
@pytest.mark.parametrize("px", [16, 17])
@pytest.mark.parametrize("threshold", [0.5, 5, 40])
def test_pruned_search_equals_brute_force(rotate, px, threshold):
    tensors = planted(120, px, seed=px)
    limit = int(threshold * tensors[0].size)
    expected = brute_force_pairs(tensors, limit, rotate)
    found = as_pairs(find_matches(tensors, limit, allowed_poses(rotate, False), rows_per_block=32))
    assert found == expected
    assert expected, "the corpus must contain matches for the test to mean anything"


def planted_mirrors(count: int, px: int, seed: int) -> np.ndarray:
    """planted() plus mirror images: some exact, some with noise, some turned too."""
    rng = np.random.default_rng(seed + 100)
    tensors = planted(count, px, seed)
    for _ in range(count // 4):
        source, target = rng.integers(0, count, 2)
        noise = rng.integers(-int(rng.integers(0, 4)), 1, tensors[source].shape)
        flipped = np.rot90(tensors[source][:, ::-1].astype(int) + noise, int(rng.choice([0, 0, 0, 1, 2, 3])))
        tensors[target] = np.clip(flipped, 0, 255)
    return tensors


@pytest.mark.parametrize("rotate", [True, False])
@pytest.mark.parametrize("px", [16, 17])
@pytest.mark.parametrize("threshold", [0, 0.5, 5, 40])
def test_a_search_with_mirror_images_equals_brute_force(rotate, px, threshold):
    tensors = planted_mirrors(120, px, seed=px)
    limit = int(threshold * tensors[0].size)
    expected = brute_force_pairs(tensors, limit, rotate, mirror=True)
    matches = find_matches(tensors, limit, allowed_poses(rotate, True), rows_per_block=32)
    found = as_pairs(matches)
    if limit == 0:
        assert set(found) <= set(expected) and as_cliques(set(found)) == set(expected)
    else:
        assert found == expected
    mirrored_only = set(expected) - set(brute_force_pairs(tensors, limit, rotate))
    assert mirrored_only, "the corpus must hold pairs that only a mirror image finds"
    for a, b, sse, pose in zip(*(getattr(matches, name).tolist() for name in ("first", "second", "sse", "poses"))):
        difference = tensors[a].astype(int) - posed(tensors[b], pose)
        assert int((difference**2).sum()) == sse, "the pose reported gives the SSE reported"


@pytest.mark.parametrize("limit", [0, 100])
def test_a_symmetric_picture_is_not_called_mirrored(limit):
    """A picture that looks the same mirrored matches its copy at pose 0 and at pose 4:
    the lowest pose is told, or every copy of a symmetric logo would read "⇆"."""
    half = smooth_tensors(1, 16, seed=5)[0][:, :8]
    symmetric = np.concatenate([half, half[:, ::-1]], axis=1)
    copy = symmetric.copy()
    if limit:  # not byte-identical, so the exact SSE decides among poses with equal SSE
        copy[0, 0, 0] = copy[0, 0, 0] + 1 if copy[0, 0, 0] < 255 else 254
    found = find_matches(np.stack([symmetric, copy]), limit, allowed_poses(True, True))
    assert found.poses.tolist() == [0] and found.sse.tolist() == [1 if limit else 0]


def test_identical_copies_in_similar_mode_equal_brute_force():
    """Byte-identical tensors are searched once and their matches copied to every copy."""
    tensors = planted(60, 16, seed=7)
    tensors[20:30] = tensors[5]
    tensors[30:33] = np.rot90(tensors[5], 1)
    tensors[40:44] = np.clip(tensors[5].astype(int) + 1, 0, 255)
    limit = int(2 * tensors[0].size)
    expected = brute_force_pairs(tensors, limit, rotate=True)
    assert as_pairs(find_matches(tensors, limit, allowed_poses(True, False), rows_per_block=16)) == expected
    assert (20, 29) in expected and (5, 40) in expected


def test_pairs_exactly_at_the_threshold_match_and_one_above_does_not():
    tensors = smooth_tensors(3, 16, seed=3)
    tensors[1] = tensors[0]
    tensors[2] = tensors[0]
    # change one value by 3 and one by 4: SSE 25; the other copy gets SSE 26
    tensors[1, 0, 0, 0] = tensors[0, 0, 0, 0] + 3 if tensors[0, 0, 0, 0] < 250 else tensors[0, 0, 0, 0] - 3
    tensors[1, 5, 5, 1] = tensors[0, 5, 5, 1] + 4 if tensors[0, 5, 5, 1] < 250 else tensors[0, 5, 5, 1] - 4
    tensors[2, 0, 0, 0] = tensors[1, 0, 0, 0]
    tensors[2, 5, 5, 1] = tensors[1, 5, 5, 1]
    tensors[2, 9, 9, 2] = tensors[0, 9, 9, 2] + 1 if tensors[0, 9, 9, 2] < 255 else tensors[0, 9, 9, 2] - 1
    found = as_pairs(find_matches(tensors, 25, allowed_poses(False, False)))
    assert found[(0, 1)] == 25
    assert (0, 2) not in found
    assert found == brute_force_pairs(tensors, 25, rotate=False)


def test_no_uint8_overflow_in_the_error():
    """difPy's uint8 arithmetic wraps: a difference of 16 squares to 0 (mod 256)."""
    a = np.full((1, 16, 16, 3), 100, dtype=np.uint8)
    b = np.full((1, 16, 16, 3), 116, dtype=np.uint8)
    tensors = np.concatenate([a, b])
    assert len(find_matches(tensors, 16 * 16 * 3 * 5, allowed_poses(False, False))) == 0
    found = find_matches(tensors, 16 * 16 * 3 * 256, allowed_poses(False, False))
    assert found.sse.tolist() == [16 * 16 * 3 * 256]


def test_all_four_rotations_are_found_including_270():
    base = smooth_tensors(1, 16, seed=9)[0]
    tensors = np.stack([base] + [np.rot90(base, k) for k in (1, 2, 3)])
    found = find_matches(tensors, 0, allowed_poses(True, False))
    assert sorted(found.second.tolist()) == [1, 2, 3]
    assert set(found.sse.tolist()) == {0}
    for second, turns in zip(found.second.tolist(), found.poses.tolist()):
        assert np.array_equal(np.rot90(tensors[second], turns), tensors[found.first[0]])
    assert len(find_matches(tensors, 0, allowed_poses(False, False))) == 0


def test_duplicate_hashing_equals_brute_force_connectivity():
    tensors = planted(80, 16, seed=4)
    tensors[10] = tensors[3]
    tensors[11] = np.rot90(tensors[3], 3)
    tensors[12] = tensors[5]
    expected = brute_force_pairs(tensors, 0, rotate=True)
    found = find_matches(tensors, 0, allowed_poses(True, False))
    # Hashing returns a star per bucket; every star edge is a true pair and every
    # true pair's images sit in the same star.
    star = as_pairs(found)
    assert set(star) <= set(expected)
    bucket_of = {}
    for a, b in star:
        bucket_of.setdefault(a, a)
        bucket_of[b] = bucket_of[a]
    for a, b in expected:
        assert bucket_of.get(a, a) == bucket_of.get(b, b)


def test_duplicate_star_is_centred_on_the_best_priority():
    base = smooth_tensors(1, 16, seed=2)[0]
    tensors = np.stack([base, base, base])
    found = find_matches(tensors, 0, allowed_poses(False, False), priority=np.array([2, 0, 1]))
    assert set(found.first.tolist()) == {1}


def test_partitions_keep_comparisons_apart():
    base = smooth_tensors(1, 16, seed=1)[0]
    tensors = np.stack([base, base, base, base])
    found = find_matches(tensors, 10, allowed_poses(False, False), partitions=[np.array([0, 1]), np.array([2, 3])])
    assert as_pairs(found).keys() == {(0, 1), (2, 3)}


@pytest.mark.parametrize("px", [10, 11, 16, 49, 50, 51])
def test_block_boundaries_are_mirror_symmetric(px):
    cuts = block_boundaries(px)
    assert cuts[0] == 0 and cuts[-1] == px
    assert np.all(np.diff(cuts) > 0)
    assert np.array_equal(px - cuts[::-1], cuts)


def test_cancel_stops_the_search():
    from difpy_tk.scan.progress import Cancelled, CancelToken

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        find_matches(smooth_tensors(10, 16), 100, allowed_poses(True, False), cancel=token)


@pytest.mark.parametrize("threshold", [0, 5])
def test_per_image_margins_widen_each_pair_to_its_own_limit(threshold):
    """Each pair is held to (sqrt(limit) + its two margins)²: two images without a margin
    to the limit itself. Identical tensors with different margins (a PNG beside a JPEG of
    the same flat colour) share one search and still get their own limits."""
    tensors = planted(120, 16, seed=7)
    tensors[100:110] = tensors[0]  # a bucket of identical tensors
    margins = np.where(np.arange(120) % 3 == 0, 0.0, 2.5 * np.sqrt(tensors[0].size))
    limit = int(threshold * tensors[0].size)
    widest = brute_force_pairs(tensors, int(pair_limits(limit, margins.max(), margins.max())) + 1, True)
    expected = {
        pair: sse for pair, sse in widest.items() if sse <= pair_limits(limit, margins[pair[0]], margins[pair[1]])
    }
    assert any(sse > limit for sse in expected.values()) and any(margins[a] == margins[b] == 0 for a, b in expected)
    assert as_pairs(find_matches(tensors, limit, allowed_poses(True, False), margins=margins)) == expected
