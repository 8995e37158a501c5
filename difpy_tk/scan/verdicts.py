"""Verdicts on the reference tensors, found through the fast ones.

The reference tensor of an image is its FULL decode (every pixel, then bicubic to
px × px); the FAST decode (JPEG DCT scaling) is about four times as quick but drifts
from it. For one image let d be the RMS distance between the tensor searched and its
full tensor: 0 when the first pass already decoded it in full (every format but JPEG,
a small JPEG, an image whose full tensor the cache holds), else at most D, a bound
measured on real images (DRIFT_RMS). The square root of an MSE is an RMS distance, so
by the triangle inequality, for every pose (turn, mirror image),

    | sqrt(mse_full(a, b)) - sqrt(mse_searched(a, b)) |  <=  d(a) + d(b)  =: M

Hence:
1. the searched tensors are searched with each pair's limit widened by its M (two full
   tensors: not at all): no pair whose full MSE is within the threshold is left out;
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
full is measured, and one larger than D widens the margin and repeats the search
(decide)."""

from __future__ import annotations

import dataclasses
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

DRIFT_RMS = {10: 3.6, 50: 4.7, 100: 5.1}
"""D, by px_size: a bound on the RMS distance between one image's FAST and FULL tensors.
Measured with difpy_tk's own decoder (docs/benchmarks.md; `bench.py` prints it with its
brute-force check), largest drift among the JPEGs the fast decode scaled: on the 2,334
real-photo crops of the 2k corpus and the 10,069 of the 10k corpus, px 10 1.76 and 1.88,
px 50 2.23 and 2.19, px 100 1.44 and 2.08 (medians 0.36, 0.45, 0.42); on halftone print
screens (dots of period 3 to 7 pixels, quality 75 to 95, which alias in a scaled
decode) up to 1.96, 2.90 and 2.59; on screenshots of text saved as JPEG (800 × 600 to
1920 × 1080, type 8 to 20 pixels, quality 75 to 95, light and dark, 4:4:4 and 4:2:0),
whose thin strokes alias the most, up to 2.93, 3.88 and 4.24. D keeps at least 20 % room
above all of them. Regular patterns made to alias go further (stripes 5 pixels apart:
21; a photo behind blinds 9 pixels apart at half contrast: 6.0 at px 50; heavy
per-pixel noise, ±120 levels on every pixel: 5.0); when an image decoded in full
shows it, the margin is widened for that search (MARGIN_GROWTH), but an image that is
in no proposed pair is never decoded in full, so a copy of such a pattern can be missed
(SearchOptions.thorough decodes every image in full). A px_size between two measured
ones uses the larger of their bounds; above the largest, the fast decode is not used
(tensors.FAST_DECODE_MAX_PX)."""
DRIFT_CHUNK = 256
MARGIN_GROWTH = 1.5
"""When an image decoded in full drifted more than D, the search is repeated with this
many times the largest drift seen as the margin."""


def drift_margin(px_size: int) -> float:
    """D for px_size: measured, or between two measured sizes the larger of their bounds
    (drift grows with px_size, a text screenshot's most); below the smallest, its bound.
    Above the largest no tensor is a fast one (tensors.FAST_DECODE_MAX_PX)."""
    lower = max([size for size in DRIFT_RMS if size <= px_size], default=min(DRIFT_RMS))
    upper = min([size for size in DRIFT_RMS if size >= px_size], default=max(DRIFT_RMS))
    return max(DRIFT_RMS[lower], DRIFT_RMS[upper])


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
    """Images decoded in full whose drift exceeded the margin assumed (logged; the margin
    was then widened and the search repeated: margin_rms)."""
    checking_seconds: float
    margin_rms: float
    """The margin D the verdicts finally rest on."""


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
    poses: Sequence[int],
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
    in some allowed pose, as find_matches would return it on the full tensors (see the
    module docstring for the pairs decided otherwise). is_full marks the searched
    tensors that already are full ones (none by default); margin_rms overrides D.

    An image decoded in full that drifted more than the margin (a picture unlike the
    measured ones: heavy per-pixel noise, a print screen) means pairs of other such
    images may have been left out: the search is then repeated with MARGIN_GROWTH times
    the largest drift seen, the images decoded so far searched with their full tensors."""
    if partitions is None:
        partitions = [np.arange(len(searched))]
    rules = _Rules(
        sse_limit,
        tuple(poses),
        [np.asarray(part, dtype=np.int64) for part in partitions],
        np.arange(len(searched)) if priority is None else priority,
        rows_per_block,
        progress,
        cancel,
        threads,
    )
    is_full = np.zeros(len(searched), dtype=bool) if is_full is None else is_full
    bound = drift_margin(searched.shape[1]) if margin_rms is None else margin_rms
    decoded = drift_max = over = 0
    seconds = 0.0
    earlier = np.zeros(0, dtype=np.int64)
    while True:
        verdicts, indices, full = _decide_once(searched, full_tensors, rules, stats, bound, is_full)
        drifts = _drift(searched[indices], full)
        decoded += len(indices)
        seconds += verdicts.checking_seconds
        drift_max = max(drift_max, float(drifts.max()) if len(drifts) else 0.0)
        if not len(drifts) or drifts.max() <= bound:
            checked, full = _with_earlier(verdicts, earlier, searched)
            return dataclasses.replace(
                verdicts,
                checked=checked,
                full=full,
                decoded=decoded,
                drift_max=drift_max,
                drift_over=over,
                checking_seconds=seconds,
            )
        over += int((drifts > bound).sum())
        wider = MARGIN_GROWTH * float(drifts.max())
        log.warning(
            "%d images look more different at a quick look than at their full reading than the margin "
            "allows for (largest RMS %.2f, margin %.2f): searching again with margin %.2f, so no match is missed.",
            int((drifts > bound).sum()),
            float(drifts.max()),
            bound,
            wider,
        )
        searched = searched.copy()
        searched[indices] = full
        is_full = is_full.copy()
        is_full[indices] = True
        earlier = np.union1d(earlier, indices)
        bound, stats = wider, None


def _with_earlier(verdicts: Verdicts, earlier: np.ndarray, searched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The checked images and their full tensors, with those decoded in full by earlier
    rounds (searched already holds their full tensors)."""
    if not len(earlier):
        return verdicts.checked, verdicts.full
    checked = np.union1d(verdicts.checked, earlier)
    full = searched[checked]
    full[np.searchsorted(checked, verdicts.checked)] = verdicts.full
    return checked, full


@dataclass(frozen=True)
class _Rules:
    """What a search is asked, unchanged when it is repeated with a wider margin."""

    sse_limit: int
    poses: tuple[int, ...]
    partitions: list[np.ndarray]
    priority: np.ndarray
    rows_per_block: int
    progress: ProgressCallback
    cancel: CancelToken | None
    threads: int


def _decide_once(
    searched: np.ndarray,
    full_tensors: FullTensors,
    rules: _Rules,
    stats: TensorStats | None,
    bound: float,
    is_full: np.ndarray,
) -> tuple[Verdicts, np.ndarray, np.ndarray]:
    """The verdicts with one margin, the images it decoded in full and their tensors."""
    count = int(np.prod(searched.shape[1:]))
    drift = np.where(is_full, 0.0, bound * math.sqrt(count))
    root = math.sqrt(rules.sse_limit)
    proposed = find_matches(
        searched,
        rules.sse_limit,
        rules.poses,
        rules.partitions,
        rules.priority,
        rules.rows_per_block,
        rules.progress,
        rules.cancel,
        rules.threads,
        stats,
        drift,
    )
    distance = np.sqrt(proposed.sse.astype(np.float64))
    margin = drift[proposed.first] + drift[proposed.second]
    settled = margin == 0
    within = settled & (proposed.sse <= rules.sse_limit)
    # Tolerances only ever send a pair to the full decode, never decide one.
    slack = 1e-6 * margin + 1e-9 * root
    sure = ~settled & (distance - margin > slack) & (distance + margin + slack < root)
    beyond = ~settled & (distance - margin > root + slack)
    open_pairs = ~(settled | sure | beyond)
    started = time.perf_counter()
    checked = np.unique(np.concatenate([proposed.first[open_pairs], proposed.second[open_pairs]]))
    # pairs between two checked images are decided again, exactly, on their full tensors
    rechecked = np.isin(proposed.first, checked) & np.isin(proposed.second, checked)
    parts = [proposed.select((within | sure) & ~rechecked)]
    full = searched[checked]
    needed = np.flatnonzero(~is_full[checked])
    if len(checked):
        if len(needed):
            full = full.copy()
            full[needed] = full_tensors(checked[needed])

        def checking(_phase: str, done: int, total: int) -> None:
            rules.progress("verifying", done, total)

        exact = find_matches(
            full,
            rules.sse_limit,
            rules.poses,
            _subset(rules.partitions, checked),
            rules.priority[checked],
            rules.rows_per_block,
            checking,
            rules.cancel,
            rules.threads,
        )
        parts.append(Matches(checked[exact.first], checked[exact.second], exact.sse, exact.poses))
    verdicts = Verdicts(
        Matches.concatenate(parts),
        len(proposed),
        int((sure & ~rechecked).sum()),
        checked,
        full,
        len(needed),
        0.0,
        0,
        time.perf_counter() - started,
        bound,
    )
    return verdicts, checked[needed], full[needed]
