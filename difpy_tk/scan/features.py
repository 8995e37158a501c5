"""Per-tensor statistics that give cheap, exact lower bounds of the SSE between tensors.

Averaging pixels over blocks is an orthogonal projection P, and a projection never
lengthens a vector: |P(a - b)|² <= |a - b|² = SSE. With block sums scaled by
1/sqrt(block area), |P(a - b)|² is a plain squared distance between small feature
vectors. The block grid is mirror-symmetric, so turning or mirroring a tensor turns or
mirrors its grid, and averaging the grid over the four turns (and their mirror images)
gives features that no allowed pose changes. The energy a
projection leaves out, |(I - P)a|, adds a second free bound (see residual_bound)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GRID = 7
"""Odd, so that block boundaries can be mirror-symmetric for any px_size."""
CHUNK = 256
"""Tensors processed at once: temporaries stay a few MB, reused instead of page-faulted."""
RESIDUAL_SLACK = 1e-3
"""More than the rounding of a square root of a difference of nearly equal floats."""


def block_boundaries(px_size: int) -> np.ndarray:
    """GRID + 1 mirror-symmetric cut positions along one side of a px_size tensor."""
    half = [int(i * px_size / GRID + 0.5) for i in range(GRID // 2 + 1)]
    return np.array(half + [px_size - cut for cut in reversed(half)], dtype=np.int64)


def _block_matrix(px_size: int) -> np.ndarray:
    """(GRID, px_size) 0/1 matrix whose product with a column sums each block of rows."""
    cuts = block_boundaries(px_size)
    matrix = np.zeros((GRID, px_size))
    for block in range(GRID):
        matrix[block, cuts[block] : cuts[block + 1]] = 1.0
    return matrix


def block_sums(tensors: np.ndarray) -> np.ndarray:
    """(n, GRID, GRID, 3) sums of the values in each block, by two matrix products in
    float64: every partial sum is an integer far below 2**53, so they are exact."""
    n, px_size = len(tensors), tensors.shape[1]
    blocks = _block_matrix(px_size)
    values = tensors.astype(np.float64).reshape(n, px_size, px_size * 3)
    rows = (blocks @ values).reshape(n, GRID, px_size, 3).transpose(0, 1, 3, 2)
    return (rows @ blocks.T).transpose(0, 1, 3, 2)


def image_stats(tensor: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(total, squared norm, int32 block sums) of one tensor: what a decode worker sends
    and the cache stores, so a search of cached images recomputes nothing."""
    sums = block_sums(tensor[None])[0].astype(np.int32)
    flat = tensor.reshape(-1).astype(wide_int(tensor.size))
    return int(sums.sum(dtype=np.int64)), int(np.dot(flat, flat)), sums


def block_scale(px_size: int) -> np.ndarray:
    """1/sqrt(block area), shaped to multiply block sums into isometric features."""
    sides = np.diff(block_boundaries(px_size)).astype(np.float64)
    return (1.0 / np.sqrt(np.outer(sides, sides)))[None, :, :, None]


def block_features(tensors: np.ndarray) -> np.ndarray:
    """(n, GRID, GRID, 3) block sums over sqrt(block area)."""
    return block_sums(tensors) * block_scale(tensors.shape[1])


def _orbits(mirror: bool) -> list[list[tuple[int, int]]]:
    """Cells of the grid grouped by where quarter turns (and mirroring) take them."""
    seen: set[tuple[int, int]] = set()
    orbits = []
    last = GRID - 1
    for row in range(GRID):
        for col in range(GRID):
            if (row, col) not in seen:
                turns = [(row, col), (col, last - row), (last - row, last - col), (last - col, row)]
                if mirror:
                    turns += [(r, last - c) for r, c in turns]
                orbit = sorted(set(turns))
                seen.update(orbit)
                orbits.append(orbit)
    return orbits


def invariant_features(grid: np.ndarray, mirror: bool = False) -> np.ndarray:
    """The block features averaged over quarter turns (and mirror images), in
    orthonormal coordinates: one value per orbit of cells and per channel (13 × 3 for a
    7 × 7 grid, 10 × 3 with mirroring). Averaging over a group of poses is a projection
    that every pose of the group leaves unchanged, so it bounds the SSE in each pose."""
    columns = []
    for orbit in _orbits(mirror):
        rows, cols = zip(*orbit)
        columns.append(grid[:, list(rows), list(cols), :].sum(axis=1) / math.sqrt(len(orbit)))
    return np.concatenate(columns, axis=1)


LOW_DETAIL_STD = 8.0
"""An image is near-flat (a plain sky, wall, blank page, solid background) when its
tensor's values lie on average (RMS) within this many levels of 255 of its mean colour.
Chosen from the benchmark's 2,334 wallpaper crops (docs/benchmarks.md): the crops below
8 are all plain or finely textured single-colour backgrounds and near-black washes; the
first real scene (a dark forest) is at 14.7, and ordinary photos are above 20 (median 32)."""


DETAIL_CHUNK_VALUES = 2_000_000
"""Tensor values whose moments are taken at once (16 MB of integers): 266 tensors at px
50, one at px 1000 and above, so memory stays bounded at any px."""


def moments(tensors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per tensor (n × px × px × 3), its squared norm and its per-channel sums (n × 3),
    exact in int64: what details() needs, which a decode worker's image_stats already
    give for the tensors it made."""
    step = max(1, DETAIL_CHUNK_VALUES // max(1, int(np.prod(tensors.shape[1:]))))
    squared = np.empty(len(tensors), dtype=np.int64)
    sums = np.empty((len(tensors), 3), dtype=np.int64)
    for start in range(0, len(tensors), step):
        chunk = tensors[start : start + step]
        values = chunk.reshape(len(chunk), -1, 3).astype(np.int64)
        squared[start : start + step] = np.einsum("ijk,ijk->i", values, values)
        sums[start : start + step] = values.sum(axis=1)
    return squared, sums


def details(squared: np.ndarray, channel_sums: np.ndarray, px_size: int) -> np.ndarray:
    """Per tensor, the RMS deviation of its values from its mean colour (per channel),
    from its moments (squared norm, per-channel sums): a warm rescan takes them from the
    cache instead of reading 3,000 matched tensors again, which cost a quarter of a
    second at 10,000 images."""
    pixels = px_size * px_size
    sums = np.asarray(channel_sums, dtype=np.float64)
    deviation = np.asarray(squared, dtype=np.float64) - np.sum(sums * sums, axis=1) / pixels
    return np.sqrt(np.maximum(deviation, 0.0) / (3 * pixels))


def detail(tensor: np.ndarray) -> float:
    """details() of one tensor."""
    return float(details(*moments(tensor[np.newaxis]), tensor.shape[0])[0])


def wide_int(count: int) -> type:
    """The narrowest integer type that holds a sum of count squared differences."""
    return np.int32 if count * 255 * 255 < 2**31 else np.int64


def residuals(squared_total: np.ndarray, squared_projected: np.ndarray) -> np.ndarray:
    """|(I - P)a| from |a|² and |Pa|²."""
    return np.sqrt(np.maximum(squared_total - squared_projected, 0.0))


def residual_bound(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P commutes with every pose, so |(I-P)(a - posed b)|² >= (|(I-P)a| - |(I-P)b|)²."""
    return np.maximum(np.abs(a - b) - RESIDUAL_SLACK, 0.0) ** 2


def tolerance(norms: np.ndarray) -> np.ndarray:
    """Room for float rounding in |a|²+|b|²-2a·b; generous, so a bound never drops a match."""
    return 1e-9 * norms + 1.0


@dataclass(frozen=True)
class TensorStats:
    """Totals, squared norms and block features of some tensors, in the order given."""

    totals: np.ndarray
    squared: np.ndarray
    grid: np.ndarray

    @staticmethod
    def from_parts(totals: np.ndarray, squared: np.ndarray, sums: np.ndarray, px_size: int) -> TensorStats:
        """From block sums computed elsewhere (in a decode worker, or out of the cache)."""
        return TensorStats(totals, squared, sums * block_scale(px_size))

    @staticmethod
    def compute(tensors: np.ndarray, members: np.ndarray) -> TensorStats:
        """One pass over tensors[members] in small chunks; tensors itself is not copied."""
        count = len(members)
        totals = np.empty(count, dtype=np.int64)
        squared = np.empty(count, dtype=np.int64)
        grid = np.empty((count, GRID, GRID, 3))
        wide = wide_int(tensors[0].size)
        scale = block_scale(tensors.shape[1])
        for start in range(0, count, CHUNK):
            chunk = tensors[members[start : start + CHUNK]]
            sums = block_sums(chunk)
            totals[start : start + CHUNK] = sums.sum(axis=(1, 2, 3), dtype=np.float64).astype(np.int64)
            grid[start : start + CHUNK] = sums * scale
            flat = chunk.reshape(len(chunk), -1).astype(wide)
            squared[start : start + CHUNK] = np.einsum("ij,ij->i", flat, flat)
        return TensorStats(totals, squared, grid)

    def take(self, positions: np.ndarray) -> TensorStats:
        return TensorStats(self.totals[positions], self.squared[positions], self.grid[positions])
