"""How many frames or pages an image file holds.

Only the first frame of an animation (GIF, WebP, APNG, FLI) or the first page of a
multi-page file (a TIFF scan, a DCX fax) is compared, as difPy does. Two scans with the
same cover page would then look identical although their other pages differ, so the
review leaves a group holding such a file to the user's eye instead of marking it by a
rule."""

from __future__ import annotations

import warnings

from PIL import Image

UNCOUNTED = 0
"""The count of a file whose format holds pages but whose pages could not be counted (a
TIFF damaged after its first page): the review treats it as a file of several pages."""

PAGED_FORMATS = frozenset({"GIF", "TIFF", "WEBP", "PNG", "DCX", "FLI", "HEIF", "AVIF"})
"""Pillow's names of the formats that can hold several frames or pages, told by content
(a TIFF named .jpg is a TIFF). A JPEG (Pillow's "MPO" when it has extra images) is not
one: a preview, a depth map or the other half of a stereo pair is not a page to lose."""


JPEG_MAGIC = b"\xff\xd8\xff"
"""How every JPEG starts: most matched files are JPEGs, and telling one by these bytes
takes a quarter of the time Pillow takes to open it (it reads all its markers)."""


def frame_count(path: str) -> int:
    """Frames or pages in the file: 1 for a format that holds one, UNCOUNTED when a
    paged format's count cannot be read, 1 when the file no longer opens (it decoded a
    moment ago; the review sees a file that changed or went away)."""
    try:
        with open(path, "rb") as stream:
            if stream.read(len(JPEG_MAGIC)) == JPEG_MAGIC:
                return 1
    except OSError:
        return 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # corrupt EXIF and the like: the decode already said so
        try:
            image = Image.open(path)
        except Exception:  # any failure to open means "as decoded"
            return 1
        with image:
            if image.format not in PAGED_FORMATS:
                return 1
            try:
                return max(1, int(getattr(image, "n_frames", 1)))
            except Exception:  # a damaged later page: its count is unknown, not 1
                return UNCOUNTED


def may_hold_pages(frames: int) -> bool:
    """Whether a file of this count may hold pages that were not compared."""
    return frames != 1
