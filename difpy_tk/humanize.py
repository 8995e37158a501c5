"""Counts, sizes and times in the words the app shows to people."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import datetime

_SURROGATE = re.compile("[\ud800-\udfff]")


def first_few(texts: list[str], shown: int) -> str:
    """ "a, b, c …": the first `shown` of texts for a sentence, an ellipsis when there are
    more (a note or a confirmation names a few files, not a thousand)."""
    return ", ".join(texts[:shown]) + (" …" if len(texts) > shown else "")


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """1 -> "1 image", 1234 -> "1,234 images": the one place that picks singular or plural.

    English adds "es" after s, x, z, ch and sh ("match" -> "matches"); plural_word is for
    the words that follow no rule ("copy" -> "copies")."""
    if count == 1:
        chosen = word
    elif plural_word:
        chosen = plural_word
    else:
        chosen = f"{word}es" if word.endswith(("s", "x", "z", "ch", "sh")) else f"{word}s"
    return f"{count:,} {chosen}"


def _escape(surrogate: re.Match) -> str:
    code = ord(surrogate[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def display_path(path: str) -> str:
    """A path as text any terminal, log or spreadsheet can show: the bytes of a name that
    is not valid UTF-8 (which Python keeps as lone surrogates) appear as \\xff escapes."""
    return _SURROGATE.sub(_escape, path)


def folder_names(folders: Iterable[str], width: int = 60) -> str:
    """"Holiday, Phone backup, Scans": the last part of each folder, cut to `width` with "…"."""
    label = ", ".join(os.path.basename(os.path.normpath(folder)) or folder for folder in folders)
    return label if len(label) <= width else label[: width - 1].rstrip(", ") + "…"


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


def describe_error(error: BaseException) -> str:
    """An OSError in words, without Python's "[Errno 13]" prefix."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.rstrip(".").lower()
    return str(error) or type(error).__name__
