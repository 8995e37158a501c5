"""`--selftest` from source: the same code the frozen builds run in CI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from pkg_helpers import ROOT

from difpy_tk import selftest


def test_selftest_passes_and_writes_result_and_status(tmp_path, monkeypatch):
    """Also with sys.stdout = None, as in a windowed build on Windows."""
    monkeypatch.setattr(sys, "stdout", None)
    out = tmp_path / "deep" / "result.json"
    assert selftest.run_selftest([str(out)]) == 0
    status = (tmp_path / "deep" / "result.status.txt").read_text(encoding="utf-8")
    assert status.splitlines()[0] == "PASS", status
    assert "[FAILED]" not in status
    assert "portable: False" in status.splitlines()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["groups"]) == len(selftest.EXPECTED_GROUPS)


def test_selftest_leaves_the_users_folders_alone(tmp_path, monkeypatch, isolated_home):
    before = sorted(p.relative_to(isolated_home) for p in isolated_home.rglob("*"))
    assert selftest.run_selftest([str(tmp_path / "r.json")]) == 0
    assert sorted(p.relative_to(isolated_home) for p in isolated_home.rglob("*")) == before


def test_failed_check_gives_exit_1_and_fail_status(tmp_path, monkeypatch):
    def wrong(images, cache, timeout):
        empty = SimpleNamespace(groups=[], files={}, invalid=[], timings={})
        return SimpleNamespace(processes=2), empty

    monkeypatch.setattr(selftest, "_run_with_timeout", wrong)
    out = tmp_path / "r.json"
    assert selftest.run_selftest([str(out)]) == 1
    status = selftest.status_path_for(out).read_text(encoding="utf-8")
    assert status.startswith("FAIL\n")
    assert "[FAILED] group" in status


def test_a_crash_inside_is_reported_not_raised(tmp_path, monkeypatch):
    def boom(images, cache, timeout):
        raise RuntimeError("worker pool would not start")

    monkeypatch.setattr(selftest, "_run_with_timeout", boom)
    out = tmp_path / "r.json"
    assert selftest.run_selftest([str(out)]) == 1
    status = selftest.status_path_for(out).read_text(encoding="utf-8")
    assert "RuntimeError: worker pool would not start" in status
    assert "traceback:" in status


def test_bad_argument_exit_code():
    assert selftest.run_selftest(["--no-such-option"]) == 2


def test_entry_point_runs_the_selftest(tmp_path):
    """Through `python -m difpy_tk`, the entry script the frozen build is made from."""
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "difpy_tk", "--selftest", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("PASS")
    assert Path(selftest.status_path_for(out)).is_file()
