"""Generated test images: smooth random pictures, so resized and re-encoded copies stay
close in MSE the way real photos do, and distinct pictures stay far apart."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont


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


def text_screenshot(size: tuple[int, int], type_px: int, dark: bool = False) -> Image.Image:
    """Lines of small type edge to edge, as in a screenshot of a document or a terminal:
    thin strokes are what a DCT-scaled decode aliases most."""
    background, ink = ((30, 30, 30), (220, 220, 220)) if dark else ("white", "black")
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=type_px)
    line = "The quick brown fox jumps over the lazy dog 0123456789 ,.;:!? " * 6
    for top in range(0, size[1], type_px + 4):
        draw.text((4, top), line, fill=ink, font=font)
    return image


def chain(folder: Path) -> tuple[Path, Path, Path]:
    """a ~ b ~ c at threshold 5 while a is not like c (each step 2 levels brighter, MSE
    about 4; a to c about 16); a has the most pixels, so it is kept."""
    rng = np.random.default_rng(2)
    coarse = Image.fromarray(rng.integers(60, 190, (5, 5, 3), dtype=np.uint8))
    base = np.asarray(coarse.resize((200, 150), Image.Resampling.BICUBIC), dtype=np.int16)
    paths = []
    for name, step, size in (("a.png", 0, (400, 300)), ("b.png", 2, (300, 225)), ("c.png", 4, (200, 150))):
        brighter = Image.fromarray(np.clip(base + step, 0, 255).astype(np.uint8))
        paths.append(save(brighter.resize(size, Image.Resampling.LANCZOS), folder / name))
    return paths[0], paths[1], paths[2]


def save(image: Image.Image, path: Path, **params) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **params)
    return path


def png_chunks(path: Path, header: bytes, body: bytes, *extra: tuple[bytes, bytes]) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    chunks = [(b"IHDR", header), *extra, (b"IDAT", body), (b"IEND", b"")]
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"".join(chunk(kind, data) for kind, data in chunks))
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny PNG that declares width × height 8-bit grey pixels and holds almost no
    data: the shape of a decompression bomb, made without allocating the image."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return png_chunks(path, header, zlib.compress(b"\x00" * 1024))


def png16(path: Path, samples: np.ndarray, key: tuple[int, ...] | None = None) -> Path:
    """A 16-bit grey (h × w) or RGB (h × w × 3) PNG, with key as its single transparent
    colour (tRNS) when given: Pillow cannot write either."""
    height, width = samples.shape[:2]
    colour_type = 2 if samples.ndim == 3 else 0
    rows = samples.reshape(height, -1).astype(">u2")
    body = zlib.compress(b"".join(b"\x00" + row.tobytes() for row in rows))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    extra = [] if key is None else [(b"tRNS", struct.pack(f">{len(key)}H", *key))]
    return png_chunks(path, header, body, *extra)


def dcx(path: Path, pages: list[Image.Image]) -> Path:
    """A DCX fax of these pages: a magic number, a table of up to 1,024 page offsets
    ended by 0, then each page as a PCX file (Pillow reads DCX but cannot write it)."""
    bodies = []
    for page in pages:
        stream = io.BytesIO()
        page.save(stream, "PCX")
        bodies.append(stream.getvalue())
    offsets, position = [], 4 + 4 * 1024
    for body in bodies:
        offsets.append(position)
        position += len(body)
    table = struct.pack("<1024I", *offsets, *[0] * (1024 - len(offsets)))
    path.write_bytes(struct.pack("<I", 987654321) + table + b"".join(bodies))
    return path
