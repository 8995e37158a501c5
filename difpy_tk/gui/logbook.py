"""The session log the Logs window shows below the search's own log.

It collects the engine's live log records during a search and, later, every file action
the image viewer reports, in order. Windows that show it subscribe to new lines."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str], None]


class LogBook:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self._listeners: list[Listener] = []

    def add(self, line: str) -> None:
        """Append a line; this is the `log` callable handed to the image viewer."""
        self.lines.append(line)
        for listener in list(self._listeners):
            listener(line)

    def clear(self) -> None:
        self.lines.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call listener(line) for every new line; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
