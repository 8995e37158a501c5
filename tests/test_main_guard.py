"""A script that calls the API without an `if __name__ == "__main__":` guard gets a clear
error, not every file listed as crashing the decoder; with the guard it works."""

import subprocess
import sys
from pathlib import Path

from imagegen import picture, save

SCRIPT = """
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions

def search():
    result = run_search(SearchOptions(inputs=({folder!r},), processes=1, use_cache=False))
    print("groups:", len(result.groups), "invalid:", [problem.reason for problem in result.invalid])
"""


def run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    folder = tmp_path / "photos"
    save(picture(1), folder / "a.png")
    save(picture(1), folder / "b.png")
    script = tmp_path / "my_script.py"
    script.write_text(SCRIPT.format(folder=str(folder)) + body)
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "", "DIFPY_TK_HOME": str(tmp_path / "home")},
    )


def test_a_script_without_the_main_guard_is_told_what_to_do(tmp_path):
    run = run_script(tmp_path, "search()\n")
    assert run.returncode != 0
    last_line = run.stderr.strip().splitlines()[-1]
    assert last_line.startswith("difpy_tk.scan.decoding.WorkersCannotStart:"), run.stderr[-2000:]
    assert 'if __name__ == "__main__":' in last_line
    assert "crashed" not in run.stdout + run.stderr


def test_the_same_script_with_the_guard_works(tmp_path):
    run = run_script(tmp_path, 'if __name__ == "__main__":\n    search()\n')
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "groups: 1 invalid: []"
