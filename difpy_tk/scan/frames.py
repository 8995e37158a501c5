"""How many frames or pages an image file holds.

Only the first frame of an animation (GIF, WebP, APNG) or the first page of a
multi-page file (a TIFF scan, a fax) is compared, as difPy does. Two scans with the same
cover page would then look identical although their other pages differ, so the review
leaves a group holding such a file to the user's eye instead of marking it by a rule."""

from __future__ import annotations

import os

from PIL import Image

SEVERAL_FRAME_SUFFIXES = frozenset({".gif", ".tif", ".tiff", ".webp", ".png", ".apng", ".heic", ".heif", ".avif"})
"""Formats that can hold several frames or pages. A JPEG cannot: its extra images (MPO:
a preview, a depth map, the other half of a stereo pair) are not pages to lose."""


def frame_count(path: str) -> int:
    """Frames or pages in the file; 1 for a format that holds one, or when it cannot
    be read (the decode has already said what was wrong with it)."""
    if os.path.splitext(path)[1].lower() not in SEVERAL_FRAME_SUFFIXES:
        return 1
    try:
        with Image.open(path) as image:
            return max(1, int(getattr(image, "n_frames", 1)))
    except Exception:  # any failure to read the count means "as decoded"
        return 1
