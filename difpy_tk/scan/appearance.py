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
- 16-bit (I;16, I;16B, I;16L) is scaled from 0..65535, as viewers show it; so is
  any image the file declares 16-bit that Pillow hands over as 32-bit "I" (a 16-bit
  PGM, whatever its maxval, which Pillow scales to 0..65535; a signed 16-bit TIFF, from
  -32768..32767), told by before_load from the undecoded file. A 16-bit TIFF stored
  WhiteIsZero is inverted (Pillow inverts only 8-bit ones).
- Other 32-bit integer (I): values within 0..255 are taken as 8-bit, within 0..65535 as
  16-bit; anything else, from its own minimum (or 0) to its maximum. Float (F): 0..1 as
  the usual unit range, 0..255 as 8-bit values, anything else from its minimum (or 0)
  to its maximum; NaN and -inf show as the lowest value, +inf as the highest. The range
  is chosen by the values that occur: a float image is 0..1 when 90 % of its values lie
  in it (FLOAT_HIGHLIGHTS), its HDR highlights, however bright, clipped to white as
  image editors show them; any other range may leave out the brightest 0.1 %
  (HIGHLIGHTS) when they stay within twice the range (HIGHLIGHT_REACH).
  A 16-bit grey PNG's transparent colour is matched on its 16-bit values. Pillow hands a
  16-bit RGB PNG over as the high bytes of its samples, so its transparent colour is
  matched on those (before_load, which tensors call before decoding): a pixel within
  1/256 of it turns transparent too. Pillow hands a 2- or 4-bit grey PNG over scaled to
  8 bits but leaves its transparent grey unscaled; before_load scales it too.
- Every other mode (1, L, P, CMYK, YCbCr, ...) goes through Pillow's convert("RGB")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

_TRANSPARENT_MODES = {"RGBA", "LA", "PA", "La", "RGBa"}
HIGH_DEPTH_MODES = {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}
_STRIP_ROWS = 256
"""Rows scaled at once, so a 16-bit or float image needs no full-size float copy."""
HIGHLIGHTS = 0.001
"""The share of the brightest values of a 32-bit or float image left out when its range
is chosen (they clip to white)..."""
HIGHLIGHT_REACH = 2.0
"""...as long as they stay within this many times the range's top (a few pixels at 65535
in an image of 0..255 values are no highlights of a 0..255 image)."""
FLOAT_HIGHLIGHTS = 0.1
"""A float image is shown as 0..1 when all but this share of its values lie in it, its
highlights clipped however bright, as image editors show HDR images."""
QUANTILE_SAMPLE = 1_000_000
"""Values the highlight share is measured on (evenly spread): partitioning every value of
a large image with flat areas takes seconds."""
_PNG_GREY_DEPTHS = {"L;2": 2, "L;4": 4}
_WHITE_IS_ZERO = 0
"""TIFF PhotometricInterpretation (tag 262) of a grey image whose 0 is white."""


@dataclass(frozen=True)
class Samples:
    """What the undecoded file says of its samples (before_load): the range a high-depth
    grey image is declared in (None: chosen from its values) and whether 0 is white."""

    low: float | None = None
    high: float | None = None
    inverted: bool = False


def as_seen(image: Image.Image, samples: Samples = Samples()) -> Image.Image:
    """The RGB image to resample (image itself when it is already plain RGB); samples is
    what before_load read from the file."""
    key = image.info.get("transparency")
    if image.mode in HIGH_DEPTH_MODES:
        grey = Image.fromarray(_to_8_bits(image, samples), "L")
        if not isinstance(key, int) or image.mode == "F":
            return grey.convert("RGB")
        alpha = Image.fromarray(np.where(np.asarray(image) == key, 0, 255).astype(np.uint8), "L")
        return composite(Image.merge("RGBA", (grey, grey, grey, alpha)))
    if image.mode in _TRANSPARENT_MODES or key is not None:
        return composite(image.convert("RGBA"))
    return image if image.mode == "RGB" else image.convert("RGB")


def before_load(image: Image.Image) -> Samples:
    """Call between Image.open() and load(): only the undecoded file says how deep its
    samples are (its tile is gone after load). A 16-bit RGB PNG's transparent colour is
    given in 16 bits while Pillow hands over the high bytes of the samples, so the key is
    turned into high bytes too (a key whose values are all below 256 is 16-bit as well);
    a 2- or 4-bit grey PNG's key is scaled to 8 bits like its samples. Returns the
    declared range of a 16-bit grey image Pillow hands over as "I", and WhiteIsZero."""
    key = image.info.get("transparency")
    args = image.tile[0].args if image.tile else None
    rawmode = args[0] if isinstance(args, tuple) and args else args
    if image.format == "PNG" and isinstance(key, tuple) and rawmode == "RGB;16B":
        image.info["transparency"] = tuple(value >> 8 for value in key)
    if image.format == "PNG" and isinstance(key, int) and rawmode in _PNG_GREY_DEPTHS:
        image.info["transparency"] = key * 255 // (2 ** _PNG_GREY_DEPTHS[rawmode] - 1)
    inverted = image.format == "TIFF" and image.mode.startswith("I") and _photometric(image) == _WHITE_IS_ZERO
    if image.mode == "I" and (image.format == "PPM" or (isinstance(rawmode, str) and rawmode.startswith("I;16"))):
        if isinstance(rawmode, str) and rawmode.endswith("S"):
            return Samples(-32768.0, 32767.0, inverted)
        return Samples(0.0, 65535.0, inverted)
    return Samples(inverted=inverted)


def _photometric(image: Image.Image) -> int | None:
    tags = getattr(image, "tag_v2", None)
    return tags.get(262) if tags is not None else None


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
        if low < nominal_low:
            continue
        if high <= nominal_high:
            return nominal_low, nominal_high
        if (mode, nominal_high) == ("F", 1.0):
            # Image editors show a float image as 0..1 and clip what lies beyond (HDR
            # highlights, however bright and however many): taken when most values fit.
            if _brightest(finite, FLOAT_HIGHLIGHTS) <= nominal_high:
                return nominal_low, nominal_high
        elif high <= HIGHLIGHT_REACH * nominal_high and _brightest(finite, HIGHLIGHTS) <= nominal_high:
            return nominal_low, nominal_high
    low = min(low, 0.0)
    return low, high if high > low else low + 1.0


def _brightest(values: np.ndarray, share: float) -> float:
    """The value below which all but the brightest share of values lie (on a sample)."""
    flat = values.ravel()
    sample = flat[:: max(1, flat.size // QUANTILE_SAMPLE)]
    return float(np.quantile(sample, 1 - share, method="higher"))


def _to_8_bits(image: Image.Image, samples: Samples) -> np.ndarray:
    values = np.asarray(image)
    if samples.low is not None and samples.high is not None:
        low, high = samples.low, samples.high
    else:
        low, high = _range(values, image.mode)
    scale = 255.0 / (high - low)
    out = np.empty(values.shape, dtype=np.uint8)
    for top in range(0, values.shape[0], _STRIP_ROWS):
        strip = values[top : top + _STRIP_ROWS].astype(np.float64)
        if image.mode == "F":
            strip = np.nan_to_num(strip, nan=low, posinf=high, neginf=low)
        out[top : top + _STRIP_ROWS] = np.rint((np.clip(strip, low, high) - low) * scale)
    return 255 - out if samples.inverted else out
