"""Turning one image file into the small tensor the search compares.

This module runs inside worker processes: it imports no tkinter and keeps its state to
module-level constants, so a spawned (or frozen) worker needs nothing from the parent."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

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

DECODER_VERSION = f"pil{Image.__version__}-exif-bicubic-draft{DRAFT_FACTOR}-gap{REDUCING_GAP}"
"""Part of the cache key: a tensor made by another decoder is never reused."""

_ROTATED_ORIENTATIONS = {5, 6, 7, 8}


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
        return f"image is too large to open safely ({error})"
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


def decode_tensor(path: str, px_size: int, fast: bool = True) -> tuple[np.ndarray, int, int]:
    """Return (tensor uint8 px×px×3, width, height) with the image as a person sees it:
    EXIF orientation applied, so width and height are the displayed ones. fast=False
    decodes every pixel and resamples in one step (the reference for the fast path)."""
    if os.path.getsize(path) == 0:
        raise DecodeError("empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Pillow's UserWarnings (corrupt EXIF, palette transparency) do not change the
            # tensor; printed from a worker they would only clutter the user's terminal.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
                if orientation in _ROTATED_ORIENTATIONS:
                    width, height = height, width
                if fast and image.format == "JPEG":
                    side = DRAFT_FACTOR * px_size
                    image.draft("RGB", (side, side))
                image.load()
                ImageOps.exif_transpose(image, in_place=True)
                if image.mode != "RGB":
                    image = image.convert("RGB")
                gap = REDUCING_GAP if fast else None
                small = image.resize((px_size, px_size), Image.Resampling.BICUBIC, reducing_gap=gap)
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


def decode_batch(paths: list[str], px_size: int) -> list[Decoded]:
    """Worker task: decode several files so that pickling and scheduling costs are
    shared, and compute each tensor's statistics here, in parallel, too."""
    out: list[Decoded] = []
    for path in paths:
        try:
            tensor, width, height = decode_tensor(path, px_size)
        except DecodeError as error:
            out.append(Decoded.failed(str(error)))
        except OSError as error:
            out.append(Decoded.failed(_plain_reason(error)))
        else:
            total, squared, sums = image_stats(tensor)
            out.append(Decoded(tensor, width, height, "", total, squared, sums))
    return out
