"""One search from inputs to groups: list, decode (cache first), search, group.

The engine is blocking and GUI-agnostic: the app runs it in a worker thread, feeds it
a CancelToken, and receives progress through a callback it forwards to the Tk thread."""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from difpy_tk import __version__
from difpy_tk.humanize import plural
from difpy_tk.scan.cache import TensorCache
from difpy_tk.scan.decoding import WorkerPool, decode_files
from difpy_tk.scan.discovery import Listing, list_images
from difpy_tk.scan.features import GRID, LOW_DETAIL_STD, TensorStats, details, moments
from difpy_tk.scan.frames import frame_count, may_hold_pages
from difpy_tk.scan.full_decode import FullDecoder, content_digest
from difpy_tk.scan.grouping import build_groups
from difpy_tk.scan.memory import check_tensor_memory
from difpy_tk.scan.options import OptionError, SearchOptions
from difpy_tk.scan.progress import CancelToken, ProgressCallback, no_progress
from difpy_tk.scan.result import FileRecord, Group, Problem, SearchResult, Verification, now_iso, quality_key
from difpy_tk.scan.search import Matches
from difpy_tk.scan.tensors import Decoded, decoder_version
from difpy_tk.scan.verdicts import Verdicts, decide

log = logging.getLogger("difpy_tk")

CACHE_FLUSH_ROWS = 1024
"""Decoded images are written to the cache in transactions of this many rows, so memory
does not hold a second copy of every tensor until the end, and an interrupted search
keeps what it decoded."""


class _Decoded:
    """Tensors, statistics and records of the files that decoded, collected as outcomes
    arrive (from the cache or the workers)."""

    def __init__(self, listing: Listing, px_size: int) -> None:
        count = len(listing.files)
        self.listing = listing
        self.tensors = np.empty((count, px_size, px_size, 3), dtype=np.uint8)
        self.totals = np.zeros(count, dtype=np.int64)
        self.squared = np.zeros(count, dtype=np.int64)
        self.sums = np.zeros((count, GRID, GRID, 3), dtype=np.int32)
        self.is_full = np.zeros(count, dtype=bool)
        self.dims: dict[int, tuple[int, int]] = {}
        self.invalid: dict[int, str] = {}

    def accept(self, index: int, outcome: Decoded) -> None:
        if outcome.tensor is None:
            self.invalid[index] = outcome.reason
        else:
            self.tensors[index] = outcome.tensor
            self.totals[index] = outcome.total
            self.squared[index] = outcome.squared
            self.sums[index] = outcome.sums
            self.is_full[index] = outcome.is_full
            self.dims[index] = (outcome.width, outcome.height)

    def stats(self, valid: list[int], px_size: int) -> TensorStats:
        return TensorStats.from_parts(self.totals[valid], self.squared[valid], self.sums[valid], px_size)


def _decode(
    listing: Listing,
    options: SearchOptions,
    cache_path: str | None,
    progress: ProgressCallback,
    cancel: CancelToken | None,
    workers: WorkerPool,
) -> tuple[_Decoded, int]:
    decoded = _Decoded(listing, options.px_size)
    first_pass = decoder_version(exact=options.thorough)  # thorough: only full tensors, cached or made
    cache = (
        TensorCache(cache_path, options.px_size, first_pass, full_decoder=decoder_version(exact=True))
        if options.use_cache
        else None
    )
    pending: list[tuple[str, int, int, Decoded]] = []
    try:
        cached = cache.lookup(listing.files, listing.stats) if cache else {}
        for index, entry in cached.items():
            decoded.accept(index, entry)
        missing = [i for i in range(len(listing.files)) if i not in cached]
        log.info(
            "Reading %s: %d remembered from earlier searches (the cache), %d to open now.",
            plural(len(listing.files), "image"),
            len(cached),
            len(missing),
        )
        progress("decoding", len(cached), len(listing.files))

        def on_result(position: int, outcome: Decoded) -> None:
            index = missing[position]
            decoded.accept(index, outcome)
            if cache is not None:
                pending.append((listing.files[index], *listing.stats[index], outcome))
                if len(pending) >= CACHE_FLUSH_ROWS:
                    cache.store(pending)
                    pending.clear()

        def on_progress(phase: str, done: int, total: int) -> None:
            progress(phase, len(cached) + done, len(listing.files))

        decode_files(
            [listing.files[i] for i in missing],
            options.px_size,
            options.processes,
            on_result,
            on_progress,
            cancel,
            exact=options.thorough,
            workers=workers,
        )
        if cache is not None:  # the listing was complete: rows of files not in it are stale
            cache.forget_missing(listing.inputs, options.recursive, listing.files,
                                 [problem.path for problem in listing.skipped])
    finally:
        if cache is not None:
            # Also after a cancel: the images decoded so far are whole, and keeping
            # them means the next search starts where this one stopped.
            cache.store(pending)
            cache.close()
    return decoded, len(cached)


def _records(listing: Listing, decoded: _Decoded, valid: list[int]) -> list[FileRecord]:
    records = []
    for index in valid:
        size, mtime_ns, ctime_ns = listing.stats[index]
        width, height = decoded.dims[index]
        records.append(
            FileRecord(
                listing.files[index], size, mtime_ns, width, height, ctime_ns=ctime_ns, inode=listing.inodes[index]
            )
        )
    return records


def _partitions(listing: Listing, decoded: _Decoded, valid: list[int], options: SearchOptions) -> list[np.ndarray]:
    """Positions in valid that may be compared with each other: the same input folder
    (in-folder mode) and/or the same width × height in either orientation (same_dim)."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for position, index in enumerate(valid):
        root = listing.roots[index] if options.in_folder else ""
        dims = tuple(sorted(decoded.dims[index])) if options.same_dim else ()
        buckets[(root, dims)].append(position)
    return [np.array(members) for _, members in sorted(buckets.items()) if len(members) > 1]


def _priority(records: list[FileRecord]) -> np.ndarray:
    """Each record's rank by quality_key (0 = the image to keep first)."""
    ranking = sorted(range(len(records)), key=lambda i: quality_key(records[i]))
    priority = np.empty(len(records), dtype=np.int64)
    priority[ranking] = np.arange(len(records))
    return priority


@dataclass(frozen=True)
class Scan:
    """A search before grouping: the searched files and every matching pair among them
    (indices into records), decided as difpy_tk.scan.verdicts says."""

    listing: Listing
    records: list[FileRecord]
    matches: Matches
    low_detail: np.ndarray
    """Per record: near-flat (features.LOW_DETAIL_STD); computed for matched images only."""
    verification: Verification
    invalid: list[Problem]
    timings: dict[str, float]
    cache_hits: int
    started: str
    folders: list[str] | None


def scan_pairs(
    options: SearchOptions,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache_path: str | None = None,
) -> Scan:
    """List, decode, and find every matching pair (run_search without the grouping)."""
    progress = progress or no_progress
    if options.in_folder and len(options.inputs) < 2:
        raise OptionError("in_folder", "searching each folder on its own needs at least two folders")
    started = now_iso()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    log.info("Search started: %s", ", ".join(options.inputs))
    progress("listing", 0, 0)
    listing = list_images(options.inputs, options.recursive, cancel, options.exclude)
    timings["listing"] = time.perf_counter() - clock
    check_tensor_memory(len(listing.files), options.px_size)
    log.info(
        "%s found, %s skipped.",
        plural(len(listing.files), "image file"),
        plural(len(listing.skipped), "other entry", "other entries"),
    )

    with WorkerPool(options.processes) as workers:
        clock = time.perf_counter()
        decoded, cache_hits = _decode(listing, options, cache_path, progress, cancel, workers)
        timings["decoding"] = time.perf_counter() - clock

        clock = time.perf_counter()
        valid = sorted(decoded.dims)
        records = _records(listing, decoded, valid)
        # Index only when some files failed: a copy of 100,000 tensors is 750 MB.
        tensors = decoded.tensors if len(valid) == len(listing.files) else decoded.tensors[valid]
        del decoded.tensors
        full = FullDecoder(
            [listing.files[i] for i in valid],
            [listing.stats[i] for i in valid],
            tensors,
            options.px_size,
            workers,
            cache_path,
            options.use_cache,
            progress,
            cancel,
        )
        verdicts = decide(
            tensors,
            options.sse_limit,
            options.poses,
            full,
            _partitions(listing, decoded, valid, options),
            _priority(records),
            options.effective_chunksize(),
            progress,
            cancel,
            threads=options.processes,
            stats=decoded.stats(valid, options.px_size),
            is_full=decoded.is_full[valid],
        )
    timings["searching"] = time.perf_counter() - clock - verdicts.checking_seconds
    timings["verifying"] = verdicts.checking_seconds
    clock = time.perf_counter()
    records = _with_frame_counts(records, verdicts.matches, progress, cancel)
    timings["counting pages"] = time.perf_counter() - clock
    invalid = [Problem(listing.files[i], reason) for i, reason in sorted(decoded.invalid.items())]
    for problem in invalid:
        log.warning("Invalid image %s: %s", problem.path, problem.reason)
    return Scan(
        listing,
        records,
        verdicts.matches,
        _low_detail(decoded, valid, verdicts, options.px_size),
        _verification(verdicts, full.counts, int(decoded.is_full[valid].sum())),
        invalid,
        timings,
        cache_hits,
        started,
        [listing.roots[index] for index in valid] if options.in_folder else None,
    )


def _with_frame_counts(
    records: list[FileRecord], matches: Matches, progress: ProgressCallback, cancel: CancelToken | None
) -> list[FileRecord]:
    """The records with the frame counts of the matched images (scan.frames). Reported as
    the start of grouping: a folder of large animated GIFs takes a while to count."""
    out = list(records)
    matched = np.unique(np.concatenate([matches.first, matches.second])).tolist()
    for done, index in enumerate(matched):
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress("grouping", done, len(matched))
        frames = frame_count(records[index].path)
        if may_hold_pages(frames):
            out[index] = replace(records[index], frames=frames)
    return out


def _low_detail(decoded: _Decoded, valid: list[int], verdicts: Verdicts, px_size: int) -> np.ndarray:
    """Near-flat flags of the matched images (features.LOW_DETAIL_STD), on their full
    tensors where decoded. From the moments the decode (or the cache) gave, except for
    the images the verdicts decoded in full, whose moments are still the fast tensor's."""
    squared = decoded.squared[valid]
    channel_sums = decoded.sums[valid].sum(axis=(1, 2), dtype=np.int64)
    redecoded = ~decoded.is_full[valid][verdicts.checked]
    squared[verdicts.checked[redecoded]], channel_sums[verdicts.checked[redecoded]] = moments(
        verdicts.full[redecoded]
    )
    flags = np.zeros(len(valid), dtype=bool)
    matched = np.unique(np.concatenate([verdicts.matches.first, verdicts.matches.second]))
    flags[matched] = details(squared[matched], channel_sums[matched], px_size) < LOW_DETAIL_STD
    return flags


def run_search(
    options: SearchOptions,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    cache_path: str | None = None,
    not_duplicates: Callable[[str, str], bool] | None = None,
) -> SearchResult:
    """Search for duplicate/similar images. Blocking; raises Cancelled when cancelled,
    OptionError or FileNotFoundError when the inputs cannot be searched.

    not_duplicates(a, b) says the user declared two images different (the review's
    not-a-duplicate list, `difpy_tk.review.ignore_list.load_index().ignored`): such pairs
    are dropped before groups are formed. The caller passes it, so the scan never reads
    a file the review writes and the CLI sees the same list as the app."""
    progress = progress or no_progress
    scan = scan_pairs(options, progress, cancel, cache_path)
    records, matches, timings = scan.records, scan.matches, scan.timings
    clock = time.perf_counter()
    progress("grouping", 0, 1)
    if not_duplicates is not None:
        matches = _without_declared(matches, records, not_duplicates)
    groups, chained = build_groups(
        records, matches, options.px_size * options.px_size * 3, scan.folders, scan.low_detail
    )
    files = {record.path: record for record in records}
    groups = [_unflag_byte_copies(group, files) if group.low_detail else group for group in groups]
    progress("grouping", 1, 1)
    timings["grouping"] = time.perf_counter() - clock

    valid_paths = {record.path for record in records}
    result = SearchResult(
        parameters=_parameters(options),
        files=files,
        groups=groups,
        chained=chained,
        verification=scan.verification,
        invalid=scan.invalid,
        skipped=scan.listing.skipped,
        timings=timings,
        started=scan.started,
        finished=now_iso(),
        cache_hits=scan.cache_hits,
        links={path: tuple(names) for path, names in scan.listing.links.items() if path in valid_paths},
    )
    log.info(
        "Search finished: %s, %d duplicate and %s among %s.",
        plural(len(result.groups), "group"),
        result.duplicate_count,
        plural(result.similar_count, "similar match", "similar matches"),
        plural(len(records), "image"),
    )
    return result


def _verification(verdicts: Verdicts, counts: dict[str, int], already_full: int) -> Verification:
    verification = Verification(
        margin_rms=verdicts.margin_rms,
        already_full=already_full,
        proposed=verdicts.proposed,
        decided_fast=verdicts.decided_fast,
        checked=len(verdicts.checked),
        full_decoded=counts["decoded"],
        full_cached=counts["cached"],
        byte_twins=counts["twins"],
        full_failed=counts["failed"],
        drift_max=verdicts.drift_max,
        drift_over_margin=verdicts.drift_over,
    )
    log.info("%s", verification.summary())
    return verification


def _unflag_byte_copies(group: Group, files: dict[str, FileRecord]) -> Group:
    """A low-detail group whose members are all byte-for-byte copies of its kept image is
    no such group: they are copies whatever they show (a new user's blank-page copies
    were left out of every clean-up). Only these few groups' files are read."""
    if len({files[path].size for path in group.paths}) != 1:
        return group
    digests = {content_digest(path) for path in group.paths}
    return replace(group, low_detail=False) if len(digests) == 1 and None not in digests else group


def _without_declared(matches: Matches, records: list[FileRecord], different: Callable[[str, str], bool]) -> Matches:
    """matches without the pairs the user declared different."""
    pairs = zip(matches.first.tolist(), matches.second.tolist())
    keep = np.array([not different(records[a].path, records[b].path) for a, b in pairs], dtype=bool)
    if keep.all():
        return matches
    log.info("Hid %d matching pairs the user marked as not duplicates.", int((~keep).sum()))
    return matches.select(keep)


def _parameters(options: SearchOptions) -> dict:
    return {
        "directory": list(options.inputs),
        "directory_resolved": [os.path.abspath(os.path.expanduser(path)) for path in options.inputs],
        "recursive": options.recursive,
        "exclude": list(options.exclude),
        "in_folder": options.in_folder,
        "limit_extensions": True,
        "px_size": options.px_size,
        "similarity": options.similarity,
        "similarity_mse": options.threshold,
        "rotate": options.rotate,
        "mirror": options.mirror,
        "same_dim": options.same_dim,
        "processes": options.processes,
        "chunksize": options.chunksize,
        "use_cache": options.use_cache,
        "thorough": options.thorough,
        "version": __version__,
        "decoder": decoder_version(exact=options.thorough),
    }
