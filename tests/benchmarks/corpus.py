"""Build a deterministic benchmark corpus of real photographs with planted look-alikes.

Why real photos: smooth synthetic images make every search look good; crops of real
pictures (Debian's wallpaper packages) have the texture, noise and JPEG artefacts that
decide how far pruning and fast decoding can go. Why planted variants: recall can only be
measured against pairs nobody tuned the engine to, so each planted (base, variant, kind)
is recorded in OUT/truth.json.

usage: python tests/benchmarks/corpus.py OUT [--n 2000] [--seed 1] [--planted 0.16]
       [--sources LIST_FILE] [--processes N]

The same parameters and sources give byte-identical files. A corpus whose truth.json
matches the requested parameters (and whose files are all present) is not rebuilt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

BUILDER_VERSION = 1
"""Bump when the output for given parameters changes, so cached corpora are rebuilt."""

WALLPAPER_PACKAGES = (
    "plasma-workspace-wallpapers",
    "gnome-backgrounds",
    "mate-backgrounds",
    "ukui-wallpapers",
    "sway-backgrounds",
    "lomiri-wallpapers",
)
SOURCE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
MIN_SOURCE_BYTES = 100_000
"""Smaller files in those packages are icons and previews, not photos."""

KINDS = ("copy", "png", "webp", "jpeg_q70", "half_size", "rot90", "rot180", "rot270", "brighter")
BASE_FOLDERS = 8
VARIANT_FOLDERS = 3
EDGE_RANGE = (480, 1600)
MAX_ASPECT = 1.8
"""Longer edge / shorter edge of a base, at most: 480 x 1.8 still fits under 1600."""
SOURCE_MAX_EDGE = 3200
"""Sources are shrunk to this first: crops come out at most 1600 px, so more is wasted."""

TRUTH_NAME = "truth.json"


@dataclass(frozen=True)
class Item:
    """One base image to render, with every random choice already made.

    All randomness is drawn in the parent, in order, before any rendering: the workers
    then only execute the plan, so the corpus does not depend on scheduling."""

    index: int
    source: str
    box: tuple[float, float, float, float]
    """Crop as fractions of the source (left, top, right, bottom)."""
    edge: int
    quality: int
    base: str
    kind: str | None
    variant: str | None


# ---------------------------------------------------------------- sources


def wallpaper_sources(install: bool = True) -> list[str]:
    """Image files of the wallpaper packages, sorted; installs the packages if missing."""
    if install and not _packages_installed(WALLPAPER_PACKAGES):
        _apt_install(WALLPAPER_PACKAGES)
    listing = subprocess.run(["dpkg", "-L", *WALLPAPER_PACKAGES], capture_output=True, text=True, check=False).stdout
    paths = {line.strip() for line in listing.splitlines() if line.strip().lower().endswith(SOURCE_EXTENSIONS)}
    # Packages link one file under several names; each picture should count once.
    unique = {os.path.realpath(p) for p in paths if os.path.isfile(p)}
    return sorted(p for p in unique if os.path.getsize(p) >= MIN_SOURCE_BYTES)


def _packages_installed(packages: Iterable[str]) -> bool:
    result = subprocess.run(["dpkg", "-s", *packages], capture_output=True, check=False)
    return result.returncode == 0


def _apt_install(packages: Sequence[str]) -> None:
    """apt-get install, with an update first: a fresh container has no package lists."""
    print(f"installing {' '.join(packages)} with apt-get ...", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *packages],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def sources_fingerprint(sources: Sequence[str]) -> str:
    """Names and sizes of the sources: a different package version means a different corpus."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(f"{os.path.basename(path)}:{os.path.getsize(path)}\n".encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- plan


def plan_corpus(sources: Sequence[str], n: int, seed: int, planted: float) -> list[Item]:
    """Every random decision of the corpus, from one seeded generator, in index order."""
    if not sources:
        raise ValueError("no source images")
    rnd = random.Random(seed)
    items = []
    for index in range(n):
        source = rnd.choice(sources)
        width_share, height_share = rnd.uniform(0.3, 0.9), rnd.uniform(0.3, 0.9)
        left, top = rnd.uniform(0, 1 - width_share), rnd.uniform(0, 1 - height_share)
        edge = rnd.randint(*EDGE_RANGE)
        quality = rnd.choice((85, 90, 95))
        base = f"b{index % BASE_FOLDERS}/img_{index:06d}.jpg"
        kind = variant = None
        if rnd.random() < planted:
            kind = rnd.choice(KINDS)
            variant = f"v{index % VARIANT_FOLDERS}/var_{index:06d}_{kind}{_variant_extension(kind)}"
        box = (left, top, left + width_share, top + height_share)
        items.append(Item(index, source, box, edge, quality, base, kind, variant))
    return items


def _variant_extension(kind: str) -> str:
    return {"png": ".png", "webp": ".webp"}.get(kind, ".jpg")


# ---------------------------------------------------------------- render


def load_source(path: str) -> Image.Image:
    """The source as a person sees it (EXIF orientation applied), RGB, at most 3200 px.

    JPEG draft mode decodes big wallpapers at a reduced scale, which is most of the speed."""
    with Image.open(path) as image:
        image.draft("RGB", (SOURCE_MAX_EDGE, SOURCE_MAX_EDGE))
        image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((SOURCE_MAX_EDGE, SOURCE_MAX_EDGE), Image.Resampling.LANCZOS)
    return image


def render_base(source: Image.Image, item: Item) -> Image.Image:
    """Crop the planned box and scale it so its longer edge is the planned edge.

    The crop's aspect is clamped to MAX_ASPECT (trimming its longer side around its
    centre) so that both edges of the result stay within 480-1600 px, like real photos."""
    width, height = source.size
    left, top, right, bottom = (round(f * s) for f, s in zip(item.box, (width, height) * 2, strict=True))
    crop_w, crop_h = max(1, right - left), max(1, bottom - top)
    if crop_w > crop_h * MAX_ASPECT:
        trim = crop_w - round(crop_h * MAX_ASPECT)
        left, right = left + trim // 2, right - (trim - trim // 2)
    elif crop_h > crop_w * MAX_ASPECT:
        trim = crop_h - round(crop_w * MAX_ASPECT)
        top, bottom = top + trim // 2, bottom - (trim - trim // 2)
    crop = source.crop((left, top, right, bottom))
    aspect = max(crop.size) / min(crop.size)
    target = min(EDGE_RANGE[1], max(item.edge, round(EDGE_RANGE[0] * aspect)))
    scale = target / max(crop.size)
    size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
    return crop.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def write_variant(base_path: Path, base_image: Image.Image, kind: str, path: Path) -> None:
    """Plant one look-alike of the base as a user would make it (re-save, resize, rotate...).

    Variants start from the decoded base file, not the pre-JPEG crop, as real copies do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "copy":
        shutil.copyfile(base_path, path)
        return
    decoded = base_image
    if kind == "png":
        decoded.save(path, format="PNG")
    elif kind == "webp":
        decoded.save(path, format="WEBP", lossless=True)
    elif kind == "jpeg_q70":
        decoded.save(path, format="JPEG", quality=70)
    elif kind == "half_size":
        half = (max(1, decoded.width // 2), max(1, decoded.height // 2))
        decoded.resize(half, Image.Resampling.LANCZOS).save(path, format="JPEG", quality=92)
    elif kind.startswith("rot"):
        turn = {
            "rot90": Image.Transpose.ROTATE_90,
            "rot180": Image.Transpose.ROTATE_180,
            "rot270": Image.Transpose.ROTATE_270,
        }[kind]
        decoded.transpose(turn).save(path, format="JPEG", quality=95)
    elif kind == "brighter":
        ImageEnhance.Brightness(decoded).enhance(1.02).save(path, format="JPEG", quality=95)
    else:
        raise ValueError(f"unknown variant kind {kind!r}")


def render_items(out: str, items: Sequence[Item]) -> int:
    """Render items that share one source, so each source is decoded once per batch."""
    root = Path(out)
    source_path, source = None, None
    for item in items:
        if item.source != source_path:
            source_path, source = item.source, load_source(item.source)
        base_path = root / item.base
        base_path.parent.mkdir(parents=True, exist_ok=True)
        render_base(source, item).save(base_path, format="JPEG", quality=item.quality)
        if item.kind and item.variant:
            with Image.open(base_path) as written:
                decoded = written.convert("RGB")
            write_variant(base_path, decoded, item.kind, root / item.variant)
    return len(items)


def _render_batch(args: tuple[str, list[Item]]) -> int:
    return render_items(*args)


def batches_by_source(items: Sequence[Item], size: int = 24) -> list[list[Item]]:
    """Split the plan into work units of one source each, big sources first for balance."""
    by_source: dict[str, list[Item]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item)
    batches = [group[i : i + size] for group in by_source.values() for i in range(0, len(group), size)]
    return sorted(batches, key=len, reverse=True)


# ---------------------------------------------------------------- truth and cache


def parameters(n: int, seed: int, planted: float, fingerprint: str) -> dict:
    return {"builder": BUILDER_VERSION, "n": n, "seed": seed, "planted": planted, "sources": fingerprint}


def load_truth(out: str) -> dict | None:
    try:
        with open(Path(out) / TRUTH_NAME, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def truth_paths(truth: dict) -> list[str]:
    """Every file the corpus consists of, relative to its folder."""
    return [*truth["bases"], *(entry["variant"] for entry in truth["planted"])]


def is_current(out: str, wanted: dict) -> bool:
    """True when OUT already holds a complete corpus built with these parameters."""
    truth = load_truth(out)
    if truth is None or truth.get("parameters") != wanted:
        return False
    return all((Path(out) / rel).is_file() for rel in truth_paths(truth))


def remove_previous(out: str) -> None:
    """Delete the files of an older corpus in OUT, and only those (OUT may hold other things)."""
    truth = load_truth(out)
    if truth is None:
        return
    root = Path(out)
    (root / TRUTH_NAME).unlink(missing_ok=True)
    for rel in truth_paths(truth):
        (root / rel).unlink(missing_ok=True)
    for folder in sorted({(root / rel).parent for rel in truth_paths(truth)}, reverse=True):
        if folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def write_truth(out: str, params: dict, items: Sequence[Item]) -> dict:
    """Written last and atomically: a half-built corpus never looks complete."""
    truth = {
        "parameters": params,
        "bases": [item.base for item in items],
        "planted": [{"base": item.base, "variant": item.variant, "kind": item.kind} for item in items if item.variant],
        "sources": sorted({item.source for item in items}),
        "plan": [asdict(item) for item in items],
    }
    path = Path(out) / TRUTH_NAME
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    os.replace(temporary, path)
    return truth


def build_corpus(
    out: str,
    sources: Sequence[str],
    n: int = 2000,
    seed: int = 1,
    planted: float = 0.16,
    processes: int | None = None,
    force: bool = False,
) -> dict:
    """Build (or reuse) the corpus in OUT and return its truth dictionary."""
    sources = sorted(sources)
    params = parameters(n, seed, planted, sources_fingerprint(sources))
    if not force and is_current(out, params):
        truth = load_truth(out)
        assert truth is not None
        return truth
    remove_previous(out)
    Path(out).mkdir(parents=True, exist_ok=True)
    items = plan_corpus(sources, n, seed, planted)
    processes = processes or os.cpu_count() or 1
    batches = batches_by_source(items)
    if processes == 1:
        for batch in batches:
            render_items(out, batch)
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            done, shown = 0, 0
            for count in pool.imap_unordered(_render_batch, [(out, batch) for batch in batches]):
                done += count
                if done * 10 // n > shown:
                    shown = done * 10 // n
                    print(f"{done}/{n} base images", file=sys.stderr, flush=True)
    return write_truth(out, params, items)


def ensure_corpus(out: str, n: int = 2000, seed: int = 1, planted: float = 0.16) -> dict:
    """The benchmark's entry point: the wallpaper corpus in OUT, built only when needed."""
    return build_corpus(out, wallpaper_sources(), n=n, seed=seed, planted=planted)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="folder to build the corpus in")
    parser.add_argument("--n", type=int, default=2000, help="number of base images (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=float, default=0.16, help="share of bases with a variant")
    parser.add_argument("--sources", help="file listing source images, one a line (default: wallpapers)")
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--force", action="store_true", help="rebuild even when the cache matches")
    args = parser.parse_args(argv)
    if args.sources:
        sources = [line.strip() for line in Path(args.sources).read_text().splitlines() if line.strip()]
    else:
        sources = wallpaper_sources()
    started = time.perf_counter()
    truth = build_corpus(args.out, sources, args.n, args.seed, args.planted, args.processes, args.force)
    files = len(truth_paths(truth))
    print(
        f"{len(truth['bases'])} base images + {len(truth['planted'])} planted variants = {files} files "
        f"from {len(truth['sources'])} sources in {args.out} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
