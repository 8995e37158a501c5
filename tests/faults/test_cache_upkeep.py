"""The tensor cache stays small on its own: rows of files that are gone are dropped, a
renamed folder does not double it, beyond the size limit the least recently used rows go,
an old cache moves to the OS cache folder once, and Clear says what it freed."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from types import SimpleNamespace

import numpy as np
import pytest
from imagegen import picture, save

from difpy_tk.scan import cache as cache_module
from difpy_tk.scan.cache import TensorCache
from difpy_tk.scan.cache_files import (
    CACHE_NAME,
    cache_size_bytes,
    clear_cache,
    configured_limit_bytes,
    default_cache_path,
)
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.features import GRID, image_stats
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.tensors import Decoded, decoder_version
from difpy_tk.state.appdirs import preferred_dir


def _rows(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM images").fetchone()[0]


def _scan(folder, cache, recursive=True):
    return run_search(SearchOptions(inputs=(str(folder),), processes=1, recursive=recursive), cache_path=cache)


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    for i in range(6):
        save(picture(i), folder / ("sub" if i % 2 else "") / f"img{i}.png")
    return folder


def test_a_renamed_folder_does_not_double_the_cache(photos, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    _scan(photos, cache)
    rows, size = _rows(cache), cache_size_bytes(cache)
    photos.rename(tmp_path / "renamed")
    _scan(tmp_path / "renamed", cache)
    print(
        f"cache after the first search: {rows} rows, {size} bytes; after the rename: "
        f"{_rows(cache)} rows, {cache_size_bytes(cache)} bytes"
    )
    assert rows == 6 and _rows(cache) == 6
    assert cache_size_bytes(cache) <= size * 1.25


def test_files_gone_from_a_searched_folder_are_forgotten(photos, tmp_path):
    cache = tmp_path / "cache.sqlite3"
    _scan(photos, cache)
    (photos / "img0.png").unlink()
    (photos / "sub" / "img1.png").unlink()
    _scan(photos / "sub", cache)
    assert _rows(cache) == 5, "a search of sub forgets only what is gone from sub"
    _scan(photos, cache, recursive=False)
    assert _rows(cache) == 4
    assert _scan(photos, cache).cache_hits == 4


def test_a_folder_left_out_of_a_search_keeps_its_rows(photos, tmp_path):
    """A trial: leaving a folder out "forgot images whose files are gone" that were there."""
    cache = tmp_path / "cache.sqlite3"
    _scan(photos, cache)
    left_out = SearchOptions(inputs=(str(photos),), processes=1, exclude=("sub",))
    assert len(run_search(left_out, cache_path=cache).files) == 3
    assert _rows(cache) == 6 and _scan(photos, cache).cache_hits == 6


def _outcome(seed: int, px: int = 16) -> Decoded:
    tensor = np.asarray(picture(seed).resize((px, px)))
    total, squared, sums = image_stats(tensor)
    return Decoded(tensor, 320, 240, "", total, squared, sums)


def test_a_folder_on_a_drive_that_is_not_there_is_kept(tmp_path):
    cache = TensorCache(tmp_path / "cache.sqlite3", 16, "test", limit_bytes=10**9)
    away = str(tmp_path / "usb" / "photos")
    renamed = str(tmp_path / "old name")
    cache.store(
        [(os.path.join(away, "a.png"), 1, 1, 1, _outcome(1)), (os.path.join(renamed, "b.png"), 1, 1, 1, _outcome(2))]
    )
    device = os.stat(tmp_path).st_dev
    with cache.connection:
        cache.connection.executemany(
            "INSERT INTO folders (path, device) VALUES (?, ?)",
            [(os.fsencode(away), device + 1), (os.fsencode(renamed), device)],
        )
    (tmp_path / "other").mkdir()
    assert cache.forget_missing([str(tmp_path / "other")], True, []) == 1
    stamps = [(1, 1, 1), (1, 1, 1)]
    assert set(cache.lookup([os.path.join(away, "a.png"), os.path.join(renamed, "b.png")], stamps)) == {0}
    cache.close()


def test_beyond_the_limit_the_least_recently_used_rows_go(tmp_path, monkeypatch):
    px = 64  # a 12 KB tensor per row
    path = tmp_path / "cache.sqlite3"
    clock = iter(range(1_000, 10_000))
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: next(clock)))
    cache = TensorCache(path, px, "test", limit_bytes=10**9)
    names = [str(tmp_path / f"img{i}.png") for i in range(40)]
    for name in names:
        cache.store([(name, 1, 1, 1, _outcome(1, px))])
    assert set(cache.lookup(names[:5], [(1, 1, 1)] * 5)) == set(range(5))  # the oldest five, used again
    cache.close()
    full = os.path.getsize(path)

    limit = 200_000
    cache = TensorCache(path, px, "test", limit_bytes=limit)
    cache.close()
    kept = set(TensorCache(path, px, "test", limit_bytes=limit).lookup(names, [(1, 1, 1)] * len(names)))
    print(f"LRU: {full} bytes before, {os.path.getsize(path)} bytes after a {limit}-byte limit; {len(kept)} rows kept")
    assert set(range(5)) <= kept, "rows used recently stay"
    assert kept - set(range(5)) == set(range(40 - len(kept) + 5, 40)), "then the newest"
    assert os.path.getsize(path) <= limit < full


def _first_layout_cache(path, image: str, outcome: Decoded) -> None:
    """A cache as versions before this one wrote it: paths as text, no user_version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE images (path TEXT NOT NULL, px INTEGER NOT NULL, decoder TEXT NOT NULL, "
            "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, "
            "tensor BLOB, total INTEGER NOT NULL DEFAULT 0, squared INTEGER NOT NULL DEFAULT 0, sums BLOB, "
            "reason TEXT NOT NULL DEFAULT '', PRIMARY KEY (path, px, decoder))"
        )
        connection.execute(
            "INSERT INTO images VALUES (?, 16, 'test', 1, 1, 320, 240, ?, ?, ?, ?, '')",
            (image, outcome.tensor.tobytes(), outcome.total, outcome.squared, outcome.sums.tobytes()),
        )
    connection.close()


def test_a_cache_in_the_old_data_folder_moves_to_the_cache_folder_once(tmp_path):
    old = preferred_dir("data") / CACHE_NAME
    image = str(tmp_path / "photo.png")
    outcome = _outcome(3)
    _first_layout_cache(old, image, outcome)

    path = default_cache_path()

    assert path == preferred_dir("cache") / CACHE_NAME and path.exists() and not old.exists()
    # A row of the first layout has no ctime: 0, which is what a file on Windows gives.
    found = TensorCache(path, 16, "test", limit_bytes=10**9).lookup([image], [(1, 1, 0)])
    assert np.array_equal(found[0].tensor, outcome.tensor) and found[0].sums.shape == (GRID, GRID, 3)
    _first_layout_cache(old, image, outcome)  # an old version ran again: the newer cache wins
    assert default_cache_path() == path and not old.exists()


def test_clear_cache_says_what_it_freed(tmp_path):
    path = tmp_path / CACHE_NAME
    cache = TensorCache(path, 16, decoder_version(exact=False), limit_bytes=10**9)
    cache.store([(str(tmp_path / f"{i}.png"), 1, 1, 1, _outcome(i)) for i in range(20)])
    cache.close()
    (tmp_path / f"{CACHE_NAME}.damaged-20260101-000000").write_bytes(b"x" * 1000)
    size = cache_size_bytes(path)
    assert size == os.path.getsize(path) + 1000
    assert clear_cache(path) == size
    assert cache_size_bytes(path) == 0 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stored", [10, "2000", True, 10**9, None])
def test_an_unusable_size_limit_in_the_settings_file_gives_the_default(stored):
    settings = preferred_dir("config") / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"cache_limit_mb": stored}))
    assert configured_limit_bytes() == 1000 * 1_000_000
    settings.write_text(json.dumps({"cache_limit_mb": 2000}))
    assert configured_limit_bytes() == 2000 * 1_000_000


def test_a_full_decode_is_stored_as_one_and_preferred_to_the_fast_tensor(tmp_path):
    """A fast decode that is a full one (a PNG) is stored under the full decoder, where a
    full decode looks; and where both rows exist the first pass takes the full one."""
    path = tmp_path / "cache.sqlite3"
    fast, full = decoder_version(exact=False), decoder_version(exact=True)
    png, jpeg = str(tmp_path / "a.png"), str(tmp_path / "b.jpg")
    cache = TensorCache(path, 16, fast, limit_bytes=10**9, full_decoder=full)
    cache.store([(png, 1, 1, 1, dataclasses.replace(_outcome(1), is_full=True)), (jpeg, 1, 1, 1, _outcome(2))])
    cache.close()
    only_full = TensorCache(path, 16, full, limit_bytes=10**9)
    assert set(only_full.lookup([png, jpeg], [(1, 1, 1), (1, 1, 1)])) == {0}
    only_full.store([(jpeg, 1, 1, 1, dataclasses.replace(_outcome(3), is_full=True))])  # decoded again in full
    only_full.close()
    both = TensorCache(path, 16, fast, limit_bytes=10**9, full_decoder=full)
    found = both.lookup([png, jpeg], [(1, 1, 1), (1, 1, 1)])
    assert found[0].is_full and found[1].is_full
    assert np.array_equal(found[1].tensor, _outcome(3).tensor)
    assert not TensorCache(path, 16, fast, limit_bytes=10**9).lookup([jpeg], [(1, 1, 1)])[0].is_full


def test_a_failed_full_decode_does_not_hide_the_fast_tensor(tmp_path):
    """A JPEG whose full decode failed (logged; its fast tensor stood in) is found by the
    next search with its fast tensor, not as an invalid image."""
    path = tmp_path / "cache.sqlite3"
    fast, full = decoder_version(exact=False), decoder_version(exact=True)
    jpeg = str(tmp_path / "b.jpg")
    TensorCache(path, 16, full, limit_bytes=10**9).store([(jpeg, 1, 1, 1, Decoded.failed("out of memory"))])
    TensorCache(path, 16, fast, limit_bytes=10**9).store([(jpeg, 1, 1, 1, _outcome(2))])
    found = TensorCache(path, 16, fast, limit_bytes=10**9, full_decoder=full).lookup([jpeg], [(1, 1, 1)])
    assert found[0].tensor is not None and not found[0].is_full
    assert TensorCache(path, 16, full, limit_bytes=10**9).lookup([jpeg], [(1, 1, 1)])[0].tensor is None


def test_a_stale_full_row_does_not_hide_a_fresh_fast_one(tmp_path):
    """The lookup skips a fast row only for a usable full row of the same file as it is
    now: after an edit, a fast decode stored anew is found, the old full one is not."""
    path = tmp_path / "cache.sqlite3"
    fast, full = decoder_version(exact=False), decoder_version(exact=True)
    jpeg = str(tmp_path / "b.jpg")
    old_full = dataclasses.replace(_outcome(1), is_full=True)
    TensorCache(path, 16, full, limit_bytes=10**9).store([(jpeg, 1, 1, 1, old_full)])
    TensorCache(path, 16, fast, limit_bytes=10**9).store([(jpeg, 2, 2, 2, _outcome(2))])
    both = TensorCache(path, 16, fast, limit_bytes=10**9, full_decoder=full)
    found = both.lookup([jpeg], [(2, 2, 2)])
    assert not found[0].is_full and np.array_equal(found[0].tensor, _outcome(2).tensor)
    assert both.lookup([jpeg], [(1, 1, 1)])[0].is_full
