"""build/macos_minos.py: the Mach-O reader that checks a .app against its Info.plist.

The files are made here byte by byte in the layout of real Mach-O headers (thin 64-bit
with LC_BUILD_VERSION, thin with the older LC_VERSION_MIN_MACOSX, fat with two slices),
so the check is tested on Linux as well as in the macOS jobs."""

from __future__ import annotations

import plistlib
import struct

import pytest
from pkg_helpers import load_script

minos = load_script("build/macos_minos.py")


def version(major: int, minor: int, patch: int = 0) -> int:
    return (major << 16) | (minor << 8) | patch


def thin(minimum: int, old_style: bool = False) -> bytes:
    """A 64-bit Mach-O header with a segment-like filler command and a version command."""
    filler = struct.pack("<II", 0x19, 16) + bytes(8)
    if old_style:
        command = struct.pack("<IIII", minos.LC_VERSION_MIN_MACOSX, 16, minimum, version(15, 0))
    else:
        command = struct.pack("<IIIIII", minos.LC_BUILD_VERSION, 24, minos.PLATFORM_MACOS, minimum, version(15, 0), 0)
    commands = filler + command
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 6, 2, len(commands), 0, 0)
    return header + commands + bytes(64)


def fat(*slices: bytes) -> bytes:
    offset = 4096
    arches, body = b"", b""
    for piece in slices:
        arches += struct.pack(">IIIII", 0x01000007, 3, offset + len(body), len(piece), 12)
        body += piece
    head = struct.pack(">II", minos.FAT_MAGIC, len(slices)) + arches
    return head + bytes(offset - len(head)) + body


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (thin(version(14, 0)), (14, 0, 0)),
        (thin(version(10, 13), old_style=True), (10, 13, 0)),
        (fat(thin(version(11, 0)), thin(version(10, 9), old_style=True)), (11, 0, 0)),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x34 a Java class file" + bytes(40), None),
        (b"#!/bin/sh\necho not Mach-O\n" + bytes(40), None),
    ],
)
def test_minimum_macos_of_thin_fat_and_other_files(data, expected):
    assert minos.minimum_macos(data) == expected


def make_app(tmp_path, declared: str, files: dict[str, bytes]):
    app = tmp_path / "difpy_tk.app"
    (app / "Contents" / "Frameworks").mkdir(parents=True)
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps({"LSMinimumSystemVersion": declared}))
    for name, data in files.items():
        (app / "Contents" / "Frameworks" / name).write_bytes(data)
    return app


def test_bundle_within_its_declared_minimum_passes(tmp_path, capsys):
    app = make_app(tmp_path, "14.0", {"a.so": thin(version(11, 0)), "b.dylib": thin(version(14, 0))})
    assert minos.check(app) == 0
    assert "newest minimum macOS 14.0.0; Info.plist says 14.0" in capsys.readouterr().out


def test_a_wheel_built_for_a_newer_macos_fails_the_check(tmp_path, capsys):
    """numpy's macOS 14 wheel in a bundle whose plist still says 11.0: the case the issue found."""
    app = make_app(tmp_path, "11.0", {"numpy.so": thin(version(14, 0)), "ok.so": thin(version(10, 13), True)})
    assert minos.check(app) == 1
    err = capsys.readouterr().err
    assert "needs macOS 14.0.0: Contents/Frameworks/numpy.so" in err and "ok.so" not in err
