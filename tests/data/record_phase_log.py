"""Record the progress events of one real search into a JSON phase log, for tests/test_eta.py.

    PYTHONPATH=. python tests/data/record_phase_log.py OUT.json [IMAGES] [CACHED_FRACTION]

Writes IMAGES generated photos-like JPEGs (1600×1200, a third of them with a resized or
re-encoded copy), fills the tensor cache with CACHED_FRACTION of them first (a re-search
of partly known folders), then runs a "similar" search with rotations and records every
progress event the way the app receives them (at most every 0.1 s, plus phase changes
and phase ends) with the seconds since the start. The machine and its load are part of
the recording: the log is a sample of a real run, not a benchmark."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for imagegen

from imagegen import picture, save

from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions

INTERVAL_S = 0.1


def make_images(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        image = picture(index, (1600, 1200))
        paths.append(save(image, folder / f"photo_{index:04}.jpg", quality=90))
        if index % 3 == 0:
            paths.append(save(image.resize((800, 600)), folder / "copies" / f"photo_{index:04}_small.jpg"))
    return paths


def record(out: Path, count: int, cached_fraction: float) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "pictures"
        paths = make_images(folder, count)
        cache = str(Path(work) / "cache.sqlite")
        options = SearchOptions(inputs=(str(folder),), similarity="similar", rotate=True, same_dim=False)
        known = paths[: int(len(paths) * cached_fraction)]
        if known:
            run_search(SearchOptions(inputs=tuple(map(str, known)), similarity="duplicates"), cache_path=cache)
        events: list[tuple[float, str, int, int]] = []
        started = time.monotonic()
        last = ("", 0.0)

        def progress(phase: str, done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic() - started
            if phase != last[0] or done >= total or now - last[1] >= INTERVAL_S:
                last = (phase, now)
                events.append((round(now, 3), phase, done, total))

        result = run_search(options, progress=progress, cache_path=cache)
        finished = round(time.monotonic() - started, 3)
    log = {
        "about": f"{len(paths)} JPEGs, {result.cache_hits} from the cache, similar + rotate, "
        f"processes={options.processes}; recorded by tests/data/record_phase_log.py",
        "images": len(paths),
        "cache_hits": result.cache_hits,
        "finished": finished,
        "events": events,
    }
    out.write_text(json.dumps(log, indent=0) + "\n", encoding="utf-8")
    print(f"{out}: {len(events)} events, {finished} s")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    record(Path(args[0]), int(args[1]) if len(args) > 1 else 400, float(args[2]) if len(args) > 2 else 0.0)
