"""Decoding every listed file into a tensor, in a spawn-context process pool.

Workers run difpy_tk.scan.tensors.decode_batch. A worker that dies (a decoder crash
takes the whole process down) breaks the pool; the batches it was running are then
retried one file at a time, each alone in a fresh pool, so only the file that crashes
the decoder is lost and the scan goes on.

One search keeps one WorkerPool for all its decodes (the fast decode of every file, then
each round of full decodes): a spawned worker takes about a third of a second to start
(it imports numpy and Pillow), which a pool per phase paid again for every round.

Workers never outlive their purpose: a cancelled or failed decode terminates them at
once (a worker in the middle of a 50-megapixel decode would otherwise go on for
seconds), idle ones exit when the search closes its pool, and each worker watches its
parent and exits when the parent dies, so a killed app leaves no decoders (nor, once
they are gone, a resource tracker) behind."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as wait_ready
from multiprocessing.synchronize import Event as EventType

from difpy_tk.scan.progress import CancelToken, ProgressCallback, no_progress
from difpy_tk.scan.tensors import Decoded, decode_batch

log = logging.getLogger("difpy_tk")

BATCH_SIZE = 8
"""Files per worker task: small enough that cancel is prompt, big enough to amortise IPC."""
POLL_SECONDS = 0.1
CRASH_REASON = "the image decoder crashed on this file"
ORPHAN_EXIT_CODE = 70
"""A worker's exit status when it ended because its parent process died."""

Task = Callable[[list[str], int, bool], list[Decoded]]


def _exit_with_parent() -> None:
    """Runs in each worker before its first task (the pool's initializer): a daemon thread
    waits on the parent's sentinel, which becomes ready when the parent process ends by
    any means, SIGKILL included, and then ends the worker."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait_ready([parent.sentinel])
        os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="difpy_tk-parent-watchdog", daemon=True).start()


class WorkersCannotStart(RuntimeError):
    """No decoder process got as far as its first task; the message says why, plainly."""


NO_MAIN_GUARD = (
    "the image decoder processes could not start. A script that calls difpy_tk must make "
    'the call inside  if __name__ == "__main__":  because each decoder process starts by '
    "running the script again from the top (Python's spawn start method), and without "
    "the guard that second run tries to start a search of its own."
)


def _start_worker(started: EventType) -> None:
    """The pool's initializer: tells the parent a worker came up (the failure this rules
    out happens before, while a spawned worker re-imports the main script), then keeps
    the parent watchdog."""
    started.set()
    _exit_with_parent()


def _new_pool(processes: int, started: EventType) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_start_worker, initargs=(started,)
    )


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down and terminate its workers now, without letting them finish
    their batch. Python 3.14 has terminate_workers(); before it the worker processes
    are only reachable through the executor's _processes."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=1.0)


def _main_is_a_script() -> bool:
    """True when spawned workers re-run a script file (not the app's own entry point,
    not an interactive session): only then can a missing main guard be the cause."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return bool(path) and not getattr(sys, "frozen", False) and getattr(main, "__package__", None) != "difpy_tk"


class WorkerPool:
    """The decoder processes of one search, started on first use (a search that finds
    everything in the cache starts none) and shared by every decode_files call given
    it; they stay up, idle, while the search compares, until its last full decode. A
    pool a decoder crash broke, or one stopped after a cancel or an error, is replaced by
    a fresh one on the next use. Use it as a context manager: on leaving, idle workers
    exit, and after an exception any still working are terminated; it cannot be used
    again after that."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._started: EventType | None = None
        self._closed = False

    def executor(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("this WorkerPool was closed; a search starts a new one")
        if self._pool is None:
            self._started = multiprocessing.get_context("spawn").Event()
            self._pool = _new_pool(self.processes, self._started)
        return self._pool

    def has_started(self) -> bool:
        """A worker of the current pool came up: a pool broken before that is no decoder crash."""
        return self._started is not None and self._started.is_set()

    def replace(self) -> None:
        """Drop a broken pool (its surviving workers exit once idle); the next use starts another."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def stop(self) -> None:
        """Terminate the workers now, in the middle of their batches."""
        if self._pool is not None:
            _stop_pool(self._pool)
            self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_details: object) -> None:
        self._closed = True
        if kind is not None:
            self.stop()
        elif self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


class _Decoder:
    def __init__(self, paths: list[str], px_size: int, workers: WorkerPool, task: Task, exact: bool) -> None:
        self.task = task
        self.paths = paths
        self.px_size = px_size
        self.exact = exact
        self.workers = workers
        self.pending: deque[list[int]] = deque(
            list(range(start, min(start + BATCH_SIZE, len(paths)))) for start in range(0, len(paths), BATCH_SIZE)
        )
        self.suspects: deque[int] = deque()
        """Files of a batch that broke the pool; each runs alone to find the culprit."""
        self.in_flight: dict[Future, tuple[list[int], bool]] = {}

    def busy(self) -> bool:
        return bool(self.pending or self.suspects or self.in_flight)

    def _submit(self, batch: list[int], solo: bool) -> None:
        future = self.workers.executor().submit(self.task, [self.paths[i] for i in batch], self.px_size, self.exact)
        self.in_flight[future] = (batch, solo)

    def fill(self) -> None:
        if self.suspects:
            if not self.in_flight:
                self._submit([self.suspects.popleft()], solo=True)
            return
        while self.pending and len(self.in_flight) < self.workers.processes * 3:
            self._submit(self.pending.popleft(), solo=False)

    def collect(self, on_result: Callable[[int, Decoded], None]) -> int:
        """Wait briefly for finished tasks; returns how many files were settled."""
        finished, _ = wait(self.in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        settled = 0
        broken = False
        for future in finished:
            batch, solo = self.in_flight.pop(future)
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                broken = True
                if solo:
                    log.warning("The image decoder crashed on %s; it is listed as invalid.", self.paths[batch[0]])
                    on_result(batch[0], Decoded.failed(CRASH_REASON))
                    settled += 1
                else:
                    self.suspects.extend(batch)
                continue
            for i, outcome in zip(batch, outcomes):
                on_result(i, outcome)
            settled += len(batch)
        if broken and not self.workers.has_started():
            raise WorkersCannotStart(
                NO_MAIN_GUARD if _main_is_a_script() else "the image decoder processes could not start"
            )
        if broken:
            for batch, _solo in self.in_flight.values():
                self.suspects.extend(batch)
            self.in_flight.clear()
            self.workers.replace()
        return settled


def decode_files(
    paths: list[str],
    px_size: int,
    processes: int,
    on_result: Callable[[int, Decoded], None],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    task: Task = decode_batch,
    exact: bool = False,
    workers: WorkerPool | None = None,
) -> None:
    """Decode paths[i] for every i and call on_result(i, outcome) in the calling thread.
    exact=True makes the FULL (reference) decode, else the FAST one (see decode_tensor).

    workers is the search's pool (its processes count, not processes); without it the
    call starts a pool of its own and closes it at the end. task must be a module-level
    function (spawned workers import it by name); tests substitute one that crashes.
    Raises Cancelled (from the token) within POLL_SECONDS, with the workers already
    terminated, as after any other error."""
    if not paths:
        return
    with contextlib.ExitStack() as own:
        if workers is None:
            workers = own.enter_context(WorkerPool(processes))
        decoder = _Decoder(paths, px_size, workers, task, exact)
        done = 0
        try:
            while decoder.busy():
                if cancel is not None:
                    cancel.raise_if_cancelled()
                decoder.fill()
                settled = decoder.collect(on_result)
                if settled:
                    done += settled
                    progress("decoding", done, len(paths))
        except BaseException:
            workers.stop()  # nothing goes on computing for a decode that ended
            raise
