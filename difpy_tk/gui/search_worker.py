"""The bridge between the search thread and the Tk thread.

Tk is not thread-safe: only the thread that created the root may touch widgets. The
search runs in a worker thread (the engine fans out to its own processes from there) and
everything it reports (progress, log records, the outcome) is posted as a call into a
queue that the Tk thread drains with after()."""

from __future__ import annotations

import logging
import queue
import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

from difpy_tk.scan.options import OptionError, SearchOptions
from difpy_tk.scan.progress import Cancelled, CancelToken
from difpy_tk.scan.result import SearchResult

log = logging.getLogger("difpy_tk.gui")


class UiQueue:
    """Calls posted from any thread, run on the Tk thread every INTERVAL_MS.

    One per app: UiQueue.of(widget) gives every worker (the search, thumbnails, file
    actions, previews) the queue of widget's root, so the Tk thread drains one queue with
    one after() timer however many windows and workers are open.
    An exception raised by a posted call propagates into Tk's report_callback_exception,
    so it is reported like any other callback error instead of being lost."""

    INTERVAL_MS = 40
    _ROOT_ATTRIBUTE = "_difpy_tk_ui_queue"

    def __init__(self, widget: tk.Misc) -> None:
        self._widget = widget
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self._job: str | None = widget.after(self.INTERVAL_MS, self._drain)

    @classmethod
    def of(cls, widget: tk.Misc) -> UiQueue:
        """The app-wide queue of widget's root window, created on first use."""
        root = widget._root()
        shared = getattr(root, cls._ROOT_ATTRIBUTE, None)
        if shared is None or shared._job is None:
            shared = cls(root)
            setattr(root, cls._ROOT_ATTRIBUTE, shared)
        return shared

    def post(self, function: Callable[..., Any], *args: Any) -> None:
        """Thread-safe: run function(*args) on the Tk thread soon."""
        self._queue.put((function, args))

    def _drain(self) -> None:
        try:
            while True:
                try:
                    function, args = self._queue.get_nowait()
                except queue.Empty:
                    break
                function(*args)
        finally:
            self._job = self._widget.after(self.INTERVAL_MS, self._drain)

    def close(self) -> None:
        if self._job is not None:
            self._widget.after_cancel(self._job)
            self._job = None


class QueueLogHandler(logging.Handler):
    """Forwards log records of any thread to `sink` (a callable(str)) on the Tk thread."""

    def __init__(self, ui: UiQueue, sink: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self._ui = ui
        self._sink = sink
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._ui.post(self._sink, self.format(record))
        except Exception:
            self.handleError(record)


class SearchWorker:
    """Runs one engine search in a daemon thread and reports back through a UiQueue.

    Exactly one of on_done(result), on_cancelled() or on_error(exception) is called, on
    the Tk thread; keep(result), when given, runs in the search thread just before on_done.
    Progress is throttled to PROGRESS_INTERVAL_S (plus every phase change and phase end),
    so a fast engine cannot flood the Tk thread."""

    PROGRESS_INTERVAL_S = 0.1

    def __init__(
        self,
        ui: UiQueue,
        options: SearchOptions,
        on_progress: Callable[[str, int, int], None],
        on_done: Callable[[SearchResult], None],
        on_cancelled: Callable[[], None],
        on_error: Callable[[BaseException], None],
        keep: Callable[[SearchResult], object] | None = None,
    ) -> None:
        self._ui = ui
        self._keep = keep
        self._options = options
        self._on_progress = on_progress
        self._on_done = on_done
        self._on_cancelled = on_cancelled
        self._on_error = on_error
        self._last_progress = ("", 0.0)
        self.token = CancelToken()
        self._thread = threading.Thread(target=self._run, name="difpy_tk-search", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def _progress(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        last_phase, last_time = self._last_progress
        if phase != last_phase or done >= total or now - last_time >= self.PROGRESS_INTERVAL_S:
            self._last_progress = (phase, now)
            self._ui.post(self._on_progress, phase, done, total)

    def _run(self) -> None:
        # Imported here: the engine pulls in numpy and the process pool, which the menu
        # and the wizard do not need, so the window opens faster.
        from difpy_tk.review import ignore_list
        from difpy_tk.scan import engine

        try:
            result = engine.run_search(
                self._options, progress=self._progress, cancel=self.token,
                not_duplicates=ignore_list.load_index().ignored,
            )
        except Cancelled:
            self._ui.post(self._on_cancelled)
        except Exception as exc:
            # A bad input is the user's to fix and needs no traceback; anything else is a bug.
            log.error("the search failed: %s", exc, exc_info=not isinstance(exc, (OptionError, OSError)))
            self._ui.post(self._on_error, exc)
        else:
            self._keep_result(result)
            self._ui.post(self._on_done, result)

    def _keep_result(self, result: SearchResult) -> None:
        """Save the result (keep(result)) here in the search thread, where writing a large
        JSON file does not freeze the window; failing to save costs a log line, not the result."""
        if self._keep is None:
            return
        try:
            self._keep(result)
        except OSError as exc:
            log.warning("could not save the result for Recent results: %s", exc)
