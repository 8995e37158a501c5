import numpy as np
import pytest
from imagegen import picture, png_header_only, save
from PIL import Image

from difpy_tk.scan.tensors import DecodeError, decode_tensor


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


def test_fast_decode_stays_close_to_a_full_decode(tmp_path):
    path = save(picture(6, (1600, 1200)), tmp_path / "large.jpg", quality=90)
    fast, *_ = decode_tensor(str(path), 50)
    full, *_ = decode_tensor(str(path), 50, exact=True)
    assert np.mean((fast.astype(int) - full.astype(int)) ** 2) < 1.0


def test_corrupt_exif_does_not_invalidate_the_image(tmp_path, recwarn):
    path = tmp_path / "bad_exif.jpg"
    picture(7, (64, 48)).save(path, exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\xff\xff\xff\xff")
    tensor, width, height, _ = decode_tensor(str(path), 16)
    assert (width, height) == (64, 48) and tensor.shape == (16, 16, 3)
    assert not [w for w in recwarn if "EXIF" in str(w.message)]
