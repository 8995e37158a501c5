"""Progress reporting and cancellation shared by every long-running core function."""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressCallback = Callable[[str, int, int], None]
"""Called with (phase, done, total); phase is one of PHASES."""

PHASES = ("listing", "decoding", "searching", "verifying", "grouping")
"""verifying: the full decode of the images in close pairs, and the exact search among them;
grouping: counting the matched files' pages (scan.frames), then forming the groups."""


class Cancelled(Exception):
    """Raised inside the core when the user cancelled; nothing has been written."""


class CancelToken:
    """A thread-safe flag the GUI sets and the core polls between small units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def no_progress(phase: str, done: int, total: int) -> None:
    """The default callback: callers that do not show progress pass nothing."""
