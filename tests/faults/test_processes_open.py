"""Opening a file in the system viewer leaves no zombie process behind."""

from __future__ import annotations

import os
import sys

import pytest
from proc_children import children, wait_for

from difpy_tk.review import actions
from difpy_tk.review.journal import Journal

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open and /proc are Linux's")


def test_an_opened_file_leaves_no_zombie(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened.txt"
    opener = bin_dir / "xdg-open"
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"jpeg")
    before = set(children(os.getpid()))

    assert actions.open_file(str(image), Journal(tmp_path / "actions.log")).ok

    wait_for(lambda: opened.exists() and opened.read_text() == str(image))
    wait_for(lambda: not (set(children(os.getpid())) - before), limit=5.0)
