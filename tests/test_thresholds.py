"""Exact thresholds: the decimal as typed, the limit floor(threshold × count) in exact
rational arithmetic, an MSE equal to the threshold always in; absurd values refused."""

import math
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from imagegen import save
from PIL import Image

from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import MAX_MSE, OptionError, SearchOptions, similarity_fraction
from difpy_tk.scan.poses import allowed_poses
from difpy_tk.scan.search import find_matches

TWO_DECIMALS = [f"{hundredths // 100}.{hundredths % 100:02d}" for hundredths in range(1, 2001)]
"""Every two-decimal threshold from 0.01 to 20.00, as a person types them."""
PX_SIZES = (10, 50, 100)


def options(similarity, px_size: int = 50) -> SearchOptions:
    return SearchOptions(inputs=("a",), similarity=similarity, px_size=px_size)


@pytest.mark.parametrize("px_size", PX_SIZES)
def test_the_limit_is_the_exact_floor_for_every_two_decimal_threshold(px_size):
    count = px_size * px_size * 3
    floats_would_lose = 0
    for text in TWO_DECIMALS:
        expected = math.floor(Fraction(text) * count)
        assert options(text, px_size).sse_limit == expected, text
        assert options(float(text), px_size).sse_limit == expected, text
        assert options(Decimal(text), px_size).sse_limit == expected, text
        floats_would_lose += int(Fraction(float(text)) * count) != expected
    assert floats_would_lose > 0  # the bug this replaces: int(Fraction(0.3) * 7500) == 2249


def test_the_issue_example():
    assert options("0.3").sse_limit == 2250
    assert options(0.3).sse_limit == 2250
    assert options(Fraction(1, 3), px_size=10).sse_limit == 100
    assert options("duplicates").sse_limit == 0 and options("similar").sse_limit == 5 * 7500


def differ_by(base: np.ndarray, sse: int, offset: int) -> np.ndarray:
    """A copy of base whose sum of squared differences from it is exactly sse, changed
    from flat position offset on (squares of at most 127², so the sign keeps it in 0..255)."""
    out = base.reshape(-1).astype(np.int64)
    position = offset
    while sse:
        step = min(127, math.isqrt(sse))
        out[position] += step if out[position] + step <= 255 else -step
        sse -= step * step
        position += 1
    return out.reshape(base.shape).astype(np.uint8)


@pytest.mark.parametrize("px_size", PX_SIZES)
def test_a_pair_exactly_at_the_limit_is_found_and_one_above_is_not(px_size):
    rng = np.random.default_rng(px_size)
    count = px_size * px_size * 3
    checked = 0
    for text in [*TWO_DECIMALS[::13], "0.3", "0.1", "0.7", "2.3", "4.35", "19.99", "20.00"]:
        limit = options(text, px_size).sse_limit
        base = rng.integers(0, 256, (px_size, px_size, 3), dtype=np.uint8)
        at_limit = differ_by(base, limit, 0)
        above = differ_by(base, limit + 1, count // 2)
        tensors = np.stack([base, at_limit, above])
        for rotate in (False, True):
            found = find_matches(tensors, limit, allowed_poses(rotate, False))
            pairs = sorted((min(a, b), max(a, b)) for a, b in zip(found.first.tolist(), found.second.tolist()))
            assert pairs == [(0, 1)], (text, rotate)
            assert found.sse.tolist() == [limit]
        checked += 1
    assert checked > 150


def test_a_search_keeps_an_image_pair_whose_mse_is_exactly_the_threshold(tmp_path):
    # 50 × 50 images at px_size 50: the tensor is the image itself, so the MSE is exact.
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (50, 50, 3), dtype=np.uint8)
    save(Image.fromarray(base), tmp_path / "a.png")
    save(Image.fromarray(differ_by(base, 2250, 0)), tmp_path / "b.png")  # MSE 2250 / 7500 = 0.3
    found = run_search(SearchOptions(inputs=(str(tmp_path),), similarity="0.3", processes=1, use_cache=False))
    assert [(len(group.matches), group.matches[0].mse) for group in found.groups] == [(1, 0.3)]
    below = run_search(SearchOptions(inputs=(str(tmp_path),), similarity="0.29", processes=1, use_cache=False))
    assert below.groups == []
    cli = subprocess.run(
        [sys.executable, "-m", "difpy_tk", "scan", str(tmp_path), "--similarity", "0.3", "--processes", "1"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": "", "DIFPY_TK_HOME": str(tmp_path)},
    )
    assert cli.returncode == 0, cli.stderr
    assert "a.png" in cli.stdout and "b.png" in cli.stdout


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        -1,
        -0.01,
        1e308,
        "1e308",
        MAX_MSE + 0.5,
        "65025.01",
        "nan",
        "inf",
        "-0.5",
        "1/0",
        "",
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-0.1"),
        Fraction(-1, 3),
        True,
        None,
        [0.3],
        "1e-10000000",  # Fraction took 11 s to make this exact (a mutation audit)
        "1e-1_000_000_0",  # digit separators got past a look at the exponent (a review)
        "1e1000001",
        "0." + "0" * 200 + "1",
        Decimal("1e-3000000"),
    ],
)
def test_absurd_thresholds_are_refused_naming_the_parameter(value):
    with pytest.raises(OptionError) as caught:
        options(value)
    assert caught.value.parameter == "similarity" and str(caught.value).startswith("similarity: ")


def test_a_small_power_of_ten_is_a_threshold_still():
    assert similarity_fraction("1e-999") == Fraction(1, 10**999)
    assert similarity_fraction("5e2") == 500


def test_the_largest_possible_mse_is_a_valid_threshold():
    assert similarity_fraction(MAX_MSE) == MAX_MSE
    assert options(str(MAX_MSE), px_size=10).sse_limit == MAX_MSE * 300


def test_the_typed_decimal_is_kept_in_the_parameters():
    assert options(Decimal("0.30")).similarity == "0.30"
    assert options(Fraction(1, 3)).similarity == "1/3"
    assert options(" 0.3 ").sse_limit == 2250


def test_the_cli_refuses_an_absurd_threshold(tmp_path):
    cli = subprocess.run(
        [sys.executable, "-m", "difpy_tk", "scan", str(tmp_path), "--similarity", "1e308"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": "", "DIFPY_TK_HOME": str(tmp_path)},
    )
    assert cli.returncode == 2
    assert "similarity" in cli.stderr and "65025" in cli.stderr and "Traceback" not in cli.stderr
