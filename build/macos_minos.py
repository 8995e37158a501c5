"""Check that a macOS .app runs on the macOS version its Info.plist promises.

    python build/macos_minos.py dist/difpy_tk.app

Every Mach-O file in the bundle (executables, .so, .dylib; thin or fat) records the
oldest macOS it was built for: LC_BUILD_VERSION's minos, or LC_VERSION_MIN_MACOSX in
older files. pip picks the newest wheels the build machine accepts (numpy's for macOS 14
on a macOS 15 runner), so the bundle can need a newer macOS than LSMinimumSystemVersion
says, and the app then fails to start there with a dyld error. This reads the load
commands itself (no otool needed, so it is tested on Linux too), prints the newest
minimum found, and exits 1 when any file needs a newer macOS than the plist declares.
"""

from __future__ import annotations

import plistlib
import struct
import sys
from pathlib import Path

FAT_MAGIC = 0xCAFEBABE
FAT_MAGIC_64 = 0xCAFEBABF
THIN_MAGICS = {0xFEEDFACE: 28, 0xFEEDFACF: 32}  # magic (little-endian) -> header size
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1

Version = tuple[int, int, int]


def decode_version(value: int) -> Version:
    """Mach-O packs X.Y.Z as xxxx.yy.zz nibbles."""
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def parse_version(text: str) -> Version:
    parts = [int(p) for p in text.split(".")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def _thin_minimum(data: bytes, start: int) -> Version | None:
    (magic,) = struct.unpack_from("<I", data, start)
    header = THIN_MAGICS.get(magic)
    if header is None:
        return None
    ncmds, _ = struct.unpack_from("<II", data, start + 16)
    offset = start + header
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, offset)
        if cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from("<II", data, offset + 8)
            if platform == PLATFORM_MACOS:
                return decode_version(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            (version,) = struct.unpack_from("<I", data, offset + 8)
            return decode_version(version)
        if size < 8:
            break
        offset += size
    return None


def minimum_macos(data: bytes) -> Version | None:
    """The newest minimum over the architectures of a Mach-O file; None if not Mach-O."""
    if len(data) < 32:
        return None
    (magic,) = struct.unpack_from(">I", data, 0)
    if magic in (FAT_MAGIC, FAT_MAGIC_64):
        (count,) = struct.unpack_from(">I", data, 4)
        if count > 30:  # 0xCAFEBABE is also a Java class file
            return None
        found = []
        for i in range(count):
            if magic == FAT_MAGIC:
                offset = struct.unpack_from(">IIIII", data, 8 + 20 * i)[2]
            else:
                offset = struct.unpack_from(">IIQQII", data, 8 + 32 * i)[2]
            version = _thin_minimum(data, offset)
            if version is not None:
                found.append(version)
        return max(found) if found else None
    return _thin_minimum(data, 0)


def _looks_like_macho(head: bytes) -> bool:
    if len(head) < 4:
        return False
    return struct.unpack(">I", head)[0] in (FAT_MAGIC, FAT_MAGIC_64) or struct.unpack("<I", head)[0] in THIN_MAGICS


def scan(bundle: Path) -> dict[Path, Version]:
    found = {}
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                head = handle.read(4)
                if not _looks_like_macho(head):
                    continue
                version = minimum_macos(head + handle.read())
            if version is not None:
                found[path] = version
    return found


def check(app: Path) -> int:
    declared_text = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())["LSMinimumSystemVersion"]
    declared = parse_version(declared_text)
    found = scan(app)
    if not found:
        print(f"{app}: no Mach-O files found", file=sys.stderr)
        return 1
    newest = max(found.values())
    too_new = {path: v for path, v in found.items() if v > declared}
    show = ".".join(map(str, newest))
    print(f"{len(found)} Mach-O files; newest minimum macOS {show}; Info.plist says {declared_text}")
    for path, version in sorted(too_new.items()):
        print(f"  needs macOS {'.'.join(map(str, version))}: {path.relative_to(app)}", file=sys.stderr)
    if too_new:
        print(
            f"FAIL: {len(too_new)} files need a newer macOS than LSMinimumSystemVersion {declared_text}; "
            f"set MACOSX_DEPLOYMENT_TARGET={show} (or pin older wheels)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1])))
