"""PyInstaller run-time hook: give a windowed build real stdout/stderr.

A windowed (--noconsole) build starts with sys.stdout and sys.stderr set to None, and
any print() or logging.StreamHandler then raises. The entry script guards the main
process, but only after freeze_support(), which never returns in a spawned worker; a
run-time hook runs before the entry script in every process, workers included."""

import os
import sys

if sys.stdout is None:
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
if sys.stderr is None:
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115
