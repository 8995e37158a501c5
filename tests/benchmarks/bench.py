"""Time difpy_tk, difPy 4.2.1 and czkawka on the same folder, in one run, and check recall.

Why one run: timings taken on different days or machines cannot be compared; here every
tool sees the same files with the same (pre-warmed) OS file cache. Why subprocesses: each
tool gets a fresh interpreter, so its peak memory is its own and no import is shared.

usage: python tests/benchmarks/bench.py [--corpus /work/bench-corpus] [--n 2000] [--seed 1]
       [--tools difpy_tk,difpy,czkawka] [--czkawka-similarity 5] [--decode-check]
       [--no-reference] [--json FILE]

The corpus is built (or reused) with tests/benchmarks/corpus.py. Settings for every tool:
similarity "similar" (MSE <= 5), rotate on, same_dim off. czkawka has no MSE; its
perceptual-hash similarity level is a separate knob (--czkawka-similarity) and it does not
try rotations. All figures are printed; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import corpus as corpus_builder  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from reference import as_cliques  # noqa: E402  (tests/reference.py: the same rule as the tests)

TOOLS = ("difpy_tk", "difpy", "czkawka")
PX_SIZE = 50
SIMILAR_MSE = 5.0


# ---------------------------------------------------------------- workers (run in a subprocess)


def own_peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest (waited-for) child.

    For this process VmHWM is used where it exists: Linux keeps ru_maxrss across exec, so
    it could show the parent's peak. The children's ru_maxrss covers pool workers after
    they exited; the process-tree sampler in the parent adds up concurrent processes."""
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            own = next(int(line.split()[1]) / 1024 for line in handle if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    return {"self": own, "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}


def worker_difpy_tk(folder: str, cache_path: str) -> dict:
    """One difpy_tk scan through the public engine API; the caller decides cold or warm
    by handing a fresh or an already filled cache file."""
    from difpy_tk.scan.engine import run_search
    from difpy_tk.scan.options import SearchOptions

    options = SearchOptions(inputs=(folder,), similarity="similar", rotate=True, same_dim=False, use_cache=True)
    started = time.perf_counter()
    result = run_search(options, cache_path=cache_path)
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "phases": dict(result.timings),
        "groups": [group.paths for group in result.groups],
        "pairs": [[group.kept, m.path, m.mse, m.rotation] for group in result.groups for m in group.matches],
        "files": len(result.files),
        "all_files": sorted(result.files),
        "invalid": len(result.invalid),
        "skipped": len(result.skipped),
        "cache_hits": result.cache_hits,
        "sse_limit": options.sse_limit,
        "verification": dataclasses.asdict(result.verification),
    }


def worker_difpy(folder: str) -> dict:
    """difPy 4.2.1 as its README shows it: build, then search, each timed on its own."""
    import difPy

    started = time.perf_counter()
    built = difPy.build(folder, show_progress=False)
    build_done = time.perf_counter()
    search = difPy.search(built, similarity="similar", rotate=True, same_dim=False, show_progress=False)
    finished = time.perf_counter()
    groups = [[kept, *(match for match, _mse in matches)] for kept, matches in search.result.items()]
    return {
        "wall": finished - started,
        "phases": {"build": build_done - started, "search": finished - build_done},
        "groups": groups,
        "pairs": [[kept, match, float(mse)] for kept, matches in search.result.items() for match, mse in matches],
        "files": len(built._tensor_dictionary),
        "invalid": built.stats.get("invalid_files", {}).get("count", 0),
    }


def worker_czkawka(folder: str, level: int) -> dict:
    """czkawka's Rust engine through its Python bindings (perceptual hash, no rotation).

    The bindings expose only directories and a similarity level (0-50 Hamming bits)."""
    import czkawka

    started = time.perf_counter()
    finder = czkawka.ImageSimilarity()
    finder.set_directories([folder])
    finder.set_similarity(level)
    groups = finder.find_similar()
    wall = time.perf_counter() - started
    return {
        "wall": wall,
        "phases": {},
        "groups": [[str(path) for path in group] for group in groups],
        "level": level,
    }


def run_worker(args: argparse.Namespace) -> int:
    """Entry point of the subprocess: run one tool and write its figures as JSON."""
    if args.worker == "difpy_tk":
        out = worker_difpy_tk(args.folder, args.cache)
    elif args.worker == "difpy":
        out = worker_difpy(args.folder)
    elif args.worker == "czkawka":
        out = worker_czkawka(args.folder, args.czkawka_similarity)
    else:
        raise SystemExit(f"unknown worker {args.worker}")
    out["rss_mb"] = own_peak_rss_mb()
    Path(args.out).write_text(json.dumps(out), encoding="utf-8")
    return 0


# ---------------------------------------------------------------- parent: running and measuring


class TreeRssSampler(threading.Thread):
    """Polls /proc for the summed RSS and CPU time of a process and all its descendants.

    ru_maxrss gives the peak of one process; a tool with a worker pool holds memory in
    several at once, and the sum is what the machine has to provide. CPU seconds are
    reported too because the machine may be shared: wall time suffers from other load,
    CPU time much less. A process once seen in the tree stays counted after its parent
    exits. Linux only; elsewhere both figures are 0."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.tree = {pid}
        self.cpu_ticks: dict[int, int] = {}
        self._halt = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / self._tick

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def _sample(self) -> int:
        """One pass over /proc: extend the tree, note CPU ticks, return the summed RSS."""
        stats: dict[int, list[str]] = {}
        try:
            entries = os.listdir("/proc")
        except OSError:
            return 0
        for entry in entries:
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                        stats[int(entry)] = handle.read().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
        grew = True
        while grew:
            grew = False
            for pid, fields in stats.items():
                if pid not in self.tree and int(fields[1]) in self.tree:
                    self.tree.add(pid)
                    grew = True
        total = 0
        for pid in self.tree & stats.keys():
            fields = stats[pid]
            self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), int(fields[11]) + int(fields[12]))
            total += int(fields[21]) * self._page
        return total


def run_tool(name: str, folder: str, extra: Sequence[str] = (), env: dict | None = None) -> dict:
    """Run one worker subprocess; returns its JSON plus process wall time and tree peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        out = os.path.join(scratch, "out.json")
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            name,
            "--folder",
            folder,
            "--out",
            out,
            *extra,
        ]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, **(env or {})})
        sampler = TreeRssSampler(process.pid)
        sampler.start()
        code = process.wait()
        sampler.stop()
        elapsed = time.perf_counter() - started
        if code != 0:
            return {"error": f"exit code {code}", "process_wall": elapsed}
        result = json.loads(Path(out).read_text(encoding="utf-8"))
    result["process_wall"] = elapsed
    result["tree_rss_mb"] = sampler.peak_bytes / 2**20
    result["cpu_seconds"] = sampler.cpu_seconds
    result["load_before"] = load
    return result


def best_of(runs: list[dict]) -> dict:
    """The fastest of repeated runs (the machine may be shared), with all wall times kept."""
    good = [run for run in runs if "error" not in run]
    if not good:
        return runs[-1]
    best = dict(min(good, key=lambda run: run["wall"]))
    best["all_walls"] = [run["wall"] for run in good]
    return best


def prewarm(folder: str) -> tuple[int, int]:
    """Read every file once so that the first tool does not pay for cold disk reads."""
    count = size = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                while chunk := handle.read(1 << 20):
                    size += len(chunk)
            count += 1
    return count, size


# ---------------------------------------------------------------- recall and reference


def relative(folder: str, path: str) -> str:
    return os.path.relpath(os.path.realpath(path), os.path.realpath(folder))


def planted_recall(folder: str, truth: dict, groups: Iterable[Sequence[str]]) -> dict[str, tuple[int, int]]:
    """(found, planted) per kind and "all": found when base and variant share a group."""
    group_of: dict[str, int] = {}
    for number, group in enumerate(groups):
        for path in group:
            group_of.setdefault(relative(folder, path), number)
    tally: dict[str, list[int]] = {}
    for entry in truth["planted"]:
        a, b = group_of.get(entry["base"]), group_of.get(entry["variant"])
        hit = int(a is not None and a == b)
        for key in (entry["kind"], "all"):
            counts = tally.setdefault(key, [0, 0])
            counts[0] += hit
            counts[1] += 1
    return {kind: (found, total) for kind, (found, total) in tally.items()}


def brute_force_pairs(tensors, sse_limit: int, chunk: int = 512) -> dict[tuple[int, int], int]:
    """Every pair (i < j) whose true SSE, minimised over the 4 rotations, is <= sse_limit.

    SSE = |a|^2 + |b|^2 - 2 a.b with a float64 matrix product: every term and partial sum
    is an integer below 2^53 (at most 7500 * 255^2), so BLAS computes it exactly and fast.
    Each candidate is then recomputed directly in int32 (differences fit, squares too) as a
    check that the shortcut did not lie."""
    import numpy as np

    n = len(tensors)
    flat = tensors.reshape(n, -1).astype(np.float64)
    norms = np.einsum("ij,ij->i", flat, flat)
    rotated = [np.rot90(tensors, k, axes=(1, 2)).reshape(n, -1).astype(np.float64) for k in range(4)]
    best: dict[tuple[int, int], int] = {}
    for start in range(0, n, chunk):
        rows = slice(start, min(n, start + chunk))
        minimum = None
        for turned in rotated:
            sse = norms[rows, None] + norms[None, :] - 2.0 * (flat[rows] @ turned.T)
            minimum = sse if minimum is None else np.minimum(minimum, sse)
        ii, jj = np.nonzero(minimum <= sse_limit + 0.5)
        for i, j in zip(ii + start, jj, strict=True):
            if i < j:
                best[(int(i), int(j))] = exact_min_sse(tensors[i], tensors[j])
    return {pair: sse for pair, sse in best.items() if sse <= sse_limit}


def exact_min_sse(a, b) -> int:
    """Minimum over 4 rotations of the sum of squared differences, in int32, no overflow."""
    import numpy as np

    a32 = a.astype(np.int32)
    return min(int(np.square(a32 - np.rot90(b, k).astype(np.int32)).sum(dtype=np.int64)) for k in range(4))


def engine_scan(folder: str, cache_path: str, px_size: int, threshold: float) -> tuple[list[str], dict, dict]:
    """difpy_tk's pairs (before grouping) at one setting, as {(i, j): sse} over its records."""
    from difpy_tk.scan.engine import scan_pairs
    from difpy_tk.scan.options import SearchOptions

    options = SearchOptions(
        inputs=(folder,), px_size=px_size, similarity=threshold, rotate=True, same_dim=False, use_cache=True
    )
    scan = scan_pairs(options, cache_path=cache_path)
    pairs = zip(scan.matches.first.tolist(), scan.matches.second.tolist(), scan.matches.sse.tolist(), strict=True)
    found = {(min(a, b), max(a, b)): sse for a, b, sse in pairs}
    return [record.path for record in scan.records], found, dataclasses.asdict(scan.verification)


def fast_tensors_from_cache(cache_path: str, px_size: int, paths: Sequence[str]):
    """The engine's FAST tensors of paths, read back from the cache its scans filled; None
    for a file decoded in full from the start (every format but JPEG, a small JPEG),
    which has no fast tensor and no drift."""
    from difpy_tk.scan.cache import TensorCache
    from difpy_tk.scan.discovery import FileStamp
    from difpy_tk.scan.tensors import decoder_version

    stats = [FileStamp.of(os.stat(path)) for path in paths]
    cache = TensorCache(cache_path, px_size, decoder_version(exact=False))
    try:
        found = cache.lookup(list(paths), stats)
    finally:
        cache.close()
    return [found[i].tensor if i in found else None for i in range(len(paths))]


def exactness(folder: str, scratch: str, sizes: Sequence[int], thresholds: Sequence[float]) -> list[dict]:
    """For each px_size and threshold: the pairs of a brute force over FULL-decode tensors
    of every file (4 turns, all pairs) against the engine's pairs, missed and extra; how
    many images the engine decoded in full; and each file's fast-to-full RMS drift. Each
    setting is a first scan (a cache of its own): a shared cache would hand the later
    settings the full tensors of the earlier ones, and their counts would say nothing."""
    import numpy as np

    from difpy_tk.scan.verdicts import drift_margin

    rows = []
    for px_size in sizes:
        scans = {}
        for threshold in sorted(thresholds, reverse=True):
            cache = os.path.join(scratch, f"exactness-{px_size}-{threshold}.sqlite3")
            started = time.perf_counter()
            scans[threshold] = (*engine_scan(folder, cache, px_size, threshold), time.perf_counter() - started)
        paths = scans[max(thresholds)][0]
        started = time.perf_counter()
        full = decode_all(paths, full=True, px_size=px_size)
        keep = [i for i, tensor in enumerate(full) if tensor is not None]
        tensors = np.stack([full[i] for i in keep])
        count = px_size * px_size * 3
        widest = brute_force_pairs(tensors, int(max(thresholds) * count))
        reference_seconds = time.perf_counter() - started
        fast = fast_tensors_from_cache(cache, px_size, [paths[i] for i in keep])
        drift = np.array(
            [
                np.sqrt(np.square(f.astype(np.int32) - g.astype(np.int32)).mean())
                for f, g in zip(fast, tensors, strict=True)
                if f is not None
            ]
        )
        for threshold in sorted(thresholds):
            scan_paths, found, verification, seconds = scans[threshold]
            assert scan_paths == paths
            sse_limit = int(Fraction(str(threshold)) * count)
            reference = {(keep[i], keep[j]) for (i, j), sse in widest.items() if sse <= sse_limit}
            engine = as_cliques(found) if sse_limit == 0 else set(found)
            rows.append(
                {
                    "px": px_size,
                    "threshold": threshold,
                    "files": len(paths),
                    "reference_pairs": len(reference),
                    "engine_pairs": len(engine),
                    "missed": len(reference - engine),
                    "extra": len(engine - reference),
                    "checked": verification["checked"],
                    "already_full": verification["already_full"],
                    "full_decoded": verification["full_decoded"],
                    "byte_twins": verification["byte_twins"],
                    "proposed": verification["proposed"],
                    "scan_seconds": seconds,
                    "reference_seconds": reference_seconds,
                    "drift_median": float(np.median(drift)),
                    "drift_p99": float(np.percentile(drift, 99)),
                    "drift_max": float(drift.max()),
                    "margin": drift_margin(px_size),
                }
            )
    return rows


def print_exactness(rows: list[dict]) -> None:
    print()
    print("pairs against a brute force over FULL-decode tensors (all pairs, 4 turns), per px and threshold:")
    print(
        f"{'px':>4}{'MSE <=':>8}{'reference':>11}{'difpy_tk':>10}{'missed':>8}{'extra':>7}"
        f"{'full at once':>14}{'decided full':>14}{'decoded again':>15}{'same bytes':>12}{'of files':>10}"
        f"{'proposed':>10}{'scan':>9}"
    )
    for row in rows:
        print(
            f"{row['px']:>4}{row['threshold']:>8}{row['reference_pairs']:>11}{row['engine_pairs']:>10}"
            f"{row['missed']:>8}{row['extra']:>7}{row['already_full']:>14}{row['checked']:>14}"
            f"{row['full_decoded']:>15}{row['byte_twins']:>12}{row['files']:>10}{row['proposed']:>10}"
            f"{row['scan_seconds']:>8.1f}s"
        )
    for px_size in dict.fromkeys(row["px"] for row in rows):
        row = next(r for r in rows if r["px"] == px_size)
        print(
            f"  px {px_size}: fast-to-full RMS drift per file: median {row['drift_median']:.2f}, "
            f"p99 {row['drift_p99']:.2f}, max {row['drift_max']:.2f} (margin D = {row['margin']})"
        )


def mse_check_difpy(difpy: dict) -> dict:
    """How many of difPy's reported pairs really have MSE <= 5 (any of 4 turns).

    Judged on full-decode bicubic tensors, which is what difPy computes for files without
    EXIF orientation (all of this corpus), so the pairs it reports beyond these come from
    its uint8 wrap-around, not from a different decoder."""
    paths = sorted({p for pair in difpy["pairs"] for p in pair[:2]})
    tensors = dict(zip(paths, decode_all(paths, full=True), strict=True))
    limit = SIMILAR_MSE * PX_SIZE * PX_SIZE * 3
    true = checked = 0
    for kept, match, _mse in difpy["pairs"]:
        a, b = tensors.get(kept), tensors.get(match)
        if a is None or b is None:
            continue
        checked += 1
        true += int(exact_min_sse(a, b) <= limit)
    return {"reported": len(difpy["pairs"]), "checked": checked, "true_mse_le_5": true}


# ---------------------------------------------------------------- report


def fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def ratio(a: float | None, b: float | None, percent: bool = False) -> str:
    """a / b as a factor, also below 1 ("0.96x": "96.1 %" beside factors read as one), or
    as a percentage where one part of a whole is meant (warm / first)."""
    if not a or not b:
        return "-"
    return f"{100 * a / b:.1f} %" if percent else f"{a / b:.2f}x"


def print_report(results: dict, truth: dict, folder: str, files: int) -> None:
    print()
    print(f"corpus: {folder}: {files} images, {len(truth['planted'])} planted variants, cores: {os.cpu_count()}")
    print(
        f"{'run':<16}{'in-process':>11}{'process':>10}{'CPU':>10}{'load':>6}"
        f"{'RSS main':>10}{'children':>10}{'tree sum':>10}  phases (s)"
    )
    for name, res in results.items():
        if "error" in res:
            print(f"{name:<16} FAILED: {res['error']}")
            continue
        rss = res.get("rss_mb", {})
        phases = ", ".join(f"{k} {v:.2f}" for k, v in res.get("phases", {}).items())
        print(
            f"{name:<16}{fmt_seconds(res['wall']):>11}{fmt_seconds(res['process_wall']):>10}"
            f"{fmt_seconds(res.get('cpu_seconds')):>10}{res.get('load_before', 0):>6.1f}"
            f"{rss.get('self', 0):>7.0f} MB{rss.get('children', 0):>7.0f} MB"
            f"{res.get('tree_rss_mb', 0):>7.0f} MB  {phases}"
        )
    for name, res in results.items():
        if len(res.get("all_walls", [])) > 1:
            print(f"  {name}: fastest of {', '.join(f'{w:.2f}' for w in res['all_walls'])} s")
    ok = {k: v for k, v in results.items() if "error" not in v}
    first, warm, difpy, czk = (ok.get(k) for k in ("difpy_tk first", "difpy_tk warm", "difPy", "czkawka"))
    print()
    print(f"{'ratios':<36}{'wall (in-process)':>18}{'CPU (process tree)':>20}")
    if first:
        our_search = search_seconds(first)
        rows = []
        if difpy:
            rows.append(("difPy / difpy_tk end-to-end", difpy["wall"], first["wall"], difpy, first))
            rows.append(("difPy search / difpy_tk search", difpy["phases"]["search"], our_search, None, None))
        if czk:
            rows.append(("czkawka / difpy_tk end-to-end", czk["wall"], first["wall"], czk, first))
        if warm:
            rows.append(("warm / first (difpy_tk)", warm["wall"], first["wall"], warm, first))
        for label, a, b, cpu_a, cpu_b in rows:
            percent = label.startswith("warm")
            cpu = ratio(cpu_a.get("cpu_seconds"), cpu_b.get("cpu_seconds"), percent) if cpu_a and cpu_b else "-"
            print(f"  {label:<34}{ratio(a, b, percent):>18}{cpu:>20}")
        if difpy and our_search:
            print(f"  (search phases: difPy {difpy['phases']['search']:.2f} s, difpy_tk {our_search:.4f} s)")
        if warm:
            print(f"  (warm rescan: {warm.get('cache_hits')} cache hits of {warm.get('files')} files)")
        for label, run in (("first scan", first), ("warm rescan", warm)):
            check = (run or {}).get("verification")
            if check:
                print(
                    f"  {label}: {check['already_full']} files searched with full-decode tensors from the start; "
                    f"{check['proposed']} pairs proposed, {check['decided_fast']} decided on fast tensors; "
                    f"{check['checked']} of {run['files']} files decide by their full decode "
                    f"({check['full_decoded']} decoded again, {check['full_cached']} from the cache, "
                    f"{check['byte_twins']} byte-identical copies); largest drift {check['drift_max']:.2f} "
                    f"(margin {check['margin_rms']})"
                )
    print()
    recalls = {name: planted_recall(folder, truth, res["groups"]) for name, res in ok.items()}
    kinds = ["all", *sorted({entry["kind"] for entry in truth["planted"]})]
    print("planted recall (base and variant in one group):")
    print(f"{'kind':<12}" + "".join(f"{name:>18}" for name in recalls))
    for kind in kinds:
        cells = []
        for recall in recalls.values():
            found, total = recall.get(kind, (0, 0))
            cells.append(f"{found}/{total} {100 * found / total if total else 0:5.1f}%")
        print(f"{kind:<12}" + "".join(f"{cell:>18}" for cell in cells))
    for name, res in ok.items():
        print(f"  {name}: {len(res['groups'])} groups, {sum(len(g) for g in res['groups'])} images in groups")


def search_seconds(res: dict) -> float | None:
    """The engine's search phase: "searching" plus "grouping" when it reports both."""
    phases = res.get("phases", {})
    keys = [k for k in ("searching", "search", "grouping") if k in phases]
    return sum(phases[k] for k in keys) if keys else None


# ---------------------------------------------------------------- main


def engine_available() -> bool:
    try:
        from difpy_tk.scan.engine import run_search  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="/work/bench-corpus", help="corpus folder (built if needed)")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the corpus in --corpus as it is, whatever its parameters (never rebuild or delete it)",
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    parser.add_argument(
        "--czkawka-similarity",
        type=int,
        default=5,
        help="czkawka's Hamming-distance level 0-50 (default 5)",
    )
    parser.add_argument(
        "--decode-check",
        action="store_true",
        help="also compare planted recall of the fast decode with a full decode",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of difpy_tk and czkawka; the fastest is shown (default 3)"
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the full-decode brute-force check")
    parser.add_argument("--exact-px", default="10,50,100", help="px sizes of the brute-force check")
    parser.add_argument("--exact-thresholds", default="0,0.5,5,20", help="MSE thresholds of the brute-force check")
    parser.add_argument("--json", help="write every figure to this file")
    # worker-only arguments
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if args.reuse:
        truth = corpus_builder.load_truth(args.corpus)
        if truth is None:
            raise SystemExit(f"{args.corpus} holds no complete corpus (truth.json); build it with corpus.py")
    else:
        truth = corpus_builder.ensure_corpus(args.corpus, n=args.n, seed=args.seed)
    folder = os.path.abspath(args.corpus)
    files, size = prewarm(folder)
    print(f"pre-read {files} files ({size / 2**20:.0f} MB) into the OS cache", flush=True)
    results: dict[str, dict] = {}
    extra_figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as scratch:
        cache = os.path.join(scratch, "tensors.sqlite3")
        if "difpy_tk" in tools:
            if engine_available():
                env = {"DIFPY_TK_HOME": scratch}
                firsts, warms = [], []
                for repetition in range(args.repeat):
                    cache = os.path.join(scratch, f"tensors-{repetition}.sqlite3")
                    print(f"running difpy_tk first + warm ({repetition + 1}/{args.repeat}) ...", flush=True)
                    firsts.append(run_tool("difpy_tk", folder, ["--cache", cache], env))
                    warms.append(run_tool("difpy_tk", folder, ["--cache", cache], env))
                results["difpy_tk first"] = best_of(firsts)
                results["difpy_tk warm"] = best_of(warms)
            else:
                print("difpy_tk: difpy_tk.scan.engine.run_search does not exist yet; skipped")
        if "difpy" in tools:
            print("running difPy 4.2.1 ...", flush=True)
            results["difPy"] = run_tool("difpy", folder)
        if "czkawka" in tools:
            runs = []
            for repetition in range(args.repeat):
                print(f"running czkawka ({repetition + 1}/{args.repeat}) ...", flush=True)
                czkawka_args = ["--czkawka-similarity", str(args.czkawka_similarity)]
                runs.append(run_tool("czkawka", folder, czkawka_args, {"XDG_CACHE_HOME": scratch}))
            results["czkawka"] = best_of(runs)
        print_report(results, truth, folder, len(corpus_builder.truth_paths(truth)))
        first = results.get("difpy_tk first", {})
        if first and "error" not in first and not args.no_reference:
            sizes = [int(x) for x in args.exact_px.split(",") if x]
            thresholds = [float(x) for x in args.exact_thresholds.split(",") if x]
            extra_figures["exactness"] = exactness(folder, scratch, sizes, thresholds)
            print_exactness(extra_figures["exactness"])
        difpy = results.get("difPy", {})
        if difpy and "error" not in difpy and not args.no_reference:
            extra_figures["difpy_true_mse"] = check = mse_check_difpy(difpy)
            print(
                f"difPy's reported pairs with a true MSE <= 5 (full-decode tensors): "
                f"{check['true_mse_le_5']}/{check['checked']}"
            )
        if args.decode_check:
            extra_figures["decode_check"] = decode_check(folder, truth)
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, **extra_figures}, indent=1), encoding="utf-8")
    return 0


def _decode_one(job: tuple[str, bool, int]):
    from difpy_tk.scan.tensors import DecodeError, decode_tensor

    path, fast, px_size = job
    try:
        return decode_tensor(path, px_size, exact=not fast)[0]
    except (DecodeError, OSError):
        return None


def decode_all(paths: Sequence[str], full: bool, px_size: int = PX_SIZE):
    """Tensors of paths through difpy_tk's decoder (decode_tensor's fast path, or
    fast=False: every pixel decoded and resampled in one step), in 2 processes."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        return pool.map(_decode_one, [(path, not full, px_size) for path in paths], chunksize=16)


def decode_check(folder: str, truth: dict) -> dict:
    """Planted recall at the tensor level (variant within MSE 5 of its base, any rotation)
    with the engine's fast decode and with a full decode, plus how far the two tensors of
    each file are apart. Grouping is left out on purpose: this isolates the decoder."""
    import numpy as np

    names = sorted({entry[key] for entry in truth["planted"] for key in ("base", "variant")})
    paths = [os.path.join(folder, name) for name in names]
    index = {name: i for i, name in enumerate(names)}
    limit = SIMILAR_MSE * PX_SIZE * PX_SIZE * 3
    figures: dict = {"pairs": len(truth["planted"])}
    decoded = {}
    for label, full in (("fast", False), ("full", True)):
        started = time.perf_counter()
        decoded[label] = decode_all(paths, full)
        figures[f"{label}_seconds"] = time.perf_counter() - started
        found: dict[str, list[int]] = {}
        for entry in truth["planted"]:
            a, b = decoded[label][index[entry["base"]]], decoded[label][index[entry["variant"]]]
            hit = int(a is not None and b is not None and exact_min_sse(a, b) <= limit)
            for key in ("all", entry["kind"]):
                found.setdefault(key, [0, 0])
                found[key][0] += hit
                found[key][1] += 1
        figures[label] = found
    drift = [
        float(np.square(f.astype(np.int32) - g.astype(np.int32)).mean())
        for f, g in zip(decoded["fast"], decoded["full"], strict=True)
        if f is not None and g is not None
    ]
    figures["drift_mse_median"] = float(np.median(drift)) if drift else 0.0
    figures["drift_mse_max"] = max(drift, default=0.0)
    figures["drift_over_5"] = sum(1 for d in drift if d > SIMILAR_MSE)
    print()
    print(
        f"decode check on the {len(paths)} files of planted pairs "
        f"(fast {figures['fast_seconds']:.1f} s, full {figures['full_seconds']:.1f} s, 2 processes):"
    )
    print(f"{'kind':<12}{'fast decode':>16}{'full decode':>16}")
    for kind in ["all", *sorted(k for k in figures["fast"] if k != "all")]:
        cells = [f"{figures[x][kind][0]}/{figures[x][kind][1]}" for x in ("fast", "full")]
        print(f"{kind:<12}{cells[0]:>16}{cells[1]:>16}")
    print(
        f"  MSE between fast and full tensor of the same file: median {figures['drift_mse_median']:.2f}, "
        f"max {figures['drift_mse_max']:.2f}, files over 5: {figures['drift_over_5']}"
    )
    return figures


if __name__ == "__main__":
    sys.exit(main())
