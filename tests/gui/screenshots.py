"""Save a PNG of every screen and dialog of the app, for a human to look at.

    xvfb-run -a -s "-screen 0 1400x1000x24" python tests/gui/screenshots.py /tmp/shots

Runs the real app on the DISPLAY it is given (settings and cache in a temporary folder),
walks menu -> import -> configure -> searching -> results -> logs -> settings, in the
light theme and then the dark one, and grabs each window with PIL.ImageGrab."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import tkinter as tk
from pathlib import Path

from images import make_image_folders  # beside this script
from PIL import ImageGrab

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout, not installed

SETTLE_S = 0.3


def settle(root: tk.Tk) -> None:
    """Let Tk lay out and draw before the grab (there is no window manager to wait for)."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        root.update()
        time.sleep(0.02)


def grab(window: tk.Misc, path: Path) -> None:
    window.update()
    x, y = window.winfo_rootx(), window.winfo_rooty()
    ImageGrab.grab(bbox=(x, y, x + window.winfo_width(), y + window.winfo_height())).save(path)
    print(path)


def wait_for(root: tk.Tk, condition, timeout: float = 30.0) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"the app did not reach {condition}")
        root.update()
        time.sleep(0.02)


def newest(root: tk.Tk, kind: type) -> tk.Toplevel:
    return [child for child in root.winfo_children() if isinstance(child, kind)][-1]


def walk(out: Path, work: Path, theme: str) -> None:
    from difpy_tk.gui.app import App
    from difpy_tk.gui.dialogs.logs_dialog import LogsDialog
    from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
    from difpy_tk.gui.dnd import create_root
    from difpy_tk.gui.theme import apply_theme
    from difpy_tk.scan import engine

    folders = make_image_folders(work / theme)
    root = create_root()
    app = App(root)
    app.settings.theme = theme
    app.settings.processes = 1
    apply_theme(root, theme)
    root.geometry("880x680+0+0")
    settle(root)
    grab(root, out / f"{theme}-01-menu.png")

    app.show("import")
    settle(root)
    grab(root, out / f"{theme}-02-import-empty.png")
    step1 = app.screens["import"]
    step1.add_paths([*map(str, folders), str(work / "missing folder"), str(folders[0] / "original.png")])
    step1.advanced.toggle()
    step1.listbox.selection_set(0)
    step1.listbox.event_generate("<<ListboxSelect>>")
    settle(root)
    grab(root, out / f"{theme}-03-import-filled.png")

    step1.next_button.invoke()
    app.screens["configure"].mode_var.set("similar")
    app.screens["configure"].advanced.toggle()
    settle(root)
    grab(root, out / f"{theme}-04-configure.png")

    # Hold the search in a made-up comparing phase, long enough (over a second, when the
    # estimate appears) to photograph the progress screen as a user sees it.
    real = engine.run_search
    release = threading.Event()

    def held(options, progress=None, cancel=None, **kwargs):
        def report(phase, done, total):
            progress(phase, done, total)
            if phase == "decoding" and done > 0:
                progress("searching", 600, 5000)
                time.sleep(1.5)
                progress("searching", 1234, 5000)
                release.wait(10)

        return real(options, report, cancel, **kwargs)

    engine.run_search = held
    app.screens["configure"].start_button.invoke()
    searching = app.screens["searching"]
    wait_for(root, lambda: searching.count_var.get().startswith("1,234") and searching.eta_var.get())
    settle(root)
    grab(root, out / f"{theme}-05-searching.png")
    release.set()
    wait_for(root, lambda: app.current is app.screens["results"])
    engine.run_search = real
    settle(root)
    grab(root, out / f"{theme}-06-results.png")

    app.screens["results"].logs_button.invoke()
    logs = newest(root, LogsDialog)
    logs.geometry("+40+40")
    settle(root)
    grab(logs, out / f"{theme}-07-logs.png")
    logs.destroy()

    app.screens["menu"].settings_button.invoke()
    settings = newest(root, SettingsDialog)
    settings.geometry("+40+40")
    settle(root)
    grab(settings, out / f"{theme}-08-settings.png")
    settings.chunksize_var.set("lots")
    settings.save_button.invoke()
    settle(root)
    grab(settings, out / f"{theme}-09-settings-error.png")
    settings.cancel_button.invoke()
    app.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for theme in ("light", "dark"):
            os.environ["DIFPY_TK_HOME"] = str(Path(work) / theme / "home")
            walk(out, Path(work), theme)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
