"""Shared fixtures: every test gets its own app folders, so nothing touches the user's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("difpy_tk_home")
    monkeypatch.setenv("DIFPY_TK_HOME", str(home))
    from difpy_tk.review import journal

    monkeypatch.setattr(journal, "_session", None)  # the app's shared journal, made anew in this home
    from difpy_tk.state import safe_files

    monkeypatch.setattr(safe_files, "_set_aside", [])  # what was set aside, told anew in this home
    monkeypatch.setattr(safe_files, "_unreadable", {})
    from difpy_tk.state import appdirs

    monkeypatch.setattr(appdirs, "_said", {})  # the notices said, said anew in this home
    return home
