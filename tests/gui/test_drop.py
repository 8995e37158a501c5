"""Dropping folders onto step 1, on the real root (TkinterDnD.Tk, tkdnd loaded).

No real drag is possible without a second X client, so the drops are played at the Tcl
level, through the same tkdnd procedures the native code calls:

- xdnd (X11): the C part of tkdnd turns the XdndEnter/XdndPosition/XdndDrop client
  messages into calls of tkdnd::xdnd::HandleXdndEnter/Position/Drop. Those are called
  here with a drag source of our own that owns the XdndSelection and serves a
  text/uri-list, so tkdnd itself fetches the data, decodes the URIs (%20 and all), finds
  the registered drop target under the pointer and calls the <<Drop>> binding with %D.
- generic (every platform): the Windows and macOS layers hand the dropped data to
  tkdnd::generic::SetDroppedData and HandleEnter/Position/Drop, called here the same way.

Both go through the <<DropTargetTypes>> that drop_target_register sets: a widget that
enable_drop did not register refuses the drop and the app's callback is never called."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

import pytest


@pytest.fixture
def dropped(tmp_path) -> tuple[Path, Path, Path]:
    """Two folders, one with spaces in its path, and a file that is not a folder."""
    holiday = tmp_path / "my photos" / "holiday 2024"
    scans = tmp_path / "scans"
    holiday.mkdir(parents=True)
    scans.mkdir()
    note = tmp_path / "note.txt"
    note.write_text("not a folder\n", encoding="utf-8")
    return holiday, scans, note


def import_screen(driver):
    from tkinterdnd2 import TkinterDnD

    assert isinstance(driver.root, TkinterDnD.Tk), "create_root() did not load tkdnd"
    driver.app.show("import")
    driver.update()
    step1 = driver.app.screens["import"]
    assert step1.drop_enabled
    assert "drop folders here" in step1.empty_label.cget("text")
    return step1


def pointer_over(widget: tk.Misc) -> tuple[int, int]:
    widget.update_idletasks()
    return widget.winfo_rootx() + widget.winfo_width() // 2, widget.winfo_rooty() + widget.winfo_height() // 2


def drop_xdnd(root: tk.Misc, target: tk.Misc, paths: list[Path]) -> tuple[str, str]:
    """An XDND drop of `paths` as a text/uri-list; returns tkdnd's (position, drop) answers."""
    tcl = root.tk
    uris = "".join(f"{path.as_uri()}\r\n" for path in paths)  # as file managers send them
    source = tk.Toplevel(root)
    source.withdraw()
    # Tk answers the selection request in chunks: `offset` and `length` of the string.
    source.selection_handle(
        lambda offset, length: uris[int(offset) : int(offset) + int(length)],
        selection="XdndSelection",
        type="text/uri-list",
    )
    source.selection_own(selection="XdndSelection")
    try:
        x, y = pointer_over(target)
        drag_source = source.winfo_id()
        tcl.call("tkdnd::xdnd::HandleXdndEnter", str(target), drag_source, ("text/uri-list",), 0)
        position = tcl.call("tkdnd::xdnd::HandleXdndPosition", str(target), x, y, 0, drag_source)
        action = tcl.call("tkdnd::xdnd::HandleXdndDrop", 0)
    finally:
        source.destroy()
    return str(position), str(action)


def drop_generic(root: tk.Misc, target: tk.Misc, paths: list[Path]) -> tuple[str, str]:
    """A drop as the Windows/macOS layers deliver it: the paths as one Tcl list."""
    tcl = root.tk
    types = tcl.call("tkdnd::platform_specific_types", ("DND_Files",))
    x, y = pointer_over(target)
    tcl.call("tkdnd::generic::SetDroppedData", tuple(str(path) for path in paths))
    tcl.call("tkdnd::generic::HandleEnter", str(target), "source", types, types, ("copy",), ())
    position = tcl.call("tkdnd::generic::HandlePosition", str(target), "source", (), x, y)
    action = tcl.call("tkdnd::generic::HandleDrop", str(target), "source", (), x, y, 0)
    return str(position), str(action)


LAYERS = {"xdnd": drop_xdnd, "generic": drop_generic}


@pytest.mark.parametrize("layer", list(LAYERS))
def test_dropped_folders_are_imported_and_a_file_is_explained(driver, dropped, layer):
    if layer == "xdnd" and driver.root.tk.call("tk", "windowingsystem") != "x11":
        pytest.skip("the XDND layer only exists on X11")
    step1 = import_screen(driver)
    holiday, scans, note = dropped
    position, action = LAYERS[layer](driver.root, step1.listbox, [holiday, scans, note])
    driver.update()
    assert position == "copy", "the list refused the drag: it is not a registered drop target"
    assert action == "copy"
    assert step1.folders == [str(holiday), str(scans)]
    assert step1.listbox.get(0, "end") == (str(holiday), str(scans))
    assert step1.paste_error.cget("text") == f"{note}: not a folder"
    assert step1.paste_var.get() == str(note)
    assert step1.next_button.instate(["!disabled"])


def test_without_tkdnd_the_app_opens_a_plain_root_and_says_why(tk_errors, monkeypatch, caplog):
    """A platform tkdnd has no build for: one plain root, no stray window, no drop offered."""
    from tkinterdnd2 import TkinterDnD

    from difpy_tk.gui.app import App
    from difpy_tk.gui.dnd import WINDOW_CLASS, create_root

    def unsupported(root):
        raise RuntimeError("Plaform not supported.")

    monkeypatch.setattr(TkinterDnD, "_require", unsupported)
    with caplog.at_level("INFO", logger="difpy_tk.gui"):
        root = create_root()
    closed = False
    try:
        assert not isinstance(root, TkinterDnD.Tk)
        assert "drag and drop is unavailable: Plaform not supported." in caplog.text
        # The half-made TkinterDnD root is gone: this root got the plain name, not "difpy_tk #2".
        assert root.tk.call("tk", "appname") == WINDOW_CLASS
        app = App(root)
        app.show("import")
        root.update()
        step1 = app.screens["import"]
        assert not step1.drop_enabled
        assert step1.empty_label.cget("text") == "No folders yet. Browse or paste paths above."
        app.close()
        closed = True
    finally:
        if not closed:
            root.destroy()
