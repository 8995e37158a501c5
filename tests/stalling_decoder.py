"""A worker task that stands for a decode taking far longer than any test: it marks that
it started (a file beside the first image, named after its process id) and then sleeps.
It lives in its own module because spawned workers import the task by name."""

import os
import time
from pathlib import Path

STARTED_SUFFIX = ".started"


def decode_for_ever(paths: list[str], px_size: int, exact: bool = False):
    Path(f"{paths[0]}.{os.getpid()}{STARTED_SUFFIX}").touch()
    time.sleep(600)
    raise AssertionError("a stalled worker was not stopped")
