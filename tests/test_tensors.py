import numpy as np
import pytest
from imagegen import picture, png_header_only, save, text_screenshot
from PIL import Image

from difpy_tk.scan.tensors import DRAFT_FACTOR, FAST_DECODE_MAX_PX, DecodeError, _bicubic, decode_tensor
from difpy_tk.scan.verdicts import drift_margin


def test_exif_orientation_is_applied(tmp_path):
    image = picture(1, (300, 200))
    upright = save(image, tmp_path / "upright.jpg", quality=95)
    # Stored turned on its side, with an EXIF tag telling viewers to turn it back.
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    sideways = save(image.transpose(Image.Transpose.ROTATE_90), tmp_path / "tagged.jpg", quality=95, exif=exif)
    a, width_a, height_a, _ = decode_tensor(str(upright), 32)
    b, width_b, height_b, _ = decode_tensor(str(sideways), 32)
    assert (width_a, height_a) == (width_b, height_b) == (300, 200)
    assert np.mean((a.astype(int) - b.astype(int)) ** 2) < 5


def test_modes_are_converted_to_rgb(tmp_path):
    for mode in ("L", "P", "RGBA", "I;16", "CMYK"):
        path = save(picture(2).convert(mode), tmp_path / f"img_{mode.replace(';', '')}.tiff")
        tensor, *_ = decode_tensor(str(path), 10)
        assert tensor.shape == (10, 10, 3) and tensor.dtype == np.uint8


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"hello, not an image", "not a readable image"),
        (np.random.default_rng(0).bytes(5000), "not a readable image"),
    ],
)
def test_bad_files_raise_plain_reasons(tmp_path, content, reason):
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(DecodeError, match=reason):
        decode_tensor(str(path), 16)


def test_truncated_jpeg(tmp_path):
    path = save(picture(3, (800, 600)), tmp_path / "whole.jpg", quality=90)
    data = path.read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DecodeError, match="truncated or damaged"):
        decode_tensor(str(cut), 16)


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ((40_000, 40_000), "declares more than 1,000 megapixels"),
        ((12_000, 9_000), r"declares 12000×9000 pixels \(108 megapixels\) in only"),
    ],
)
def test_decompression_bombs_are_refused_with_the_reason(tmp_path, size, reason):
    path = png_header_only(tmp_path / "bomb.png", *size)
    with pytest.raises(DecodeError, match=reason):
        decode_tensor(str(path), 16)


def test_wrong_extension_still_decodes(tmp_path):
    path = save(picture(5), tmp_path / "actually_png.jpg", format="PNG")
    _tensor, width, height, _ = decode_tensor(str(path), 16)
    assert (width, height) == (320, 240)


def grainy(seed: int, size: tuple[int, int], grain: int) -> Image.Image:
    """A smooth picture with per-pixel grain of up to ±grain levels."""
    base = np.asarray(picture(seed, size), dtype=np.int16)
    noise = np.random.default_rng(seed).integers(-grain, grain + 1, (size[1], size[0], 1))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def rms_drift(path, px: int) -> float:
    fast = decode_tensor(str(path), px)
    assert not fast.is_full  # scaled while decoding: what the margin is for
    full = decode_tensor(str(path), px, exact=True).tensor
    return float(np.sqrt(np.mean((fast.tensor.astype(int) - full.astype(int)) ** 2)))


JPEG_KINDS = {
    "4:2:0": {"subsampling": 2},
    "4:2:2": {"subsampling": 1},
    "4:4:4": {"subsampling": 0},
    "progressive": {"progressive": True},
    "quality 50": {"quality": 50},
}


@pytest.mark.parametrize("px", [10, 50, 100])
def test_a_scaled_jpeg_stays_within_the_margin_of_its_full_decode(tmp_path, px):
    """Odd sizes (the scaled size is rounded up), every chroma subsampling, progressive,
    quality 50, CMYK, EXIF-turned, and grain up to ±40 levels on every pixel (more than a
    camera's noise): the fast tensor stays within D (verdicts.DRIFT_RMS) of the full one.
    Measured: at most 1.26 here, 2.23 on 12,403 real-photo crops; D is 3.6 to 5.1."""
    drifts = {}
    for seed, size in enumerate([(1117, 621), (837, 1601), (2001, 1499)]):
        for grain in (0, 40):
            image = grainy(seed, size, grain)
            for kind, options in JPEG_KINDS.items():
                options = {"quality": 90, **options}
                path = save(image, tmp_path / f"{seed}_{grain}.jpg", **options)
                drifts[(size, grain, kind)] = rms_drift(path, px)
            drifts[(size, grain, "CMYK")] = rms_drift(save(image.convert("CMYK"), tmp_path / "cmyk.jpg"), px)
            exif = Image.Exif()
            exif[0x0112] = 6
            drifts[(size, grain, "turned")] = rms_drift(save(image, tmp_path / "turned.jpg", exif=exif), px)
    worst = max(drifts, key=drifts.get)
    assert drifts[worst] <= drift_margin(px), (worst, drifts[worst])
    assert drifts[worst] > 0.5  # grain does drift: the check is not vacuous


@pytest.mark.parametrize(
    ("px", "size", "type_px", "quality", "measured"),
    [
        (10, (1280, 800), 12, 75, 2.93),
        (50, (1280, 800), 8, 75, 3.88),
        (100, (1280, 800), 10, 75, 4.24),
        (100, (1920, 1080), 14, 95, None),
    ],
)
def test_text_screenshots_stay_within_the_margin(tmp_path, px, size, type_px, quality, measured):
    """The worst JPEG text screenshots of docs/benchmarks.md's sweep, which the old margin
    (3.5 at every px) did not cover at px 50 and 100, and an ordinary one."""
    path = save(text_screenshot(size, type_px), tmp_path / "shot.jpg", quality=quality, subsampling=0)
    drift = rms_drift(path, px)
    # The 20 % room DRIFT_RMS promises. Pillow or libjpeg may move these figures a little:
    # then re-measure D (docs/benchmarks.md) rather than loosen this.
    assert drift <= drift_margin(px) / 1.2, "re-measure DRIFT_RMS for this Pillow / libjpeg"
    if measured is not None:
        assert drift == pytest.approx(measured, abs=0.3)


def test_above_the_measured_px_sizes_the_fast_decode_is_the_full_one(tmp_path):
    path = save(text_screenshot((1280, 800), 12), tmp_path / "shot.jpg", quality=75)
    px = FAST_DECODE_MAX_PX + 50
    fast, full = decode_tensor(str(path), px), decode_tensor(str(path), px, exact=True)
    assert fast.is_full and np.array_equal(fast.tensor, full.tensor)
    assert not decode_tensor(str(path), FAST_DECODE_MAX_PX).is_full


def test_the_fast_decode_resamples_the_area_its_scaled_pixels_stand_for(tmp_path):
    """1117 × 621 scaled by 1/4 decodes to 280 × 156 pixels, the last column and row only
    partly covered by the picture; resampling them whole shifts the picture by up to a
    scaled pixel, which was most of the fast decode's drift on real photos."""
    path = save(grainy(3, (1117, 621), 0), tmp_path / "odd.jpg", quality=90)
    with Image.open(path) as image:
        image.draft("RGB", (DRAFT_FACTOR * 50, DRAFT_FACTOR * 50))
        shifted = np.asarray(_bicubic(image.convert("RGB"), 50))  # all of the scaled image
    full = decode_tensor(str(path), 50, exact=True).tensor
    shift_drift = np.sqrt(np.mean((shifted.astype(int) - full.astype(int)) ** 2))
    assert rms_drift(path, 50) < shift_drift / 2


def test_what_cannot_be_scaled_is_decoded_in_full_at_once(tmp_path):
    """Every format but JPEG, and a JPEG too small to scale (sides under 2 × px), gets its
    full-decode tensor from the fast decode: no second decode, no margin."""
    image = grainy(4, (641, 479), 10)
    for path in (save(image, tmp_path / "photo.png"), save(image.resize((120, 90)), tmp_path / "small.jpg")):
        fast = decode_tensor(str(path), 50)
        assert fast.is_full and np.array_equal(fast.tensor, decode_tensor(str(path), 50, exact=True).tensor)
    assert not decode_tensor(str(save(image, tmp_path / "photo.jpg")), 50).is_full


def test_a_jpeg_the_full_decode_reduces_is_not_full_when_the_fast_one_did_not(tmp_path, monkeypatch):
    """Above REFERENCE_MAX_PIXELS the full decode of a JPEG is DCT-scaled too; at a px so
    large that the fast decode scales nothing, the two still differ (a panorama of
    20000 × 3500 at px 1000; here the limit is lowered to make it small)."""
    from difpy_tk.scan import tensors

    monkeypatch.setattr(tensors, "REFERENCE_MAX_PIXELS", 100_000)
    path = save(grainy(5, (1000, 300), 40), tmp_path / "panorama.jpg", quality=90)
    fast = decode_tensor(str(path), 100)
    full = decode_tensor(str(path), 100, exact=True)
    assert not fast.is_full and full.is_full
    assert not np.array_equal(fast.tensor, full.tensor)


def test_corrupt_exif_does_not_invalidate_the_image(tmp_path, recwarn):
    path = tmp_path / "bad_exif.jpg"
    picture(7, (64, 48)).save(path, exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\xff\xff\xff\xff")
    tensor, width, height, _ = decode_tensor(str(path), 16)
    assert (width, height) == (64, 48) and tensor.shape == (16, 16, 3)
    assert not [w for w in recwarn if "EXIF" in str(w.message)]
