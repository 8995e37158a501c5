"""Sizes and times in the words the viewer and confirmations show to people."""

from __future__ import annotations

from datetime import datetime


def format_bytes(count: int) -> str:
    """1536 -> "1.5 KB": decimal units, as file managers on every platform now show."""
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    if unit == "bytes":
        return f"{count} byte" if count == 1 else f"{count} bytes"
    return f"{value:.1f} {unit}"


def format_mtime(mtime_ns: int) -> str:
    """A file's modification time in local time, to the minute."""
    return datetime.fromtimestamp(mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M")
