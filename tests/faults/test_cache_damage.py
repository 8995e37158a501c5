"""A damaged tensor cache, whatever the damage and wherever it shows, is set aside with
one log line and rebuilt: the search that finds it works, and the next search uses the
new cache (it decodes nothing)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys

import pytest
from imagegen import picture, save

from difpy_tk.scan import decoding
from difpy_tk.scan.cache import TensorCache
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.tensors import decoder_version

FILES = 4


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    """A folder of images (two identical) and a cache of it, made by one search."""
    root = tmp_path_factory.mktemp("damage")
    for i, seed in enumerate((1, 1, 2, 3)):
        save(picture(seed), root / "images" / f"img{i}.png")
    cache = root / "cache.sqlite3"
    assert run_search(_options(root / "images"), cache_path=cache).cache_hits == 0
    return root / "images", cache


def _options(folder):
    return SearchOptions(inputs=(str(folder),), processes=1)


def _page_size(path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big")


def _garble(path, page: int):
    data = bytearray(path.read_bytes())
    size = _page_size(path)
    data[(page - 1) * size : page * size] = os.urandom(size)
    path.write_bytes(bytes(data))


def _garble_page_2(path):
    """Page 2 of a cache with incremental vacuum is a pointer map, which reads do not use:
    the cache must go on working (a vacuum that meets it rebuilds the cache)."""
    _garble(path, 2)


def _garble_table_root(path):
    """The first page of the images table (page 2 in caches of earlier versions)."""
    with sqlite3.connect(path) as connection:
        (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'images'").fetchone()
    _garble(path, root)


def _truncate(path):
    with open(path, "r+b") as stream:
        stream.truncate(_page_size(path) * 2 + 100)


def _not_sqlite(path):
    path.write_bytes(b"these are not the droids you are looking for\n" * 200)


def _folder(path):
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("kept")


def _fifo(path):
    path.unlink()
    os.mkfifo(path)


def _malformed_blob(path):
    with sqlite3.connect(path) as connection:
        # any row: the first lookup reads fast and full-decode rows alike
        connection.execute("UPDATE images SET tensor = x'00' WHERE rowid = (SELECT max(rowid) FROM images)")


def _garbled_tensor(path):
    """A tensor of the right size whose bytes changed: only its stored total tells."""
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE images SET tensor = zeroblob(length(tensor)) WHERE rowid = 1")


def _no_pixels(path):
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE images SET width = 0")


def _wrong_type(path):
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE images SET width = 'wide'")


DAMAGE = [
    _garble_page_2,
    _garble_table_root,
    _truncate,
    _not_sqlite,
    _folder,
    _malformed_blob,
    _garbled_tensor,
    _no_pixels,
    _wrong_type,
]
if hasattr(os, "mkfifo"):
    DAMAGE.append(_fifo)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__.strip("_"))
def test_a_damaged_cache_is_set_aside_and_rebuilt(healthy, tmp_path, caplog, damage):
    images, made = healthy
    cache = tmp_path / "cache.sqlite3"
    shutil.copy(made, cache)
    damage(cache)

    result = run_search(_options(images), cache_path=cache)

    assert len(result.groups) == 1 and result.files_searched == FILES
    set_aside = [record for record in caplog.records if "set aside" in record.getMessage()]
    if damage is not _garble_page_2:
        assert len(set_aside) == 1, caplog.text
        (damaged,) = tmp_path.glob("cache.sqlite3.damaged-*")
        if damage is _folder:
            assert (damaged / "inside.txt").read_text() == "kept"
    again = run_search(_options(images), cache_path=cache)
    assert again.cache_hits == FILES and again.groups == result.groups


def test_damage_that_shows_only_when_rows_are_read_is_rebuilt(healthy, tmp_path, caplog, monkeypatch):
    """The cache opens fine; the lookup meets the garbled page. Before, this turned the
    cache off for this and every later search."""
    images, made = healthy
    cache = tmp_path / "cache.sqlite3"
    shutil.copy(made, cache)
    _garble_table_root(cache)
    opened = TensorCache(cache, 50, decoder_version(exact=False), limit_bytes=10**9)
    assert opened.connection is not None
    opened.connection.close()
    opened.connection = None

    run_search(_options(images), cache_path=cache)
    assert "set aside" in caplog.text and list(tmp_path.glob("cache.sqlite3.damaged-*"))

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although the rebuilt cache holds every image")

    monkeypatch.setattr(decoding, "_Decoder", no_decoding)
    assert run_search(_options(images), cache_path=cache).cache_hits == FILES


def test_an_earlier_damaged_copy_is_never_overwritten(tmp_path):
    cache = tmp_path / "cache.sqlite3"
    for text in (b"first garbage" * 100, b"second garbage" * 100):
        cache.write_bytes(text)
        TensorCache(cache, 16, "test", limit_bytes=10**9).close()
    copies = sorted(path.read_bytes()[:6] for path in tmp_path.glob("cache.sqlite3.damaged-*"))
    assert copies == [b"first ", b"second"]


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="needs a non-UTF-8 file name")
def test_a_name_that_is_not_utf8_is_cached(tmp_path):
    folder = tmp_path / "images"
    save(picture(1), folder / "plain.png")
    save(picture(1), folder / os.fsdecode(b"caf\xe9.png"))
    cache = tmp_path / "cache.sqlite3"
    first = run_search(_options(folder), cache_path=cache)
    assert len(first.groups) == 1 and first.files_searched == 2
    assert run_search(_options(folder), cache_path=cache).cache_hits == 2
