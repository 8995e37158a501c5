"""`--smoke` from source: the window check CI runs on every frozen build."""

from __future__ import annotations

import tkinter as tk

from difpy_tk.gui import dnd, smoke
from difpy_tk.selftest import status_path_for


def test_smoke_opens_the_window_loads_tkdnd_and_shows_heic_and_avif(tmp_path, isolated_home):
    out = tmp_path / "smoke.json"
    assert smoke.run_smoke([str(out)]) == 0
    status = status_path_for(out).read_text(encoding="utf-8").splitlines()
    assert status[0] == "PASS"
    for needle in ("main window shown", "tkdnd", "HEIC decoded", "AVIF decoded", "closed through"):
        assert any(needle in line and line.startswith("[ok]") for line in status), needle


def test_smoke_fails_when_drag_and_drop_is_missing(tmp_path, isolated_home, monkeypatch):
    """A build that lost tkdnd still opens a window; the smoke test must say FAIL."""
    monkeypatch.setattr(dnd, "create_root", lambda: tk.Tk(className=dnd.WINDOW_CLASS))
    out = tmp_path / "smoke.json"
    assert smoke.run_smoke([str(out)]) == 1
    status = status_path_for(out).read_text(encoding="utf-8")
    assert status.startswith("FAIL\n")
    assert "[FAILED] tkdnd loaded" in status
