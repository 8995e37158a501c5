"""Search parameters, with difPy's names and defaults, validated in one place."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from difpy_tk.scan.poses import allowed_poses

SIMILARITY_PRESETS = {"duplicates": 0.0, "similar": 5.0}
PX_SIZE_RANGE = (10, 5000)
DEFAULT_CHUNKSIZE = 128
MAX_MSE = 255 * 255
"""The largest MSE two 8-bit tensors can have: a larger threshold means nothing."""


def cpu_count() -> int:
    """Usable CPUs; Windows' ProcessPoolExecutor refuses more than 61 workers."""
    return max(1, min(61, os.cpu_count() or 1))


class OptionError(ValueError):
    """A search parameter has a value the engine cannot use; the message names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


MAX_PATTERN = 1000
"""The longest path or name pattern the exclusion list takes."""
MAX_TYPED = 100
MAX_EXPONENT = 1000
"""A typed threshold longer than MAX_TYPED characters, or with a power of ten beyond
MAX_EXPONENT, is refused before it is made exact: "1e-10000000" took Fraction 11 s
(a settings file holding it stalled the app's start)."""
_DECIMAL = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)(e(?P<exponent>[+-]?\d+))?|\d+/\d+)\Z")
"""A number as a person types it, or a fraction ("1/3", as a Fraction threshold is kept);
Fraction also takes digit separators, which let "1e-1_000_000_0" past a look at the
exponent (9 s to make exact)."""


def similarity_fraction(value: str | float | int | Decimal | Fraction) -> Fraction:
    """The threshold as an exact rational: 'duplicates' -> 0, 'similar' -> 5, or the
    decimal as typed ("0.3" is exactly 3/10; a Decimal or Fraction is taken as is; a
    float by its shortest repr, the decimal a person wrote, so 0.3 is 3/10 and not the
    binary float just below it). Between 0 and MAX_MSE, else OptionError("similarity")."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in SIMILARITY_PRESETS:
            return Fraction(SIMILARITY_PRESETS[key])
        plain = _DECIMAL.match(key) if len(key) <= MAX_TYPED else None
        if plain is None or (plain["exponent"] and abs(int(plain["exponent"])) > MAX_EXPONENT):
            raise OptionError(
                "similarity",
                f"expected 'duplicates', 'similar' or a number >= 0 written plainly (such as 0.5 or 20), "
                f"got {value!r:.40}",
            )
        try:
            exact = Fraction(key)
        except (ValueError, ZeroDivisionError):
            raise OptionError(
                "similarity", f"expected 'duplicates', 'similar' or a number >= 0, got {value!r}"
            ) from None
    elif isinstance(value, bool) or not isinstance(value, (int, float, Decimal, Fraction)):
        raise OptionError("similarity", f"expected a number >= 0, got {value!r}")
    elif not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        raise OptionError("similarity", f"must be a finite number >= 0, got {value!r}")
    elif isinstance(value, Decimal) and abs(value.adjusted()) > MAX_EXPONENT:
        raise OptionError("similarity", f"has too large a power of ten: {value!r:.40}")
    else:
        exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if not 0 <= exact <= MAX_MSE:
        raise OptionError(
            "similarity",
            f"must be between 0 and {MAX_MSE} (the largest possible MSE between 8-bit images), got {value!r}",
        )
    return exact


def parse_similarity(value: str | float | int | Decimal | Fraction) -> float:
    """The threshold as a float, for showing it; similarity_fraction validates it and
    is what decides matches."""
    return float(similarity_fraction(value))


@dataclass(frozen=True)
class SearchOptions:
    """Everything a search depends on. Construction validates, so an instance is usable."""

    inputs: tuple[str, ...]
    recursive: bool = True
    in_folder: bool = False
    px_size: int = 50
    similarity: str | float | int | Decimal | Fraction = "duplicates"
    rotate: bool = True
    mirror: bool = False
    """Also compare each image mirrored (flipped), to find mirror-image copies such as a
    phone's selfie and its flipped version. Off by default, as in the peers that offer
    it: a mirrored picture is another picture to many people (text reads backwards)."""
    same_dim: bool = False  # copies at other sizes are what people most often look for
    processes: int = field(default_factory=cpu_count)
    chunksize: int | None = None
    use_cache: bool = True
    exclude: tuple[str, ...] = ()
    """What the search leaves out (discovery.Exclusions): a folder or file by its path, with
    everything inside it, or any file or folder whose name matches a pattern with * and ?
    ("@eaDir", a NAS's thumbnails; ".git"; "*_thumb.jpg"). A chosen input is searched all
    the same."""
    thorough: bool = False
    """Decode every image in full from the start, so that no verdict rests on the
    measured drift margin of the fast decode (verdicts.DRIFT_RMS), which a pattern made
    to alias can exceed. A first scan takes up to about three times as long (1.4 times on
    the 2k benchmark corpus, whose many near-copies the default decodes in full anyway)."""

    def __post_init__(self) -> None:
        inputs = (self.inputs,) if isinstance(self.inputs, str) else tuple(self.inputs)
        if not inputs:
            raise OptionError("inputs", "give at least one folder or image file")
        for path in inputs:
            if not isinstance(path, (str, os.PathLike)):
                raise OptionError("inputs", f"not a path: {path!r}")
        object.__setattr__(self, "inputs", tuple(os.fspath(p) for p in inputs))
        for name in ("recursive", "in_folder", "rotate", "mirror", "same_dim", "use_cache", "thorough"):
            if not isinstance(getattr(self, name), bool):
                raise OptionError(name, f"must be True or False, got {getattr(self, name)!r}")
        low, high = PX_SIZE_RANGE
        if isinstance(self.px_size, bool) or not isinstance(self.px_size, int):
            raise OptionError("px_size", f"must be a whole number, got {self.px_size!r}")
        if not low <= self.px_size <= high:
            raise OptionError("px_size", f"must be between {low} and {high}, got {self.px_size}")
        similarity_fraction(self.similarity)
        if isinstance(self.similarity, (Decimal, Fraction)):
            # Kept exactly, as text: the parameters are saved as JSON.
            object.__setattr__(self, "similarity", str(self.similarity))
        if isinstance(self.processes, bool) or not isinstance(self.processes, int):
            raise OptionError("processes", f"must be a whole number, got {self.processes!r}")
        if not 1 <= self.processes <= cpu_count():
            raise OptionError("processes", f"must be between 1 and {cpu_count()}, got {self.processes}")
        exclude = (self.exclude,) if isinstance(self.exclude, str) else self.exclude
        if not isinstance(exclude, (tuple, list)) or not all(
            isinstance(pattern, str) and pattern.strip() and len(pattern) <= MAX_PATTERN and "\0" not in pattern
            for pattern in exclude
        ):
            raise OptionError("exclude", f"expected folders or name patterns, each a line of text, got {exclude!r:.80}")
        object.__setattr__(self, "exclude", tuple(pattern.strip() for pattern in exclude))
        for pattern in self.exclude:
            if not os.path.isabs(os.path.expanduser(pattern)) and ("/" in pattern or os.sep in pattern):
                # Matched against one name, "Phone/@eaDir" matched nothing, without a word.
                raise OptionError("exclude", f"“{pattern}” is neither a name (no /) nor a folder's full path")
        if self.chunksize is not None and (
            isinstance(self.chunksize, bool) or not isinstance(self.chunksize, int) or self.chunksize < 1
        ):
            raise OptionError("chunksize", f"must be a whole number >= 1 or None, got {self.chunksize!r}")

    @property
    def threshold(self) -> float:
        """The largest MSE that counts as a match, as a float for showing it."""
        return parse_similarity(self.similarity)

    @property
    def sse_limit(self) -> int:
        """The largest integer sum of squared differences that is a match.

        MSE <= t  <=>  SSE <= t * count, and SSE is an integer, so comparing it with
        floor(t * count), t the decimal as typed and the product exact, gives a verdict
        that no float rounding can flip: an MSE equal to the threshold is always in
        (0.3 at px_size 50: 2250, where the float 0.3 would give 2249)."""
        count = self.px_size * self.px_size * 3
        return math.floor(similarity_fraction(self.similarity) * count)

    @property
    def poses(self) -> tuple[int, ...]:
        """The poses the search tries (difpy_tk.scan.poses)."""
        return allowed_poses(self.rotate, self.mirror)

    @property
    def full_at_once(self) -> bool:
        """Every image is decoded in full by the first pass (Thorough, or a px_size above
        the fast decode's, tensors.FAST_DECODE_MAX_PX): no verifying phase follows."""
        from difpy_tk.scan.tensors import FAST_DECODE_MAX_PX  # Pillow: only when asked

        return self.thorough or self.px_size > FAST_DECODE_MAX_PX

    def effective_chunksize(self) -> int:
        """Images whose comparisons are computed in one block; a block holds chunksize ×
        window floats, so memory grows with it linearly. The automatic value was the
        fastest measured on real photos and on 40,000 synthetic tensors (64 to 2048 tried):
        larger blocks widen the window each block must cover."""
        return self.chunksize if self.chunksize is not None else DEFAULT_CHUNKSIZE
