"""Folders that cannot be written: the CLI scans and the app starts, with settings in
memory and the log and cache in a temp folder, saying so once in plain words.

Tests run as root here and in CI, and root writes anywhere, so the programs run with the
two capabilities that let root ignore file permissions dropped (setpriv): then a folder
of mode 0555 stops them just as it stops a normal user. As a normal user, chmod does it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from imagegen import picture, save

from .ledger import Ledger

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def restricted(command: list[str]) -> list[str]:
    """command, run so that file permissions apply to it (see the module docstring)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", drop, "--inh-caps", drop, *command]


@pytest.fixture
def read_only_home(tmp_path, monkeypatch) -> dict[str, str]:
    """An environment whose HOME (and so every app folder) cannot be written."""
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DIFPY_TK_HOME"))}
    env.update(HOME=str(home), PYTHONPATH=os.pathsep.join(sys.path), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    yield env
    home.chmod(0o755)


def images(folder: Path) -> Path:
    save(picture(1), folder / "a.png")
    save(picture(1), folder / "a copy.png")
    save(picture(2), folder / "b.png")
    return folder


def notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "cannot be written" in line]


@pytest.mark.parametrize("cache", ["cache on", "--no-cache"])
def test_cli_scan_with_an_unwritable_home(tmp_path, read_only_home, cache):
    folder = images(tmp_path / "photos")
    ledger = Ledger(folder)
    out = tmp_path / "out"
    out.mkdir()
    command = [
        sys.executable,
        "-m",
        "difpy_tk",
        "scan",
        str(folder),
        "--processes",
        "1",
        "--quiet",
        "--json",
        str(out / "r.json"),
    ] + (["--no-cache"] if cache == "--no-cache" else [])
    done = subprocess.run(restricted(command), capture_output=True, text=True, env=read_only_home, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 group" in done.stdout and (out / "r.json").is_file()
    said = notices(done.stderr)
    assert said and len(said) == len(set(said)), "each folder is mentioned once"
    assert any("settings folder" in line for line in said)
    assert "Traceback" not in done.stderr
    assert not any(Path(read_only_home["HOME"]).iterdir()), "nothing was written to the read-only home"
    ledger.assert_nothing_lost()


def test_app_starts_with_an_unwritable_home(tmp_path, read_only_home):
    if not os.environ.get("DISPLAY"):
        pytest.skip("no display")
    script = (
        "from difpy_tk.gui.app import App\n"
        "from difpy_tk.gui.dnd import create_root\n"
        "from difpy_tk.state import appdirs\n"
        "root = create_root(); app = App(root); root.update()\n"
        "def texts(widget):\n"
        "    own = [str(widget.cget('text'))] if 'text' in widget.keys() else []\n"
        "    return own + [text for child in widget.winfo_children() for text in texts(child)]\n"
        "shown = [text for text in texts(root) if 'cannot be written' in text]\n"
        "app.close()\n"
        "print('started;', len(appdirs.notices()), 'notices;', len(shown), 'shown')\n"
    )
    done = subprocess.run(
        restricted([sys.executable, "-c", script]), capture_output=True, text=True, env=read_only_home, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "started;" in done.stdout and " 0 notices" not in done.stdout
    assert " 0 shown" not in done.stdout, "the menu says it in plain words"
    assert not any(Path(read_only_home["HOME"]).iterdir())


def test_selftest_passes_with_an_unwritable_home(tmp_path, read_only_home):
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "difpy_tk", "--selftest", str(out / "selftest.json")]
    done = subprocess.run(restricted(command), capture_output=True, text=True, env=read_only_home, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[ok] a search with the cache on runs with unwritable folders" in done.stdout
