import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(sys.platform != "linux", reason="only X11 has an empty DISPLAY to fail on")
def test_the_app_without_a_display_says_so_in_plain_words():
    env = {**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    out = subprocess.run([sys.executable, "-m", "difpy_tk"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 1
    assert "cannot open a window" in out.stderr and "difpy-tk scan" in out.stderr
    assert "Traceback" not in out.stderr
