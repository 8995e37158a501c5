"""Write the licence files every artifact ships: LICENSE (the project's) and
THIRD-PARTY-NOTICES.txt (the licence text of every component in the bundle).

The spec calls `write_notices()` with the files PyInstaller collected. Each file is
traced to what it came from:
- a Python distribution (its RECORD lists the file): the distribution's licence files,
  read from its installed metadata by difpy_tk.licensing (the code About uses from source);
  Pillow's, numpy's and pillow-heif's licence files also carry the texts of the libraries
  their wheels bundle (libjpeg-turbo, zlib, libpng, libtiff, libwebp, freetype, OpenBLAS,
  libgfortran, libheif, libde265, x265, ...);
- the Python installation (standard library, libpython, on Windows/macOS also the DLLs
  and dylibs python.org ships): Python's LICENSE (the Windows one includes the bundled
  libraries' licences);
- a Debian/Ubuntu package (system libraries PyInstaller copies on Linux: libtk8.6,
  libX11, ...): that package's /usr/share/doc/<package>/copyright;
- PyInstaller (bootloader, its run-time hooks): its licence with the bootloader exception.
Tcl/Tk's licence (`build/licences/tcl-tk.txt`, its license.terms) and tkdnd's (read from
the header of the tkdnd.tcl that tkinterdnd2 ships) are added as their own sections.

A file that cannot be traced, or a distribution that installed no licence text, stops the
build with NoticeError: nothing ships without its licence.

    python build/notices.py OUT_DIR      # the notices for this environment's runtime packages
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from difpy_tk import licensing  # noqa: E402

CURATED = HERE / "licences"
PYINSTALLER = "pyinstaller"


class NoticeError(RuntimeError):
    """A bundled component whose licence text cannot be found."""


def _norm(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.realpath(path))


def file_owners(names: Iterable[str] | None = None) -> dict[str, str]:
    """Real path of every file a distribution installed -> the distribution's name."""
    owners: dict[str, str] = {}
    dists = metadata.distributions() if names is None else (metadata.distribution(n) for n in names)
    for dist in dists:
        for file in dist.files or []:
            owners[_norm(dist.locate_file(file))] = dist.metadata["Name"]
    return owners


SHARED_PREFIXES = ("/usr", "/usr/local")
"""Prefixes a system Python shares with every other package (Debian's python3 lives in
/usr): their files are not all Python's, so only its own library folders count."""


def python_roots() -> list[str]:
    """Folders whose files belong to the Python installation itself: its prefix (pyenv,
    python.org, a venv's base), unless that is a prefix shared with other packages,
    where libtk8.6 under /usr would otherwise pass for a part of Python; and its
    standard library folders."""
    paths = sysconfig.get_paths()
    roots = {paths["stdlib"], paths["platstdlib"]}
    roots |= {prefix for prefix in (sys.base_prefix, sys.base_exec_prefix) if _norm(prefix) not in SHARED_PREFIXES}
    return sorted({_norm(root) for root in roots})


def python_licence() -> str:
    """The licence of the Python the app is frozen with."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        Path(sys.base_prefix) / "LICENSE.txt",  # Windows (python.org): with its libraries' licences
        Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt",  # macOS, pyenv, setup-python
        Path("/usr/share/doc") / version / "copyright",  # Debian/Ubuntu's python3.x
    ]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    raise NoticeError(f"Python's licence not found in {[str(p) for p in candidates]}")


def debian_packages(paths: list[str]) -> dict[str, str]:
    """File -> Debian package that installed it (dpkg -S), for the system libraries."""
    if not paths or not shutil.which("dpkg-query"):
        return {}
    queries = {}
    for path in paths:
        queries[path] = path
        # merged-/usr systems: dpkg may know /lib/x.so as /usr/lib/x.so or the other way
        alt = path[4:] if path.startswith("/usr/") else "/usr" + path
        queries[alt] = path
    proc = subprocess.run(["dpkg-query", "-S", *queries], capture_output=True, text=True)
    found = {}
    for line in proc.stdout.splitlines():
        package, _, file = line.partition(": ")
        if file in queries and "," not in package:
            found[queries[file]] = package.split(":")[0]
    return found


def debian_copyright(package: str) -> str:
    path = Path("/usr/share/doc") / package / "copyright"
    if not path.is_file():
        raise NoticeError(f"Debian package {package} has no {path}")
    return path.read_text(encoding="utf-8", errors="replace")


def tkdnd_licence() -> str:
    """tkdnd's licence, as the header comment of the tkdnd.tcl that tkinterdnd2 ships."""
    for file in metadata.distribution("tkinterdnd2").files or []:
        if file.name == "tkdnd.tcl":
            text = Path(str(file.locate())).read_text(encoding="utf-8", errors="replace")
            header = []
            for line in text.splitlines():
                if not line.startswith("#"):
                    break
                header.append(line[1:].removeprefix(" "))
            start = next(i for i, line in enumerate(header) if line.startswith("This software is copyrighted"))
            return "\n".join(header[start:]).strip()
    raise NoticeError("tkinterdnd2 ships no tkdnd.tcl to read tkdnd's licence from")


def trace(
    sources: Iterable[str], generated: Iterable[str] = (), project_root: Path = ROOT
) -> tuple[set[str], set[str], dict[str, str]]:
    """Sort the bundle's source files by origin: (distributions, Debian packages,
    untraced file -> reason). PyInstaller's own files are covered by its bootloader section;
    `generated` folders hold what PyInstaller made from those (base_library.zip is the
    standard library, the stripped libpython is Python's)."""
    owners = file_owners()
    roots = python_roots() + [_norm(folder) for folder in generated]
    project = _norm(project_root / "difpy_tk") + os.sep
    dists: set[str] = set()
    system: list[str] = []
    untraced: dict[str, str] = {}
    for source in sources:
        real = _norm(source)
        owner = owners.get(real)
        if real.startswith(project) or (owner and _normalise(owner) == _normalise(licensing.PROJECT_DISTRIBUTION)):
            continue  # the project itself (an editable install's RECORD may list its sources)
        if owner:
            if _normalise(owner) != PYINSTALLER:
                dists.add(owner)
        elif any(real.startswith(root + os.sep) for root in roots):
            continue  # the Python installation
        elif real.startswith(("/usr/", "/lib")):
            system.append(real)
        else:
            untraced[source] = "not from a Python distribution, the Python installation or a system package"
    packages = debian_packages(system)
    for path in system:
        if path not in packages:
            untraced[path] = "a system file that no Debian package owns"
    return dists, set(packages.values()), untraced


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party_text(dists: Iterable[str], packages: Iterable[str], tkdnd: bool = True) -> str:
    """The notice file's text; NoticeError when a distribution has no licence text."""
    missing = []
    sections = [
        "Third-party software bundled with difpy_tk, with its licence texts.\n"
        "difpy_tk itself is MIT-licensed (see LICENSE). Some bundled libraries are under the\n"
        "GPL or LGPL (x265 and libheif/libde265 via pillow-heif, libgfortran/libquadmath via\n"
        "numpy); their sources are available from the projects named in their sections.\n",
        licensing.section(f"Python {sys.version.split()[0]}", python_licence()),
        licensing.section("Tcl/Tk 8.6", (CURATED / "tcl-tk.txt").read_text(encoding="utf-8")),
    ]
    if tkdnd:
        sections.append(licensing.section("tkdnd (drag and drop for Tk, shipped by tkinterdnd2)", tkdnd_licence()))
    for name in sorted(set(dists), key=str.lower):
        notice = licensing.distribution_notice(name)
        if notice is None:
            missing.append(name)
        else:
            sections.append(notice)
    for package in sorted(set(packages)):
        sections.append(licensing.section(f"{package} (Debian/Ubuntu package)", debian_copyright(package)))
    bootloader = licensing.licence_files(metadata.distribution(PYINSTALLER))
    if not bootloader:
        missing.append(PYINSTALLER)
    else:
        body = "\n\n".join(text for _, text in bootloader)
        sections.append(licensing.section("PyInstaller bootloader (GPL-2.0-or-later WITH Bootloader-exception)", body))
    if missing:
        raise NoticeError(f"no licence text installed with: {', '.join(missing)}")
    return "\n".join(sections)


def write_notices(out_dir: Path, sources: Iterable[str] | None = None, generated: Iterable[str] = ()) -> Path:
    """Write LICENSE and THIRD-PARTY-NOTICES.txt into out_dir (emptied first).

    `sources`: the files of the bundle (from PyInstaller's TOCs), `generated`: PyInstaller's
    work folder; sources=None: the runtime distributions of this environment (a quick look
    from a checkout)."""
    if sources is None:
        dists, packages, tkdnd = set(licensing.runtime_distributions()), set(), True
    else:
        sources = list(sources)
        dists, packages, untraced = trace(sources, generated)
        if untraced:
            listing = "\n".join(f"  {path}: {why}" for path, why in sorted(untraced.items()))
            raise NoticeError(f"bundled files with no known licence:\n{listing}")
        tkdnd = any(Path(s).name == "tkdnd.tcl" for s in sources)
    text = third_party_text(dists, packages, tkdnd)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    shutil.copy2(ROOT / licensing.PROJECT_LICENSE, out_dir / licensing.PROJECT_LICENSE)
    (out_dir / licensing.THIRD_PARTY_NOTICES).write_text(text, encoding="utf-8")
    return out_dir


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".cache" / "licences")
    print(write_notices(target) / licensing.THIRD_PARTY_NOTICES)
