"""Full-decode (reference) tensors for the few images whose verdicts need them.

Each comes from the cache when the file is unchanged, else from a byte-identical file
(found by a content hash, computed only for files whose sizes collide, so a copy is not
decoded twice), else from a FULL decode in the process pool; new tensors go into the
cache, so a rescan decodes nothing. A file whose full decode fails keeps its fast tensor
(logged): its verdicts are then as good as the fast decode's."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from difpy_tk.scan.cache import TensorCache
from difpy_tk.scan.decoding import WorkerPool, decode_files
from difpy_tk.scan.discovery import FileStamp
from difpy_tk.scan.progress import CancelToken, ProgressCallback, no_progress
from difpy_tk.scan.tensors import Decoded, decoder_version

log = logging.getLogger("difpy_tk")

HASH_BLOCK = 1 << 20


def content_digest(path: str) -> bytes | None:
    """blake2b of the file's bytes; None when it cannot be read (it is decoded instead)."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as stream:
            while block := stream.read(HASH_BLOCK):
                digest.update(block)
    except OSError:
        return None
    return digest.digest()


def byte_twins(paths: list[str], sizes: list[int]) -> dict[int, int]:
    """{i: j} for every file i whose bytes equal those of an earlier file j (j < i);
    only files whose sizes collide are read."""
    by_size: dict[int, list[int]] = defaultdict(list)
    for index, size in enumerate(sizes):
        by_size[size].append(index)
    twins: dict[int, int] = {}
    for indices in by_size.values():
        if len(indices) < 2:
            continue
        first_of: dict[bytes, int] = {}
        for index in indices:
            digest = content_digest(paths[index])
            if digest is None:
                continue
            twins[index] = first_of.setdefault(digest, index)
    return {index: twin for index, twin in twins.items() if twin != index}


@dataclass
class FullDecoder:
    """Callable for difpy_tk.scan.verdicts.decide: indices in, full tensors out.

    paths, stats (FileStamps) and fast (the fast tensors, the fallback) are indexed
    like the fast tensors; the counters say where the tensors came from."""

    paths: list[str]
    stats: list[FileStamp]
    fast: np.ndarray
    px_size: int
    workers: WorkerPool
    """The search's decoder processes, already warm from its fast decode."""
    cache_path: str | None
    use_cache: bool = True
    progress: ProgressCallback = no_progress
    cancel: CancelToken | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"cached": 0, "decoded": 0, "twins": 0, "failed": 0})

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        paths = [self.paths[i] for i in indices.tolist()]
        stats = [self.stats[i] for i in indices.tolist()]
        out = self.fast[indices].copy()
        outcomes: dict[int, Decoded] = {}
        missing: list[int] = []
        cache = TensorCache(self.cache_path, self.px_size, decoder_version(exact=True)) if self.use_cache else None
        try:
            found = cache.lookup(paths, stats) if cache is not None else {}
            outcomes.update(found)
            self.counts["cached"] += len(found)
            missing = [i for i in range(len(paths)) if i not in found]
            twins = byte_twins([paths[i] for i in missing], [stats[i][0] for i in missing])
            todo = [missing[k] for k in range(len(missing)) if k not in twins]
            self.progress("verifying", 0, len(todo))

            def on_result(position: int, outcome: Decoded) -> None:
                outcomes[todo[position]] = outcome

            def on_progress(_phase: str, done: int, total: int) -> None:
                self.progress("verifying", done, total)

            decode_files(
                [paths[i] for i in todo],
                self.px_size,
                self.workers.processes,
                on_result,
                on_progress,
                self.cancel,
                exact=True,
                workers=self.workers,
            )
            for k, first in twins.items():
                outcomes[missing[k]] = outcomes[missing[first]]
            self.counts["decoded"] += len(todo)
            self.counts["twins"] += len(twins)
        finally:
            if cache is not None:
                # Also after a cancel: what was decoded is whole and spares the next scan.
                cache.store((paths[i], *stats[i], outcomes[i]) for i in missing if i in outcomes)
                cache.close()
        for i, outcome in outcomes.items():
            if outcome.tensor is None:
                self.counts["failed"] += 1
                log.warning(
                    "%s could not be read in full (%s): its quick look decides its matches.", paths[i], outcome.reason
                )
            else:
                out[i] = outcome.tensor
        return out
