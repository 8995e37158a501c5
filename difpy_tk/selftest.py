"""`difpy_tk --selftest [OUT.json]`: prove that a (frozen) build really works, end to end.

A frozen build can start fine and still be broken where it matters: an image plugin or a
shared library left out, or a spawned worker that cannot start (freeze_support, the
spawn context, modules only a worker imports). So the self-test makes a few images,
runs a real multiprocess search over them with the spawn pool, checks the groups it
expects, and writes the result with the normal exporter.

A windowed build has no stdout on Windows and its exit code is easy to lose, so besides
the exit code (0 = pass, 1 = fail) it writes a plain-text status file next to the result:
OUT.json -> OUT.status.txt, whose first line is `PASS` or `FAIL`.
Nothing touches the user's settings or cache: DIFPY_TK_HOME points at a temp folder
while it runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

DEFAULT_TIMEOUT = 180.0
CORRUPT_NAME = "corrupt.jpg"
# Each expected group, by file name; every other valid image must stay ungrouped.
# The .heic and .avif copies prove that a build decodes iPhone photos (pillow-heif) and
# AVIF (Pillow's own libavif) in the spawned workers, not only in the parent process.
EXPECTED_GROUPS = (
    frozenset({"a.png", "a_copy.png", "a_rot90.png", "a_copy.avif"}),
    frozenset({"b.png", "b_copy.bmp", "b_copy.heic"}),
)
LONE_IMAGES = frozenset({"c.tif", "d.jpg"})


@dataclass
class Report:
    """What the status file says: every check, passed or not, and a few facts about the
    build that help when a frozen build fails on someone else's machine."""

    checks: list[tuple[bool, str]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    def check(self, ok: bool, what: str) -> bool:
        self.checks.append((bool(ok), what))
        return bool(ok)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(ok for ok, _ in self.checks)

    def text(self) -> str:
        lines = ["PASS" if self.passed else "FAIL"]
        lines += [f"{key}: {value}" for key, value in self.facts.items()]
        lines += [f"[{'ok' if ok else 'FAILED'}] {what}" for ok, what in self.checks]
        return "\n".join(lines) + "\n"


def status_path_for(result_path: Path) -> Path:
    """OUT.json -> OUT.status.txt, beside it."""
    return result_path.with_name(result_path.stem + ".status.txt")


def _smooth_image(seed: int, width: int, height: int) -> Image.Image:
    """A photo-like picture: smooth colour fields, so that resizing a rotated copy gives
    nearly the same thumbnail as rotating the resized original (noise would not)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize((width, height), Image.Resampling.BICUBIC)
    return image


def make_images(folder: Path) -> None:
    """Write the test images: copies, a rotated copy, other formats, and a corrupt file."""
    folder.mkdir(parents=True, exist_ok=True)
    a = _smooth_image(1, 96, 72)
    a.save(folder / "a.png")
    a.save(folder / "a_copy.png")
    a.transpose(Image.Transpose.ROTATE_90).save(folder / "a_rot90.png")
    b = _smooth_image(2, 80, 80)
    b.save(folder / "b.png")
    b.save(folder / "b_copy.bmp")
    save_heic(b, folder / "b_copy.heic")
    a.save(folder / "a_copy.avif", quality=90)
    _smooth_image(3, 64, 48).save(folder / "c.tif")
    _smooth_image(4, 90, 60).save(folder / "d.jpg", quality=92)
    (folder / CORRUPT_NAME).write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG" + bytes(200))


def save_heic(image: Image.Image, path: Path) -> None:
    """Encode a HEIC file with pillow-heif (a dependency: every build must read them)."""
    import pillow_heif

    pillow_heif.from_pillow(image).save(path, quality=90)


@contextmanager
def temporary_home(path: Path) -> Iterator[None]:
    """Point DIFPY_TK_HOME at `path` so settings and cache stay out of the user's folders."""
    old = os.environ.get("DIFPY_TK_HOME")
    os.environ["DIFPY_TK_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DIFPY_TK_HOME", None)
        else:
            os.environ["DIFPY_TK_HOME"] = old


def _run_with_timeout(images: Path, cache: Path, timeout: float):
    """Run the search in a thread: a frozen build whose workers cannot start would hang
    forever, and a hung self-test tells CI nothing."""
    from difpy_tk.scan.engine import run_search
    from difpy_tk.scan.options import SearchOptions, cpu_count
    from difpy_tk.scan.progress import CancelToken

    options = SearchOptions(inputs=(str(images),), similarity="similar", processes=min(2, cpu_count()))
    token = CancelToken()
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = run_search(options, cancel=token, cache_path=cache)
        except BaseException as error:  # reported by the caller, never lost in the thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="selftest-search", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        token.cancel()
        thread.join(10)
        raise TimeoutError(f"the search did not finish within {timeout:.0f} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return options, outcome["result"]


def check_result(result, report: Report) -> None:
    """Compare the groups with EXPECTED_GROUPS (by file name) and the corrupt file with
    the invalid list."""
    groups = {frozenset(Path(p).name for p in group.paths) for group in result.groups}
    for expected in EXPECTED_GROUPS:
        report.check(expected in groups, f"group {sorted(expected)} found")
    report.check(len(groups) == len(EXPECTED_GROUPS), f"{len(EXPECTED_GROUPS)} groups, got {len(groups)}")
    grouped = set().union(*groups) if groups else set()
    report.check(not (grouped & LONE_IMAGES), f"{sorted(LONE_IMAGES)} stay ungrouped")
    searched = {Path(p).name for p in result.files}
    wanted = set().union(*EXPECTED_GROUPS) | LONE_IMAGES
    report.check(wanted <= searched, f"all {len(wanted)} valid images searched, got {sorted(searched)}")
    invalid = {Path(problem.path).name for problem in result.invalid}
    report.check(CORRUPT_NAME in invalid, f"{CORRUPT_NAME} reported invalid, invalid={sorted(invalid)}")
    # Whichever of a/a_rot90 is kept, the other side of the pair needs a turn to match.
    turns = [m.rotation for g in result.groups if "a_rot90.png" in {Path(p).name for p in g.paths}
             for m in g.matches]
    report.check(any(turns), f"the rotated copy matched through a rotation, rotations={turns}")


def check_unwritable(images: Path, work: Path, report: Report) -> None:
    """The app's folders cannot be written (the portable exe on a read-only stick, a HOME
    the user may not write): settings load as defaults and stay in memory, the action log
    and cache go to a temp folder, and a search with the cache on still runs. A home below
    a plain file cannot be created even by root (CI runs as root), so CI sees this case."""
    from difpy_tk.review.journal import ActionResult, Journal, Outcome
    from difpy_tk.scan.engine import run_search
    from difpy_tk.scan.options import SearchOptions
    from difpy_tk.state import appdirs
    from difpy_tk.state.settings import Settings, load_settings, save_settings

    blocker = work / "read-only"
    blocker.write_text("a file: no folder can be created below it")
    with temporary_home(blocker / "home"):
        report.check(not appdirs.config_writable(), "an unwritable settings folder is noticed")
        report.check(load_settings() == Settings(), "settings load as the defaults from an unwritable folder")
        try:
            save_settings(Settings(theme="dark"))
            report.check(False, "saving settings to an unwritable folder reports an error")
        except OSError:
            report.check(True, "saving settings to an unwritable folder reports an error the app handles")
        journal = Journal()
        journal.record(ActionResult("open", str(images), Outcome.OK))
        report.check(journal.write_error is None, f"the action log is kept in a temp folder ({journal.path.parent})")
        options = SearchOptions(inputs=(str(images),), similarity="similar", processes=1)
        result = run_search(options)
        report.check(
            len(result.groups) == len(EXPECTED_GROUPS), "a search with the cache on runs with unwritable folders"
        )


def check_licences(report: Report) -> None:
    """The text About shows: the project's licence and the bundled components' ones."""
    from difpy_tk.licensing import notice_text

    text = notice_text()
    report.check("MIT License" in text and "pillow-heif" in text.lower(),
                 f"licence notice readable ({len(text)} characters)")


def collect_facts(report: Report) -> None:
    from difpy_tk import __version__
    from difpy_tk.state.appdirs import is_portable

    report.facts.update(
        version=__version__,
        frozen=str(bool(getattr(sys, "frozen", False))),
        # CI checks this: the onefile build with its marker must say True, others False.
        portable=str(is_portable()),
        executable=sys.executable,
        python=platform.python_version(),
        platform=platform.platform(),
    )


def say(text: str) -> None:
    """print() that survives a windowed build, where sys.stdout may be None."""
    stream = sys.stdout
    if stream is not None:
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="difpy_tk --selftest", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="result file (default: a temp folder)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds for the search")
    parser.add_argument("--keep", action="store_true", help="keep the generated images")
    return parser.parse_args(args)


def run_selftest(args: list[str]) -> int:
    """Run the self-test; 0 when every check passed, else 1. Never raises."""
    started = time.perf_counter()
    report = Report()
    try:
        options = parse_args(args)
    except SystemExit as exit_:  # argparse: --help (0) or a bad argument (2)
        return int(exit_.code or 0)
    out = options.out or Path(tempfile.gettempdir()) / "difpy_tk-selftest" / "selftest.json"
    out = out.resolve()
    status = status_path_for(out)
    work = Path(tempfile.mkdtemp(prefix="difpy_tk-selftest-"))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        collect_facts(report)
        images = work / "images"
        make_images(images)
        with temporary_home(work / "home"):
            search_options, result = _run_with_timeout(images, work / "cache.sqlite", options.timeout)
        report.facts["processes"] = str(search_options.processes)
        report.facts["search seconds"] = f"{sum(result.timings.values()):.2f}" if result.timings else "?"
        check_result(result, report)
        check_unwritable(images, work, report)
        check_licences(report)

        from difpy_tk.scan.result_io import load_json, write_json

        write_json(result, out)
        reloaded = load_json(out)
        report.check(len(reloaded.groups) == len(result.groups), f"result file {out} reads back")
    except Exception as error:
        report.check(False, f"{type(error).__name__}: {error}")
        report.facts["traceback"] = "\n" + traceback.format_exc()
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            report.facts["images"] = str(work / "images")
    report.facts["total seconds"] = f"{time.perf_counter() - started:.2f}"
    text = report.text()
    try:
        status.write_text(text, encoding="utf-8")
        text += f"status file: {status}\n"
    except OSError as error:
        report.check(False, f"cannot write {status}: {error}")
        text = report.text()
    say(text)
    return 0 if report.passed else 1
