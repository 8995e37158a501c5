"""Folders of pictures with planted copies for the viewer's tests and screenshots.

make_review_folder generates pictures: byte copies (duplicates), half-size copies
(lower resolution) and strongly re-encoded JPEGs (similar). copy_corpus_sample copies
real photos and their planted variants out of the benchmark corpus instead."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from imagegen import picture, save
from PIL import Image

PLANTED = ("copies", "small", "reencoded")
CORPUS_KINDS = ("rot90", "rot180", "rot270", "half_size", "png", "jpeg_q70", "webp", "copy", "brighter")
"""Every kind of variant the benchmark corpus plants, one pair of each in the sample."""
SECOND_PAIR_KINDS = ("rot90", "rot270", "half_size")
"""Kinds sampled twice, for one landscape and one portrait original where there is one."""
BIG_GROUP_FOLDERS = (
    "Family archive 2019 – scanned and sorted/Holidays/Summer in the Dolomites (Canon EOS 80D originals)",
    "Family archive 2019 – scanned and sorted/Holidays/Summer in the Dolomites (copy for the photo book)",
    "Phone backup/DCIM/Camera",
    "Downloads/shared by Anna",
)
"""Where the large group's copies go: long names, as real photo collections have."""
LONG_NAME = "IMG_20190712_183455_HDR_panorama_edited_final_version_for_printing.jpg"


def make_review_folder(root: Path, count: int) -> Path:
    """count generated pictures in root/originals, each with one planted variant in turn
    from PLANTED. Copies keep the original's file name, so moving them to one folder
    clashes; every fourth picture also has a backup copy, making groups of three."""
    for index in range(count):
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


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _is_portrait(path: Path) -> bool:
    with Image.open(path) as image:
        return image.height > image.width


def _sample(corpus: Path, planted: list[dict]) -> list[dict]:
    """One planted pair of each kind, two of SECOND_PAIR_KINDS (the second with a
    portrait original), in the corpus's order so the sample is the same every time."""
    chosen: list[dict] = []
    for kind in CORPUS_KINDS:
        of_kind = [entry for entry in planted if entry["kind"] == kind]
        chosen.append(of_kind[0])
        if kind in SECOND_PAIR_KINDS:
            others = of_kind[1:]
            portrait = [entry for entry in others if _is_portrait(corpus / entry["base"])]
            chosen.append((portrait or others)[0])
    return chosen


def copy_corpus_sample(corpus: Path, root: Path) -> Path:
    """About 30 real photos from the benchmark corpus (its truth.json names each planted
    variant and its original) in root: the pairs of _sample, plus one group of seven
    (an original in four folders with long names, its JPEG-q70 variant in three, one
    under a long file name). The corpus itself is only read. Returns root."""
    planted = json.loads((corpus / "truth.json").read_text())["planted"]
    chosen = _sample(corpus, planted)
    for entry in chosen:
        _copy(corpus / entry["base"], root / "originals" / Path(entry["base"]).name)
        _copy(corpus / entry["variant"], root / entry["kind"] / Path(entry["variant"]).name)
    big = next(entry for entry in planted if entry["kind"] == "jpeg_q70" and entry not in chosen)
    for folder in BIG_GROUP_FOLDERS:
        _copy(corpus / big["base"], root / folder / Path(big["base"]).name)
    for folder in BIG_GROUP_FOLDERS[:2]:
        _copy(corpus / big["variant"], root / folder / Path(big["variant"]).name)
    _copy(corpus / big["variant"], root / BIG_GROUP_FOLDERS[2] / LONG_NAME)
    return root
