"""MSIX package of the onedir build, for the Microsoft Store and for sideloading.

    python installer/windows/make_msix.py dist/difpy_tk dist/difpy_tk-<ver>-windows-x64.msix
        [--identity NAME] [--publisher "CN=..."] [--publisher-display "..."]

Stages the onedir beside an AppxManifest.xml (installer/windows/msix/AppxManifest.xml.in)
and the tile images, then packs it with the Windows SDK's makeappx.exe (on Windows only;
elsewhere it stops after staging, which the tests use). The package is unsigned:
- Microsoft Store: upload the .msix in Partner Center, which signs it. Identity and
  publisher must be the ones Partner Center gives the reserved name (MSIX_IDENTITY,
  MSIX_PUBLISHER, MSIX_PUBLISHER_DISPLAY in the workflow).
- Sideloading: sign it with signtool and a certificate whose subject is the publisher.
  The default publisher carries Windows' "unsigned package" OID, so a test machine
  (Windows 11 24H2 / Server 2025) can install the unsigned package with
  `Add-AppxPackage -AllowUnsigned`, which the release workflow does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "build"))

import make_icons  # noqa: E402
import version_info  # noqa: E402

UNSIGNED_OID = "OID.2.25.311729368913984317654407730594956997722=1"
DEFAULT_PUBLISHER = f"CN=difpy_tk contributors, {UNSIGNED_OID}"
LOGOS = {"StoreLogo.png": 50, "Square44x44Logo.png": 44, "Square150x150Logo.png": 150}


def manifest(version: str, identity: str, publisher: str, publisher_display: str) -> str:
    four = ".".join(str(n) for n in version_info.version_tuple(version))
    template = (HERE / "msix" / "AppxManifest.xml.in").read_text(encoding="utf-8")
    return template.format(
        identity=identity,
        publisher=publisher.replace('"', "&quot;"),
        version4=four,
        publisher_display=publisher_display,
    )


def stage(
    onedir: Path,
    staging: Path,
    version: str,
    identity: str = "difpy-tk",
    publisher: str = DEFAULT_PUBLISHER,
    publisher_display: str = "difpy_tk contributors",
) -> Path:
    """The package's folder: the onedir's files, Assets/ and AppxManifest.xml."""
    if not (onedir / "difpy_tk.exe").is_file() and not (onedir / "difpy_tk").is_file():
        raise FileNotFoundError(f"no onedir build in {onedir}")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(onedir, staging)
    assets = staging / "Assets"
    assets.mkdir()
    with Image.open(make_icons.master_path()) as master:
        for name, size in LOGOS.items():
            master.convert("RGBA").resize((size, size), Image.Resampling.LANCZOS).save(assets / name)
    (staging / "AppxManifest.xml").write_text(
        manifest(version, identity, publisher, publisher_display), encoding="utf-8"
    )
    return staging


def find_makeappx() -> Path | None:
    found = shutil.which("makeappx")
    if found:
        return Path(found)
    kits = Path("C:/Program Files (x86)/Windows Kits/10/bin")
    candidates = sorted(kits.glob("10.*/x64/makeappx.exe"))
    return candidates[-1] if candidates else None


def pack(staging: Path, out: Path) -> Path:
    tool = find_makeappx()
    if tool is None:
        raise SystemExit("makeappx.exe not found (Windows SDK): the staged package is in " + str(staging))
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(tool), "pack", "/o", "/d", str(staging), "/p", str(out)], check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onedir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--identity", default="difpy-tk")
    parser.add_argument("--publisher", default=DEFAULT_PUBLISHER)
    parser.add_argument("--publisher-display", default="difpy_tk contributors")
    args = parser.parse_args(argv)
    staging = stage(
        args.onedir,
        ROOT / ".cache" / "msix",
        version_info.read_version(),
        args.identity,
        args.publisher,
        args.publisher_display,
    )
    print(pack(staging, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
