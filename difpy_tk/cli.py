"""The command line: `difpy-tk scan DIR...`, and `clean` / `undo` (see clean_cli).

Exit codes of scan: 0 the search completed, 2 invalid arguments, 3 an input folder or
file does not exist, 4 the result could not be saved, 130 interrupted with Ctrl+C."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from difpy_tk import __version__
from difpy_tk.clean_cli import add_commands, run_command
from difpy_tk.humanize import display_path, plural
from difpy_tk.review import ignore_list
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.eta import ScanEstimate
from difpy_tk.scan.options import OptionError, SearchOptions, cpu_count, parse_similarity
from difpy_tk.scan.progress import Cancelled, CancelToken
from difpy_tk.scan.result_io import write_csv, write_json

EXIT_OK, EXIT_USAGE, EXIT_MISSING, EXIT_SAVE, EXIT_INTERRUPTED = 0, 2, 3, 4, 130


def _similarity(text: str) -> str:
    """The threshold as typed (validated): "0.3" stays the exact decimal 3/10."""
    try:
        parse_similarity(text)
    except OptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="difpy-tk",
        usage="difpy-tk [DIR ...]\n       difpy-tk scan DIR... [options]",
        description="Find duplicate and similar images by comparing their pixels. "
        "`difpy-tk` opens the app; `difpy-tk DIR...` opens it with those folders already "
        "imported; `difpy-tk scan DIR...` searches from the command line.",
    )
    parser.add_argument("--version", action="version", version=f"difpy_tk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    scan = commands.add_parser(
        "scan",
        prog="difpy-tk scan",  # not the parent's two-line usage with "scan" appended
        help="search folders for duplicate or similar images",
        description="Search folders (and image files) for duplicate or similar images. "
        "Nothing is moved or deleted: the command only reports.",
    )
    scan.add_argument("inputs", nargs="+", metavar="DIR", help="folders or image files to search")
    scan.add_argument(
        "--similarity", type=_similarity, default="duplicates",
        help="'duplicates' finds pixel-identical images (the default); 'similar' also finds "
        "near-identical ones, e.g. the same photo saved as PNG and JPEG (mean squared error "
        "up to 5); or give your own MSE limit, a number from 0 to 65025 (an MSE equal to it matches)",
    )
    scan.add_argument("--no-rotate", dest="rotate", action="store_false",
                      help="do not look for copies turned by 90, 180 or 270 degrees")
    scan.add_argument("--mirror", action="store_true",
                      help="also look for mirror-image (flipped) copies, such as a selfie and its "
                      "flipped version")
    scan.add_argument("--same-dim", action="store_true",
                      help="only compare images of the same width and height (faster, but a resized "
                      "copy is not found)")
    scan.add_argument("--in-folder", action="store_true",
                      help="search each given folder on its own, never matching across folders "
                      "(needs two or more folders)")
    scan.add_argument("--no-recursive", dest="recursive", action="store_false",
                      help="do not look into sub-folders")
    scan.add_argument("--exclude", metavar="PATTERN", action="append", default=[],
                      help="leave out a folder or file given by its path, with all below it, or every file "
                      "and folder whose name matches a pattern with * and ? (\"@eaDir\", \"*_thumb.jpg\"); "
                      "repeatable")
    scan.add_argument("--px-size", type=int, default=50,
                      help="size images are shrunk to before comparing (10-5000, default 50); "
                      "raise in steps of 50 for images with text (memory grows with its square)")
    scan.add_argument("--processes", type=int, default=cpu_count(),
                      help=f"worker processes for decoding images (1-{cpu_count()}, default all)")
    scan.add_argument("--chunksize", type=int, default=None,
                      help="images compared per block: lower uses less memory, higher can be "
                      "faster (default: automatic)")
    scan.add_argument("--json", metavar="FILE", help="save the result as JSON (difPy-compatible keys)")
    scan.add_argument("--csv", metavar="FILE", help="save the groups as CSV for a spreadsheet")
    scan.add_argument("--thorough", action="store_true",
                      help="decode every image in full from the start, so no verdict rests on the "
                      "fast first look (up to three times slower the first time; rescans stay fast)")
    scan.add_argument("--no-cache", dest="use_cache", action="store_false",
                      help="do not use the cache of earlier searches (every image is read again)")
    scan.add_argument("--show-not-duplicates", dest="hide_declared", action="store_false",
                      help="also report the pairs you marked \"Not a duplicate\" in the app's viewer "
                      "(left out by default, as in the app)")
    scan.add_argument("--quiet", action="store_true", help="no progress bar")
    add_commands(commands)
    return parser


class ProgressBar:
    """A one-line progress bar on stderr with the time left for the whole search (the same
    estimate as the app's), redrawn at most 10 times a second. Where stderr is a pipe or a
    log file, one line per phase instead: a redrawn bar would fill a log with one endless line."""

    def __init__(self, stream=sys.stderr, full_at_once: bool = False) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self.phase = ""
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False
        self.estimate = ScanEstimate(full_at_once=full_at_once)

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        self.estimate.update(now - self.started, phase, done, total)
        if not self.terminal:
            if phase != self.phase:
                self.phase = phase
                self.stream.write(f"{phase}...\n")
                self.stream.flush()
            return
        if phase != self.phase:
            self.phase = phase
        elif now - self.last_draw < 0.1 and done < total:
            return
        self.last_draw = now
        self.drawn = True
        if total <= 0:
            self.stream.write(f"\r{phase}...{' ' * 40}")
        else:
            width = 30
            filled = int(width * done / total)
            remaining = self.estimate.remaining(now - self.started)
            left = "" if remaining is None else f" about {remaining:5.1f}s left"
            note = self.estimate.count_note()
            bar = f"[{'#' * filled}{'.' * (width - filled)}]"
            self.stream.write(f"\r{phase:<10} {bar} {done}/{total}{' ' + note if note else ''}{left}{' ' * 10}")
        self.stream.flush()

    def close(self) -> None:
        """Clear the bar, so what follows starts a clean line."""
        if not self.drawn:
            return
        self.stream.write("\r" + " " * 78 + "\r")
        self.stream.flush()
        self.drawn = False


class Output:
    """print() for results: names that are not valid UTF-8 shown as escapes, and quiet once
    the reader has gone (`difpy-tk scan … | head`): the rest of the work (saving the
    exports) still happens, and no BrokenPipe traceback is printed at exit."""

    def __init__(self) -> None:
        self.gone = False

    def __call__(self, text: str = "") -> None:
        if self.gone:
            return
        try:
            print(display_path(text), flush=True)
        except BrokenPipeError:
            self.gone = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # the exit-time flush goes nowhere, quietly
            os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if args.command != "scan":
        return run_command(args, Output())
    try:
        options = SearchOptions(
            inputs=tuple(args.inputs), recursive=args.recursive, in_folder=args.in_folder,
            px_size=args.px_size, similarity=args.similarity, rotate=args.rotate, mirror=args.mirror,
            same_dim=args.same_dim, processes=args.processes, chunksize=args.chunksize,
            use_cache=args.use_cache, thorough=args.thorough, exclude=tuple(args.exclude),
        )
    except OptionError as error:
        print(f"difpy-tk: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    bar = None if args.quiet else ProgressBar(full_at_once=options.full_at_once)
    cancel = CancelToken()
    declared = ignore_list.load_index().ignored
    hidden: list[tuple[str, str]] = []

    def not_duplicates(a: str, b: str) -> bool:
        if declared(a, b):
            hidden.append((a, b))
            return True
        return False

    try:
        try:
            result = run_search(
                options, progress=bar, cancel=cancel, not_duplicates=not_duplicates if args.hide_declared else None
            )
        finally:
            if bar is not None:  # before any message, so an error starts its own line
                bar.close()
    except KeyboardInterrupt:
        cancel.cancel()
        print("difpy-tk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Cancelled:
        return EXIT_INTERRUPTED
    except FileNotFoundError as error:
        print(f"difpy-tk: error: {error}", file=sys.stderr)
        return EXIT_MISSING
    except (OptionError, ValueError) as error:
        print(f"difpy-tk: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    say = Output()
    say(
        f"Searched {plural(result.files_searched, 'image')} in {sum(result.timings.values()):.1f} s: "
        f"{plural(len(result.groups), 'group')}, {result.duplicate_count:,} duplicate and "
        f"{plural(result.similar_count, 'similar match', 'similar matches')}"
        + (f", {plural(len(result.chained), 'image')} like a group's image only" if result.chained else "")
        + f"; {len(result.invalid):,} invalid, {plural(result.skipped_kinds[0], 'skipped file')}"
        + f" and {plural(result.skipped_kinds[1], 'skipped folder')}"
        + (f", {result.left_out:,} left out as asked." if result.left_out else ".")
    )
    if result.nothing_to_compare():
        say(result.nothing_to_compare())
    if hidden:
        say(
            f"{plural(len(hidden), 'matching pair')} left out: you marked "
            f"{'it' if len(hidden) == 1 else 'them'} \"Not a duplicate\" in the app (--show-not-duplicates "
            "reports them)."
        )
    for group in result.groups:
        say(group.kept)
        poses = group.poses
        for match in group.matches:
            pose = f", {poses[match.path].words()}" if match.path in poses else ""
            say(f"    {match.path}  (MSE {match.mse:.3f}{pose})")
    if result.chained:
        say("Like an image of a group but not like the one kept, so in no group:")
        flat = {path for group in result.groups if group.low_detail for path in group.paths}
        for item in result.chained:
            pose = f", {item.pose.words()}" if item.pose and item.other not in flat else ""
            say(f"    {item.path}  (like {item.other}, MSE {item.mse:.3f}{pose})")
    try:
        if args.json:
            write_json(result, args.json)
        if args.csv:
            write_csv(result, args.csv)
    except OSError as error:
        print(f"difpy-tk: error: could not save the result: {error}", file=sys.stderr)
        return EXIT_SAVE
    return EXIT_OK
