"""The whole app, driven through its real widgets: import, configure, search, cancel,
search again, results, logs, export, settings and a restart."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from difpy_tk.gui.dialogs.logs_dialog import LogsDialog
from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
from difpy_tk.gui.screens import base
from difpy_tk.gui.screens import results as results_screen
from difpy_tk.gui.screens.results import figures
from difpy_tk.scan import engine
from difpy_tk.state.settings import Settings, load_settings, settings_path

from .test_screens import to_configure


def open_dialog(driver, kind):
    """The newest toplevel of class `kind`: dialogs are opened by buttons, not by tests."""
    dialogs = [child for child in driver.root.winfo_children() if isinstance(child, kind)]
    assert dialogs, f"no {kind.__name__} is open"
    return dialogs[-1]


@pytest.fixture
def one_process(driver):
    """Set processes to 1 through the settings dialog: fast on a 2-core CI machine."""
    driver.app.screens["menu"].settings_button.invoke()
    dialog = open_dialog(driver, SettingsDialog)
    dialog.processes_var.set("1")
    dialog.save_button.invoke()
    driver.update()
    assert not dialog.winfo_exists()
    return driver


def held_search(monkeypatch):
    """Make the engine wait after its first progress report until the user cancels,
    so the test cancels a search that is really running, at a known moment."""
    real = engine.run_search

    def run_search(options, progress=None, cancel=None, **kwargs):
        def progress_then_wait(phase, done, total):
            progress(phase, done, total)
            deadline = time.monotonic() + 10
            while not cancel.cancelled and time.monotonic() < deadline:
                time.sleep(0.01)

        return real(options, progress_then_wait, cancel, **kwargs)

    monkeypatch.setattr(engine, "run_search", run_search)
    return real


def test_whole_flow(one_process, image_folders, monkeypatch, dialogs, tmp_path):
    driver = one_process
    app = driver.app
    first, second = image_folders
    missing = tmp_path / "no such folder"

    app.screens["menu"].start_button.invoke()
    assert driver.screen("import")
    step1 = app.screens["import"]
    assert not step1.advanced.expanded
    assert step1.in_folder_check.instate(["disabled"])
    assert step1.next_button.instate(["disabled"])

    step1.paste_var.set(f"{first}; {missing} ;{first / 'original.png'}")
    driver.press("<Return>", step1.paste_entry)
    assert step1.folders == [str(first)]
    assert step1.paste_var.get() == f"{missing}; {first / 'original.png'}"
    assert "not found" in step1.paste_error.cget("text")
    assert "not a folder" in step1.paste_error.cget("text")
    assert step1.in_folder_check.instate(["disabled"])

    step1.paste_var.set(f'"{second}"')  # the user fixes the box; quotes as "Copy as path" adds them
    step1.add_button.invoke()
    assert step1.folders == [str(first), str(second)]
    assert step1.paste_error.cget("text") == ""
    assert step1.in_folder_check.instate(["!disabled"])
    assert list(step1.listbox.get(0, "end")) == [str(first), str(second)]

    driver.press("<Return>", step1.paste_entry)
    assert driver.screen("configure")
    step2 = app.screens["configure"]
    step2.mode_var.set("similar")

    real_search = held_search(monkeypatch)
    driver.press("<Return>", step2.start_button)
    assert driver.screen("searching")
    searching = app.screens["searching"]
    driver.wait_until(lambda: "Finding images" in searching.phase_var.get())
    driver.press("<Escape>", searching.cancel_button)
    assert searching.phase_var.get() == "Cancelling…"
    assert driver.wait_until(lambda: driver.screen("configure"), timeout=5) < 2
    assert "Search cancelled." in app.logbook.lines  # cancelled while listing: nothing decoded yet
    assert step2.notice.cget("text") == "Search cancelled."

    monkeypatch.setattr(engine, "run_search", real_search)
    step2.start_button.invoke()
    driver.wait_until(lambda: driver.screen("results"))

    options = load_settings().search_options()
    assert options.threshold == 5.0 and options.processes == 1
    assert options.inputs == (str(first), str(second))
    expected = engine.run_search(options)
    results = app.screens["results"]
    shown = {key: variable.get() for key, variable in results.values.items()}
    assert shown == {**figures(expected, load_settings().keeper_rule()), "duration": shown["duration"]}
    assert (shown["duplicates"], shown["similar"], shown["invalid"]) == ("3", "1", "1")
    assert results.headline.cget("text") == "Found 4 matches in 1 group: 3 duplicate, 1 similar."

    driver.wait_until(lambda: not results.held(), timeout=2)  # see the test below
    results.logs_button.invoke()
    logs = open_dialog(driver, LogsDialog)
    text = logs.contents()
    assert str(first / "broken.jpg") in text
    assert "Search finished" in text  # a live record of the engine's logger
    app.logbook.add("moved a file")  # what the viewer's log callable does
    assert logs.contents().rstrip().endswith("moved a file")
    logs.copy_button.invoke()
    assert driver.root.clipboard_get() == logs.contents()
    dialogs.answers["asksaveasfilename"] = str(tmp_path / "log.txt")
    logs.save_button.invoke()
    assert (tmp_path / "log.txt").read_text(encoding="utf-8") == logs.contents()
    driver.press("<Escape>", logs.close_button)
    assert not logs.winfo_exists()

    dialogs.answers["asksaveasfilename"] = str(tmp_path / "result.csv")
    results.export_csv_button.invoke()
    assert (tmp_path / "result.csv").read_text(encoding="utf-8").count("\n") >= 4
    asked = [kwargs for name, _args, kwargs in dialogs.calls if name == "asksaveasfilename"][-1]
    assert asked["initialdir"] == str(Path.home()), "not the folder the app was started from"
    assert re.fullmatch(rf"difpy_tk-{first.name}-\d{{4}}-\d\d-\d\d\.csv", asked["initialfile"])
    assert results.saved_to.cget("text") == f"Saved to {tmp_path / 'result.csv'}"
    dialogs.answers["asksaveasfilename"] = str(tmp_path / "result.json")
    results.export_json_button.invoke()
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    asked = [kwargs for name, _args, kwargs in dialogs.calls if name == "asksaveasfilename"][-1]
    assert asked["initialdir"] == str(tmp_path), "then where the last export went"

    results.new_button.invoke()
    assert driver.screen("import")
    assert step1.folders == [str(first), str(second)]


def test_saved_result_reopens(driver, image_folders, dialogs, tmp_path):
    from difpy_tk.scan.options import SearchOptions
    from difpy_tk.scan.result_io import write_json

    result = engine.run_search(SearchOptions(inputs=tuple(map(str, image_folders)), processes=1))
    write_json(result, tmp_path / "saved.json")
    dialogs.answers["askopenfilename"] = str(tmp_path / "saved.json")
    driver.app.screens["menu"].open_button.invoke()
    assert driver.screen("results")
    shown = {key: variable.get() for key, variable in driver.app.screens["results"].values.items()}
    assert shown == figures(result, load_settings().keeper_rule())

    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    dialogs.answers["askopenfilename"] = str(tmp_path / "bad.json")
    driver.app.show("menu")
    driver.app.screens["menu"].open_button.invoke()
    assert driver.screen("menu")
    assert dialogs.calls[-1][0] == "showerror"


def test_settings_persist_across_restarts(driver, image_folders):
    menu = driver.app.screens["menu"]
    menu.settings_button.invoke()
    dialog = open_dialog(driver, SettingsDialog)
    dialog.processes_var.set("0")
    dialog.save_button.invoke()
    assert dialog.winfo_exists()
    assert "Processes" in dialog.error.cget("text")
    dialog.processes_var.set("1")
    dialog.chunksize_var.set("many")
    driver.press("<Return>", dialog.save_button)
    assert "Chunksize" in dialog.error.cget("text")
    dialog.chunksize_var.set("256")
    dialog.theme_var.set("dark")
    dialog.preview_theme()
    dialog.save_button.invoke()
    assert not dialog.winfo_exists()

    menu.start_button.invoke()
    step1 = driver.app.screens["import"]
    step1.add_paths(map(str, image_folders))
    step1.in_folder_var.set(True)
    step1.advanced.toggle()
    step1.px_size_var.set("100")
    step1.next_button.invoke()
    driver.app.screens["configure"].rotate_var.set(False)

    driver.restart()
    settings = load_settings()
    assert (settings.processes, settings.chunksize, settings.theme) == (1, 256, "dark")
    assert settings.folders == [str(path) for path in image_folders]
    assert (settings.in_folder, settings.px_size, settings.rotate) == (True, 100, False)
    driver.app.show("import")
    assert driver.app.screens["import"].folders == settings.folders

    driver.app.screens["menu"].settings_button.invoke()
    dialog = open_dialog(driver, SettingsDialog)
    assert (dialog.processes_var.get(), dialog.chunksize_var.get()) == ("1", "256")
    dialog.reset_button.invoke()
    assert dialog.chunksize_var.get() == ""
    dialog.cancel_button.invoke()
    assert load_settings().chunksize == 256


@pytest.fixture
def corrupt_settings():
    settings_path().write_text("{broken", encoding="utf-8")


def test_corrupt_settings_file_starts_with_defaults(corrupt_settings, driver):
    assert driver.app.settings == Settings()
    driver.wait_until(lambda: any(str(settings_path()) in line for line in driver.app.logbook.lines))
    assert driver.screen("menu")


def test_what_every_search_leaves_out_is_set_in_settings(driver, dialogs, tmp_path):
    driver.app.screens["menu"].settings_button.invoke()
    dialog = open_dialog(driver, SettingsDialog)
    tab = dialog.exclusions_frame
    dialog.notebook.select(1)
    tab.name_var.set("  @eaDir ")
    driver.press("<Return>", tab.name_entry)  # Enter adds the name; it does not save the dialog
    dialogs.answers["askdirectory"] = str(tmp_path / "Backup")
    tab.add_folder_button.invoke()
    tab.name_var.set("a\0b")
    tab.add_name_button.invoke()
    assert tab.error.cget("text").startswith("exclude:") and tab.name_var.get() == "a\0b"
    assert list(tab.listbox.get(0, "end")) == ["@eaDir", str(tmp_path / "Backup")]
    tab.listbox.selection_set(1)
    tab.remove_button.invoke()
    dialog.save_button.invoke()
    driver.update()
    assert load_settings().exclude == ["@eaDir"] == driver.app.settings.exclude


def test_recent_folders_are_kept_when_the_settings_cannot_be(driver, monkeypatch, tmp_path):
    """A review: settings.json that cannot be replaced kept the recent folders unsaved too."""
    import errno

    from difpy_tk.gui import app as app_module
    from difpy_tk.state.recent_folders import load_recent_folders, remember_set

    def refused(settings):
        raise PermissionError(errno.EACCES, "Permission denied", str(settings_path()))

    monkeypatch.setattr(app_module, "save_settings", refused)
    remember_set(driver.app.recent, [str(tmp_path)])
    driver.app._save_settings()
    assert str(tmp_path) in str(load_recent_folders())


def test_settings_that_cannot_be_kept_still_apply_and_say_so_once(driver, dialogs, monkeypatch):
    """A trial with a read-only settings folder: Save seemed to do nothing (its error was on
    a tab not shown), the dialog stayed open, and Cancel then kept the change."""
    import errno

    from difpy_tk.gui.dialogs import settings_dialog

    def refused(settings):
        temporary = str(settings_path().parent / ".settings.json.8kpr1f4z.tmp")
        raise PermissionError(errno.EACCES, "Permission denied", temporary)

    monkeypatch.setattr(settings_dialog, "save_settings", refused)
    driver.app.screens["menu"].settings_button.invoke()
    dialog = open_dialog(driver, SettingsDialog)
    dialog.theme_var.set("dark")
    dialog.save_button.invoke()
    driver.update()
    assert not dialog.winfo_exists() and driver.app.settings.theme == "dark"
    (_name, (title, message), _kwargs), = [call for call in dialogs.calls if call[0] == "showwarning"]
    assert title == "Settings not kept" and message == (
        f"The new settings apply until difpy_tk closes, but they cannot be kept for next time: its folder "
        f"{settings_path().parent} cannot be written (permission denied)."
    )


def test_a_list_found_damaged_by_the_search_is_said_on_its_result(one_process, image_folders):
    """The not-a-duplicate list is read by the search: set aside as damaged, its hidden
    pairs come back, and only the start screen said why (a new user never went back there)."""
    from difpy_tk.review import ignore_list

    driver = one_process
    ignore_list.default_path().parent.mkdir(parents=True, exist_ok=True)
    ignore_list.default_path().write_text("{damaged", encoding="utf-8")
    to_configure(driver, image_folders).start_button.invoke()
    driver.wait_until(lambda: driver.screen("results"))
    results = driver.app.screens["results"]
    notice = results.notice.cget("text")
    assert ignore_list.default_path().name in notice and "put aside" in notice and results.notice.winfo_ismapped()
    driver.app.show("menu")  # the start screen says it too, and then it is old news
    driver.update()
    to_configure(driver, image_folders).start_button.invoke()
    driver.wait_until(lambda: driver.screen("results"))
    assert results.notice.cget("text") == "" and not results.notice.winfo_ismapped()


def test_cancel_says_what_was_kept_and_the_next_search_uses_it(one_process, image_folders, monkeypatch):
    driver = one_process
    app = driver.app
    real = engine.run_search

    def held_after_decoding(options, progress=None, cancel=None, **kwargs):
        def report(phase, done, total):
            progress(phase, done, total)
            if phase == "decoding" and done == total:  # every image decoded, then the user cancels
                while not cancel.cancelled:
                    time.sleep(0.01)

        return real(options, report, cancel, **kwargs)

    monkeypatch.setattr(engine, "run_search", held_after_decoding)
    step2 = to_configure(driver, image_folders)
    step2.start_button.invoke()
    searching = app.screens["searching"]
    driver.wait_until(lambda: searching.count_var.get().startswith("9 of 9 images"))
    searching.cancel_button.invoke()
    driver.wait_until(lambda: driver.screen("configure"), timeout=5)
    expected = "Search cancelled — 9 images were already decoded and are kept for next time."
    assert step2.notice.cget("text") == expected
    assert app.logbook.lines[-1] == expected

    monkeypatch.setattr(engine, "run_search", real)
    step2.start_button.invoke()
    assert step2.notice.cget("text") == ""
    driver.wait_until(lambda: driver.screen("results"))
    assert app.result.cache_hits == 9


def test_a_click_meant_for_cancel_does_not_leave_the_result(one_process, image_folders, monkeypatch):
    """The search ends under the user's hand: 'Main menu' now sits where Cancel was,
    and Esc, which cancelled, now goes to the menu. For a moment, neither acts."""
    clock = [1000.0]
    monkeypatch.setattr(base, "time", SimpleNamespace(monotonic=lambda: clock[0]))  # only the hold's clock
    driver = one_process
    step2 = to_configure(driver, image_folders)
    step2.start_button.invoke()
    driver.wait_until(lambda: driver.screen("results"))
    results = driver.app.screens["results"]

    opened = []
    monkeypatch.setattr(results_screen, "viewer_part", lambda *args: lambda *a, **k: opened.append(1))
    assert driver.root.focus_lastfor() is results.viewer_button  # Enter and Space act on it

    clock[0] += base.HOLD_SECONDS * 0.9
    results.menu_button.invoke()
    driver.press("<Escape>", results.menu_button)
    results.new_button.invoke()
    driver.press("<Return>", results.viewer_button)
    driver.press("<space>", results.viewer_button)
    assert driver.screen("results") and not opened

    clock[0] += base.HOLD_SECONDS * 0.2
    driver.press("<Return>", results.viewer_button)
    assert opened == [1]
    results.menu_button.invoke()
    assert driver.screen("menu")
    driver.app.screens["menu"].last_button.invoke()  # a result opened by the user is not held
    driver.press("<Escape>", driver.app.screens["results"].menu_button)
    assert driver.screen("menu")

    places = []
    cancel = driver.app.screens["searching"].cancel_button
    for name, button in (("searching", cancel), ("results", results.menu_button)):
        driver.app.show(name)
        driver.update()
        places.append((button.winfo_rootx(), button.winfo_rooty()))
    assert places[0] == places[1]  # the premise: the same spot of the window
