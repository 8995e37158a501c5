"""Verdicts on the reference tensors, found through the fast ones.

The reference tensor of an image is its FULL decode (every pixel, then bicubic to
px × px); the FAST decode (JPEG DCT scaling, box reduction) is about twice as quick but
drifts from it. For one image let d be the RMS distance between its fast and full
tensors. The square root of an MSE is an RMS distance, so by the triangle inequality,
for every rotation,

    | sqrt(mse_full(a, b)) - sqrt(mse_fast(a, b)) |  <=  d(a) + d(b)  <=  2 D

where D bounds d on real images (DRIFT_RMS, measured: docs/benchmarks.md). Hence:
1. the fast tensors are searched with the limit widened by 2 D: no pair whose full MSE
   is within the threshold is left out;
2. a proposed pair whose fast MSE is more than 2 D (in RMS) inside the threshold and
   more than 2 D above 0 is a match whatever the full decode says, and not identical:
   it is decided on the fast tensors (only possible for thresholds above (4 D)²);
3. every other proposed pair, so every pair near the threshold and every pair that may
   be identical, is decided exactly on the full tensors of its two images, which only
   those images need (the caller decodes them, or reads them from the cache).
The full search among those images is the same exact search as the fast one, so it
also finds any pair the margin missed among them; the drift of every image fully
decoded is measured and one larger than D is logged."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from difpy_tk.scan.features import TensorStats
from difpy_tk.scan.progress import CancelToken, ProgressCallback, no_progress
from difpy_tk.scan.search import Matches, find_matches

log = logging.getLogger("difpy_tk")

DRIFT_RMS = {10: 11.0, 50: 6.0, 100: 4.0}
"""D, by px_size: a bound on the RMS distance between one image's FAST and FULL tensors.
Measured (docs/benchmarks.md; `bench.py` prints it with its brute-force check): on the
2,334 real-photo crops of the 2k corpus the largest drift is 6.9 at px 10, 3.7 at px 50,
2.4 at px 100 (medians 0.8, 0.5, 0.4); on the 10,069 files of the 10k corpus 4.7 at
px 50 (median 0.5), 1.27 times the 2k figure. D keeps about 25 % room above the largest
seen at px 50, and px 10 and 100 (not measured on 10k files) the 2k figures times 1.27
plus the same room. The drift falls as px_size grows (the fast decode reduces less), so
a px_size between two measured ones uses the bound of the smaller."""
DRIFT_CHUNK = 256


def drift_margin(px_size: int) -> float:
    """D for px_size: the bound measured at the largest measured size <= px_size."""
    return DRIFT_RMS[max([size for size in DRIFT_RMS if size <= px_size], default=min(DRIFT_RMS))]


FullTensors = Callable[[np.ndarray], np.ndarray]
"""Given sorted indices into the fast tensors, their full-decode tensors (same order)."""


@dataclass(frozen=True)
class Verdicts:
    """The matching pairs (indices into the fast tensors) and how they were decided."""

    matches: Matches
    proposed: int
    """Pairs the fast tensors proposed within the widened limit."""
    decided_fast: int
    """Pairs far inside the threshold, decided (and their MSE given) by the fast tensors."""
    checked: np.ndarray
    """Indices of the images whose full tensors decided the other pairs."""
    full: np.ndarray
    """Their full tensors, in the same order."""
    drift_max: float
    """The largest fast-to-full RMS drift among the checked images."""
    drift_over: int
    """Checked images whose drift exceeds the margin used (logged; expected 0)."""
    checking_seconds: float


def _drift(fast: np.ndarray, checked: np.ndarray, full: np.ndarray) -> np.ndarray:
    out = np.empty(len(checked))
    for start in range(0, len(checked), DRIFT_CHUNK):
        a = fast[checked[start : start + DRIFT_CHUNK]].astype(np.int32)
        a -= full[start : start + DRIFT_CHUNK]
        a = a.reshape(len(a), -1)
        out[start : start + DRIFT_CHUNK] = np.sqrt(np.einsum("ij,ij->i", a, a) / a.shape[1])
    return out


def _subset(partitions: Sequence[np.ndarray], checked: np.ndarray) -> list[np.ndarray]:
    """The partitions restricted to checked, as positions into checked."""
    return [np.searchsorted(checked, part[np.isin(part, checked)]) for part in partitions]


def decide(
    fast: np.ndarray,
    sse_limit: int,
    rotate: bool,
    full_tensors: FullTensors,
    partitions: Sequence[np.ndarray] | None = None,
    priority: np.ndarray | None = None,
    rows_per_block: int = 128,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    threads: int = 2,
    stats: TensorStats | None = None,
    margin_rms: float | None = None,
) -> Verdicts:
    """Every pair (within each partition) whose FULL-decode tensors are within sse_limit
    in some allowed turn, as find_matches would return it on the full tensors (see the
    module docstring for the pairs decided on the fast ones). margin_rms overrides D."""
    count = int(np.prod(fast.shape[1:]))
    if partitions is None:
        partitions = [np.arange(len(fast))]
    partitions = [np.asarray(part, dtype=np.int64) for part in partitions]
    if priority is None:
        priority = np.arange(len(fast))
    margin = 2 * (drift_margin(fast.shape[1]) if margin_rms is None else margin_rms) * math.sqrt(count)
    root = math.sqrt(sse_limit)
    widened = math.ceil((root + margin) ** 2) + 1
    proposed = find_matches(
        fast, widened, rotate, partitions, priority, rows_per_block, progress, cancel, threads, stats
    )
    distance = np.sqrt(proposed.sse.astype(np.float64))
    sure = (distance - margin > 1e-6 * margin) & ((distance + margin) * (1 + 1e-9) < root)
    started = time.perf_counter()
    checked = np.unique(np.concatenate([proposed.first[~sure], proposed.second[~sure]]))
    parts = [proposed.select(sure)]
    drift = np.zeros(0)
    full = fast[:0]
    if len(checked):
        full = full_tensors(checked)
        drift = _drift(fast, checked, full)

        def checking(_phase: str, done: int, total: int) -> None:
            progress("verifying", done, total)

        exact = find_matches(
            full,
            sse_limit,
            rotate,
            _subset(partitions, checked),
            priority[checked],
            rows_per_block,
            checking,
            cancel,
            threads,
        )
        both = np.isin(parts[0].first, checked) & np.isin(parts[0].second, checked)
        parts = [
            parts[0].select(~both),
            Matches(checked[exact.first], checked[exact.second], exact.sse, exact.quarter_turns),
        ]
    bound = margin / 2 / math.sqrt(count)
    over = int((drift > bound).sum())
    if over:
        log.warning(
            "%d images differ more between the fast and the full decode than the margin assumes "
            "(largest RMS %.2f, margin %.2f); pairs with images not fully decoded may be missed.",
            over,
            float(drift.max()),
            bound,
        )
    return Verdicts(
        Matches.concatenate(parts),
        len(proposed),
        len(parts[0]),
        checked,
        full,
        float(drift.max()) if len(drift) else 0.0,
        over,
        time.perf_counter() - started,
    )
