"""Poses: the numbering the search uses and the words and pictures people are shown
must describe the same transformation, for every pose, both ways round."""

import itertools

import numpy as np
import pytest
from PIL import Image

from difpy_tk.scan.features import block_features, invariant_features
from difpy_tk.scan.poses import Pose, allowed_poses, posed


def test_the_allowed_poses_are_closed_under_composition():
    """Threshold 0 buckets by the smallest digest over the poses: that finds every copy
    only when a pose of a pose is an allowed pose too."""
    tensor = np.random.default_rng(1).integers(0, 256, (6, 6, 3))
    for rotate, mirror in itertools.product((False, True), repeat=2):
        poses = allowed_poses(rotate, mirror)
        shapes = {pose: posed(tensor, pose).tobytes() for pose in poses}
        assert len(set(shapes.values())) == len(poses), "each pose is a different picture"
        for first, second in itertools.product(poses, repeat=2):
            assert posed(posed(tensor, first), second).tobytes() in shapes.values(), (rotate, mirror, first, second)
    assert allowed_poses(False, False) == (0,) and allowed_poses(True, True) == tuple(range(8))


@pytest.mark.parametrize("pose", range(8))
def test_a_member_is_shown_lined_up_with_the_image_it_matched(tmp_path, pose):
    """The search found posed(second, pose) ≈ first. The viewer shows the second in
    Pose.of_match(pose, True) and the first in Pose.of_match(pose, False); each must
    then look like the other image, on a picture that is not square."""
    from difpy_tk.gui.viewer.preview import decode_posed

    second = np.random.default_rng(pose).integers(0, 256, (5, 9, 3), dtype=np.uint8)
    first = np.ascontiguousarray(posed(second, pose))
    Image.fromarray(second).save(tmp_path / "second.png")
    Image.fromarray(first).save(tmp_path / "first.png")
    shown_second = decode_posed(str(tmp_path / "second.png"), Pose.of_match(pose, member_is_second=True))
    shown_first = decode_posed(str(tmp_path / "first.png"), Pose.of_match(pose, member_is_second=False))
    assert np.array_equal(np.asarray(shown_second), first)
    assert np.array_equal(np.asarray(shown_first), second)
    assert Pose.of_match(pose, False) == Pose.of_match(pose, True).inverse()
    assert Pose.of_match(pose, True).mirrored == (pose >= 4)


def test_poses_are_told_in_short_words():
    assert not Pose() and Pose(90) and Pose(0, mirrored=True)
    assert [Pose(90).label(), Pose(0, True).label(), Pose(270, True).label()] == ["↻90°", "⇆", "⇆↻270°"]
    assert [Pose(180).words(), Pose(0, True).words(), Pose(90, True).words()] == [
        "turned 180°",
        "mirrored",
        "mirrored and turned 90°",
    ]
    assert Pose(90).inverse() == Pose(270) and Pose(90, True).inverse() == Pose(90, True)


@pytest.mark.parametrize("px", [16, 17])
def test_mirror_invariant_features_are_the_same_for_every_pose(px):
    tensor = np.random.default_rng(px).integers(0, 256, (px, px, 3))
    features = [invariant_features(block_features(posed(tensor, pose)[None]), mirror=True) for pose in range(8)]
    for other in features[1:]:
        np.testing.assert_allclose(other, features[0], atol=1e-9)
    turned_only = [invariant_features(block_features(posed(tensor, pose)[None])) for pose in (0, 4)]
    assert not np.allclose(*turned_only), "without mirroring, a mirror image has other features"


def test_a_pose_followed_by_another_is_both_applied_in_turn(tmp_path):
    """The compare lines a member up with the viewer's keeper (not the search's image):
    its pose to the search's image, then back from there to the keeper."""
    from difpy_tk.gui.viewer.preview import decode_posed

    def shown(array: np.ndarray, pose: Pose) -> np.ndarray:
        Image.fromarray(array).save(tmp_path / "picture.png")
        return np.asarray(decode_posed(str(tmp_path / "picture.png"), pose))

    poses = [Pose(degrees, mirrored) for degrees in (0, 90, 180, 270) for mirrored in (False, True)]
    picture = np.random.default_rng(3).integers(0, 256, (4, 7, 3), dtype=np.uint8)
    for first, second in itertools.product(poses, repeat=2):
        assert np.array_equal(shown(picture, first.then(second)), shown(shown(picture, first), second)), (first, second)
    assert all(pose.then(pose.inverse()) == Pose() for pose in poses)
