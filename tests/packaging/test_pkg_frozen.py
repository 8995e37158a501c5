"""The frozen app itself. The builds are slow (a minute or more each), so those tests
only run with DIFPY_TK_BUILD_TESTS=1; build/ci_smoke.sh covers the same ground in CI
and adds the window check and the .deb install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pkg_helpers import BUILD_DIR, ROOT, requires_build

EXE = ".exe" if sys.platform == "win32" else ""
needs_x = pytest.mark.skipif(
    not (sys.platform.startswith("linux") and shutil.which("Xvfb") and shutil.which("xdotool")),
    reason="needs Linux with Xvfb and xdotool",
)


@pytest.fixture(scope="module")
def xvfb_display(tmp_path_factory):
    """A private Xvfb: the display number is chosen by Xvfb itself (-displayfd)."""
    fd_file = tmp_path_factory.mktemp("xvfb") / "display"
    with open(fd_file, "w") as out:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(out.fileno()), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
            pass_fds=(out.fileno(),),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 10
    while not fd_file.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    number = fd_file.read_text().strip()
    if not number:
        server.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(10)


def wait_for_window(name: str, env: dict, proc: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", name], env=env, capture_output=True, text=True
        )
        if found.stdout.strip():
            return found.stdout.split()[0]
        time.sleep(0.05)
    raise AssertionError(f"no window named {name!r} (exit code {proc.poll()})")


def close_and_wait(window: str, env: dict, proc: subprocess.Popen) -> int:
    subprocess.run([sys.executable, str(BUILD_DIR / "x11_close.py"), window], env=env, check=True)
    return proc.wait(15)


@needs_x
def test_x11_close_asks_tk_to_close_cleanly(xvfb_display, tmp_path):
    """The helper ci_smoke.sh uses: WM_DELETE_WINDOW reaches Tk's protocol handler."""
    script = tmp_path / "app.py"
    script.write_text(
        "import tkinter as tk\n"
        "root = tk.Tk(); root.title('x11-close-probe')\n"
        "root.protocol('WM_DELETE_WINDOW', lambda: (print('asked to close'), root.destroy()))\n"
        "root.mainloop()\n"
    )
    env = {**os.environ, "DISPLAY": xvfb_display}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
    window = wait_for_window("x11-close-probe", env, proc)
    assert close_and_wait(window, env, proc) == 0
    assert proc.stdout.read().strip() == "asked to close"


def _build(target: str) -> None:
    subprocess.run([sys.executable, str(BUILD_DIR / "build.py"), target], cwd=ROOT, check=True, timeout=1200)


def _selftest(command: list[str], tmp_path: Path, env: dict | None = None) -> str:
    out = tmp_path / "selftest.json"
    proc = subprocess.run([*command, "--selftest", str(out)], capture_output=True, text=True, timeout=300, env=env)
    status = (tmp_path / "selftest.status.txt").read_text(encoding="utf-8")
    assert proc.returncode == 0, status + proc.stderr
    assert status.startswith("PASS")
    return status


@pytest.mark.slow
@requires_build
def test_frozen_onedir_selftest_and_window(tmp_path, request):
    _build("app")
    exe = ROOT / "dist" / "difpy_tk" / f"difpy_tk{EXE}"
    status = _selftest([str(exe)], tmp_path)
    assert "frozen: True" in status
    for libpython in (exe.parent / "_internal").glob("libpython*"):
        assert libpython.stat().st_size < 12 * 2**20, "libpython still carries its debug info"
    if sys.platform.startswith("linux") and shutil.which("Xvfb") and shutil.which("xdotool"):
        display = request.getfixturevalue("xvfb_display")
        env = {**os.environ, "DISPLAY": display}
        proc = subprocess.Popen([str(exe)], env=env)
        window = wait_for_window("difpy_tk", env, proc)
        assert close_and_wait(window, env, proc) == 0


@pytest.mark.slow
@requires_build
def test_frozen_onefile_is_portable(tmp_path):
    _build("portable")
    portable = ROOT / "dist" / "portable"
    assert (portable / "difpy_tk.portable").is_file()
    # No DIFPY_TK_HOME: a portable build must keep its folders beside the executable.
    env = {key: value for key, value in os.environ.items() if key != "DIFPY_TK_HOME"}
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    status = _selftest([str(portable / f"difpy_tk{EXE}")], tmp_path, env=env)
    assert "portable: True" in status.splitlines()
    assert not list((tmp_path / "tmp").glob("_MEI*")), "onefile left its unpacked folder behind"
    size_mib = (portable / f"difpy_tk{EXE}").stat().st_size / 2**20
    assert size_mib <= 60, f"onefile is {size_mib:.1f} MiB"
