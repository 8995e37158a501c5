"""Run slow work (decoding, file actions) in a thread pool and get each answer back on
the Tk thread, through the app-wide UiQueue (Tk must only be touched by its own thread)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from difpy_tk.gui.search_worker import UiQueue


class TkWorker:
    def __init__(self, widget: tk.Misc, workers: int, name: str) -> None:
        self._ui = UiQueue.of(widget)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._outstanding = 0
        self._closed = False

    def submit(self, function: Callable[..., Any], *args: Any, done: Callable[[Future], None]) -> Future:
        """Run function(*args) in a worker; done(future) is later called on the Tk thread."""
        self._outstanding += 1
        future = self._pool.submit(function, *args)
        future.add_done_callback(lambda finished: self._ui.post(self._finish, finished, done))
        return future

    def _finish(self, future: Future, done: Callable[[Future], None]) -> None:
        self._outstanding -= 1
        if not self._closed and not future.cancelled():
            done(future)

    @property
    def busy(self) -> bool:
        return self._outstanding > 0

    def close(self) -> None:
        """Drop queued work and stop calling back; a running job finishes in the background
        (the shared queue stays: other windows use it)."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
