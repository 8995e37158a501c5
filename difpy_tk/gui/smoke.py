"""`difpy_tk --smoke [OUT.json]`: open the real main window of a (frozen) build and check
what only a window shows.

`--selftest` proves the search works without a display; this proves what a person sees
on first start: the main window opens, the tkdnd extension loads (drag and drop of
folders), and a HEIC photo (made here with pillow-heif, the iPhone format) and an AVIF
image decode with the app's own decoder and display in Tk (ImageTk needs
PIL._tkinter_finder, which PyInstaller cannot see). The window closes itself through the
app's normal close path. CI runs it on every platform's frozen build.

Like the self-test it writes OUT.status.txt (first line PASS or FAIL) because a windowed
build on Windows has no console, and keeps settings in a temporary DIFPY_TK_HOME.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
import tkinter as tk
import traceback
from pathlib import Path

from PIL import Image, ImageTk

from difpy_tk.selftest import Report, collect_facts, save_heic, say, status_path_for, temporary_home


def check_window(root: tk.Tk, report: Report) -> None:
    root.update()
    report.check(root.winfo_ismapped() and root.winfo_width() > 100, f"main window shown ({root.geometry()})")
    report.check(root.title() == "difpy_tk", f"window title {root.title()!r}")
    from difpy_tk.gui.dialogs.about_dialog import guide_path

    report.check(guide_path() is not None, f"the user guide is shipped ({guide_path()})")
    try:
        version = root.tk.call("package", "present", "tkdnd")
    except tk.TclError as error:
        report.check(False, f"tkdnd loaded: {error}")
    else:
        report.check(True, f"tkdnd {version} loaded (drag and drop)")


def check_formats(root: tk.Tk, folder: Path, report: Report) -> list[ImageTk.PhotoImage]:
    """Decode a HEIC and an AVIF file with the app's decoder and show each in the window."""
    from difpy_tk.scan.tensors import decode_tensor

    original = Image.new("RGB", (64, 48))
    for x in range(64):
        for y in range(48):
            original.putpixel((x, y), (x * 4, y * 5, 128))
    files = {"HEIC": folder / "photo.heic", "AVIF": folder / "photo.avif"}
    save_heic(original, files["HEIC"])
    original.save(files["AVIF"], quality=90)
    shown = []
    for kind, path in files.items():
        try:
            tensor, width, height, _ = decode_tensor(str(path), 16)
            with Image.open(path) as image:
                photo = ImageTk.PhotoImage(image.convert("RGB"), master=root)
            tk.Label(root, image=photo).place(x=0, y=0)
            root.update()
            shown.append(photo)
            report.check(
                (width, height) == original.size and tensor.size > 0, f"{kind} decoded ({width}x{height}) and shown"
            )
        except Exception as error:
            report.check(False, f"{kind}: {type(error).__name__}: {error}")
    return shown


def parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="difpy_tk --smoke", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="status file base name (default: a temp folder)")
    return parser.parse_args(args)


def run_smoke(args: list[str]) -> int:
    """0 when the window opened and every check passed, else 1. Never raises."""
    started = time.perf_counter()
    try:
        options = parse_args(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    out = (options.out or Path(tempfile.gettempdir()) / "difpy_tk-smoke" / "smoke.json").resolve()
    status = status_path_for(out)
    work = Path(tempfile.mkdtemp(prefix="difpy_tk-smoke-"))
    report = Report()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        collect_facts(report)
        from difpy_tk.gui.app import App
        from difpy_tk.gui.dnd import create_root

        with temporary_home(work / "home"):
            root = create_root()
            try:
                app = App(root)
                check_window(root, report)
                check_formats(root, work, report)
                app.close()  # the app's own way out: saves settings, stops its queue
                report.check(True, "closed through the app's close()")
            finally:
                with contextlib.suppress(tk.TclError):  # close() has destroyed it already
                    root.destroy()
    except Exception as error:
        report.check(False, f"{type(error).__name__}: {error}")
        report.facts["traceback"] = "\n" + traceback.format_exc()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.facts["total seconds"] = f"{time.perf_counter() - started:.2f}"
    text = report.text()
    try:
        status.write_text(text, encoding="utf-8")
    except OSError as error:
        text += f"cannot write {status}: {error}\n"
        report.check(False, f"cannot write {status}")
    say(text)
    return 0 if report.passed else 1
