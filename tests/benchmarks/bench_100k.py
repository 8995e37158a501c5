"""Time the engine's similar-image search alone on 100,000 synthetic tensors.

Why synthetic: decoding 100,000 real photos would take most of an hour and measure the
decoder; this isolates the search, whose cost is what grows faster than linearly. The
tensors are smooth random images (upsampled low-resolution noise with a little pixel
noise, so no two are alike by accident) plus ~2 % planted near-copies (exact or with
+-2 noise, turned 0/90/180/270 degrees), whose recall is checked.

usage: python tests/benchmarks/bench_100k.py [--n 100000] [--seed 1] [--planted 0.02]
       [--data /tmp/difpy_tk_bench_100k] [--flat 0.01] [--no-rotate]

The tensors are cached as .npy in --data; the search runs in a fresh subprocess that
loads them, so its peak RSS (ru_maxrss) is the search's plus the tensors' own 750 MB,
not the generator's. Figures are printed; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

PX = 50
SIMILAR_MSE = 5
BATCH = 2000
LOW_RESOLUTIONS = (3, 4, 6, 8, 12)
"""Detail levels of the smooth images; a mix, so that some are nearly flat and some busy."""


# ---------------------------------------------------------------- generator


def upsample_matrix(low: int, high: int = PX) -> np.ndarray:
    """(high, low) linear-interpolation weights: smooth images from a coarse grid."""
    positions = np.linspace(0, low - 1, high)
    left = np.clip(np.floor(positions).astype(int), 0, max(0, low - 2))
    frac = positions - left
    matrix = np.zeros((high, low))
    matrix[np.arange(high), left] = 1 - frac
    if low > 1:
        matrix[np.arange(high), left + 1] += frac
    return matrix


def smooth_images(rng: np.random.Generator, count: int, low: int) -> np.ndarray:
    """count uint8 (PX, PX, 3) images: a random colour, a random contrast, coarse noise
    upsampled, plus +-2 pixel noise (real photos are never perfectly smooth)."""
    weights = upsample_matrix(low)
    mean = rng.uniform(30, 225, size=(count, 1, 1, 3))
    contrast = np.exp(rng.uniform(np.log(10), np.log(90), size=(count, 1, 1, 1)))
    coarse = mean + contrast * rng.uniform(-1, 1, size=(count, low, low, 3))
    fine = np.einsum("pi,bijc,qj->bpqc", weights, coarse, weights, optimize=True)
    fine += rng.integers(-2, 3, size=fine.shape)
    return np.clip(np.rint(fine), 0, 255).astype(np.uint8)


FLAT_PALETTE = 16
"""Colours of the near-flat images: few, so that they form clusters of mutual matches."""


def flat_images(rng: np.random.Generator, count: int) -> np.ndarray:
    """Near-uniform images (sky, wall, black frames) in one of FLAT_PALETTE colours with
    +-1 noise: in a real folder these are the clusters where every image matches many."""
    palette = np.random.default_rng(12345).integers(0, 256, size=(FLAT_PALETTE, 3))
    colours = palette[rng.integers(0, FLAT_PALETTE, size=count)][:, None, None, :]
    noisy = colours + rng.integers(-1, 2, size=(count, PX, PX, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def plant_copy(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A near-copy: turned by a random quarter, and in 3 of 4 cases with +-2 noise
    (true MSE about 2, well inside the 'similar' threshold of 5)."""
    copy = np.rot90(image, int(rng.integers(0, 4))).astype(np.int16)
    if rng.random() < 0.75:
        copy += rng.integers(-2, 3, size=copy.shape, dtype=np.int16)
    return np.clip(copy, 0, 255).astype(np.uint8)


def generate(n: int, seed: int, planted: float, flat: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(tensors, pairs): n tensors in shuffled order and the planted (original, copy)
    index pairs; a share `flat` of the originals is near-flat (see flat_images).
    Built batch by batch into one preallocated array to keep memory flat."""
    rng = np.random.default_rng(seed)
    n_copies = round(n * planted)
    n_originals = n - n_copies
    tensors = np.empty((n, PX, PX, 3), dtype=np.uint8)
    for number, start in enumerate(range(0, n_originals, BATCH)):
        stop = min(n_originals, start + BATCH)
        tensors[start:stop] = smooth_images(rng, stop - start, LOW_RESOLUTIONS[number % len(LOW_RESOLUTIONS)])
    n_flat = round(n_originals * flat)
    if n_flat:
        tensors[rng.choice(n_originals, size=n_flat, replace=False)] = flat_images(rng, n_flat)
    sources = rng.choice(n_originals, size=n_copies, replace=False)
    for offset, source in enumerate(sources):
        tensors[n_originals + offset] = plant_copy(rng, tensors[source])
    order = rng.permutation(n)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    tensors = tensors[order]
    pairs = np.stack([position[sources], position[n_originals + np.arange(n_copies)]], axis=1)
    return tensors, pairs


def ensure_data(folder: str, n: int, seed: int, planted: float, flat: float = 0.0) -> tuple[Path, Path]:
    """The cached .npy files for these parameters, generated when missing."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    stem = f"tensors-n{n}-s{seed}-p{planted}" + (f"-f{flat}" if flat else "")
    tensor_path, pair_path = root / f"{stem}.npy", root / f"{stem}.pairs.npy"
    if not (tensor_path.exists() and pair_path.exists()):
        started = time.perf_counter()
        tensors, pairs = generate(n, seed, planted, flat)
        np.save(pair_path, pairs)
        temporary = root / f"{stem}.tmp.npy"
        np.save(temporary, tensors)
        os.replace(temporary, tensor_path)
        print(f"generated {n} tensors in {time.perf_counter() - started:.1f} s -> {tensor_path}", flush=True)
    return tensor_path, pair_path


# ---------------------------------------------------------------- measuring (subprocess)


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM rather than ru_maxrss where it exists: Linux keeps
    ru_maxrss across exec, so a child would report its parent's (the generator's) peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def measure(tensor_path: str, pair_path: str, rotate: bool) -> dict:
    """Load the tensors, run find_matches once, and report time, memory and recall."""
    from difpy_tk.scan.poses import allowed_poses
    from difpy_tk.scan.search import find_matches

    tensors = np.load(tensor_path)
    pairs = np.load(pair_path)
    loaded_rss, loaded_peak = current_rss_mb(), peak_rss_mb()
    count = PX * PX * 3
    sse_limit = SIMILAR_MSE * count
    started = time.perf_counter()
    matches = find_matches(tensors, sse_limit, allowed_poses(rotate, False))
    seconds = time.perf_counter() - started
    found = {(int(a), int(b)) for a, b in zip(matches.first, matches.second, strict=True)}
    found |= {(b, a) for a, b in found}
    hits = sum(1 for a, b in pairs.tolist() if (a, b) in found)
    return {
        "n": len(tensors),
        "seconds": seconds,
        "matches": len(matches),
        "planted": len(pairs),
        "planted_found": hits,
        "wrong_sse": count_wrong_sse(tensors, matches, sse_limit),
        "rss_after_load_mb": loaded_rss,
        "peak_before_search_mb": loaded_peak,
        "peak_rss_mb": peak_rss_mb(),
    }


def count_wrong_sse(tensors: np.ndarray, matches, sse_limit: int) -> int:
    """Reported pairs whose SSE (at the reported pose) is not what they claim, or too big."""
    from difpy_tk.scan.poses import posed

    wrong = 0
    for a, b, sse, pose in zip(matches.first, matches.second, matches.sse, matches.poses, strict=True):
        diff = tensors[a].astype(np.int32) - posed(tensors[b], int(pose)).astype(np.int32)
        true = int(np.einsum("ijk,ijk->", diff, diff, dtype=np.int64))
        wrong += int(true != int(sse) or true > sse_limit)
    return wrong


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=float, default=0.02)
    parser.add_argument("--data", default=os.path.join("/tmp", "difpy_tk_bench_100k"))
    parser.add_argument(
        "--flat", type=float, default=0.0, help="share of near-flat images in 16 colours (clusters of matches)"
    )
    parser.add_argument("--no-rotate", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(*args.worker, rotate=not args.no_rotate)))
        return 0
    tensor_path, pair_path = ensure_data(args.data, args.n, args.seed, args.planted, args.flat)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(tensor_path), str(pair_path)]
    if args.no_rotate:
        command.append("--no-rotate")
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        print(output.stderr, file=sys.stderr)
        return output.returncode
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    print(
        f"{figures['n']} synthetic tensors ({PX}x{PX}x3), similar (MSE <= {SIMILAR_MSE}), "
        f"rotate {'off' if args.no_rotate else 'on'}, find_matches on {os.cpu_count()} cores:"
    )
    print(f"  search time                 {figures['seconds']:.2f} s")
    print(
        f"  peak RSS                    {figures['peak_rss_mb']:.0f} MB "
        f"(tensors loaded: {figures['rss_after_load_mb']:.0f} MB, "
        f"search adds {figures['peak_rss_mb'] - figures['peak_before_search_mb']:.0f} MB)"
    )
    print(f"  matching pairs              {figures['matches']}")
    print(
        f"  planted recall              {figures['planted_found']}/{figures['planted']} "
        f"({100 * figures['planted_found'] / max(1, figures['planted']):.1f} %)"
    )
    print(f"  pairs with a wrong SSE      {figures['wrong_sse']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
