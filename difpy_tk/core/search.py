"""Finding every pair of tensors whose MSE is within the threshold, exactly.

Comparing all pairs is quadratic, so the search proves most pairs apart cheaply:
averaging pixels over blocks is an orthogonal projection, and a projection never
lengthens a vector, so the distance between block averages is a lower bound of the
true sum of squared errors (SSE). Three filters, each exact:
1. the sum of all values (its difference squared, over the element count, bounds the
   SSE) orders the images, so each one is compared only with a window of neighbours;
2. rotation-averaged 7×7 block features (13 orbits × 3 channels) in matrix products
   reject most pairs of that window in one BLAS call per block of rows;
3. 7×7×3 block features per allowed rotation reject most remaining (pair, rotation)s;
then the true integer SSE decides. Identical tensors (threshold 0) are found by hashing.
Float rounding in the bounds is absorbed by a tolerance that can only keep pairs, never
drop them, so the outcome is the brute-force outcome."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from difpy_tk.core.progress import CancelToken, ProgressCallback, no_progress

GRID = 7
"""Odd, so that block boundaries can be mirror-symmetric for any px_size: rotating a
tensor then rotates its block grid, and one set of block features serves 4 rotations."""


@dataclass(frozen=True)
class Matches:
    """Matching pairs as parallel arrays: rot90(tensors[second], quarter_turns) is within
    the threshold of tensors[first], with that SSE (the smallest over allowed turns)."""

    first: np.ndarray
    second: np.ndarray
    sse: np.ndarray
    quarter_turns: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    @staticmethod
    def concatenate(parts: Sequence[Matches]) -> Matches:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Matches(empty, empty, empty, np.zeros(0, dtype=np.int8))
        return Matches(
            *(np.concatenate([getattr(p, name) for p in parts]) for name in ("first", "second", "sse")),
            np.concatenate([p.quarter_turns for p in parts]).astype(np.int8),
        )


def block_boundaries(px_size: int) -> np.ndarray:
    """GRID + 1 mirror-symmetric cut positions along one side of a px_size tensor."""
    half = [int(i * px_size / GRID + 0.5) for i in range(GRID // 2 + 1)]
    return np.array(half + [px_size - cut for cut in reversed(half)], dtype=np.int64)


def block_features(tensors: np.ndarray) -> np.ndarray:
    """(n, GRID, GRID, 3) block sums over sqrt(block area): in these coordinates the
    block-average projection is an isometry, so squared distances bound the SSE."""
    cuts = block_boundaries(tensors.shape[1])
    sums = np.add.reduceat(tensors, cuts[:-1], axis=1, dtype=np.int64)
    sums = np.add.reduceat(sums, cuts[:-1], axis=2, dtype=np.int64)
    sides = np.diff(cuts).astype(np.float64)
    area = np.outer(sides, sides)[None, :, :, None]
    return sums / np.sqrt(area)


def _orbits() -> list[list[tuple[int, int]]]:
    seen: set[tuple[int, int]] = set()
    orbits = []
    last = GRID - 1
    for row in range(GRID):
        for col in range(GRID):
            if (row, col) in seen:
                continue
            orbit = sorted({(row, col), (col, last - row), (last - row, last - col), (last - col, row)})
            seen.update(orbit)
            orbits.append(orbit)
    return orbits


def invariant_features(grid: np.ndarray) -> np.ndarray:
    """Projection of block features onto rotation-invariant vectors, in orthonormal
    coordinates: one value per orbit of cells under quarter turns and per channel."""
    columns = []
    for orbit in _orbits():
        rows, cols = zip(*orbit)
        columns.append(grid[:, list(rows), list(cols), :].sum(axis=1) / math.sqrt(len(orbit)))
    return np.concatenate(columns, axis=1)


def _tolerance(norms: np.ndarray) -> np.ndarray:
    """Room for float rounding in |a|²+|b|²-2a·b; generous, so a bound never drops a match."""
    return 1e-9 * norms + 1.0


def _window_candidates(
    features: np.ndarray,
    totals: np.ndarray,
    sse_limit: int,
    count: int,
    rows: int,
    progress: ProgressCallback,
    cancel: CancelToken | None,
    done_before: int,
    grand_total: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Filters 1 and 2 on one partition whose arrays are already sorted by totals."""
    n = len(totals)
    width = math.isqrt(sse_limit * count)
    squared = np.einsum("ij,ij->i", features, features)
    firsts, seconds = [], []
    for start in range(0, n, rows):
        if cancel is not None:
            cancel.raise_if_cancelled()
        stop = min(n, start + rows)
        end = int(np.searchsorted(totals, totals[stop - 1] + width, side="right"))
        if end > start + 1:
            distance = squared[start:stop, None] + squared[None, start:end]
            distance -= 2.0 * (features[start:stop] @ features[start:end].T)
            keep = distance <= sse_limit + _tolerance(squared[start:stop, None] + squared[None, start:end])
            row_index = np.arange(start, stop)[:, None]
            col_index = np.arange(start, end)[None, :]
            keep &= col_index > row_index
            keep &= totals[None, start:end] - totals[start:stop, None] <= width
            r, c = np.nonzero(keep)
            firsts.append(r + start)
            seconds.append(c + start)
        progress("searching", done_before + stop, grand_total)
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts).astype(np.int64), np.concatenate(seconds).astype(np.int64)


def _exact_sse(tensors: np.ndarray, first: np.ndarray, second: np.ndarray, turns: int) -> np.ndarray:
    count = tensors[0].size
    dtype = np.int32 if count * 255 * 255 < 2**31 else np.int64
    batch = max(1, 2**22 // count)
    out = np.empty(len(first), dtype=np.int64)
    for start in range(0, len(first), batch):
        a = tensors[first[start : start + batch]].astype(dtype)
        b = np.rot90(tensors[second[start : start + batch]], turns, axes=(1, 2)).astype(dtype)
        a -= b
        out[start : start + batch] = np.einsum("ijkl,ijkl->i", a, a, dtype=np.int64)
    return out


def _verify(
    tensors: np.ndarray,
    grid: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    sse_limit: int,
    turns_allowed: Sequence[int],
) -> Matches:
    """Filter 3 (per-rotation block bound) and the exact SSE, keeping the best turn."""
    best_sse = np.full(len(first), np.iinfo(np.int64).max, dtype=np.int64)
    best_turn = np.zeros(len(first), dtype=np.int8)
    batch = 65536
    for turns in turns_allowed:
        for start in range(0, len(first), batch):
            a_idx = first[start : start + batch]
            b_idx = second[start : start + batch]
            diff = grid[a_idx] - np.rot90(grid[b_idx], turns, axes=(1, 2))
            bound = np.einsum("ijkl,ijkl->i", diff, diff)
            norms = np.einsum("ijkl,ijkl->i", grid[a_idx], grid[a_idx]) + np.einsum(
                "ijkl,ijkl->i", grid[b_idx], grid[b_idx]
            )
            alive = np.nonzero(bound <= sse_limit + _tolerance(norms))[0] + start
            if len(alive) == 0:
                continue
            sse = _exact_sse(tensors, first[alive], second[alive], turns)
            better = sse < best_sse[alive]
            best_sse[alive[better]] = sse[better]
            best_turn[alive[better]] = turns
    found = best_sse <= sse_limit
    return Matches(first[found], second[found], best_sse[found], best_turn[found])


def _hash_duplicates(
    tensors: np.ndarray,
    members: np.ndarray,
    turns_allowed: Sequence[int],
    priority: np.ndarray,
) -> Matches:
    """Threshold 0: identical tensors (up to allowed turns) share a canonical digest.
    Each bucket becomes a star around its best-priority member, verified byte for byte."""
    digests: dict[int, list[bytes]] = {}
    buckets: dict[bytes, list[int]] = defaultdict(list)
    for index in members.tolist():
        per_turn = [
            hashlib.blake2b(np.ascontiguousarray(np.rot90(tensors[index], t)).tobytes(), digest_size=16).digest()
            for t in turns_allowed
        ]
        digests[index] = per_turn
        buckets[min(per_turn)].append(index)
    first, second, turns = [], [], []
    for bucket in buckets.values():
        if len(bucket) < 2:
            continue
        bucket.sort(key=lambda i: (priority[i], i))
        head = bucket[0]
        for other in bucket[1:]:
            for position, turn in enumerate(turns_allowed):
                if digests[other][position] == digests[head][0] and np.array_equal(
                    np.rot90(tensors[other], turn), tensors[head]
                ):
                    first.append(head)
                    second.append(other)
                    turns.append(turn)
                    break
    size = len(first)
    return Matches(
        np.array(first, dtype=np.int64),
        np.array(second, dtype=np.int64),
        np.zeros(size, dtype=np.int64),
        np.array(turns, dtype=np.int8),
    )


def find_matches(
    tensors: np.ndarray,
    sse_limit: int,
    rotate: bool,
    partitions: Sequence[np.ndarray] | None = None,
    priority: np.ndarray | None = None,
    rows_per_block: int = 512,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Matches:
    """All pairs (within each partition of indices) whose best SSE is <= sse_limit.

    priority (lower = better) picks the centre of each identical-tensor bucket when
    sse_limit is 0; rows_per_block bounds memory (one block is rows × window floats)."""
    n = len(tensors)
    if partitions is None:
        partitions = [np.arange(n)]
    if priority is None:
        priority = np.arange(n)
    turns_allowed = (0, 1, 2, 3) if rotate else (0,)
    count = int(tensors[0].size) if n else 0
    partitions = [np.asarray(p, dtype=np.int64) for p in partitions if len(p) > 1]
    grand_total = sum(len(p) for p in partitions)
    parts: list[Matches] = []
    done = 0
    for members in partitions:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if sse_limit == 0:
            parts.append(_hash_duplicates(tensors, members, turns_allowed, priority))
            done += len(members)
            progress("searching", done, grand_total)
            continue
        subset = tensors[members]
        grid = block_features(subset)
        totals = subset.reshape(len(members), -1).sum(axis=1, dtype=np.int64)
        order = np.argsort(totals, kind="stable")
        features = invariant_features(grid)[order]
        features -= features.mean(axis=0)
        a, b = _window_candidates(
            features, totals[order], sse_limit, count, rows_per_block, progress, cancel, done, grand_total
        )
        local = _verify(subset, grid, order[a], order[b], sse_limit, turns_allowed)
        parts.append(Matches(members[local.first], members[local.second], local.sse, local.quarter_turns))
        done += len(members)
    return Matches.concatenate(parts)
