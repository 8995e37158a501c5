"""Turning one image file into the small tensor the search compares.

This module runs inside worker processes: it imports no tkinter and keeps its state to
module-level constants, so a spawned (or frozen) worker needs nothing from the parent."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from difpy_tk.scan.appearance import as_seen, before_load
from difpy_tk.scan.features import image_stats

DRAFT_FACTOR = 2
"""The FAST decode DCT-scales a JPEG (by 1/2, 1/4 or 1/8) while both sides stay at least
DRAFT_FACTOR * px_size, then resamples it exactly as the FULL decode resamples the whole
image, over the same area (see _bicubic). Measured on the 2,266 JPEGs of the benchmark's
2k corpus, RMS distance to the full-decode tensor at px 50 (median / largest) and CPU
time a file: factor 2 0.44 / 2.23 at 1.63 ms, 3 0.36 / 1.06 at 2.03 ms, 4 0.32 / 0.92 at
2.36 ms, 6 0.21 / 0.72 at 3.50 ms; the full decode 6.8 ms. The margin of the verdicts
(verdicts.DRIFT_RMS) must also cover halftone print screens, which drift up to 2.9 at
any of these factors, and with that margin factor 2 sends no more images to the full
decode than 3 does (918 of 2,334 at "similar"): the fastest one wins. docs/benchmarks.md
has the figures."""

FAST_DECODE_MAX_PX = 100
"""The largest px_size at which the FAST decode's drift was measured (verdicts.DRIFT_RMS);
at a larger px_size every image is decoded in full from the start (text screenshots
drift 4.7 at px 150), which costs a first scan about four times the time."""

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

DECODER_VERSION = f"pil{Image.__version__}-8-asseen-exif-bicubic-longfirst-box-ref{REFERENCE_MAX_PIXELS}"
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
    if exact:
        return f"{DECODER_VERSION}-full"
    return f"{DECODER_VERSION}-fast-draft{DRAFT_FACTOR}-upto{FAST_DECODE_MAX_PX}"


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


Box = tuple[float, float, float, float]


def _bicubic(image: Image.Image, px_size: int, box: Box | None = None) -> Image.Image:
    """Bicubic to px × px over box (the area of image that stands for the whole picture;
    all of it by default), whose result turns with the picture, exactly.

    Pillow resamples in two one-axis passes and rounds to 8 bits in between, so the
    order matters: resizing a 90°-turned image horizontally first is not the turned
    resize (MSE up to 0.15 on noise). Here the first pass runs along the picture's
    longer side, which a turn carries along, and Pillow's weights are mirror-symmetric,
    so every turn and flip of a picture gives the same tensor turned or flipped. A
    square picture has no longer side: it takes the mean of both orders (rounded half
    up), also symmetric. One pass over the full image costs about as much as decoding a
    JPEG; the mean of both orders, which every picture once took, costs two.

    box is how a JPEG decoded at a reduced scale keeps the full decode's geometry: its
    reduced size is rounded up, so its last column and row stand for less than a whole
    block, and resampling all of it would shift the picture by up to one reduced pixel
    (that shift was most of the old fast decode's RMS drift of up to 3.6 at px 50)."""
    left, top, right, bottom = box or (0, 0, image.width, image.height)
    size = (px_size, px_size)
    if right - left != bottom - top:
        if right - left > bottom - top:
            first = image.resize((px_size, image.height), Image.Resampling.BICUBIC, box=(left, 0, right, image.height))
            return first.resize(size, Image.Resampling.BICUBIC, box=(0, top, px_size, bottom))
        first = image.resize((image.width, px_size), Image.Resampling.BICUBIC, box=(0, top, image.width, bottom))
        return first.resize(size, Image.Resampling.BICUBIC, box=(left, 0, right, px_size))
    across = image.resize((px_size, image.height), Image.Resampling.BICUBIC, box=(left, 0, right, image.height))
    across = across.resize(size, Image.Resampling.BICUBIC, box=(0, top, px_size, bottom))
    down = image.resize((image.width, px_size), Image.Resampling.BICUBIC, box=(0, top, image.width, bottom))
    down = down.resize(size, Image.Resampling.BICUBIC, box=(left, 0, right, px_size))
    both = np.asarray(across, dtype=np.uint16) + np.asarray(down, dtype=np.uint16) + 1
    return Image.fromarray((both >> 1).astype(np.uint8))


class ImageTensor(NamedTuple):
    """decode_tensor's result."""

    tensor: np.ndarray
    """uint8, px × px × 3."""
    width: int
    height: int
    """As displayed (EXIF orientation applied)."""
    is_full: bool
    """The FULL-decode (reference) tensor: always in exact mode, and in FAST mode when
    nothing was reduced (every format but JPEG, a small JPEG), since both modes then do
    the same; such a tensor needs no second decode to decide a verdict."""


def decode_tensor(path: str, px_size: int, exact: bool = False) -> ImageTensor:
    """The image as a person sees it (EXIF orientation applied), bicubic to px × px.

    exact=True is the FULL (reference) decode: every pixel decoded (see
    REFERENCE_MAX_PIXELS for the only exception), then _bicubic, so pixel-identical
    pictures give identical tensors whatever their container, and a picture turned by
    90°, 180° or 270° gives the same tensor turned.
    exact=False is the FAST decode: a JPEG is DCT-scaled while both sides stay
    DRAFT_FACTOR × px_size, then resampled over the same area as the full decode;
    close to the full-decode tensor (verdicts.DRIFT_RMS bounds how close) but not equal
    to it. Other formats cannot be reduced while decoding and are decoded in full.
    The orientation is applied to the px × px result (the same pixels as turning the
    whole image first, at a fraction of the memory). Above FAST_DECODE_MAX_PX both modes
    are the FULL decode."""
    exact = exact or px_size > FAST_DECODE_MAX_PX
    if os.path.getsize(path) == 0:
        raise DecodeError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Pillow's UserWarnings (corrupt EXIF; palette transparency, which as_seen honours)
            # change nothing here; printed from a worker they would only clutter a terminal.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                _refuse_bombs(image, os.path.getsize(path))  # before load()
                stored_size = image.size
                box = None
                if image.format == "JPEG":
                    drafted = image.draft("RGB", _draft_size(image.size, px_size, exact))
                    box = drafted[1] if drafted else None
                # Unreduced, the fast decode is the full one, unless the full one reduces a
                # JPEG over REFERENCE_MAX_PIXELS that the fast one (at a large px) did not.
                reduced = image.size != stored_size
                full_reduces = image.format == "JPEG" and _draft_size(stored_size, px_size, True) != stored_size
                is_full = exact or not (reduced or full_reduces)
                samples = before_load(image)
                image.load()
                # Read after load(): Pillow turns a TIFF upright itself while loading it
                # (its size already says so) and then drops the tag; read before, the
                # tag would turn the picture a second time.
                orientation = image.getexif().get(0x0112, 1)
                small = _bicubic(as_seen(image, samples), px_size, box)
                if orientation in _ORIENTATION_TRANSPOSE:
                    small = small.transpose(_ORIENTATION_TRANSPOSE[orientation])
                tensor = np.asarray(small, dtype=np.uint8)
    except DecodeError:
        raise
    except (Exception, Image.DecompressionBombWarning) as error:
        raise DecodeError(_plain_reason(error)) from error
    if tensor.shape != (px_size, px_size, 3):
        raise DecodeError(f"unexpected image layout {tensor.shape}")
    width, height = stored_size
    if orientation in _SIDEWAYS:
        width, height = height, width
    return ImageTensor(tensor, width, height, is_full)


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
    is_full: bool = False
    """The tensor is the FULL-decode one (see ImageTensor.is_full)."""

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
            tensor, width, height, is_full = decode_tensor(path, px_size, exact)
        except DecodeError as error:
            out.append(Decoded.failed(str(error)))
        except OSError as error:
            out.append(Decoded.failed(_plain_reason(error)))
        else:
            total, squared, sums = image_stats(tensor)
            out.append(Decoded(tensor, width, height, "", total, squared, sums, is_full))
    return out
