"""Whether a search's tensors fit in this computer's memory, asked before decoding.

A pixel size of 5000 is allowed (difPy allows any), but its tensors take 75 MB an image:
a few hundred photos would need tens of gigabytes, and the search would end in swapping
or the OS killing it. Refusing up front, with the size that fits, is kinder."""

from __future__ import annotations

import ctypes
import os
import sys

from difpy_tk.humanize import format_bytes, plural
from difpy_tk.scan.options import OptionError

BYTES_PER_TENSOR_BYTE = 2.0
"""Peak memory of a search per byte of its tensors, measured in the main process on 200
photos: 1.1-1.4 at px 300 to 600 when every file decodes (the tensors, their statistics,
the block features), 2.05 when one file fails (the tensors of the others are gathered
into a new array). Below px 100, a copy of the tensors decoded in full can add up to one
more, but those tensors are small."""
USABLE_SHARE = 0.8
"""The share of physical memory a search may plan to use: the OS and the app need the rest."""


def physical_memory() -> int | None:
    """Bytes of RAM in this computer, or None where it cannot be told."""
    if sys.platform == "win32":

        class MemoryStatus(ctypes.Structure):
            _fields_ = [
                ("length", ctypes.c_ulong),
                ("load", ctypes.c_ulong),
                ("total_physical", ctypes.c_ulonglong),
                ("available_physical", ctypes.c_ulonglong),
                ("total_page_file", ctypes.c_ulonglong),
                ("available_page_file", ctypes.c_ulonglong),
                ("total_virtual", ctypes.c_ulonglong),
                ("available_virtual", ctypes.c_ulonglong),
                ("available_extended_virtual", ctypes.c_ulonglong),
            ]

        status = MemoryStatus()
        status.length = ctypes.sizeof(MemoryStatus)
        if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return None
        return int(status.total_physical)
    try:
        page, pages = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return page * pages if page > 0 and pages > 0 else None  # -1 means "unknown"


def check_tensor_memory(images: int, px_size: int, available: int | None = None) -> None:
    """Raise OptionError("px_size", ...) when the tensors of this many images at px_size
    would not fit in memory (available: physical memory, by default this computer's)."""
    available = physical_memory() if available is None else available
    if not available or images == 0:
        return
    usable = available * USABLE_SHARE
    needed = images * px_size * px_size * 3 * BYTES_PER_TENSOR_BYTE
    if needed <= usable:
        return
    fitting = int((usable / (images * 3 * BYTES_PER_TENSOR_BYTE)) ** 0.5)
    advice = (
        f"choose a pixel size of {fitting} or less (50 is the default)"
        if fitting >= 10
        else "search fewer images at once"
    )
    raise OptionError(
        "px_size",
        f"pixel size {px_size} needs about {format_bytes(int(needed))} of memory for {plural(images, 'image')}, "
        f"more than this computer can spare ({format_bytes(int(available))} in all): {advice}",
    )
