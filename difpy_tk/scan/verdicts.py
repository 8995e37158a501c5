"""Verdicts on the reference tensors, found through the fast ones.

The reference tensor of an image is its FULL decode (every pixel, then bicubic to
px × px); the FAST decode (JPEG DCT scaling) is about three times as quick but drifts
from it. For one image let d be the RMS distance between the tensor searched and its
full tensor: 0 when the first pass already decoded it in full (every format but JPEG,
a small JPEG, an image whose full tensor the cache holds), else at most D, a bound
measured on real images (DRIFT_RMS). The square root of an MSE is an RMS distance, so
by the triangle inequality, for every rotation,

    | sqrt(mse_full(a, b)) - sqrt(mse_searched(a, b)) |  <=  d(a) + d(b)  =: M

Hence:
1. the searched tensors are searched with the limit widened by 2 D: no pair whose full
   MSE is within the threshold is left out;
2. a pair with M = 0 is decided as it stands (both tensors are the full ones); a pair
   more than M (in RMS) beyond the threshold is no match;
3. a pair more than M inside the threshold and more than M above 0 is a match whatever
   the full decode says, and not identical: it is decided on the searched tensors
   (only possible for thresholds above (2 M)²);
4. every other pair, so every pair near the threshold and every pair that may be
   identical, is decided exactly on the full tensors of its two images; only those
   not yet decoded in full are decoded (the caller decodes them, or reads the cache).
The full search among those images is the same exact search as the first one, so it
also finds any pair the margin missed among them; the drift of every image decoded in
full is measured and one larger than D is logged."""

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

DRIFT_RMS = {10: 3.0, 50: 2.0, 100: 1.5}
"""D, by px_size: a bound on the RMS distance between one image's FAST and FULL tensors.
Measured with difpy_tk's own decoder (docs/benchmarks.md; `bench.py` prints it with its
brute-force check), largest drift among the JPEGs the fast decode scaled, on the 2,334
real-photo crops of the 2k corpus and the 10,069 of the 10k corpus: px 10 1.76 and 1.88,
px 50 1.06 and 1.16, px 100 0.93 and 0.93 (medians 0.36, 0.36, 0.35; 99th percentiles
0.91, 0.77, 0.74). D is 1.6 to 1.7 times the largest seen, rounded up to a half. The drift
falls as px_size grows relative to the scaled image, so a px_size between two measured
ones uses the bound of the smaller."""
DRIFT_CHUNK = 256


def drift_margin(px_size: int) -> float:
    """D for px_size: the bound measured at the largest measured size <= px_size."""
    return DRIFT_RMS[max([size for size in DRIFT_RMS if size <= px_size], default=min(DRIFT_RMS))]


FullTensors = Callable[[np.ndarray], np.ndarray]
"""Given sorted indices into the fast tensors, their full-decode tensors (same order)."""


@dataclass(frozen=True)
class Verdicts:
    """The matching pairs (indices into the searched tensors) and how they were decided."""

    matches: Matches
    proposed: int
    """Pairs the searched tensors proposed within the widened limit."""
    decided_fast: int
    """Pairs far inside the threshold, decided (and their MSE given) by fast tensors."""
    checked: np.ndarray
    """Indices of the images whose full tensors decided the other pairs."""
    full: np.ndarray
    """Their full tensors, in the same order."""
    decoded: int
    """How many of them had to be decoded in full (the others already were)."""
    drift_max: float
    """The largest fast-to-full RMS drift among the images decoded in full."""
    drift_over: int
    """Images decoded in full whose drift exceeds the margin used (logged; expected 0)."""
    checking_seconds: float


def _drift(fast: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Per image, the RMS distance between its fast and full tensors."""
    out = np.empty(len(fast))
    for start in range(0, len(fast), DRIFT_CHUNK):
        a = fast[start : start + DRIFT_CHUNK].astype(np.int32)
        a -= full[start : start + DRIFT_CHUNK]
        a = a.reshape(len(a), -1)
        out[start : start + DRIFT_CHUNK] = np.sqrt(np.einsum("ij,ij->i", a, a) / a.shape[1])
    return out


def _subset(partitions: Sequence[np.ndarray], checked: np.ndarray) -> list[np.ndarray]:
    """The partitions restricted to checked, as positions into checked."""
    return [np.searchsorted(checked, part[np.isin(part, checked)]) for part in partitions]


def decide(
    searched: np.ndarray,
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
    is_full: np.ndarray | None = None,
) -> Verdicts:
    """Every pair (within each partition) whose FULL-decode tensors are within sse_limit
    in some allowed turn, as find_matches would return it on the full tensors (see the
    module docstring for the pairs decided otherwise). is_full marks the searched
    tensors that already are full ones (none by default); margin_rms overrides D."""
    count = int(np.prod(searched.shape[1:]))
    if partitions is None:
        partitions = [np.arange(len(searched))]
    partitions = [np.asarray(part, dtype=np.int64) for part in partitions]
    if priority is None:
        priority = np.arange(len(searched))
    if is_full is None:
        is_full = np.zeros(len(searched), dtype=bool)
    bound = drift_margin(searched.shape[1]) if margin_rms is None else margin_rms
    drift = np.where(is_full, 0.0, bound * math.sqrt(count))
    root = math.sqrt(sse_limit)
    widest = float(np.sort(drift)[-2:].sum()) if len(drift) > 1 else 0.0
    widened = math.ceil((root + widest) ** 2) + 1 if widest else sse_limit
    proposed = find_matches(
        searched, widened, rotate, partitions, priority, rows_per_block, progress, cancel, threads, stats
    )
    distance = np.sqrt(proposed.sse.astype(np.float64))
    margin = drift[proposed.first] + drift[proposed.second]
    settled = margin == 0
    within = np.where(settled, proposed.sse <= sse_limit, False)
    # Tolerances only ever send a pair to the full decode, never decide one.
    slack = 1e-6 * margin + 1e-9 * root
    sure = ~settled & (distance - margin > slack) & (distance + margin + slack < root)
    beyond = ~settled & (distance - margin > root + slack)
    open_pairs = ~(settled | sure | beyond)
    started = time.perf_counter()
    checked = np.unique(np.concatenate([proposed.first[open_pairs], proposed.second[open_pairs]]))
    parts = [proposed.select(within | sure)]
    full = searched[checked]
    needed = np.flatnonzero(~is_full[checked])
    drifts = np.zeros(0)
    if len(checked):
        if len(needed):
            full = full.copy()
            full[needed] = full_tensors(checked[needed])
            drifts = _drift(searched[checked[needed]], full[needed])

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
    over = int((drifts > bound).sum())
    if over:
        log.warning(
            "%d images differ more between the fast and the full decode than the margin assumes "
            "(largest RMS %.2f, margin %.2f); pairs with images not fully decoded may be missed.",
            over,
            float(drifts.max()),
            bound,
        )
    return Verdicts(
        Matches.concatenate(parts),
        len(proposed),
        int(sure.sum()),
        checked,
        full,
        len(needed),
        float(drifts.max()) if len(drifts) else 0.0,
        over,
        time.perf_counter() - started,
    )
