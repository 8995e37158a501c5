"""Single screens and shortcuts: keys, inline validation, errors in plain words, the viewer hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tkinter as tk

import pytest

from difpy_tk.gui.screens import results as results_screen
from difpy_tk.review import actions
from difpy_tk.review.journal import session_journal
from difpy_tk.scan.result import FileRecord


def to_configure(driver, folders):
    driver.app.show("import")
    driver.app.screens["import"].add_paths(map(str, folders))
    driver.app.screens["import"].next_button.invoke()
    assert driver.screen("configure")
    return driver.app.screens["configure"]


def test_keyboard_walks_the_wizard(driver, dialogs, image_folders):
    app = driver.app
    dialogs.answers["askdirectory"] = str(image_folders[0])
    driver.press("<Control-o>", app.screens["menu"].start_button)
    assert driver.screen("import")
    assert app.screens["import"].folders == [str(image_folders[0])]
    assert dialogs.calls[-1][0] == "askdirectory"

    driver.press("<Return>", app.screens["import"].paste_entry)
    assert driver.screen("configure")
    driver.press("<Escape>", app.screens["configure"].start_button)
    assert driver.screen("import")
    driver.press("<Escape>", app.screens["import"].paste_entry)
    assert driver.screen("menu")
    driver.press("<Return>", app.screens["menu"].start_button)
    assert driver.screen("import")


def test_remove_folders_and_in_folder_needs_two(driver, image_folders):
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    step1.add_paths(map(str, image_folders))
    step1.in_folder_var.set(True)
    step1.listbox.selection_set(0)
    driver.press("<Delete>", step1.listbox)
    assert step1.folders == [str(image_folders[1])]
    assert step1.in_folder_check.instate(["disabled"]) and not step1.in_folder_var.get()
    step1.clear_button.invoke()
    assert step1.folders == [] and step1.next_button.instate(["disabled"])
    assert "No folders yet" in step1.empty_label.cget("text")


def test_pixel_size_is_checked_inline(driver, image_folders):
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    step1.add_paths([str(image_folders[0])])
    step1.px_size_var.set("5")
    step1.next_button.invoke()
    assert driver.screen("import")
    assert step1.advanced.expanded
    assert "between 10 and 5000" in step1.px_size_error.cget("text")
    step1.px_size_var.set("100")
    step1.next_button.invoke()
    assert driver.screen("configure")
    assert driver.app.settings.px_size == 100


def test_custom_threshold_is_checked_inline(driver, image_folders):
    step2 = to_configure(driver, image_folders)
    assert not step2.advanced.expanded
    step2.advanced.toggle_button.invoke()
    assert step2.mode_var.get() != "custom"
    step2.custom_entry.insert("end", "40")  # typed in, without choosing "Custom" first
    assert step2.mode_var.get() == "custom"
    step2.back_button.invoke()
    assert driver.app.settings.similarity == 40
    step2 = to_configure(driver, image_folders)
    assert (step2.mode_var.get(), step2.custom_var.get()) == ("custom", "40")
    for bad in ("", "abc", "-1"):
        step2.custom_var.set(bad)
        step2.start_button.invoke()
        assert driver.screen("configure")
        assert step2.error.cget("text").startswith("Threshold:")
    step2.custom_var.set("2,5")
    step2.back_button.invoke()
    assert driver.app.settings.similarity == 2.5
    step2 = to_configure(driver, image_folders)
    assert (step2.mode_var.get(), step2.custom_var.get()) == ("custom", "2.5")


def test_arrow_keys_choose_the_kind_of_match(driver, image_folders):
    """A keyboard user's Down moved the focus to "Similar" but left "Duplicates" chosen."""
    step2 = to_configure(driver, image_folders)
    duplicates, similar, custom = step2.mode_buttons
    step2.mode_var.set("duplicates")
    driver.press("<Down>", duplicates)
    assert step2.mode_var.get() == "similar" and driver.root.focus_get() is similar
    driver.press("<Down>", similar)
    assert step2.mode_var.get() == "duplicates", "Custom is hidden in the closed Advanced section: passed over"
    step2.advanced.toggle_button.invoke()
    driver.update()
    driver.press("<Up>", duplicates)
    assert step2.mode_var.get() == "custom" and driver.root.focus_get() is custom


@pytest.mark.parametrize(("label", "name"), [("Thorough", "thorough"), ("Mirror", "mirror")])
def test_an_advanced_box_is_a_setting_that_reaches_the_search(driver, image_folders, label, name):
    step2 = to_configure(driver, image_folders)
    assert not getattr(step2, f"{name}_var").get()
    step2.advanced.toggle_button.invoke()
    rows = step2.advanced.body.winfo_children()
    (box,) = [w for row in rows for w in row.winfo_children()
              if w.winfo_class() == "TCheckbutton" and w.cget("text") == label]
    box.invoke()
    step2.back_button.invoke()
    assert getattr(driver.app.settings, name) and getattr(driver.app.settings.search_options(), name)
    step2 = to_configure(driver, image_folders)
    assert getattr(step2, f"{name}_var").get()


def test_opening_advanced_in_the_smallest_window_shows_all_of_it(driver, image_folders):
    """At the window's smallest size, 720 × 560, Advanced's last boxes (Same dimensions,
    Thorough) were cut off, with no scrollbar."""
    driver.root.geometry("720x560")
    driver.update()
    step2 = to_configure(driver, image_folders)
    if step2.advanced.expanded:
        step2.advanced.toggle()
    step2.advanced.toggle_button.invoke()
    driver.update()
    assert driver.root.winfo_height() >= driver.root.winfo_reqheight() > 560
    last = step2.advanced.body.winfo_children()[-1]
    assert last.winfo_ismapped()
    assert last.winfo_rooty() + last.winfo_height() <= step2.start_button.winfo_rooty()
    step2.advanced.toggle()
    driver.root.geometry("900x620")


def test_search_error_is_explained_and_returns_to_step_two(driver, dialogs, image_folders):
    step2 = to_configure(driver, image_folders)
    shutil.rmtree(image_folders[1])  # the folder disappears after it was imported
    step2.start_button.invoke()
    driver.wait_until(lambda: driver.screen("configure") and dialogs.calls)
    name, args, _ = dialogs.calls[-1]
    assert name == "showerror"
    assert str(image_folders[1]) in args[1]


def test_viewer_gets_the_result_and_a_log_callable(driver, monkeypatch):
    from difpy_tk.scan.result import Group, Match, SearchResult

    result = SearchResult(parameters={}, files={}, groups=[Group("a.png", (Match("b.png", 0.0),))])
    calls = []

    def open_viewer(parent, shown, log, keeper_rule, size, on_close):
        calls.append((parent, shown))
        assert keeper_rule == driver.app.settings.keeper_rule() and size == driver.app.settings.viewer_size
        log("deleted b.png")

    monkeypatch.setattr(results_screen, "viewer_part", lambda module, name: open_viewer)
    driver.app.show_result(result)
    driver.press("<Return>", driver.app.screens["results"].viewer_button)
    assert calls == [(driver.root, result)]
    assert driver.app.logbook.lines[-1] == "deleted b.png"


def test_without_a_viewer_the_user_is_told(driver, dialogs, monkeypatch):
    from difpy_tk.scan.result import Group, Match, SearchResult

    monkeypatch.setattr(results_screen, "viewer_part", lambda module, name: None)
    driver.app.show_result(SearchResult(parameters={}, files={}, groups=[Group("a", (Match("b", 1.0),))]))
    driver.app.screens["results"].viewer_button.invoke()
    assert dialogs.calls[-1][0] == "showinfo"
    assert "not available" in dialogs.calls[-1][1][1]


@pytest.mark.parametrize(
    ("images", "said"),
    [
        (0, "No images found: the chosen folders hold no image difpy_tk can read."),
        (1, "Only one image was found: there is nothing to compare it with."),
        (2, "No duplicate or similar images found."),
    ],
)
def test_no_matches_disables_the_viewer_and_says_whether_there_was_anything_to_compare(driver, images, said):
    from difpy_tk.scan.result import SearchResult

    files = {f"/p/{n}.jpg": FileRecord(f"/p/{n}.jpg", 100, 0, 10, 10) for n in range(images)}
    driver.app.show_result(SearchResult(parameters={}, files=files, groups=[]))
    results = driver.app.screens["results"]
    assert results.viewer_button.instate(["disabled"])
    assert results.headline.cget("text") == said


def test_a_failing_callback_is_logged_and_shown(driver, dialogs):
    driver.app.report_callback_error(ValueError, ValueError("boom"), None)
    assert dialogs.calls[-1][0] == "showerror" and "boom" in dialogs.calls[-1][1][1]
    driver.wait_until(lambda: any("boom" in line for line in driver.app.logbook.lines), timeout=2)


def test_main_opens_the_app_with_folders_from_the_command_line(monkeypatch, tk_errors, image_folders, tmp_path):
    import tkinter as tk

    from difpy_tk.gui import app as app_module

    seen = {}

    class Recording(app_module.App):
        def __init__(self, root):
            super().__init__(root)
            seen["app"] = self

    def mainloop(root, n=0):
        root.update()
        app = seen["app"]
        seen["title"] = root.title()
        seen["screen"] = app.current
        seen["folders"] = list(app.screens["import"].folders)
        seen["bad"] = app.screens["import"].paste_error.cget("text")
        seen["handler"] = root.report_callback_exception == app.report_callback_error
        app.close()

    monkeypatch.setattr(app_module, "App", Recording)
    monkeypatch.setattr(tk.Misc, "mainloop", mainloop)
    assert app_module.main([str(image_folders[0]), str(tmp_path / "nowhere")]) == 0
    assert seen["title"] == "difpy_tk"
    assert seen["app"].icon is not None
    assert seen["screen"] is seen["app"].screens["import"]
    assert seen["folders"] == [str(image_folders[0])]
    assert "nowhere: not found" in seen["bad"]
    assert seen["handler"]


def test_the_windows_open_at_the_size_they_were_closed_at(driver, tmp_path):
    """A desktop app remembers its window sizes; a maximised window keeps its last normal size."""
    from imagegen import picture

    from difpy_tk.gui.viewer import ROOT_ATTRIBUTE
    from difpy_tk.scan.result import Group, Match, SearchResult

    default = (driver.root.winfo_width(), driver.root.winfo_height())
    driver.root.geometry("1000x640")
    driver.update()
    driver.wait_until(lambda: driver.root.winfo_width() == 1000)
    paths = [str(tmp_path / name) for name in ("a.png", "b.png")]
    files = {}
    for path in paths:
        picture(5).save(path)
        stat = os.stat(path)
        files[path] = FileRecord(path, stat.st_size, stat.st_mtime_ns, 320, 240)
    result = SearchResult(parameters={}, files=files, groups=[Group(paths[0], (Match(paths[1], 0.0),))])
    driver.app.show_result(result)
    driver.app.screens["results"].viewer_button.invoke()
    viewer = getattr(driver.root, ROOT_ATTRIBUTE)
    viewer.geometry("900x600")
    driver.wait_until(lambda: viewer.winfo_width() == 900)
    viewer.close()
    driver.restart()
    assert (driver.root.winfo_width(), driver.root.winfo_height()) == (1000, 640) != default
    driver.app.show_result(result)
    driver.app.screens["results"].viewer_button.invoke()
    viewer = getattr(driver.root, ROOT_ATTRIBUTE)
    driver.update()
    assert (viewer.winfo_width(), viewer.winfo_height()) == (900, 600)
    viewer.geometry("880x580")
    driver.wait_until(lambda: viewer.winfo_width() == 880)
    driver.root.attributes("-fullscreen", True)  # a maximised main window: its size is not remembered
    driver.restart()  # closing the app with the viewer open remembers the viewer's size too
    assert driver.app.settings.window_size == [1000, 640] and driver.app.settings.viewer_size == [880, 580]


def test_settings_dialog_shows_and_clears_the_cache(driver):
    from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
    from difpy_tk.scan.cache_files import default_cache_path

    default_cache_path().write_bytes(b"x" * 2500)
    driver.app.screens["menu"].settings_button.invoke()
    dialog = next(child for child in driver.root.winfo_children() if isinstance(child, SettingsDialog))
    assert dialog.cache_var.get() == "Cache size: 2.5 KB"
    dialog.clear_cache_button.invoke()
    assert not default_cache_path().exists()
    assert dialog.cache_var.get() == "Cache cleared: 2.5 KB freed."
    driver.press("<Escape>", dialog.save_button)
    assert not dialog.winfo_exists()


def test_theme_preview_is_undone_by_cancel(driver):
    from tkinter import ttk

    from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
    from difpy_tk.gui.theme import PALETTES

    def background():
        return ttk.Style(driver.root).lookup("TFrame", "background")

    assert background() == PALETTES["light"]["bg"]
    driver.app.screens["menu"].settings_button.invoke()
    dialog = next(child for child in driver.root.winfo_children() if isinstance(child, SettingsDialog))
    dialog.theme_var.set("dark")
    dialog.preview_theme()
    assert background() == PALETTES["dark"]["bg"]
    assert driver.app.screens["import"].listbox.cget("background") == PALETTES["dark"]["surface"]
    disabled = str(ttk.Style(driver.root).lookup("TButton", "foreground", ["disabled"]))
    assert disabled == PALETTES["dark"]["disabled"] != PALETTES["dark"]["muted"], (
        "a new user found disabled buttons looked enabled in dark mode: they were in the hints' colour"
    )
    dialog.cancel_button.invoke()
    assert background() == PALETTES["light"]["bg"]
    assert driver.app.settings.theme == "light"


def test_export_to_an_unwritable_place_is_explained(driver, dialogs, tmp_path):
    from difpy_tk.scan.result import SearchResult

    driver.app.show_result(SearchResult(parameters={}, files={}, groups=[]))
    dialogs.answers["asksaveasfilename"] = str(tmp_path / "no such folder" / "result.json")
    driver.app.screens["results"].export_json_button.invoke()
    name, args, _ = dialogs.calls[-1]
    assert name == "showerror" and "no such folder" in args[1]


def test_many_paths_that_cannot_be_imported_leave_the_folder_list_in_view(driver, image_folders, tmp_path):
    """A new user pasted eight wrong paths: their eight lines pushed the folder list and
    its Remove buttons out of the window at its default size."""
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    driver.root.geometry("900x620")
    step1.add_paths([str(image_folders[0])])
    if not step1.advanced.expanded:
        step1.advanced.toggle()
    step1.paste_var.set("; ".join(str(tmp_path / f"a{i}") for i in range(8)))
    step1.add_button.invoke()
    driver.update()
    lines = step1.paste_error.cget("text").splitlines()
    assert lines[0].endswith("a0: not found") and lines[1].endswith("a1: not found")
    assert lines[2:] == ["and 6 more paths that cannot be imported (they stay in the box above)"]
    assert step1.listbox.winfo_ismapped() and step1.listbox.winfo_height() >= 40
    assert step1.clear_button.winfo_ismapped()
    bottom = step1.clear_button.winfo_rooty() + step1.clear_button.winfo_height()
    assert bottom <= driver.root.winfo_rooty() + driver.root.winfo_height()
    step1.remove_all()
    step1.paste_var.set("")


def test_messages_clear_when_their_cause_is_fixed(driver, image_folders, tmp_path):
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    step1.paste_var.set(str(tmp_path / "nowhere"))
    step1.add_button.invoke()
    assert "not found" in step1.paste_error.cget("text")
    step1.paste_var.set(str(image_folders[0]))  # the user corrects the path in the box
    assert step1.paste_error.cget("text") == ""
    assert str(step1.paste_entry.cget("style")) == "TEntry"
    step1.add_button.invoke()

    step1.px_size_var.set("5")
    step1.next_button.invoke()
    assert step1.px_size_error.cget("text")
    step1.px_size_var.set("")  # still wrong: the message stays
    assert step1.px_size_error.cget("text")
    step1.px_size_var.set("150")
    assert step1.px_size_error.cget("text") == ""

    step2 = to_configure(driver, image_folders)
    step2.advanced.toggle_button.invoke()
    step2.mode_var.set("custom")
    step2.custom_var.set("abc")
    step2.start_button.invoke()
    assert step2.error.cget("text")
    step2.mode_var.set("similar")  # a preset needs no threshold
    assert step2.error.cget("text") == ""

    driver.app.show("menu")
    driver.app.screens["menu"].settings_button.invoke()
    from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog

    dialog = next(child for child in driver.root.winfo_children() if isinstance(child, SettingsDialog))
    dialog.chunksize_var.set("many")
    dialog.save_button.invoke()
    assert dialog.error.cget("text").startswith("Chunksize")
    dialog.chunksize_var.set("")
    assert dialog.error.cget("text") == ""
    dialog.cancel_button.invoke()


def test_results_show_the_space_the_copies_take(driver):
    from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult

    files = {name: FileRecord(name, size, 0, 10, 10) for name, size in (("a", 5000), ("b", 1500), ("c", 1000))}
    groups = [Group("a", (Match("b", 0.0), Match("c", 1.0)))]
    driver.app.show_result(SearchResult(parameters={}, files=files, groups=groups))
    assert driver.app.screens["results"].values["space"].get() == "2.5 KB"  # b and c, not the kept a


def test_results_name_images_chained_to_a_group(driver):
    from difpy_tk.scan.result import Chained, Group, Match, SearchResult

    groups = [Group("a", (Match("b", 4.0),))]
    driver.app.show_result(SearchResult(parameters={}, files={}, groups=groups, chained=[Chained("c", "b", 3.9)]))
    hint = driver.app.screens["results"].next_hint.cget("text")
    assert "1 more image is like an image of a group but not like the one kept" in hint


def test_dark_theme_reaches_drop_down_lists_and_menus(driver):
    from tkinter import ttk

    from difpy_tk.gui.theme import PALETTES, apply_theme

    combobox = ttk.Combobox(driver.root, values=["a", "b"])
    popdown = driver.root.tk.call("ttk::combobox::PopdownWindow", combobox)  # what Tk builds on first open
    menu = driver.app.screens["menu"].recent_folders
    apply_theme(driver.root, "dark")
    dark = PALETTES["dark"]
    assert str(driver.root.tk.call(f"{popdown}.f.l", "cget", "-background")) == dark["surface"]
    assert (str(menu.cget("background")), str(menu.cget("foreground"))) == (dark["surface"], dark["fg"])
    apply_theme(driver.root, "light")
    assert str(driver.root.tk.call(f"{popdown}.f.l", "cget", "-background")) == PALETTES["light"]["surface"]
    combobox.destroy()


EARLIER_RUN = (
    "import os, sys\n"
    "from difpy_tk.review import actions\n"
    "from difpy_tk.review.journal import Journal\n"
    "from difpy_tk.scan.result import FileRecord\n"
    "path = sys.argv[1]\n"
    "record = FileRecord(path, os.stat(path).st_size, os.stat(path).st_mtime_ns, 1, 1)\n"
    "assert actions.move_file(record, sys.argv[2], Journal()).ok\n"
)


def move_in_an_earlier_run(path, folder) -> None:
    """A move made by another process, journalled where this test's app reads."""
    subprocess.run([sys.executable, "-c", EARLIER_RUN, str(path), str(folder)], check=True)


def test_the_menu_puts_back_the_files_an_earlier_run_moved(driver, dialogs, tmp_path):
    """The confirmation of a move says "Undo puts moved files back"; after a restart the
    viewer's Undo knows nothing of it, and only `difpy-tk undo` could do it."""
    photo = tmp_path / "photos" / "copy.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"a copy of a photo")
    target = tmp_path / "moved"
    target.mkdir()
    move_in_an_earlier_run(photo, target)
    assert not photo.exists()
    menu = driver.app.screens["menu"]
    driver.app.show("menu")
    driver.update()
    assert menu.put_back_button.winfo_ismapped()
    assert menu.put_back_button.cget("text").startswith("Put back the files moved on 20")
    dialogs.answers["askyesno"] = True
    menu.put_back_button.invoke()
    driver.wait_until(lambda: any(name == "showinfo" for name, _, _ in dialogs.calls))
    question = next(args for name, args, _ in dialogs.calls if name == "askyesno")
    assert "Move 1 file back to where it was before the clean-up on 20" in question[1] and str(photo) in question[1]
    assert photo.read_bytes() == b"a copy of a photo" and not (target / "copy.jpg").exists()
    assert next(args for name, args, _ in dialogs.calls if name == "showinfo")[1] == "Put back 1 file."
    driver.update()
    assert not menu.put_back_button.winfo_ismapped(), "nothing left to put back"
    again = tmp_path / "photos" / "again.jpg"
    again.write_bytes(b"moved by this run")
    stat = again.stat()
    record = FileRecord(str(again), stat.st_size, stat.st_mtime_ns, 1, 1)
    assert actions.move_file(record, target, session_journal()).ok  # the viewer's Undo covers this one
    menu.refresh()
    driver.update()
    assert not menu.put_back_button.winfo_ismapped()


def test_moved_files_deleted_since_are_not_offered_to_put_back(driver, tmp_path):
    """Emptying the folder of moved copies is the usual end of a clean-up: the button then
    stayed for good, and each click said "Put back 0 files"."""
    photo = tmp_path / "photos" / "copy.jpg"
    photo.parent.mkdir()
    photo.write_bytes(b"a copy of a photo")
    (tmp_path / "dupes").mkdir()
    move_in_an_earlier_run(photo, tmp_path / "dupes")
    (tmp_path / "dupes" / "copy.jpg").unlink()  # the user emptied the folder
    menu = driver.app.screens["menu"]
    driver.app.show("menu")
    driver.update()
    assert not menu.put_back_button.winfo_ismapped()


def test_quitting_the_app_asks_when_a_viewer_holds_marks(driver, dialogs, tmp_path):
    """The viewer's marks die with the app too: quitting asks, as closing the viewer does."""
    from imagegen import picture, save

    from difpy_tk.gui.viewer import open_viewer
    from difpy_tk.review.journal import Journal
    from difpy_tk.scan.engine import run_search
    from difpy_tk.scan.options import SearchOptions

    folder = tmp_path / "photos"
    save(picture(1), folder / "a.png")
    save(picture(1), folder / "b.png")
    result = run_search(SearchOptions((str(folder),), processes=1, use_cache=False))
    viewer = open_viewer(driver.root, result, lambda _line: None, Journal(tmp_path / "actions.log"))
    driver.update()
    viewer.session.mark_all()
    dialogs.answers["askyesno"] = False
    driver.app.close()
    assert driver.root.winfo_exists() and viewer.winfo_exists(), "the user said no: nothing closed"
    assert [name for name, _, _ in dialogs.calls] == ["askyesno"]
    (title, question), parent = dialogs.calls[0][1], dialogs.calls[0][2]["parent"]
    assert title == "Quit difpy_tk?" and question.endswith("Quitting difpy_tk forgets the marks; nothing has been "
                                                            "moved or deleted.\n\nQuit anyway?")
    assert parent is viewer and viewer.focus_get() is not None, "asked over the viewer, brought forward"
    driver.press("<Control-q>", viewer)  # quitting from the viewer asks the same (a trial: Ctrl+Q did nothing)
    assert driver.root.winfo_exists() and [name for name, _, _ in dialogs.calls] == ["askyesno", "askyesno"]
    dialogs.answers["askyesno"] = True
    closed = driver.root
    driver.press("<Control-q>", viewer)
    with pytest.raises(tk.TclError, match="destroyed"):
        closed.winfo_exists()
    driver._open()  # a new app for the fixture to close
    with pytest.raises(tk.TclError, match="destroyed"):
        closed.winfo_exists()


@pytest.mark.parametrize("damaged", [1, 3])
def test_damaged_state_files_set_aside_are_said_on_the_start_screen(driver, damaged):
    """A safety trial: settings reset to defaults and hidden pairs came back with only a
    log line to say why; then four notices ran off the smallest window: one notice says
    them all."""
    from difpy_tk.state.recent_folders import recent_path
    from difpy_tk.state.result_history import INDEX_FILE, history_dir
    from difpy_tk.state.settings import settings_path

    driver.app.close()
    for path in [settings_path(), recent_path(), history_dir() / INDEX_FILE][:damaged]:
        path.write_text('{"theme": ', encoding="utf-8")
    driver._open()
    menu = driver.app.screens["menu"]
    labels = menu.notices.winfo_children()
    (text,) = [label.cget("text") for label in labels]
    # The protected folders, Leave out list and keeper order live in settings.json: said, so
    # a user checks them before cleaning up (a trial was told only that defaults apply).
    lost = ("Your protected folders, Leave out list and keeper order are back to the defaults until you set them "
            "again: check Settings › Protected before cleaning up.")
    if damaged == 1:
        assert text.startswith("settings.json was damaged and has been put aside as settings.json.damaged-")
        assert text.endswith(f"difpy_tk uses defaults in its place. {lost}")
    else:
        assert text == (
            "3 damaged files were put aside as <name>.damaged-<time> beside them (settings.json, "
            f"recent_folders.json, index.json); difpy_tk uses defaults in their place. {lost}"
        )
    driver.root.geometry("720x560")  # the smallest window: notices take the logo's place, all on it
    driver.update()
    assert not menu._logo_label.winfo_ismapped()
    content_bottom = menu.content.winfo_rooty() + menu.content.winfo_height()
    assert all(label.winfo_rooty() + label.winfo_height() <= content_bottom for label in labels)
    assert menu._title.winfo_rooty() >= menu.content.winfo_rooty()


def test_four_notices_fit_the_smallest_window(driver, monkeypatch):
    """A read-only home (three folders) and damaged files at once: a check of the fix saw
    the title cut off at the top and the fourth notice at the bottom."""
    from difpy_tk.state import appdirs

    long = "The settings folder /home/someone/.config/difpy_tk cannot be written, so changes last until it closes."
    monkeypatch.setattr(appdirs, "notices", lambda: [long] * 4)
    driver.root.geometry("720x560")
    menu = driver.app.screens["menu"]
    menu.refresh()
    driver.update()
    labels = menu.notices.winfo_children()
    assert len(labels) == 4
    content_bottom = menu.content.winfo_rooty() + menu.content.winfo_height()
    assert all(label.winfo_rooty() + label.winfo_height() <= content_bottom for label in labels)
    assert menu._title.winfo_rooty() >= menu.content.winfo_rooty()


def test_the_result_counts_what_was_not_searched_as_files_and_folders(tmp_path):
    """A trial: an unreadable folder was counted as one of "2 files were not searched", and
    "18 images remembered" stood beside "17 Files searched" (one was remembered as unreadable).
    The folder need not be there any more when the result is shown (a saved one)."""
    from difpy_tk.gui.screens.results import details, figures, next_steps
    from difpy_tk.review.keeper import KeeperRule
    from difpy_tk.scan.result import FileRecord, Problem, SearchResult

    files = {str(tmp_path / name): FileRecord(str(tmp_path / name), 10, 0, 8, 8) for name in ("a.jpg", "b.jpg")}
    result = SearchResult(parameters={}, files=files, groups=[], cache_hits=3,
                          invalid=[Problem(str(tmp_path / "broken.jpg"), "damaged")],
                          skipped=[Problem(str(tmp_path / "locked"), "folder cannot be read", folder=True),
                                   Problem(str(tmp_path / "notes.txt"), "not an image"),
                                   Problem(str(tmp_path / "@eaDir"), "left out", folder=True, left_out=True)])
    unsearched = "2 files and 1 folder were not searched; View Logs lists each one with the reason."
    assert next_steps(result).endswith(
        unsearched + "\n1 file or folder left out as the search was asked (Settings › Leave out, or --exclude).")
    assert figures(result, KeeperRule())["skipped"] == "2"
    assert details(result).endswith(" · 3 of 3 files remembered from earlier searches")
    result.skipped = result.skipped[:1]
    result.invalid = []  # the left-out folder is no longer among them
    assert next_steps(result).endswith("1 folder was not searched; View Logs lists it with the reason.")
