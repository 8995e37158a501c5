"""Save a PNG of every screen and dialog of the app, for a human to look at.

    python tests/gui/screenshots.py /tmp/shots            # 1366×768 and 1920×1080, each in Xvfb
    xvfb-run -a -s "-screen 0 1366x768x24" python tests/gui/screenshots.py --here /tmp/shots

The first form starts one Xvfb per screen size and runs the second in it. Each run uses
the real app on the DISPLAY it is given (settings, cache and history in a temporary
folder), walks menu -> import -> configure -> searching -> cancelled -> results -> logs
-> settings (every tab, and an error) -> about -> licences -> the menu with its history,
in the light theme and then the dark one, and grabs each window with PIL.ImageGrab.
Files are named <screen>-<theme>-<nn>-<what>.png. A window larger than the room the
screen leaves (taskbar, title bar) is reported on stderr."""

from __future__ import annotations

import os
import subprocess
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
SCREENS = ("1366x768", "1920x1080")


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


def newest(parent: tk.Misc, kind: type) -> tk.Toplevel:
    return [child for child in parent.winfo_children() if isinstance(child, kind)][-1]


class Shooter:
    """Numbered grabs of one theme's walk, each checked against the room on the screen."""

    def __init__(self, root: tk.Tk, out: Path, prefix: str) -> None:
        self.root, self.out, self.prefix, self.count = root, out, prefix, 0

    def __call__(self, window: tk.Misc, what: str) -> None:
        from difpy_tk.gui.widgets import room_on_screen

        settle(self.root)
        self.count += 1
        grab(window, self.out / f"{self.prefix}-{self.count:02}-{what}.png")
        room = room_on_screen(window)
        size = (window.winfo_width(), window.winfo_height())
        if size[0] > room[0] or size[1] > room[1]:
            print(f"TOO LARGE: {what} is {size[0]}×{size[1]}, the screen leaves {room[0]}×{room[1]}", file=sys.stderr)


def hold_search(engine, release: threading.Event):
    """Hold the search in a made-up comparing phase, long enough to photograph the progress
    screen with its estimate as a user sees it, until `release` is set (or cancel)."""
    real = engine.run_search
    runs = []

    def held(options, progress=None, cancel=None, **kwargs):
        runs.append(options)

        def report(phase, done, total):
            progress(phase, done, total)
            if phase == "decoding" and done == total:
                for step in range(1, 40):
                    progress("searching", step * 40, 5000)
                    time.sleep(0.05)
                if len(runs) > 1:  # the second search also shows its full decodes
                    for step in range(1, 7):
                        progress("verifying", step * 20, 300)
                        time.sleep(0.05)
                while not (release.is_set() or cancel.cancelled):
                    time.sleep(0.02)

        return real(options, report, cancel, **kwargs)

    engine.run_search = held
    return real


def walk(out: Path, work: Path, theme: str) -> None:
    from difpy_tk.gui.app import App
    from difpy_tk.gui.dialogs.about_dialog import AboutDialog, LicencesWindow
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
    root.geometry("+0+0")
    shoot = Shooter(root, out, f"{root.winfo_screenwidth()}x{root.winfo_screenheight()}-{theme}")
    shoot(root, "menu-first-start")

    app.show("import")
    shoot(root, "import-empty")
    step1 = app.screens["import"]
    step1.add_paths([*map(str, folders), str(work / "missing folder"), str(folders[0] / "original.png")])
    step1.advanced.toggle()
    step1.px_size_var.set("5")
    step1.next_button.invoke()  # the pixel-size error
    step1.listbox.selection_set(0)
    step1.listbox.event_generate("<<ListboxSelect>>")
    shoot(root, "import-filled-with-errors")
    step1.px_size_var.set("50")
    step1.paste_var.set("")

    step1.next_button.invoke()
    step2 = app.screens["configure"]
    step2.mode_var.set("similar")
    step2.advanced.toggle()
    shoot(root, "configure")

    release = threading.Event()
    real = hold_search(engine, release)
    searching = app.screens["searching"]
    step2.start_button.invoke()
    wait_for(root, lambda: searching.count_var.get().startswith("1,") and "left" in searching.eta_var.get())
    shoot(root, "searching")
    searching.cancel_button.invoke()
    wait_for(root, lambda: app.current is step2)
    shoot(root, "configure-after-cancel")

    step2.start_button.invoke()
    wait_for(root, lambda: searching.count_var.get().endswith("of 300 images decoded in full"))
    shoot(root, "searching-verifying")
    release.set()
    wait_for(root, lambda: app.current is app.screens["results"])
    engine.run_search = real
    shoot(root, "results")

    wait_for(root, lambda: not app.screens["results"].held())  # the hold after a search ends
    app.screens["results"].logs_button.invoke()
    logs = newest(root, LogsDialog)
    shoot(logs, "logs")
    logs.destroy()

    app.show("menu")
    app.screens["menu"].settings_button.invoke()
    settings = newest(root, SettingsDialog)
    shoot(settings, "settings-search")
    settings.chunksize_var.set("lots")
    settings.save_button.invoke()
    shoot(settings, "settings-error")
    for index, tab in enumerate(settings.notebook.tabs()[1:], start=1):
        settings.notebook.select(tab)
        name = str(settings.notebook.tab(tab, "text")).lower().replace(" ", "-")
        shoot(settings, f"settings-{index}-{name}")
    settings.cancel_button.invoke()

    app.screens["menu"].about_button.invoke()
    about = newest(root, AboutDialog)
    shoot(about, "about")
    about.licences_button.invoke()
    licences = newest(about, LicencesWindow)
    shoot(licences, "licences")
    licences.destroy()
    about.destroy()

    app.show("menu")
    shoot(root, "menu-with-history")
    menu = app.screens["menu"]
    menu.recent_results_button.event_generate("<<Invoke>>")  # drop the list down
    settle(root)
    shoot(root, "menu-recent-results")
    menu.recent_results.unpost()
    settle(root)
    app.close()


def shoot_here(out: Path) -> None:
    """All shots on the current DISPLAY, named after its size."""
    with tempfile.TemporaryDirectory() as work:
        for theme in ("light", "dark"):
            os.environ["DIFPY_TK_HOME"] = str(Path(work) / theme / "home")
            walk(out, Path(work), theme)


def main(argv: list[str]) -> int:
    here = argv[:1] == ["--here"]
    args = argv[1:] if here else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    if here:
        shoot_here(out)
        return 0
    for size in SCREENS:
        command = ["xvfb-run", "-a", "-s", f"-screen 0 {size}x24", sys.executable, __file__, "--here", str(out)]
        if subprocess.run(command, check=False).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
