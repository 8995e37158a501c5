"""The small picture set the GUI tests and the screenshot script search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def make_image_folders(root: Path) -> tuple[Path, Path]:
    """Two folders under `root`: exact copies (one in each folder), a rotated copy, a near
    copy, unique images and a file that is not an image at all (broken.jpg).

    With similarity "similar" the engine finds 3 duplicate (the copies and the rotated copy,
    pixel-identical once turned) and 1 similar match in 1 group."""
    rng = np.random.default_rng(7)
    first, second = root / "photos", root / "more"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    original = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    near = original.astype(np.int16)
    near[::8, ::8] += 12
    pictures = {
        first / "original.png": original,
        first / "copy.png": original,
        first / "rotated.png": np.rot90(original).copy(),
        second / "near_copy.png": np.clip(near, 0, 255).astype(np.uint8),
        second / "copy_in_other_folder.png": original,
        **{second / f"unique_{index}.png": rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for index in range(3)},
    }
    for path, pixels in pictures.items():
        Image.fromarray(pixels).save(path)
    (first / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    return first, second
