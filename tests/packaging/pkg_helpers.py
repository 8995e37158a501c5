"""Helpers for the packaging tests: import the scripts in build/ and installer/, which
are folders of scripts rather than packages, and gate the slow frozen-build tests.

Not a conftest.py and no __init__.py here: a package named `packaging` would shadow the
real `packaging` library that pytest itself imports."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build"

if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))


def load_script(relative: str) -> ModuleType:
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(f"_packaging_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The tests that freeze the app take a minute or more each: only when asked for.
# Use together with @pytest.mark.slow.
requires_build = pytest.mark.skipif(
    os.environ.get("DIFPY_TK_BUILD_TESTS") != "1",
    reason="builds the frozen app: set DIFPY_TK_BUILD_TESTS=1",
)
