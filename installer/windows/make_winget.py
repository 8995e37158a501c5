"""Fill the winget manifest templates for one release.

    python installer/windows/make_winget.py SETUP.exe URL OUT_DIR [--package-id Publisher.Name]

Writes OUT_DIR/<package id>.yaml, .installer.yaml and .locale.en-US.yaml with the
version, the installer's download URL and its SHA-256 (read from SETUP.exe, the file
uploaded to that URL). The release workflow runs it and attaches the result; submitting
it to microsoft/winget-pkgs is a manual pull request (build/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "build"))

import version_info  # noqa: E402

DEFAULT_ID = "difpy-tk.difpy-tk"
TEMPLATES = {
    "difpy_tk.yaml.in": "",
    "difpy_tk.installer.yaml.in": ".installer",
    "difpy_tk.locale.en-US.yaml.in": ".locale.en-US",
}


def render(
    setup: Path, url: str, out_dir: Path, package_id: str = DEFAULT_ID, version: str | None = None
) -> list[Path]:
    fields = {
        "package_id": package_id,
        "version": version or version_info.read_version(),
        "installer_url": url,
        "installer_sha256": hashlib.sha256(setup.read_bytes()).hexdigest().upper(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for template, suffix in TEMPLATES.items():
        text = (HERE / "winget" / template).read_text(encoding="utf-8").format(**fields)
        path = out_dir / f"{package_id}{suffix}.yaml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setup", type=Path)
    parser.add_argument("url")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--package-id", default=DEFAULT_ID)
    args = parser.parse_args(argv)
    for path in render(args.setup, args.url, args.out_dir, args.package_id):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
