"""Decode workers do not outlive their purpose: cancel stops them within a second, and a
killed parent takes its workers and the resource tracker with it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from imagegen import picture, save
from proc_children import children, command_line, running, wait_for, wait_until_gone
from stalling_decoder import STARTED_SUFFIX, decode_for_ever

from difpy_tk.scan.decoding import decode_files
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.progress import Cancelled, CancelToken

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc")

CANCEL_LIMIT_S = 1.0
"""Issue 10: Cancel stops the workers within 1 s."""
ORPHAN_LIMIT_S = 5.0


def _images(folder: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = folder / f"img{i}.png"
        path.write_bytes(b"")  # the stalling task never opens it
        paths.append(str(path))
    return paths


def _started(folder: Path) -> list[int]:
    """Process ids of the workers that are inside the stalling task."""
    return [int(p.name.split(".")[-2]) for p in folder.glob(f"*{STARTED_SUFFIX}")]


def test_cancel_stops_the_workers_within_a_second(tmp_path):
    paths = _images(tmp_path, 32)
    token = CancelToken()
    raised = []

    def run():
        try:
            decode_files(paths, 16, 2, lambda i, outcome: None, cancel=token, task=decode_for_ever)
        except Cancelled:
            raised.append(True)

    thread = threading.Thread(target=run)
    thread.start()
    wait_for(lambda: len(_started(tmp_path)) == 2)
    workers = _started(tmp_path)
    assert all(running(pid) for pid in workers)

    cancelled_at = time.monotonic()
    token.cancel()
    thread.join(timeout=CANCEL_LIMIT_S)
    wait_until_gone(workers, CANCEL_LIMIT_S)
    elapsed = time.monotonic() - cancelled_at
    print(f"cancel -> decode_files raised and both workers gone: {elapsed:.3f} s")
    assert raised == [True] and not thread.is_alive()
    assert elapsed <= CANCEL_LIMIT_S


def test_cancelling_a_search_stops_its_decoders_within_a_second(tmp_path):
    """The whole chain the app's Cancel button uses, with the real decoder on photos large
    enough that a batch takes seconds: before, the workers went on for 7-9 s."""
    first = save(picture(0, (3000, 2000)), tmp_path / "photos" / "p0.png")
    for i in range(1, 24):
        shutil.copyfile(first, tmp_path / "photos" / f"p{i}.png")
    token = CancelToken()
    outcome = []

    def run():
        try:
            run_search(SearchOptions(inputs=(str(tmp_path / "photos"),), processes=2, use_cache=False), cancel=token)
        except Cancelled:
            outcome.append("cancelled")

    def workers() -> list[int]:
        return [pid for pid in children(os.getpid()) if "spawn_main" in command_line(pid) and running(pid)]

    thread = threading.Thread(target=run)
    thread.start()
    wait_for(lambda: len(workers()) == 2)
    busy = workers()
    time.sleep(0.5)  # into the first batches

    cancelled_at = time.monotonic()
    token.cancel()
    wait_until_gone(busy, CANCEL_LIMIT_S)
    elapsed = time.monotonic() - cancelled_at
    thread.join(timeout=30)
    print(f"search cancelled -> decoders gone: {elapsed:.3f} s")
    assert outcome == ["cancelled"] and elapsed <= CANCEL_LIMIT_S


def test_the_full_decodes_run_in_the_fast_decodes_workers_which_end_with_the_search(tmp_path):
    for i in range(6):
        save(picture(i), tmp_path / "photos" / f"p{i}.jpg")
    save(picture(0), tmp_path / "photos" / "p0.png")  # decided in full: a second decode round
    seen: dict[str, set[int]] = {"decoding": set(), "verifying": set()}

    def progress(phase: str, done: int, total: int) -> None:
        if phase in seen and done:
            seen[phase] |= {pid for pid in children(os.getpid()) if "spawn_main" in command_line(pid)}

    result = run_search(
        SearchOptions(inputs=(str(tmp_path / "photos"),), processes=2, use_cache=False), progress=progress
    )
    assert result.verification.full_decoded > 0
    assert seen["decoding"] and seen["verifying"] == seen["decoding"]
    wait_until_gone(list(seen["decoding"]), ORPHAN_LIMIT_S)


PARENT = textwrap.dedent(
    """
    import sys
    from stalling_decoder import decode_for_ever
    from difpy_tk.scan.decoding import decode_files
    decode_files(sys.argv[1:], 16, 2, lambda i, outcome: None, task=decode_for_ever)
    """
)


def test_workers_and_resource_tracker_end_when_the_parent_is_killed(tmp_path):
    paths = _images(tmp_path, 32)
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, *paths], env=env)
    try:
        wait_for(lambda: len(_started(tmp_path)) == 2)
        started = children(parent.pid)
        tracker = [pid for pid in started if "resource_tracker" in command_line(pid)]
        assert len(tracker) == 1 and set(_started(tmp_path)) <= set(started), started
        parent.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        parent.wait()
        elapsed = wait_until_gone(list(started), ORPHAN_LIMIT_S)
        print(f"parent SIGKILLed -> {len(started)} children gone: {time.monotonic() - killed_at:.3f} s")
        assert elapsed <= ORPHAN_LIMIT_S
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
