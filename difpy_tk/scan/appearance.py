"""Any Pillow image as the 8-bit RGB picture a person sees, for the tensor.

`convert("RGB")` is not that: it drops transparency (shapes drawn only in the alpha
channel vanish, so two different icons over the same colours become identical) and it
clips 16-bit and float values at 255 (most of such an image turns white). Here:

- Transparency (RGBA, LA, PA, La, RGBa, a palette or a single colour marked transparent
  by tRNS, also in a 16-bit PNG) is composited over BACKGROUND: a grey that is light in the middle and falls to
  black at the edges, like a vignette. It is not one colour, so a shape of any colour
  differs from it almost everywhere, and it is the same under every turn and flip of
  the image (it depends only on the distance to the centre along each side), so a turned
  transparent image still gives the turned tensor. A fully opaque image is unchanged.
- 16-bit (I;16, I;16B, I;16L) is scaled from 0..65535, as viewers show it.
- 32-bit integer (I): values within 0..255 are taken as 8-bit, within 0..65535 as
  16-bit (how Pillow hands over most such files); anything else, from its own
  minimum (or 0) to its maximum. Float (F): 0..1 as the usual unit range, 0..255 as
  8-bit values, anything else from its minimum (or 0) to its maximum; NaN and -inf show as the
  lowest value, +inf as the highest.
  The range is chosen by the values that occur, never by clipping them.
  A 16-bit grey PNG's transparent colour is matched on its 16-bit values. Pillow hands a
  16-bit RGB PNG over as the high bytes of its samples, so its transparent colour is
  matched on those (before_load, which tensors call before decoding): a pixel within
  1/256 of it turns transparent too.
- Every other mode (1, L, P, CMYK, YCbCr, ...) goes through Pillow's convert("RGB")."""

from __future__ import annotations

import numpy as np
from PIL import Image

_TRANSPARENT_MODES = {"RGBA", "LA", "PA", "La", "RGBa"}
_HIGH_DEPTH_MODES = {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}
_STRIP_ROWS = 256
"""Rows scaled at once, so a 16-bit or float image needs no full-size float copy."""


def as_seen(image: Image.Image) -> Image.Image:
    """The RGB image to resample (image itself when it is already plain RGB)."""
    key = image.info.get("transparency")
    if image.mode in _HIGH_DEPTH_MODES:
        grey = Image.fromarray(_to_8_bits(image), "L")
        if not isinstance(key, int) or image.mode == "F":
            return grey.convert("RGB")
        alpha = Image.fromarray(np.where(np.asarray(image) == key, 0, 255).astype(np.uint8), "L")
        return composite(Image.merge("RGBA", (grey, grey, grey, alpha)))
    if image.mode in _TRANSPARENT_MODES or key is not None:
        return composite(image.convert("RGBA"))
    return image if image.mode == "RGB" else image.convert("RGB")


def before_load(image: Image.Image) -> None:
    """Call between Image.open() and load(): only the undecoded file says a PNG's samples
    are 16-bit (its tile is gone after load). A 16-bit RGB PNG's transparent colour is
    given in 16 bits while Pillow hands over the high bytes of the samples, so the key is
    turned into high bytes too; a key whose values are all below 256 is 16-bit as well."""
    key = image.info.get("transparency")
    if image.format == "PNG" and isinstance(key, tuple) and image.tile and image.tile[0].args == "RGB;16B":
        image.info["transparency"] = tuple(value >> 8 for value in key)


def _falloff(length: int) -> np.ndarray:
    """127 in the middle of a side, falling as 1 - t² to 0 at both ends, where t runs
    from -1 to 1. Computed from the integer 2i + 1 - length so that both halves are
    bit-for-bit mirror images."""
    t = (2 * np.arange(length, dtype=np.float64) + 1 - length) / length
    return np.rint(127 * (1 - t * t)).astype(np.uint8)


def background(size: tuple[int, int]) -> Image.Image:
    """The grey BACKGROUND for an image of this size: falloff(x) + falloff(y), 0..254."""
    width, height = size
    grey = np.add.outer(_falloff(height), _falloff(width))
    return Image.fromarray(grey, "L").convert("RGB")


def composite(rgba: Image.Image) -> Image.Image:
    """rgba over the background, rounded exactly (Pillow's paste with a mask)."""
    out = background(rgba.size)
    out.paste(rgba, mask=rgba)
    return out


def _range(values: np.ndarray, mode: str) -> tuple[float, float]:
    if mode.startswith("I;16"):
        return 0.0, 65535.0
    finite = values[np.isfinite(values)] if mode == "F" else values
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    ladder = ((0.0, 1.0), (0.0, 255.0), (0.0, 65535.0)) if mode == "F" else ((0.0, 255.0), (0.0, 65535.0))
    for nominal_low, nominal_high in ladder:
        if low >= nominal_low and high <= nominal_high:
            return nominal_low, nominal_high
    low = min(low, 0.0)
    return low, high if high > low else low + 1.0


def _to_8_bits(image: Image.Image) -> np.ndarray:
    values = np.asarray(image)
    low, high = _range(values, image.mode)
    scale = 255.0 / (high - low)
    out = np.empty(values.shape, dtype=np.uint8)
    for top in range(0, values.shape[0], _STRIP_ROWS):
        strip = values[top : top + _STRIP_ROWS].astype(np.float64)
        if image.mode == "F":
            strip = np.nan_to_num(strip, nan=low, posinf=high, neginf=low)
        out[top : top + _STRIP_ROWS] = np.rint((np.clip(strip, low, high) - low) * scale)
    return out
