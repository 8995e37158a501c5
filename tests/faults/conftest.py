"""Fault-injection fixtures: a Trash in a temp folder (the real one is never touched),
a tiny tmpfs to fill, and the ledger summary at the end of the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .ledger import LOST


def pytest_terminal_summary(terminalreporter):
    cases = [
        report
        for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
        if "tests/faults/" in report.nodeid.replace("\\", "/") and report.when == "call"
    ]
    if cases:
        terminalreporter.write_line(f"fault cases run: {len(cases)}; files lost: {len(LOST)}")


@pytest.fixture
def temp_trash(tmp_path, monkeypatch) -> Path:
    """send2trash's freedesktop Trash, moved into tmp_path/xdg/Trash for this test."""
    if sys.platform != "linux":
        pytest.skip("the temporary Trash is the freedesktop one (Linux)")
    import send2trash
    from send2trash import plat_other

    if send2trash.send2trash is not plat_other.send2trash:
        pytest.skip("send2trash uses GIO here, whose Trash cannot be redirected")
    data_home = tmp_path / "xdg"
    data_home.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.setattr(plat_other, "XDG_DATA_HOME", os.fsencode(data_home))
    monkeypatch.setattr(plat_other, "HOMETRASH_B", os.fsencode(data_home / "Trash"))
    monkeypatch.setattr(plat_other, "HOMETRASH", str(data_home / "Trash"))
    # send2trash trashes to the home Trash only for files on the home's device: make tmp_path's the home.
    monkeypatch.setenv("HOME", str(tmp_path))
    return data_home / "Trash"


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 256 KiB file system of its own (mounting needs root, as in CI); skipped otherwise."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
