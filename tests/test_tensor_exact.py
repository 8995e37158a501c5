"""The FULL (reference) decode: pixel-identical pictures give identical tensors, whatever
the container and whichever way they are turned; the FAST decode is a separate mode with
its own cache key."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from imagegen import save
from PIL import Image

from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.tensors import _bicubic, decode_batch, decode_tensor, decoder_version

T = Image.Transpose


def noise(seed: int, size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Pixel noise: the hardest case for exactness, every rounding difference shows."""
    bands = len(mode)
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (size[1], size[0], bands), dtype=np.uint8)
    return Image.fromarray(data[..., 0] if bands == 1 else data, mode)


def full(path, px: int = 50) -> np.ndarray:
    return decode_tensor(str(path), px, exact=True)[0]


@pytest.mark.parametrize("px", [10, 50, 100])
@pytest.mark.parametrize("size", [(838, 1600), (333, 517), (401, 401)])
def test_every_turn_and_flip_gives_the_same_tensor_turned(tmp_path, size, px):
    image = noise(1, size)
    base = full(save(image, tmp_path / "base.png"), px)
    expected = {
        T.ROTATE_90: np.rot90(base, 1),
        T.ROTATE_180: np.rot90(base, 2),
        T.ROTATE_270: np.rot90(base, 3),
        T.FLIP_LEFT_RIGHT: base[:, ::-1],
        T.FLIP_TOP_BOTTOM: base[::-1],
        T.TRANSPOSE: base.transpose(1, 0, 2),
    }
    for turn, tensor in expected.items():
        turned = full(save(image.transpose(turn), tmp_path / f"{turn.name}.png"), px)
        assert np.array_equal(turned, tensor), turn.name


CONTAINERS = {
    "png": ("tagged.png", {}),
    "tiff": ("tagged.tif", {}),
    "tiff-lzw": ("tagged.tif", {"compression": "tiff_lzw"}),
    "webp": ("tagged.webp", {"lossless": True}),
}
"""Lossless containers with an orientation tag. Pillow turns a TIFF upright itself while
loading it; the others are turned by decode_tensor: upright once either way."""


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_gives_exactly_the_upright_tensor(tmp_path, orientation, container):
    upright = noise(2, (333, 517))
    undo = {
        2: T.FLIP_LEFT_RIGHT,
        3: T.ROTATE_180,
        4: T.FLIP_TOP_BOTTOM,
        5: T.TRANSPOSE,
        6: T.ROTATE_90,
        7: T.TRANSVERSE,
        8: T.ROTATE_270,
    }
    exif = Image.Exif()
    exif[0x0112] = orientation
    name, options = CONTAINERS[container]
    stored = save(upright.transpose(undo[orientation]), tmp_path / name, exif=exif, **options)
    reference = full(save(upright, tmp_path / "upright.png"))
    tensor, width, height, _ = decode_tensor(str(stored), 50, exact=True)
    assert (width, height) == (333, 517)
    assert np.array_equal(tensor, reference)


def test_pixel_identical_copies_in_every_container(tmp_path):
    jpeg = save(noise(3, (641, 479)), tmp_path / "photo.jpg", quality=85)
    with Image.open(jpeg) as image:
        pixels = image.convert("RGB")
    copies = [
        save(pixels, tmp_path / "copy.png"),
        save(pixels, tmp_path / "copy.bmp"),
        save(pixels, tmp_path / "copy.tiff", compression="tiff_lzw"),
        save(pixels, tmp_path / "copy.webp", lossless=True),
        save(pixels, tmp_path / "copy.jp2", irreversible=False),
        save(pixels, tmp_path / "copy.heic", quality=-1, chroma=444, matrix_coefficients=0),
        save(pixels, tmp_path / "copy.ppm"),
        save(pixels, tmp_path / "copy.tga"),
        save(pixels, tmp_path / "copy.pcx"),
        save(pixels, tmp_path / "copy.sgi"),
        save(pixels.transpose(T.ROTATE_270), tmp_path / "turned.png"),
    ]
    reference = full(jpeg)
    for path in copies[:-1]:
        assert np.array_equal(full(path), reference), path.name
    assert np.array_equal(np.rot90(full(copies[-1]), 1), reference)


def test_fast_and_full_are_separate_modes(tmp_path):
    path = save(noise(4, (1600, 1200)), tmp_path / "big.jpg", quality=90)
    fast = decode_batch([str(path)], 50)[0]
    exact = decode_batch([str(path)], 50, exact=True)[0]
    assert np.array_equal(exact.tensor, full(path))
    assert not np.array_equal(fast.tensor, exact.tensor)
    assert (fast.width, fast.height) == (exact.width, exact.height) == (1600, 1200)
    assert decoder_version(exact=True) != decoder_version(exact=False)


def test_full_decode_is_within_one_level_of_pillows_bicubic(tmp_path):
    image = noise(5, (333, 517))
    tensor = full(save(image, tmp_path / "noise.png"))
    pillow = np.asarray(image.resize((50, 50), Image.Resampling.BICUBIC), dtype=int)
    assert np.abs(tensor.astype(int) - pillow).max() <= 1


def test_the_resampling_turns_exactly_at_many_sizes():
    """The resampling step alone, in memory, over sizes where Pillow's own resize is not
    turn-exact (838 × 1600 to 100 was off by one in places)."""
    turns = {
        T.ROTATE_90: lambda t: np.rot90(t, 1),
        T.ROTATE_270: lambda t: np.rot90(t, 3),
        T.TRANSPOSE: lambda t: t.transpose(1, 0, 2),
        T.TRANSVERSE: lambda t: np.rot90(t, 2).transpose(1, 0, 2),
        T.FLIP_LEFT_RIGHT: lambda t: t[:, ::-1],
    }
    checked = 0
    for seed, size in enumerate([(838, 1600), (1001, 999), (37, 91), (1599, 1201), (12, 700), (777, 333)]):
        image = noise(seed, size)
        for px in (10, 17, 64, 100):
            base = np.asarray(_bicubic(image, px))
            for turn, expected in turns.items():
                assert np.array_equal(np.asarray(_bicubic(image.transpose(turn), px)), expected(base)), (size, px, turn)
                checked += 1
    assert checked == 120


@pytest.mark.parametrize("px", [10, 100])
def test_a_search_for_duplicates_groups_every_copy_and_turn(tmp_path, px):
    """End to end: a JPEG, its lossless copies and its turns are one group of duplicates
    (MSE 0), and a re-encoded JPEG of it is not a duplicate."""
    jpeg = save(noise(6, (333, 517)), tmp_path / "photo.jpg", quality=85)
    with Image.open(jpeg) as image:
        pixels = image.convert("RGB")
    save(pixels, tmp_path / "copy.png")
    save(pixels, tmp_path / "copy.webp", lossless=True)
    for turn in (T.ROTATE_90, T.ROTATE_180, T.ROTATE_270):
        save(pixels.transpose(turn), tmp_path / f"{turn.name}.tiff")
    save(pixels, tmp_path / "reencoded.jpg", quality=70)
    result = run_search(
        SearchOptions(inputs=(str(tmp_path),), px_size=px, same_dim=False, processes=1, use_cache=False)
    )
    assert len(result.groups) == 1
    group = result.groups[0]
    assert sorted(Path(p).name for p in group.paths) == sorted(
        ["photo.jpg", "copy.png", "copy.webp", "ROTATE_90.tiff", "ROTATE_180.tiff", "ROTATE_270.tiff"]
    )
    assert all(match.mse == 0 for match in group.matches)


@pytest.mark.parametrize("rotate", [True, False])
def test_a_search_with_mirror_finds_mirrored_copies_as_the_full_decode_brute_force_does(tmp_path, rotate):
    """A JPEG's lossless mirror images, at an odd size, are duplicates (MSE 0) when Mirror
    is on, shown mirrored (and turned); the pairs equal the brute force on full-decode
    tensors at thresholds 0 and 5; with Mirror off none of them is found."""
    from reference import as_cliques, brute_force_pairs, full_decode_tensors

    from difpy_tk.scan.engine import scan_pairs

    jpeg = save(noise(8, (333, 517)), tmp_path / "photo.jpg", quality=85)
    with Image.open(jpeg) as image:
        pixels = image.convert("RGB")
    for flip in (T.FLIP_LEFT_RIGHT, T.FLIP_TOP_BOTTOM, T.TRANSPOSE, T.TRANSVERSE):
        save(pixels.transpose(flip), tmp_path / f"{flip.name}.png")
    save(noise(9, (333, 517)), tmp_path / "other.png")
    mirrored = {"FLIP_LEFT_RIGHT.png", "FLIP_TOP_BOTTOM.png", "TRANSPOSE.png", "TRANSVERSE.png"}
    expected_copies = mirrored if rotate else {"FLIP_LEFT_RIGHT.png"}
    reference = None
    for similarity in (5, 0):
        options = SearchOptions(
            inputs=(str(tmp_path),), similarity=similarity, rotate=rotate, mirror=True, processes=1, use_cache=False
        )
        scan = scan_pairs(options)
        paths = [record.path for record in scan.records]
        if reference is None:
            reference = full_decode_tensors(paths, 50)
        expected = set(brute_force_pairs(reference, options.sse_limit, rotate, mirror=True))
        found = {(min(a, b), max(a, b)) for a, b in zip(scan.matches.first.tolist(), scan.matches.second.tolist())}
        assert (as_cliques(found) if similarity == 0 else found) == expected
    result = run_search(options)
    photo = next(group for group in result.groups if str(jpeg) in group.paths)
    assert {Path(path).name for path in photo.paths} == {"photo.jpg", *expected_copies}
    assert all(match.mse == 0 for match in photo.matches)
    # the copies are mirror images of the photo, and of each other only turned
    assert all(m.mirrored == ((m.path == str(jpeg)) != (photo.kept == str(jpeg))) for m in photo.matches)
    unmirrored = run_search(dataclasses.replace(options, mirror=False))
    assert all(str(jpeg) not in group.paths for group in unmirrored.groups)
