"""The release workflow and CI use today's runners and the same pinned dependencies."""

from __future__ import annotations

import re

from pkg_helpers import ROOT

from difpy_tk import licensing

WORKFLOW = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def constraint_names() -> set[str]:
    text = (ROOT / "build" / "constraints.txt").read_text(encoding="utf-8")
    return {
        re.split(r"[=;\s]", line, maxsplit=1)[0].lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_bundled_distribution_is_pinned():
    pinned = {_norm(n) for n in constraint_names()}
    assert {_norm(n) for n in licensing.runtime_distributions()} <= pinned
    assert {"pyinstaller", "pyinstaller-hooks-contrib", "pytest", "ruff"} <= pinned
    assert all(
        "==" in line
        for line in (ROOT / "build" / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )


def test_every_pip_install_uses_the_constraints():
    installs = [line for line in (WORKFLOW + CI).splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "-c build/constraints.txt" in line, line


def test_runner_labels_are_current():
    labels = set(re.findall(r"runs-on: ([\w.-]+)", WORKFLOW)) | set(re.findall(r"runner: ([\w.-]+)", WORKFLOW))
    assert labels - {"${{"} == {"ubuntu-24.04", "windows-2025", "macos-15", "macos-15-intel"}
    for retired in ("macos-13", "macos-14", "ubuntu-22.04", "ubuntu-20.04", "windows-2019"):
        assert retired not in WORKFLOW


def test_release_gates_tag_nsis_and_macos_minimum():
    assert 'build/version_info.py --check-tag "$GITHUB_REF_NAME"' in WORKFLOW
    assert "choco install nsis --version=$env:NSIS_VERSION" in WORKFLOW
    assert "MACOSX_DEPLOYMENT_TARGET:" in WORKFLOW and "build/macos_minos.py dist/difpy_tk.app" in WORKFLOW
    for mode in ("--smoke", "--selftest"):
        assert mode in WORKFLOW
    assert "needs: [linux, windows, msix, macos]" in WORKFLOW


def test_ci_installs_the_package_checkers_and_runs_the_readme_test_command():
    assert "lintian appstream desktop-file-utils" in CI
    assert ".venv/bin/python -m pytest" in CI and "build/ci_smoke.sh" in CI
