"""Linux packages of the frozen onedir build: a .deb and a portable .tar.gz.

The .deb installs the onedir under /opt/difpy-tk (PyInstaller 6 onedir needs its
_internal/ folder beside the executable, so it cannot be split across /usr/lib and
/usr/bin), a /usr/bin/difpy-tk symlink (the bootloader resolves the link to find
_internal/), a desktop entry, the icon, AppStream metadata (software centres), a manual
page, and the Debian copyright (the project's licence and the bundle's
THIRD-PARTY-NOTICES.txt) and changelog. Only the executable is executable: shared
libraries are 0644 like every other file. dpkg-deb --root-owner-group makes the files
root-owned without fakeroot. build/README.md lists the lintian errors a bundle under /opt
keeps, and why; installer/linux/check_deb.py fails on any other.

    python installer/linux/make_deb.py --onedir dist/difpy_tk --icon .cache/icons/difpy_tk.png \
        --version 0.1.0 --out dist [--tar]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from email.utils import formatdate
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = "difpy-tk"
EXECUTABLE = "difpy_tk"
INSTALL_DIR = Path("opt") / PACKAGE
COMPONENT_ID = "io.github.difpy_tk"  # AppStream ID (reverse DNS, no hyphen)
MAINTAINER = "difpy_tk contributors <difpy-tk@users.noreply.github.com>"
NOTICES = Path("_internal") / "licences" / "THIRD-PARTY-NOTICES.txt"
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


def build_time() -> float:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    return float(os.environ.get("SOURCE_DATE_EPOCH") or time.time())


def _write_gzip(path: Path, text: str) -> None:
    """gzip -9n: no name or time stamp inside, as Debian policy asks."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def section_titles(notices: str) -> list[str]:
    """The component names of a THIRD-PARTY-NOTICES.txt: the line between two rules."""
    lines = notices.splitlines()
    rule = "=" * 78
    return [lines[i + 1] for i in range(len(lines) - 2) if lines[i] == rule and lines[i + 2] == rule]


def copyright_text(onedir: Path) -> str:
    """debian/copyright: the project's MIT licence, then the bundled components with their
    licences. Their full texts stay in the bundle's notice file: Debian's copyright file
    must not repeat the GPL or Apache texts in full (lintian errors on it)."""
    notices = onedir / NOTICES
    if not notices.is_file():
        raise FileNotFoundError(f"{notices} is missing: the build writes it (build/notices.py)")
    project = (ROOT / "LICENSE").read_text(encoding="utf-8")
    components = "\n".join(f" - {title}" for title in section_titles(notices.read_text(encoding="utf-8")))
    return (
        f"difpy_tk\n\n{project.strip()}\n\n"
        "The files under /opt/difpy-tk/_internal are third-party components bundled with the\n"
        "app. The full text of each one's licence is in\n"
        f"/{INSTALL_DIR / NOTICES}.\n"
        "Those under the GPL or LGPL (the PyInstaller bootloader, x265, libheif, libde265,\n"
        "libgfortran, libquadmath) use the texts in /usr/share/common-licenses/GPL-2,\n"
        "/usr/share/common-licenses/GPL-3, /usr/share/common-licenses/LGPL-2.1 and\n"
        "/usr/share/common-licenses/LGPL-3; Apache-2.0 is in /usr/share/common-licenses/Apache-2.0.\n\n"
        f"{components}\n"
    )


def changelog_text(version: str, when: float) -> str:
    """A native package's changelog: one entry per release, this one."""
    return (
        f"{PACKAGE} ({version}) unstable; urgency=medium\n\n"
        f"  * difpy_tk {version}: self-contained build (no Python needed).\n\n"
        f" -- {MAINTAINER}  {formatdate(when, localtime=False)}\n"
    )


def manual_page(version: str) -> str:
    return (HERE / "difpy-tk.1.in").read_text(encoding="utf-8").replace("{version}", version)


def metainfo(version: str, when: float) -> str:
    return (
        (HERE / "metainfo.xml.in")
        .read_text(encoding="utf-8")
        .format(component_id=COMPONENT_ID, version=version, date=time.strftime("%Y-%m-%d", time.gmtime(when)))
    )


def stage_deb(onedir: Path, icon: Path, version: str, root: Path) -> Path:
    """Lay out the package tree in `root` (emptied first); returns root."""
    if not (onedir / EXECUTABLE).is_file():
        raise FileNotFoundError(f"{onedir / EXECUTABLE} is missing: build the onedir app first")
    when = build_time()
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
    share = root / "usr" / "share"
    (share / "metainfo").mkdir()
    (share / "metainfo" / f"{COMPONENT_ID}.metainfo.xml").write_text(metainfo(version, when), encoding="utf-8")
    docs = share / "doc" / PACKAGE
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(copyright_text(onedir), encoding="utf-8")
    _write_gzip(docs / "changelog.gz", changelog_text(version, when))
    (share / "man" / "man1").mkdir(parents=True)
    _write_gzip(share / "man" / "man1" / f"{PACKAGE}.1.gz", manual_page(version))
    debian = root / "DEBIAN"
    debian.mkdir()
    control = (
        (HERE / "control.in")
        .read_text(encoding="utf-8")
        .format(
            version=version,
            arch=deb_arch(),
            installed_size=_tree_size_kib(root),
            depends=f"libc6 (>= {glibc_requirement(onedir)}), {OTHER_DEPENDS}",
        )
    )
    (debian / "control").write_text(control, encoding="utf-8")
    set_modes(root, root / INSTALL_DIR / EXECUTABLE)
    return root


def set_modes(root: Path, executable: Path) -> None:
    """Folders and the one executable 0755, every other file 0644: shared libraries are
    mapped by the loader, not run, and Debian wants them non-executable."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() or path == executable else 0o644)


def build_deb(onedir: Path, icon: Path, version: str, out_dir: Path, work: Path) -> Path:
    """Stage and pack `difpy-tk_<version>_<arch>.deb` into out_dir."""
    root = stage_deb(onedir, icon, version, work / "deb-root")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{deb_arch()}.deb"
    # -Zgzip: a bit larger than xz but several times faster on a 2-core CI machine.
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
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
