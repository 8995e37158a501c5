"""Make every platform's app icon from one master PNG.

One source picture keeps Windows (.ico), macOS (.icns) and Linux (.png) icons in step;
the derived files are build outputs (written under .cache/), never edited by hand.

The master is the larger of `difpy_tk/assets/icon.png` (the GUI's window icon) and
`build/icons/icon.png` (1024 px), the app's own asset on a tie: the .icns wants 1024 px.
`--draw` (re)creates the latter from code, so the picture is reproducible without an
image editor.

    python build/make_icons.py [--draw] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
MASTER_CANDIDATES = (ROOT / "difpy_tk" / "assets" / "icon.png", ROOT / "build" / "icons" / "icon.png")
DEFAULT_OUT = ROOT / ".cache" / "icons"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
NAME = "difpy_tk"


def master_path() -> Path:
    """The largest master PNG that exists; the app's own asset wins a tie."""
    found = [path for path in MASTER_CANDIDATES if path.is_file()]
    if not found:
        raise FileNotFoundError(
            "no master icon: run `python build/make_icons.py --draw` to create build/icons/icon.png"
        )

    def width(path: Path) -> int:
        with Image.open(path) as image:
            return image.width

    return max(found, key=lambda path: (width(path), -found.index(path)))


def draw_master(size: int = 1024) -> Image.Image:
    """Two overlapping photo cards on a rounded tile: "these two pictures are the same".

    Drawn 4x larger and scaled down, because ImageDraw does not antialias."""
    scale = 4
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * big), round(y0 * big), round(x1 * big), round(y1 * big))

    draw.rounded_rectangle(box(0.04, 0.04, 0.96, 0.96), radius=round(0.2 * big), fill=(33, 87, 160, 255))
    for offset, card, sky in (
        (0.0, (236, 240, 245, 255), (120, 180, 230, 255)),
        (0.16, (255, 255, 255, 255), (140, 200, 245, 255)),
    ):
        x0, y0 = 0.16 + offset, 0.18 + offset
        x1, y1 = x0 + 0.52, y0 + 0.46
        draw.rounded_rectangle(
            box(x0, y0, x1, y1),
            radius=round(0.04 * big),
            fill=card,
            outline=(20, 50, 100, 255),
            width=round(0.012 * big),
        )
        inner = (x0 + 0.04, y0 + 0.04, x1 - 0.04, y1 - 0.04)
        draw.rectangle(box(*inner), fill=sky)
        ix0, iy0, ix1, iy1 = inner
        # hills and a sun: the same little landscape on both cards
        draw.polygon(
            [
                (round(ix0 * big), round(iy1 * big)),
                (round((ix0 + 0.14) * big), round((iy0 + 0.16) * big)),
                (round((ix0 + 0.26) * big), round((iy0 + 0.26) * big)),
                (round((ix0 + 0.34) * big), round((iy0 + 0.12) * big)),
                (round(ix1 * big), round(iy1 * big)),
            ],
            fill=(46, 125, 70, 255),
        )
        draw.ellipse(box(ix1 - 0.12, iy0 + 0.03, ix1 - 0.04, iy0 + 0.11), fill=(250, 200, 60, 255))
    # an "equals" badge in the corner
    draw.ellipse(
        box(0.64, 0.64, 0.92, 0.92), fill=(240, 90, 60, 255), outline=(255, 255, 255, 255), width=round(0.015 * big)
    )
    for y in (0.745, 0.805):
        draw.rounded_rectangle(
            box(0.70, y - 0.018, 0.86, y + 0.018), radius=round(0.01 * big), fill=(255, 255, 255, 255)
        )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def make_icons(out_dir: Path = DEFAULT_OUT, master: Path | None = None) -> dict[str, Path]:
    """Write difpy_tk.png (256 px), .ico (16-256 px) and .icns; return them by suffix."""
    source = Image.open(master or master_path()).convert("RGBA")
    if source.width != source.height:
        raise ValueError(f"the master icon must be square, got {source.size}")
    out_dir.mkdir(parents=True, exist_ok=True)
    big = source.resize((1024, 1024), Image.Resampling.LANCZOS) if source.width < 1024 else source
    paths = {"png": out_dir / f"{NAME}.png", "ico": out_dir / f"{NAME}.ico", "icns": out_dir / f"{NAME}.icns"}
    big.resize((256, 256), Image.Resampling.LANCZOS).save(paths["png"])
    big.save(paths["ico"], sizes=ICO_SIZES)
    big.resize((1024, 1024), Image.Resampling.LANCZOS).save(paths["icns"])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="(re)draw build/icons/icon.png first")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the derived icons go")
    args = parser.parse_args(argv)
    if args.draw:
        target = MASTER_CANDIDATES[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        draw_master().save(target, optimize=True)
        print(f"drew {target}")
    for kind, path in make_icons(args.out).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
