"""Check a built .deb the way a distribution would: lintian, AppStream, desktop entry.

    python installer/linux/check_deb.py dist/difpy-tk_<ver>_<arch>.deb

- `desktop-file-validate` on the desktop entry and `appstreamcli validate` on the
  AppStream metadata, both as packaged: any error or warning fails (AppStream infos are
  printed, they do not fail);
- `lintian`: every error whose tag is not in BUNDLE_ERRORS fails. Those are what shipping
  a self-contained PyInstaller bundle under /opt means (build/README.md says why each is
  kept); warnings are printed, they do not fail.
Exit code 0 when clean, 1 otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# lintian errors that come with a self-contained bundle under /opt; see build/README.md.
BUNDLE_ERRORS = frozenset(
    {
        "dir-or-file-in-opt",
        "embedded-library",
        "unstripped-binary-or-object",
        "custom-library-search-path",
        "library-not-linked-against-libc",
    }
)
TAG = re.compile(r"^([EWIPXO]): \S+: (\S+)")


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


def check_lintian(deb: Path) -> list[str]:
    proc = run(["lintian", "--tag-display-limit", "0", str(deb)])
    counts: Counter[tuple[str, str]] = Counter()
    for line in proc.stdout.splitlines():
        match = TAG.match(line)
        if match:
            counts[match.groups()] += 1
    problems = []
    for (level, tag), count in sorted(counts.items()):
        kept = level != "E" or tag in BUNDLE_ERRORS
        print(f"lintian {level}: {tag} x{count}{'' if kept else '   <- not allowed'}")
        if not kept:
            problems.append(f"lintian error {tag}")
    if proc.returncode not in (0, 1, 2):  # 1/2: tags found; anything else: lintian broke
        problems.append(f"lintian exited {proc.returncode}: {proc.stderr.strip()}")
    return problems


def check_files(deb: Path) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        root = Path(tmp)
        desktops = list((root / "usr/share/applications").glob("*.desktop"))
        metainfos = list((root / "usr/share/metainfo").glob("*.metainfo.xml"))
        if len(desktops) != 1 or len(metainfos) != 1:
            return [f"expected one desktop entry and one metainfo file, got {desktops} {metainfos}"]
        proc = run(["desktop-file-validate", str(desktops[0])])
        print(f"desktop-file-validate: {proc.stdout.strip() or 'clean'}")
        if proc.returncode != 0 or proc.stdout.strip():
            problems.append("desktop-file-validate")
        proc = run(["appstreamcli", "validate", "--no-net", str(metainfos[0])])
        print(f"appstreamcli validate: {proc.stdout.strip()}")
        if proc.returncode != 0 or re.search(r"^[EW]: ", proc.stdout, re.MULTILINE):
            problems.append("appstreamcli validate")
    return problems


def main(argv: list[str]) -> int:
    deb = Path(argv[0])
    problems = check_files(deb) + check_lintian(deb)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
