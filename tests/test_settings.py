"""Settings survive a restart, and a damaged file gives defaults instead of a crash."""

from __future__ import annotations

import json
import logging

import pytest

from difpy_tk.scan.options import cpu_count
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
    }
    settings_path().write_text(json.dumps(stored), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="difpy_tk"):
        loaded = load_settings()
    assert loaded == Settings(px_size=100)
    for name in ("processes", "chunksize", "theme", "folders", "similarity", "rotate", "window_size", "viewer_size"):
        assert f"ignoring {name}=" in caplog.text


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
    )
    options = settings.search_options()
    assert options.inputs == (str(tmp_path),)
    assert (options.processes, options.chunksize, options.px_size, options.threshold) == (1, 64, 60, 5.0)
    flags = (options.recursive, options.in_folder, options.rotate, options.same_dim, options.thorough)
    assert flags == (False, True, False, False, True)


@pytest.mark.parametrize("size", [[800], [800, 600, 1], [100, 600], [800, 30_000], [800.0, 600], "800x600", {}])
def test_a_window_size_is_two_whole_numbers_of_a_window_s_size(size):
    settings_path().write_text(json.dumps({"window_size": size, "viewer_size": [900, 700]}), encoding="utf-8")
    assert load_settings() == Settings(viewer_size=[900, 700])
