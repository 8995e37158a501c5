"""Build the frozen app and its packages.

    python build/build.py [app|portable|deb|tar|nsis|dmg|all ...] [--clean] [--reuse] [--stand-in]

- app       onedir build, what the installers ship: dist/difpy_tk/ (+ dist/difpy_tk.app on macOS)
- portable  onefile build + difpy_tk.portable marker in dist/portable/, zipped as
            dist/difpy_tk-<ver>-<os>-<arch>-portable.zip
- deb       dist/difpy-tk_<ver>_<arch>.deb (Linux; builds `app` first unless --reuse finds one)
- tar       dist/difpy_tk-<ver>-linux-<arch>.tar.gz (Linux)
- nsis      dist/difpy_tk-<ver>-windows-setup.exe; with --stand-in, compiles the script
            against a dummy payload (for CI on Linux: proves the script compiles)
- dmg       dist/difpy_tk-<ver>-macos-<arch>.dmg (macOS)
- all       everything this OS can make (macOS: app + dmg, no onefile)

PyInstaller's scratch folder goes to .cache/pyi/ and its output to dist/, both ignored
by git: its default ./build would land in this folder, next to the spec.
Each step prints `[build] <target>: <seconds> s` so CI logs show where the time goes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import make_icons  # noqa: E402
import version_info  # noqa: E402

SPEC = HERE / "difpy_tk.spec"
DIST = ROOT / "dist"
WORK = ROOT / ".cache" / "pyi"
NAME = "difpy_tk"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
TARGETS = ("app", "portable", "deb", "tar", "nsis", "dmg", "all")


def os_tag() -> str:
    """'windows' | 'macos' | 'linux', plus the machine: artifact names say where they run."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    machine = platform.machine().lower().replace("amd64", "x86_64")
    return f"{system}-{machine}"


def onedir_path() -> Path:
    return DIST / NAME


def onedir_executable() -> Path:
    return onedir_path() / f"{NAME}{EXE_SUFFIX}"


def portable_executable() -> Path:
    return DIST / "portable" / f"{NAME}{EXE_SUFFIX}"


def _load(path: Path) -> ModuleType:
    """Import a helper script from installer/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_pyinstaller(portable: bool, clean: bool) -> None:
    """One work folder for both modes: they share the Analysis, the slow half of a build."""
    distpath = DIST / "portable" if portable else DIST
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(WORK),
        "--distpath",
        str(distpath),
    ]
    if clean:
        cmd.append("--clean")
    if portable:
        cmd += ["--", "--portable"]
    print("[build] " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def build_app(clean: bool) -> Path:
    run_pyinstaller(portable=False, clean=clean)
    return onedir_executable()


def build_portable(clean: bool) -> Path:
    portable_dir = DIST / "portable"
    if portable_dir.exists():
        shutil.rmtree(portable_dir)
    run_pyinstaller(portable=True, clean=clean)
    exe = portable_executable()
    marker = portable_dir / "difpy_tk.portable"
    if not exe.is_file() or not marker.is_file():
        raise RuntimeError(f"portable build incomplete: {exe} / {marker}")
    archive = DIST / f"{NAME}-{version_info.read_version()}-{os_tag()}-portable.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in (exe, marker):
            info = zipfile.ZipInfo.from_file(path, f"{NAME}/{path.name}")
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive


def build_linux(kind: str) -> Path:
    if sys.platform != "linux":
        raise SystemExit(f"{kind} packages are built on Linux")
    make_deb = _load(ROOT / "installer" / "linux" / "make_deb.py")
    icon = make_icons.make_icons()["png"]
    version = version_info.read_version()
    if kind == "deb":
        return make_deb.build_deb(onedir_path(), icon, version, DIST, ROOT / ".cache" / "linux-pkg")
    return make_deb.build_tarball(onedir_path(), icon, version, DIST)


def stand_in_payload() -> Path:
    """A fake onedir tree (tiny files, the real licence files of this environment) so
    makensis can compile the real script on a machine that cannot build the Windows
    executable."""
    import notices

    payload = ROOT / ".cache" / "nsis-stand-in"
    if payload.exists():
        shutil.rmtree(payload)
    (payload / "_internal").mkdir(parents=True)
    (payload / f"{NAME}.exe").write_bytes(b"MZ stand-in, not a program\n")
    (payload / "_internal" / "base_library.zip").write_bytes(b"stand-in\n")
    notices.write_notices(payload / "_internal" / "licences")
    return payload


def licence_file(folder: Path, out: Path, windows: bool = False) -> Path:
    """One text for an installer to show: the project's LICENSE, then the bundle's
    THIRD-PARTY-NOTICES.txt (both from the bundle's licences/ folder). windows=True: UTF-8
    with a BOM and CRLF, what NSIS's licence page reads right."""
    texts = [(folder / name).read_text(encoding="utf-8") for name in ("LICENSE", "THIRD-PARTY-NOTICES.txt")]
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "\n\n".join(texts)
    if windows:
        out.write_text("\r\n".join(text.splitlines()) + "\r\n", encoding="utf-8-sig", newline="")
    else:
        out.write_text(text, encoding="utf-8")
    return out


def nsis_command(makensis: str, payload: Path, icon: Path, out: Path, version: str, licence: Path) -> list[str]:
    """The makensis call for installer/windows/difpy_tk.nsi; -WX turns warnings into errors.

    makensis resolves relative paths from the script's folder, so every path is made
    absolute. NSIS 3 takes '-' options on every OS."""
    four = ".".join(str(n) for n in version_info.version_tuple(version))
    return [
        makensis,
        "-V2",
        "-WX",
        f"-DVERSION={version}",
        f"-DVERSION4={four}",
        f"-DSRCDIR={payload.resolve()}",
        f"-DICON={icon.resolve()}",
        f"-DOUTFILE={out.resolve()}",
        f"-DLICENSEFILE={licence.resolve()}",
        str(ROOT / "installer" / "windows" / "difpy_tk.nsi"),
    ]


def build_nsis(stand_in: bool) -> Path:
    makensis = shutil.which("makensis")
    if not makensis:
        raise SystemExit("makensis not found (Windows: choco install nsis; Debian: apt-get install nsis)")
    payload = stand_in_payload() if stand_in else onedir_path()
    version = version_info.read_version()
    suffix = "-stand-in" if stand_in else ""
    out = DIST / f"{NAME}-{version}-windows-setup{suffix}.exe"
    DIST.mkdir(exist_ok=True)
    licence = licence_file(payload / "_internal" / "licences", ROOT / ".cache" / "nsis-licence.txt", windows=True)
    cmd = nsis_command(makensis, payload, make_icons.make_icons()["ico"], out, version, licence)
    print("[build] " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return out


def build_dmg() -> Path:
    if sys.platform != "darwin":
        raise SystemExit("the .dmg is built on macOS (dmgbuild/hdiutil)")
    out = DIST / f"{NAME}-{version_info.read_version()}-{os_tag()}.dmg"
    app = DIST / f"{NAME}.app"
    # Beside the .app in the dmg window, so the licences are seen before installing.
    licences = licence_file(app / "Contents" / "Resources" / "licences", ROOT / ".cache" / "dmg" / "Licences.txt")
    subprocess.run(
        [
            "bash",
            str(ROOT / "installer" / "macos" / "make_dmg.sh"),
            str(app),
            str(make_icons.make_icons()["icns"]),
            str(out),
            str(licences),
        ],
        check=True,
    )
    return out


def expand(targets: list[str]) -> list[str]:
    """Put `all` in terms of this OS, and order targets so packages follow the app."""
    wanted: set[str] = set()
    for target in targets:
        if target == "all":
            # No portable build on macOS: a bare onefile binary is no .app (Finder opens it
            # in Terminal) and onefile .app bundles are deprecated; the .app is portable.
            packages = {"win32": {"portable", "nsis"}, "darwin": {"dmg"}}.get(sys.platform, {"portable", "deb", "tar"})
            wanted |= {"app"} | packages
        else:
            wanted.add(target)
    return [t for t in TARGETS if t in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the frozen app and its packages.")
    parser.add_argument(
        "targets",
        nargs="*",
        default=["app"],
        choices=TARGETS,
        metavar="TARGET",
        help=f"one or more of {', '.join(TARGETS)} (default: app)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument(
        "--reuse", action="store_true", help="package an existing dist/difpy_tk instead of rebuilding it"
    )
    parser.add_argument("--stand-in", action="store_true", help="nsis: compile against a dummy payload")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    targets = expand(args.targets)
    needs_app = any(t in ("deb", "tar", "dmg") for t in targets) or ("nsis" in targets and not args.stand_in)
    if needs_app and "app" not in targets and not (args.reuse and onedir_executable().is_file()):
        targets.insert(0, "app")

    for target in targets:
        started = time.perf_counter()
        if target == "app":
            result = build_app(args.clean)
        elif target == "portable":
            result = build_portable(args.clean)
        elif target in ("deb", "tar"):
            result = build_linux(target)
        elif target == "nsis":
            result = build_nsis(args.stand_in)
        else:
            result = build_dmg()
        print(f"[build] {target}: {time.perf_counter() - started:.1f} s -> {result}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
