"""Process inspection for the process tests: which processes a parent started, and
whether one is still running (a zombie has exited; it only waits to be reaped). Linux /proc."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()  # after "pid (comm)": state, ppid, ...


def children(parent: int) -> dict[int, str]:
    """{pid: state} of the processes whose parent is `parent`."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and int(fields[1]) == parent:
                found[int(entry)] = fields[0]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def running(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def wait_until_gone(pids: list[int], limit: float) -> float:
    """Seconds until none of pids runs any more; fails after `limit` seconds."""
    start = time.monotonic()
    while any(running(pid) for pid in pids):
        elapsed = time.monotonic() - start
        assert elapsed < limit, f"still running after {elapsed:.1f} s: {[p for p in pids if running(p)]}"
        time.sleep(0.01)
    return time.monotonic() - start


def wait_for(condition, limit: float = 30.0) -> None:
    """Poll until condition() is true (the setup of a test, not a timed assertion)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < limit, "the setup did not happen in time"
        time.sleep(0.02)
