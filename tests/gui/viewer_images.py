"""A folder of pictures with planted copies for the viewer's tests and screenshots:
byte copies (duplicates), half-size copies (lower resolution) and strongly re-encoded
JPEGs (similar). Copies keep the original's file name, so moving them to one folder
clashes; every fourth picture also has a backup copy, making groups of three."""

from __future__ import annotations

import shutil
from pathlib import Path

from imagegen import picture, save
from PIL import Image

PLANTED = ("copies", "small", "reencoded")


def make_review_folder(root: Path, count: int, sources: list[str] | None = None) -> Path:
    """count base pictures in root/originals (real photos from sources when given, else
    generated), each with one planted variant in turn from PLANTED. Returns root."""
    for index in range(count):
        if sources:
            with Image.open(sources[index % len(sources)]) as image:
                image.draft("RGB", (1600, 1600))
                base = image.convert("RGB")
                base.thumbnail((1600, 1600))
        else:
            base = picture(index, (640, 480))
        original = save(base, root / "originals" / f"picture_{index:03}.jpg", quality=92)
        variant = PLANTED[index % len(PLANTED)]
        target = root / variant / original.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if variant == "copies":
            shutil.copy2(original, target)
        elif variant == "small":
            save(base.resize((base.width // 2, base.height // 2)), target, quality=92)
        else:
            save(base, target, quality=55)
        if index % 4 == 0:
            (root / "backup").mkdir(exist_ok=True)
            shutil.copy2(original, root / "backup" / original.name)
    return root
