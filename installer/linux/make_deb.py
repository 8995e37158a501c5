"""Linux packages of the frozen onedir build: a .deb and a portable .tar.gz.

The .deb installs the onedir under /opt/difpy-tk (PyInstaller 6 onedir needs its
_internal/ folder beside the executable, so it cannot be split across /usr/lib and
/usr/bin), a /usr/bin/difpy-tk symlink (the bootloader resolves the link to find
_internal/), a desktop entry and the icon. dpkg-deb --root-owner-group makes the files
root-owned without fakeroot.

    python installer/linux/make_deb.py --onedir dist/difpy_tk --icon .cache/icons/difpy_tk.png \
        --version 0.1.0 --out dist [--tar]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "difpy-tk"
EXECUTABLE = "difpy_tk"
INSTALL_DIR = Path("opt") / PACKAGE
# PyInstaller bundles the shared libraries it finds (X11 and Tk included) but never libc,
# whose version is read off the bundle; fontconfig and libX11 bring the system's font
# configuration and X client setup that the bundled copies read at run time.
OTHER_DEPENDS = "libfontconfig1, libx11-6"
GLIBC_SYMBOL = re.compile(rb"GLIBC_(2\.\d+)")


def deb_arch() -> str:
    """Debian's name for this machine's architecture (amd64, arm64, ...)."""
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        machine = os.uname().machine
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def glibc_requirement(onedir: Path) -> str:
    """The newest GLIBC_2.x symbol version any ELF file of the bundle asks for: the
    oldest libc the build can run on (it follows the build machine, so build on an old one)."""
    versions = {"2.17"}
    for path in onedir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) != b"\x7fELF":
                    continue
                versions.update(match.decode() for match in GLIBC_SYMBOL.findall(handle.read()))
    return max(versions, key=lambda v: tuple(int(n) for n in v.split(".")))


def _tree_size_kib(path: Path) -> int:
    total = sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return max(1, total // 1024)


def stage_deb(onedir: Path, icon: Path, version: str, root: Path) -> Path:
    """Lay out the package tree in `root` (emptied first); returns root."""
    if not (onedir / EXECUTABLE).is_file():
        raise FileNotFoundError(f"{onedir / EXECUTABLE} is missing: build the onedir app first")
    if root.exists():
        shutil.rmtree(root)
    app_dir = root / INSTALL_DIR
    shutil.copytree(onedir, app_dir, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / PACKAGE).symlink_to(Path("/") / INSTALL_DIR / EXECUTABLE)
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(HERE / f"{PACKAGE}.desktop", apps / f"{PACKAGE}.desktop")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(icon, icons / f"{PACKAGE}.png")
    debian = root / "DEBIAN"
    debian.mkdir()
    control = (HERE / "control.in").read_text(encoding="utf-8").format(
        version=version, arch=deb_arch(), installed_size=_tree_size_kib(root),
        depends=f"libc6 (>= {glibc_requirement(onedir)}), {OTHER_DEPENDS}",
    )
    (debian / "control").write_text(control, encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or os.access(path, os.X_OK) or path.suffix == ".so" or ".so." in path.name:
            path.chmod(0o755)
        else:
            path.chmod(0o644)
    return root


def build_deb(onedir: Path, icon: Path, version: str, out_dir: Path, work: Path) -> Path:
    """Stage and pack `difpy-tk_<version>_<arch>.deb` into out_dir."""
    root = stage_deb(onedir, icon, version, work / "deb-root")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{deb_arch()}.deb"
    # -Zgzip: a bit larger than xz but several times faster on a 2-core CI machine.
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(target)],
        check=True, stdout=subprocess.DEVNULL,
    )
    return target


def build_tarball(onedir: Path, icon: Path, version: str, out_dir: Path) -> Path:
    """`difpy_tk-<version>-linux-<machine>.tar.gz`: the onedir plus icon and desktop file,
    to unpack anywhere. tar keeps the symlinks that PyInstaller 6 onedir builds rely on."""
    out_dir.mkdir(parents=True, exist_ok=True)
    top = f"{EXECUTABLE}-{version}"
    target = out_dir / f"{EXECUTABLE}-{version}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(onedir, arcname=top)
        tar.add(icon, arcname=f"{top}/{PACKAGE}.png")
        tar.add(HERE / f"{PACKAGE}.desktop", arcname=f"{top}/{PACKAGE}.desktop")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the .deb (and .tar.gz) from a onedir build.")
    parser.add_argument("--onedir", type=Path, required=True)
    parser.add_argument("--icon", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", type=Path, default=Path("dist"))
    parser.add_argument("--work", type=Path, default=Path(".cache") / "linux-pkg")
    parser.add_argument("--tar", action="store_true", help="also write the .tar.gz")
    args = parser.parse_args(argv)
    print(build_deb(args.onedir, args.icon, args.version, args.out, args.work))
    if args.tar:
        print(build_tarball(args.onedir, args.icon, args.version, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
