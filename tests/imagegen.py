"""Generated test images: smooth random pictures, so resized and re-encoded copies stay
close in MSE the way real photos do, and distinct pictures stay far apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    rng = np.random.default_rng(seed)
    low = rng.integers(0, 256, (5, 5, 3), dtype=np.uint8)
    return Image.fromarray(low).resize(size, Image.Resampling.BICUBIC)


def smooth_tensors(count: int, px: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((count, px, px, 3), dtype=np.uint8)
    for i in range(count):
        low = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
        out[i] = np.asarray(Image.fromarray(low).resize((px, px), Image.Resampling.BICUBIC))
    return out


def save(image: Image.Image, path: Path, **params) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **params)
    return path
