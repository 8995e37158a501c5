"""Turning one image file into the small tensor the search compares.

This module runs inside worker processes: it imports no tkinter and keeps its state to
module-level constants, so a spawned (or frozen) worker needs nothing from the parent."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from difpy_tk.scan.appearance import as_seen
from difpy_tk.scan.features import image_stats

DRAFT_FACTOR = 6
"""A JPEG is DCT-scaled (by 1/2, 1/4 or 1/8) while both sides stay at least
DRAFT_FACTOR * px_size."""
REDUCING_GAP = 3.0
"""Any image is first box-reduced by an integer factor while it stays REDUCING_GAP times
px_size, then resampled bicubic. Measured on the benchmark's 2,334 real-photo crops with
334 planted variants, pairs found directly against a full decode's 314: DRAFT_FACTOR 8
finds 312 (1.7x faster than a full decode), 6 finds 311 (about 2x faster, within the 1 %
allowed), 5 finds 306 and 4 finds 299, too many lost.
`python tests/benchmarks/bench.py --decode-check` measures it again."""

REFERENCE_MAX_PIXELS = 64_000_000
"""The FULL decode decodes every pixel up to this many (256 MB in Pillow's 4 bytes per
pixel). A larger JPEG (a 100 or 200-megapixel camera file) is DCT-scaled while decoding
by the smallest of 1/2, 1/4, 1/8 that brings it under this limit, so its reference
tensor is made from a decode still thousands of pixels a side; other formats cannot be
reduced while decoding and are decoded whole."""
BOMB_PIXELS = 1_000_000_000
"""Above this many declared pixels a file is refused as a likely decompression bomb: no
camera makes such photos, and decoding one would take 4 GB or more."""
BOMB_PIXELS_PER_BYTE = 1000
"""A file declaring more than REFERENCE_MAX_PIXELS and more than this many pixels per byte
of file is refused too: a real photo that large takes a byte for every few pixels, while
a bomb is a tiny file that declares an enormous, uniform image."""
Image.MAX_IMAGE_PIXELS = BOMB_PIXELS
"""Pillow's own guard (default about 179 megapixels, which refuses real camera files)
follows ours; it is process-wide, so the viewer opens what the search accepted."""

DECODER_VERSION = f"pil{Image.__version__}-4-asseen-exif-bicubic2pass-ref{REFERENCE_MAX_PIXELS}"
"""What both modes share (Pillow, colour conversion, resampling). A cache key uses
decoder_version(exact), which adds the mode, so a tensor made by another decoder or in
the other mode is never reused."""

_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
"""EXIF orientation tag -> the turn that shows the stored pixels upright (as ImageOps.exif_transpose)."""
_SIDEWAYS = {5, 6, 7, 8}


def decoder_version(exact: bool) -> str:
    """The cache key's decoder field for one mode: FULL ("-full") or FAST (with its
    reduction parameters, so changing them invalidates only fast tensors)."""
    return f"{DECODER_VERSION}-full" if exact else f"{DECODER_VERSION}-fast-draft{DRAFT_FACTOR}-gap{REDUCING_GAP}"


class DecodeError(Exception):
    """An image that cannot be searched; the message is shown to the user as is."""


def _register_optional_decoders() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return
    register_heif_opener()


_register_optional_decoders()


def _plain_reason(error: BaseException) -> str:
    if isinstance(error, UnidentifiedImageError):
        return "not a readable image (unknown format or damaged file)"
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return (
            f"refused as a likely decompression bomb: the file declares more than "
            f"{BOMB_PIXELS // 1_000_000:,} megapixels, more than any camera makes"
        )
    if isinstance(error, PermissionError):
        return "permission denied: the file cannot be read"
    if isinstance(error, FileNotFoundError):
        return "the file disappeared before it could be read"
    if isinstance(error, MemoryError):
        return "not enough memory to open this image"
    message = str(error)
    if "truncated" in message or "broken data stream" in message:
        return "the image file is truncated or damaged"
    return f"could not decode the image: {message or type(error).__name__}"


def _refuse_bombs(image: Image.Image, file_size: int) -> None:
    width, height = image.size
    pixels = width * height
    if pixels > REFERENCE_MAX_PIXELS and pixels > BOMB_PIXELS_PER_BYTE * file_size:
        raise DecodeError(
            f"refused as a likely decompression bomb: the file declares {width}×{height} pixels "
            f"({pixels / 1e6:,.0f} megapixels) in only {file_size:,} bytes"
        )


def _draft_size(size: tuple[int, int], px_size: int, exact: bool) -> tuple[int, int]:
    """The size to ask a JPEG's DCT scaling for: FAST, both sides DRAFT_FACTOR × px_size;
    FULL, the whole image unless it exceeds REFERENCE_MAX_PIXELS (see there), never
    below px_size a side."""
    if not exact:
        return DRAFT_FACTOR * px_size, DRAFT_FACTOR * px_size
    width, height = size
    scale = 1
    while scale < 8 and (width // scale) * (height // scale) > REFERENCE_MAX_PIXELS:
        if min(width, height) // (scale * 2) < px_size:
            break
        scale *= 2
    return width // scale, height // scale


def _bicubic(image: Image.Image, px_size: int) -> Image.Image:
    """Bicubic to px × px whose result turns with the image, exactly.

    Pillow resamples in two passes, horizontal then vertical, rounding to 8 bits in
    between, so resizing a 90°-turned image is not exactly the turned resize (MSE up to
    0.15 on noise). The mean of both pass orders (rounded half up) is symmetric: a turn
    swaps the two orders, and Pillow's weights are already mirror-symmetric, so every
    turn and flip of a picture gives the same tensor turned or flipped. Each value is
    within 1 of Pillow's own bicubic resize."""
    size = (px_size, px_size)
    # Two explicit one-axis passes each: Pillow's own two-axis resize is not always the
    # same as its horizontal then vertical pass (838 × 1600 to 100: off by 1 here and there).
    across = image.resize((px_size, image.height), Image.Resampling.BICUBIC).resize(size, Image.Resampling.BICUBIC)
    down = image.resize((image.width, px_size), Image.Resampling.BICUBIC).resize(size, Image.Resampling.BICUBIC)
    both = np.asarray(across, dtype=np.uint16) + np.asarray(down, dtype=np.uint16) + 1
    return Image.fromarray((both >> 1).astype(np.uint8))


def decode_tensor(path: str, px_size: int, exact: bool = False) -> tuple[np.ndarray, int, int]:
    """Return (tensor uint8 px×px×3, width, height) with the image as a person sees it:
    EXIF orientation applied, so width and height are the displayed ones.

    exact=True is the FULL (reference) decode: every pixel decoded, no JPEG draft and
    no box reduction, then one symmetric bicubic step to px × px (see _bicubic), so
    pixel-identical pictures give identical tensors whatever their container, and a
    picture turned by 90°, 180° or 270° gives the same tensor turned.
    exact=False is the FAST decode: a JPEG is DCT-scaled while both sides stay
    DRAFT_FACTOR × px_size, and any image is box-reduced while it stays REDUCING_GAP ×
    px_size before Pillow's bicubic; close to the full decode but not equal to it.
    The orientation is applied to the px × px result (the same pixels as turning the
    whole image first, at a fraction of the memory)."""
    if os.path.getsize(path) == 0:
        raise DecodeError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Pillow's UserWarnings (corrupt EXIF; palette transparency, which as_seen honours)
            # change nothing here; printed from a worker they would only clutter a terminal.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                _refuse_bombs(image, os.path.getsize(path))  # before getexif(), which loads a PNG
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
                if orientation in _SIDEWAYS:
                    width, height = height, width
                if image.format == "JPEG":
                    image.draft("RGB", _draft_size(image.size, px_size, exact))
                image.load()
                rgb = as_seen(image)
                if exact:
                    small = _bicubic(rgb, px_size)
                else:
                    small = rgb.resize((px_size, px_size), Image.Resampling.BICUBIC, reducing_gap=REDUCING_GAP)
                if orientation in _ORIENTATION_TRANSPOSE:
                    small = small.transpose(_ORIENTATION_TRANSPOSE[orientation])
                tensor = np.asarray(small, dtype=np.uint8)
    except DecodeError:
        raise
    except (Exception, Image.DecompressionBombWarning) as error:
        raise DecodeError(_plain_reason(error)) from error
    if tensor.shape != (px_size, px_size, 3):
        raise DecodeError(f"unexpected image layout {tensor.shape}")
    return tensor, width, height


@dataclass(frozen=True)
class Decoded:
    """One file's outcome: its tensor with the statistics the search bounds need, or
    the reason it could not be decoded (tensor None)."""

    tensor: np.ndarray | None
    width: int = 0
    height: int = 0
    reason: str = ""
    total: int = 0
    squared: int = 0
    sums: np.ndarray | None = None

    @staticmethod
    def failed(reason: str) -> Decoded:
        return Decoded(None, reason=reason)


def decode_batch(paths: list[str], px_size: int, exact: bool = False) -> list[Decoded]:
    """Worker task: decode several files (FULL decode when exact, else FAST; see
    decode_tensor) so that pickling and scheduling costs are shared, and compute each
    tensor's statistics here, in parallel, too."""
    out: list[Decoded] = []
    for path in paths:
        try:
            tensor, width, height = decode_tensor(path, px_size, exact)
        except DecodeError as error:
            out.append(Decoded.failed(str(error)))
        except OSError as error:
            out.append(Decoded.failed(_plain_reason(error)))
        else:
            total, squared, sums = image_stats(tensor)
            out.append(Decoded(tensor, width, height, "", total, squared, sums))
    return out
