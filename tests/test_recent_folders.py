"""Recent folder sets and the Browse start folder, persisted and never trusted blindly."""

from __future__ import annotations

import platformdirs

from difpy_tk.humanize import folder_names
from difpy_tk.state.recent_folders import (
    MAX_SETS,
    RecentFolders,
    browse_start,
    load_recent_folders,
    recent_path,
    remember_set,
    save_recent_folders,
)


def test_sets_are_newest_first_once_each_and_bounded():
    recent = RecentFolders()
    remember_set(recent, ["/a", "/b"])
    remember_set(recent, ["/c"])
    remember_set(recent, ["/b", "/a"])  # the same set in another order moves to the front
    assert recent.sets == [["/b", "/a"], ["/c"]]
    for index in range(MAX_SETS + 3):
        remember_set(recent, [f"/x{index}"])
    assert len(recent.sets) == MAX_SETS and recent.sets[0] == [f"/x{MAX_SETS + 2}"]
    remember_set(recent, [])
    assert recent.sets[0] == [f"/x{MAX_SETS + 2}"]


def test_saved_and_loaded(tmp_path):
    recent = RecentFolders([["/a", "/b"]], str(tmp_path))
    save_recent_folders(recent)
    assert load_recent_folders() == recent


def test_a_damaged_file_is_set_aside_and_the_history_starts_empty():
    recent_path().write_text('{"sets": [["/a", 3]]}', encoding="utf-8")
    assert load_recent_folders() == RecentFolders()
    assert not recent_path().exists()
    assert list(recent_path().parent.glob("recent_folders.json.damaged-*"))


def test_browse_starts_in_pictures_then_in_the_last_folder(tmp_path, monkeypatch):
    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    monkeypatch.setattr(platformdirs, "user_pictures_dir", lambda: str(pictures))
    assert browse_start(RecentFolders()) == str(pictures)
    assert browse_start(RecentFolders(last_browsed=str(tmp_path))) == str(tmp_path)
    assert browse_start(RecentFolders(last_browsed=str(tmp_path / "gone"))) == str(pictures)


def test_folder_names_label():
    assert folder_names(["/home/ann/Holiday", "/media/Phone backup/"]) == "Holiday, Phone backup"
    assert folder_names(["/" + "x" * 100], width=20) == "x" * 19 + "…"
