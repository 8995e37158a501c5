"""Entry point of the app, the CLI and the frozen executable.

freeze_support() runs before anything else: in a frozen build every spawned worker
starts this same executable, and must turn into a worker before any argument parsing
or GUI start-up happens."""

from __future__ import annotations

import multiprocessing
import os
import sys


def _guard_std_streams() -> None:
    """A windowed frozen build has no stdout/stderr; writing to None would crash."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115


def main(argv: list[str] | None = None) -> int:
    """`difpy-tk` opens the app; `difpy-tk scan|clean|undo ...` is the command line;
    `difpy-tk --selftest` checks a (frozen) build end to end, `difpy-tk --smoke` opens its
    main window and checks drag and drop and HEIC/AVIF there."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--selftest":
        from difpy_tk.selftest import run_selftest

        return run_selftest(args[1:])
    if args and args[0] == "--smoke":
        from difpy_tk.gui.smoke import run_smoke

        return run_smoke(args[1:])
    if args and (args[0] in ("scan", "clean", "undo", "-h", "--help", "--version")):
        from difpy_tk.cli import main as cli_main

        return cli_main(args)
    from difpy_tk.gui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _guard_std_streams()
    sys.exit(main())
