"""Counting pages and frames (scan.frames): told by content, never 1 for a count that
could not be read, and quiet about what the decode already reported."""

from __future__ import annotations

import warnings

from imagegen import dcx, picture
from PIL import Image

from difpy_tk.scan.frames import UNCOUNTED, frame_count, may_hold_pages


def pages(count: int) -> list:
    return [picture(seed, (60, 40)) for seed in range(count)]


def test_a_dcx_fax_counts_its_pages(tmp_path):
    assert frame_count(str(dcx(tmp_path / "fax.dcx", pages(3)))) == 3


def test_the_count_goes_by_content_not_by_name(tmp_path):
    first, *rest = pages(3)
    first.save(tmp_path / "scan.jpg", format="TIFF", save_all=True, append_images=rest)
    first.save(tmp_path / "photo.tif", format="JPEG")
    assert frame_count(str(tmp_path / "scan.jpg")) == 3
    assert frame_count(str(tmp_path / "photo.tif")) == 1


def test_a_tiff_damaged_after_its_first_page_is_not_counted_as_one(tmp_path):
    first, *rest = pages(3)
    whole = tmp_path / "whole.tif"
    first.save(whole, save_all=True, append_images=rest)
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2 + 100])
    with warnings.catch_warnings(record=True) as printed:
        warnings.simplefilter("always")
        count = frame_count(str(cut))
    assert count == UNCOUNTED and may_hold_pages(count)
    assert not printed  # Pillow's "Corrupt EXIF data": the decode reports damage, not this count
    assert not may_hold_pages(frame_count(str(tmp_path / "missing.tif")))


def test_one_page_files_and_jpeg_extras_count_one(tmp_path):
    image = picture(1, (60, 40))
    for name in ("a.png", "a.gif", "a.jpg"):
        image.save(tmp_path / name)
    image.save(tmp_path / "stereo.jpg", "MPO", save_all=True, append_images=[picture(2, (60, 40))])
    with Image.open(tmp_path / "stereo.jpg") as stereo:
        assert (stereo.format, stereo.n_frames) == ("MPO", 2)  # Pillow sees two frames
    assert [frame_count(str(tmp_path / name)) for name in ("a.png", "a.gif", "a.jpg", "stereo.jpg")] == [1] * 4
