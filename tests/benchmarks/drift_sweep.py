"""Measure how far the FAST tensor of a JPEG text screenshot drifts from its FULL tensor.

Why: the margin D (verdicts.DRIFT_RMS) must bound that drift for every image the fast
decode scales, and thin strokes of type alias the most in a DCT-scaled decode, more than
real photos or halftone prints. This sweep is where D's text-screenshot figures come
from: re-run it after a Pillow or libjpeg upgrade and compare with docs/benchmarks.md.

usage: python tests/benchmarks/drift_sweep.py [--px 10,50,100]

336 screenshots: 4 screen sizes × 7 type sizes × quality 75 / 85 / 95 × light and dark ×
4:4:4 and 4:2:0 chroma. Prints, per px, the median, 99th percentile and largest drift
(RMS over the tensor, in 8-bit levels), the screenshot that drifted most, and D.
"""

from __future__ import annotations

import argparse
import io
import itertools
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

from imagegen import text_screenshot  # noqa: E402

from difpy_tk.scan.tensors import FAST_DECODE_MAX_PX, decode_tensor  # noqa: E402
from difpy_tk.scan.verdicts import drift_margin  # noqa: E402

SIZES = ((800, 600), (1280, 800), (1366, 768), (1920, 1080))
TYPE_PX = (8, 9, 10, 12, 14, 16, 20)
QUALITIES = (75, 85, 95)
SUBSAMPLING = {"4:4:4": 0, "4:2:0": 2}


def drift(path: str, px: int) -> float:
    fast = decode_tensor(path, px).tensor.astype(int)
    full = decode_tensor(path, px, exact=True).tensor.astype(int)
    return float(np.sqrt(np.mean((fast - full) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--px", default="10,50,100", help="pixel sizes, comma-separated")
    parser.add_argument("--folder", default="/tmp/difpy_tk-drift-sweep", help="where the JPEGs are written")
    args = parser.parse_args()
    sizes = [int(value) for value in args.px.split(",")]
    if max(sizes) > FAST_DECODE_MAX_PX:
        parser.error(f"above px {FAST_DECODE_MAX_PX} every image is decoded in full: there is no drift to measure")
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    drifts: dict[int, list[tuple[float, str]]] = {px: [] for px in sizes}
    for (width, height), type_px, quality, dark, chroma in itertools.product(
        SIZES, TYPE_PX, QUALITIES, (False, True), SUBSAMPLING
    ):
        name = f"{width}x{height} type {type_px} q{quality} {'dark' if dark else 'light'} {chroma}"
        stream = io.BytesIO()
        text_screenshot((width, height), type_px, dark).save(
            stream, "JPEG", quality=quality, subsampling=SUBSAMPLING[chroma]
        )
        path = folder / f"{name.replace(' ', '_').replace(':', '')}.jpg"
        path.write_bytes(stream.getvalue())
        for px in sizes:
            drifts[px].append((drift(str(path), px), name))
    count = len(next(iter(drifts.values())))
    print(f"{count} text screenshots, drift of the FAST tensor from the FULL one (RMS, 8-bit levels)")
    for px in sizes:
        values = np.array([value for value, _ in drifts[px]])
        worst, worst_name = max(drifts[px])
        print(
            f"px {px:>3}: median {np.median(values):.2f}  p99 {np.percentile(values, 99):.2f}  "
            f"max {worst:.2f} ({worst_name})  D {drift_margin(px):.2f}  D / max {drift_margin(px) / worst:.2f}"
        )


if __name__ == "__main__":
    main()
