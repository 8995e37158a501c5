"""The package layout is part of the design: everything but difpy_tk.gui works without Tk
(the CLI on a server, the decode workers of a frozen build), and no two modules share a name."""

import collections
import pathlib
import subprocess
import sys

import difpy_tk

PACKAGE = pathlib.Path(difpy_tk.__file__).parent


def test_only_the_gui_imports_tkinter():
    modules = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py")
        if "gui" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tkinter', '_tkinter')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert len(modules) > 15
    assert out.stdout.strip() == "[]"


def test_no_two_modules_share_a_name():
    names = collections.Counter(p.name for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
    assert [name for name, count in names.items() if count > 1] == []
