"""Settings survive a restart, and a damaged file gives defaults instead of a crash."""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path

import pytest

from difpy_tk.scan.options import cpu_count
from difpy_tk.state import safe_files
from difpy_tk.state.settings import Settings, load_settings, save_settings, settings_path


def test_missing_file_gives_defaults():
    assert load_settings() == Settings()
    assert Settings().processes == cpu_count()


def test_round_trip():
    settings = Settings(
        processes=1,
        chunksize=128,
        theme="dark",
        folders=["/a", "/b"],
        in_folder=True,
        px_size=100,
        similarity=2.5,
        rotate=False,
        same_dim=False,
        thorough=True,
        window_size=[1000, 640],
        viewer_size=[1400, 900],
        protected_folders=["/archive"],
        exclude=["@eaDir", "/photos/Backup"],
    )
    save_settings(settings)
    assert settings_path().is_file()
    assert load_settings() == settings


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\x00\xff"])
def test_corrupt_file_gives_defaults_and_a_log_line(content, caplog):
    settings_path().write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="difpy_tk"):
        assert load_settings() == Settings()
    assert str(settings_path()) in caplog.text


def test_bad_values_fall_back_one_by_one(caplog):
    stored = {
        "processes": 0,
        "chunksize": "big",
        "theme": "purple",
        "folders": "/a",
        "px_size": 100,
        "similarity": -1,
        "rotate": "yes",
        "unknown": 1,
        "window_size": [1e9, 600],
        "viewer_size": [True, 600],
        "exclude": [3],
    }
    settings_path().write_text(json.dumps(stored), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="difpy_tk"):
        loaded = load_settings()
    assert loaded == Settings(px_size=100)
    for name in ("processes", "chunksize", "theme", "folders", "similarity", "rotate", "window_size", "viewer_size"):
        assert f"ignoring {name}=" in caplog.text
    assert "ignoring 3 in exclude" in caplog.text
    from difpy_tk.state.appdirs import notices

    assert notices() == [
        "settings.json holds 9 values difpy_tk cannot use (processes, chunksize, theme, folders, 3 in exclude, "
        "similarity, rotate, window size, viewer size): their defaults apply."]


def test_search_options_uses_every_option_setting(tmp_path):
    settings = Settings(
        processes=1,
        chunksize=64,
        folders=[str(tmp_path)],
        in_folder=True,
        px_size=60,
        similarity="similar",
        rotate=False,
        same_dim=False,
        recursive=False,
        thorough=True,
        exclude=["@eaDir"],
    )
    options = settings.search_options()
    assert options.exclude == ("@eaDir",)
    assert options.inputs == (str(tmp_path),)
    assert (options.processes, options.chunksize, options.px_size, options.threshold) == (1, 64, 60, 5.0)
    flags = (options.recursive, options.in_folder, options.rotate, options.same_dim, options.thorough)
    assert flags == (False, True, False, False, True)


@pytest.mark.parametrize("size", [[800], [800, 600, 1], [100, 600], [800, 30_000], [800.0, 600], "800x600", {}])
def test_a_window_size_is_two_whole_numbers_of_a_window_s_size(size):
    settings_path().write_text(json.dumps({"window_size": size, "viewer_size": [900, 700]}), encoding="utf-8")
    assert load_settings() == Settings(viewer_size=[900, 700])


def settings_unreadable(monkeypatch) -> None:
    """settings.json as chmod 000 leaves it (root, who runs the tests here, reads it all the same)."""
    real_read = safe_files.read_bounded

    def read(path, limit):
        if Path(path) == settings_path():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read(path, limit)

    monkeypatch.setattr(safe_files, "read_bounded", read)


def test_a_settings_file_that_cannot_be_read_is_said_and_never_replaced(monkeypatch):
    """A trial as a user: settings.json made unreadable (chmod 000) was silently replaced
    by the defaults at the next save, and the user's theme, keeper order and folders lost."""
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"theme": "dark"}), encoding="utf-8")
    settings_unreadable(monkeypatch)
    assert load_settings() == Settings()
    with pytest.raises(PermissionError):
        save_settings(Settings(theme="light"))
    assert json.loads(settings_path().read_text(encoding="utf-8")) == {"theme": "dark"}
    notice = "settings.json cannot be read (permission denied, in "
    assert [text for text in safe_files.set_aside_notices() if text.startswith(notice)]
    assert not list(settings_path().parent.glob(".settings.json.*")), "no temporary file left behind"


LOST = ("Your protected folders, Leave out list and keeper order are back to the defaults until you set them "
        "again: check Settings › Protected before cleaning up.")


@pytest.mark.parametrize("trouble", ["damaged", "unreadable"])
def test_a_settings_file_that_cannot_be_used_says_the_protected_folders_are_gone_with_it(trouble, monkeypatch):
    """A trial: the start screen said only that defaults apply, while a clean-up right after
    would have touched the folders the user had protected."""
    from difpy_tk.state.appdirs import notices
    from difpy_tk.state.recent_folders import load_recent_folders, recent_path

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    stored = json.dumps({"protected_folders": ["/photos/Originals"], "exclude": ["@eaDir"]})
    settings_path().write_text(stored[:-1] if trouble == "damaged" else stored, encoding="utf-8")
    if trouble == "unreadable":
        settings_unreadable(monkeypatch)
    assert load_settings().protected_folders == []
    (notice,) = notices()
    assert notice.endswith(("difpy_tk uses defaults in its place. " if trouble == "damaged" else
                            "leaves the file as it is. ") + LOST)
    recent_path().write_text("{", encoding="utf-8")  # no such words for a file that holds none of them
    load_recent_folders()
    assert notices()[-1].endswith("in their place. " + LOST if trouble == "damaged" else "in its place.")


def test_one_unusable_entry_of_a_list_drops_only_itself():
    """A re-check: "Phone/@eaDir", taken by an earlier version, dropped the whole Leave-out
    list, and the next save wrote it empty; the protected folders would go the same way."""
    backup = os.path.abspath("/photos/Backup")
    stored = {"exclude": ["@eaDir", "Phone/@eaDir", backup], "protected_folders": ["/archive", 7]}
    settings_path().write_text(json.dumps(stored), encoding="utf-8")
    loaded = load_settings()
    assert loaded.exclude == ["@eaDir", backup] and loaded.protected_folders == ["/archive"]
