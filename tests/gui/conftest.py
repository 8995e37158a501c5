"""Fixtures for driving the real Tk app under Xvfb.

Native dialogs and message boxes would block a test forever, so they are replaced by
recorders that answer from `dialogs.answers`. Any exception in a Tk callback fails the
test: it is collected by a patched report_callback_exception and raised by wait_until
and at teardown."""

from __future__ import annotations

import gc
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, messagebox
from types import SimpleNamespace

import pytest

from difpy_tk.gui.app import App
from difpy_tk.gui.dnd import create_root

from .images import make_image_folders

DIALOGS = {
    messagebox: ("showinfo", "showerror", "showwarning", "askyesno", "askokcancel"),
    filedialog: ("askdirectory", "askopenfilename", "asksaveasfilename"),
}


@pytest.fixture
def tk_errors(monkeypatch) -> list[BaseException]:
    errors: list[BaseException] = []
    monkeypatch.setattr(tk.Tk, "report_callback_exception", lambda self, kind, value, tb: errors.append(value))
    yield errors
    if errors:
        pytest.fail(f"a Tk callback raised: {errors!r}")


@pytest.fixture
def dialogs(monkeypatch) -> SimpleNamespace:
    """Records every dialog call as (name, kwargs); returns answers[name] (None if unset)."""
    record = SimpleNamespace(calls=[], answers={})

    def recorder(name: str) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            record.calls.append((name, args, kwargs))
            return record.answers.get(name)

        return call

    for module, names in DIALOGS.items():
        for name in names:
            monkeypatch.setattr(module, name, recorder(name))
    return record


class Driver:
    """The app plus the few moves a user makes: click, type, press keys, wait."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = errors
        self._open()

    def _open(self) -> None:
        self.root = create_root()  # the root main() uses: tkdnd loaded, so drops work
        self.app = App(self.root)
        self.root.update()

    def restart(self) -> None:
        """Close the window like a user would and open the app again."""
        self.app.close()
        self._open()

    def update(self) -> None:
        self.root.update()
        if self.errors:
            pytest.fail(f"a Tk callback raised: {self.errors!r}")

    def press(self, key: str, widget: tk.Misc | None = None) -> None:
        """A keystroke reaches a widget under Xvfb only once it has the focus."""
        widget = widget or self.root.focus_get() or self.root
        widget.focus_force()
        self.update()
        widget.event_generate(key)
        self.update()

    def wait_until(self, condition: Callable[[], bool], timeout: float = 20.0) -> float:
        """Run the event loop until condition() holds; returns the seconds it took."""
        started = time.monotonic()
        while not condition():
            if time.monotonic() - started > timeout:
                pytest.fail(f"timed out after {timeout} s waiting for {condition}")
            self.update()
            time.sleep(0.01)
        return time.monotonic() - started

    def screen(self, name: str) -> bool:
        return self.app.current is self.app.screens[name]


@pytest.fixture
def driver(tk_errors, dialogs) -> Driver:
    driver = Driver(tk_errors)
    yield driver
    if driver.root.winfo_exists():
        driver.app.close()
    # The closed app's Tk objects are collected here, on the Tk thread, not later in some
    # test's worker thread, where each __del__ waits a second for a main loop (see App.start_search).
    gc.collect()


@pytest.fixture
def image_folders(tmp_path) -> tuple[Path, Path]:
    return make_image_folders(tmp_path)
