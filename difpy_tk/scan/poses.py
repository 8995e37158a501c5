"""The ways a copy may be turned or mirrored against its original.

A search tries each allowed pose of one image against the other. A pose is numbered
0–7: pose p mirrors left to right when p >= 4, then turns by p % 4 quarter turns
counter-clockwise (numpy's rot90). The allowed poses always form a group (closed under
composition and inverse): threshold 0 buckets images by the smallest digest over the
poses, which only finds every copy when the poses of a copy's copy are poses too. So
mirroring without turns is left to right only (an upside-down mirror image is the left
to right one turned by 180°, and two of them would be a turned pair).

People are told of a pose as a Pose: how to mirror and then turn a member, clockwise,
to make it look like the image it matched."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IDENTITY = 0
MIRRORED = 4
"""Poses from this one up mirror left to right before turning."""


def allowed_poses(rotate: bool, mirror: bool) -> tuple[int, ...]:
    """The poses a search tries: each turn when rotate, each of those mirrored too when
    mirror (without rotate, the left to right mirror image alone)."""
    if rotate:
        return (0, 1, 2, 3, 4, 5, 6, 7) if mirror else (0, 1, 2, 3)
    return (IDENTITY, MIRRORED) if mirror else (IDENTITY,)


def posed(array: np.ndarray, pose: int, axes: tuple[int, int] = (0, 1)) -> np.ndarray:
    """array in pose (a view), rows and columns along axes."""
    if pose >= MIRRORED:
        array = np.flip(array, axis=axes[1])
    return np.rot90(array, pose % 4, axes=axes)


@dataclass(frozen=True)
class Pose:
    """How to show a member so that it lines up with the image it matched: mirror it
    left to right when mirrored, then turn it clockwise by degrees. The identity is
    false, so `if pose:` asks whether there is anything to tell."""

    degrees: int = 0
    mirrored: bool = False

    def __bool__(self) -> bool:
        return bool(self.degrees or self.mirrored)

    def inverse(self) -> Pose:
        """The pose that lines the other image up with this one: a mirrored pose is its
        own inverse (every reflection is), a turn is undone by the opposite turn."""
        return self if self.mirrored else Pose((360 - self.degrees) % 360)

    def then(self, other: Pose) -> Pose:
        """This pose followed by other. Mirroring reverses the sense of a turn made
        before it, so other's mirror undoes the direction of this turn."""
        degrees = other.degrees + (-self.degrees if other.mirrored else self.degrees)
        return Pose(degrees % 360, self.mirrored != other.mirrored)

    def label(self) -> str:
        """Symbols for a card's header or the table: "↻90°", "⇆" (mirrored), "⇆↻90°".
        A card's header holds about "MSE 0.99 ↻270°": "mirrored ↻270°" was cut there to
        "…red ↻270°" at 1366 × 768. The user guide and the compare's caption say it in words."""
        return ("⇆" if self.mirrored else "") + (f"↻{self.degrees}°" if self.degrees else "")

    def words(self) -> str:
        """The pose in a sentence: "turned 90°", "mirrored", "mirrored and turned 90°"."""
        turned = f"turned {self.degrees}°" if self.degrees else ""
        return " and ".join(part for part in ("mirrored" if self.mirrored else "", turned) if part)

    @staticmethod
    def of_match(pose: int, member_is_second: bool) -> Pose:
        """The Pose of a member of a matching pair, where the search found that pose of
        the pair's second image within the threshold of its first."""
        mirrored = pose >= MIRRORED
        turns = pose % 4 if member_is_second or mirrored else -pose % 4
        # numpy's rot90 turns counter-clockwise, people are told clockwise
        return Pose((-turns % 4) * 90, mirrored)
