"""The brute-force reference every fast path is checked against: plain numpy over all
pairs and all allowed turns and mirror images, no pruning, no hashing."""

from __future__ import annotations

import numpy as np


def _all_poses(tensors: np.ndarray, rotate: bool, mirror: bool) -> list[np.ndarray]:
    """tensors (n, px, px, 3) in every allowed pose: turned by each quarter turn when
    rotate, and each of those mirrored left to right too when mirror."""
    turns = (0, 1, 2, 3) if rotate else (0,)
    sides = (tensors, tensors[:, :, ::-1]) if mirror else (tensors,)
    return [np.rot90(side, t, axes=(1, 2)) for side in sides for t in turns]


def brute_force_pairs(
    tensors: np.ndarray,
    sse_limit: int,
    rotate: bool,
    partitions: list[np.ndarray] | None = None,
    mirror: bool = False,
) -> dict[tuple[int, int], int]:
    """{(i, j): best SSE} for i < j in the same partition with best SSE <= sse_limit."""
    n = len(tensors)
    if partitions is None:
        partitions = [np.arange(n)]
    wide = tensors.astype(np.int64)
    posed = _all_poses(wide, rotate, mirror)
    found: dict[tuple[int, int], int] = {}
    for members in partitions:
        members = sorted(int(m) for m in members)
        for position, i in enumerate(members):
            others = np.array(members[position + 1 :], dtype=np.int64)
            if len(others) == 0:
                continue
            best = None
            for pose in posed:
                sse = ((pose[others] - wide[i][None]) ** 2).reshape(len(others), -1).sum(axis=1)
                best = sse if best is None else np.minimum(best, sse)
            for j, value in zip(others.tolist(), best.tolist()):
                if value <= sse_limit:
                    found[(i, j)] = value
    return found


def full_decode_tensors(paths: list[str], px_size: int) -> np.ndarray:
    """The reference tensors: every file's FULL decode, in-process, one by one."""
    from difpy_tk.scan.tensors import decode_tensor

    return np.stack([decode_tensor(path, px_size, exact=True)[0] for path in paths])


def as_cliques(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every pair within each connected set of pairs. At threshold 0 the search returns
    each set of identical images as a star around one of them; being identical (up to a
    turn) is an equivalence, so the brute force's pairs are exactly these cliques."""
    component: dict[int, int] = {}

    def root(i: int) -> int:
        while component.setdefault(i, i) != i:
            i = component[i]
        return i

    for a, b in pairs:
        component[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for i in list(component):
        members.setdefault(root(i), []).append(i)
    return {(a, b) for group in members.values() for a in group for b in group if a < b}
