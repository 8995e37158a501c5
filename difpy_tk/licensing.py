"""The licence texts the app shows (About → Licences) and every artifact ships.

A frozen build carries two files in its `licences/` folder (written at build time by
`build/notices.py`): LICENSE, the project's own MIT licence, and
THIRD-PARTY-NOTICES.txt, the licence text of every component bundled with it (Python,
Tcl/Tk, tkdnd, Pillow and the libraries inside its wheel, numpy and OpenBLAS, ...).
Run from source, nothing is bundled: the text is the project's licence plus the licence
files of the Python distributions the app depends on, read from their installed metadata,
which is where `build/notices.py` reads them from too.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
from pathlib import Path

LICENCE_DIR_NAME = "licences"
PROJECT_LICENSE = "LICENSE"
THIRD_PARTY_NOTICES = "THIRD-PARTY-NOTICES.txt"
PROJECT_DISTRIBUTION = "difpy_tk"
RULE = "=" * 78

# Names a licence file has in a .dist-info folder that predates PEP 639's licenses/.
_LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def bundled_licence_dir() -> Path | None:
    """The `licences/` folder of a frozen build, or None when running from source."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or bundle is None:
        return None
    return Path(bundle) / LICENCE_DIR_NAME


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = PROJECT_DISTRIBUTION, names: list[str] | None = None) -> list[str]:
    """The installed distributions the app needs at run time: `names` (default: the
    project's own requirements) and what they require in turn, without extras."""
    if names is None:
        try:
            names = _requirement_names(metadata.distribution(root))
        except metadata.PackageNotFoundError:  # a source checkout: read pyproject's list
            names = _pyproject_dependencies()
    seen: dict[str, str] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        if _normalise(name) in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed: nothing ships
        seen[_normalise(name)] = dist.metadata["Name"]
        pending.extend(_requirement_names(dist))
    return sorted(seen.values(), key=str.lower)


def _requirement_names(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement.replace('"', "").replace("'", ""):
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


def _pyproject_dependencies() -> list[str]:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib
    except ImportError:  # Python 3.10: an installed difpy_tk has metadata, a checkout needs 3.11
        return []
    if not pyproject.is_file():
        return []

    with pyproject.open("rb") as handle:
        dependencies = tomllib.load(handle).get("project", {}).get("dependencies", [])
    return [m.group(1) for m in map(_REQUIREMENT_NAME.match, dependencies) if m]


def licence_files(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of every licence file a distribution installed with its metadata:
    the PEP 639 `licenses/` folder, or LICENSE*/COPYING*/NOTICE* beside METADATA."""
    found = []
    for file in dist.files or []:
        parts = file.parts
        if len(parts) < 2 or not parts[0].endswith(".dist-info"):
            continue
        if parts[1] == "licenses" or (len(parts) == 2 and _LICENCE_FILE.match(parts[1])):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                found.append(("/".join(parts[1:]), path.read_text(encoding="utf-8", errors="replace")))
    return found


def distribution_notice(name: str) -> str | None:
    """One section of the notice file: the distribution's name, version, declared licence
    and the full text of its licence files; None when it installed no licence text."""
    dist = metadata.distribution(name)
    files = licence_files(dist)
    if not files:
        return None
    meta = dist.metadata
    declared = meta.get("License-Expression") or meta.get("License") or ""
    header = f"{meta['Name']} {dist.version}"
    if declared and len(declared) < 200:
        header += f" ({declared})"
    body = "\n\n".join(f"--- {file_name} ---\n{text.strip()}" for file_name, text in files)
    return section(header, body)


def section(title: str, body: str) -> str:
    return f"{RULE}\n{title}\n{RULE}\n\n{body.strip()}\n"


def project_licence() -> str:
    """The project's own licence: beside the package in a checkout, else in its metadata."""
    checkout = Path(__file__).resolve().parent.parent / PROJECT_LICENSE
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    try:
        files = licence_files(metadata.distribution(PROJECT_DISTRIBUTION))
    except metadata.PackageNotFoundError:
        files = []
    if not files:
        raise FileNotFoundError("the difpy_tk LICENSE file is missing from this installation")
    return files[0][1]


def notice_text() -> str:
    """The project's licence followed by the third-party notices: what About shows."""
    bundled = bundled_licence_dir()
    if bundled is not None:
        own = (bundled / PROJECT_LICENSE).read_text(encoding="utf-8")
        others = (bundled / THIRD_PARTY_NOTICES).read_text(encoding="utf-8")
    else:
        own = project_licence()
        parts = [
            "Running from source: these are the licences of the Python packages this app uses, "
            "read from their installed metadata. A packaged build lists everything it bundles.\n"
        ]
        for name in runtime_distributions():
            notice = distribution_notice(name)
            parts.append(notice or section(name, "(this installation carries no licence file)"))
        others = "\n".join(parts)
    return f"{section('difpy_tk', own)}\n{others}"
