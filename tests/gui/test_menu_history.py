"""The main menu's memory: results saved by themselves, recent folder sets, where Browse
opens, and the About box."""

from __future__ import annotations

import platformdirs

from difpy_tk import APP_NAME, __version__
from difpy_tk.gui.dialogs.about_dialog import AboutDialog, LicencesWindow
from difpy_tk.gui.screens.results import figures
from difpy_tk.licensing import notice_text
from difpy_tk.review import ignore_list
from difpy_tk.state.recent_folders import load_recent_folders
from difpy_tk.state.result_history import saved_results


def newest(parent, kind):
    return [child for child in parent.winfo_children() if isinstance(child, kind)][-1]


def search(driver, folders):
    app = driver.app
    app.settings.processes = 1
    app.show("import")
    app.screens["import"].add_paths(map(str, folders))
    app.screens["import"].next_button.invoke()
    app.screens["configure"].mode_var.set("similar")
    app.screens["configure"].start_button.invoke()
    driver.wait_until(lambda: driver.screen("results"))


def test_a_finished_search_is_saved_and_reopens_from_the_menu(driver, image_folders):
    menu = driver.app.screens["menu"]
    assert menu.last_button.instate(["disabled"]) and menu.recent_results_button.instate(["disabled"])
    search(driver, image_folders[:1])
    search(driver, image_folders)
    shown = {key: variable.get() for key, variable in driver.app.screens["results"].values.items()}
    assert [entry.folders for entry in saved_results()] == [tuple(map(str, image_folders)), (str(image_folders[0]),)]

    driver.restart()  # the history outlives the app
    menu = driver.app.screens["menu"]
    assert menu.recent_results.index("end") == 1  # two entries, newest first
    assert "photos, more" in menu.recent_results.entrycget(0, "label")
    results = driver.app.screens["results"]
    assert results.heading.cget("text") == "Search complete"
    menu.last_button.invoke()
    assert driver.screen("results")
    assert results.heading.cget("text") == "Saved search result", "a new user took it for a new search"
    assert results.next_hint.cget("text").startswith("This is a saved result of a search started 20")
    again = {key: variable.get() for key, variable in driver.app.screens["results"].values.items()}
    assert again == {**shown, "duration": again["duration"]}
    assert again == figures(driver.app.result, driver.app.settings.keeper_rule())

    driver.app.show("menu")
    menu.recent_results.invoke(1)
    assert driver.screen("results") and driver.app.result.files_searched < len(driver.app.result.files) + 10
    assert driver.app.result.parameters["directory"] == [str(image_folders[0])]


def test_a_reopened_result_leaves_out_what_was_marked_not_a_duplicate_since(driver, image_folders):
    search(driver, image_folders[:1])
    group = driver.app.result.groups[0]
    ignore_list.add([group.kept, *(match.path for match in group.matches)])  # "Not a duplicate" in the viewer
    driver.app.show("menu")
    driver.app.screens["menu"].last_button.invoke()
    assert driver.screen("results")
    assert group.kept not in {shown.kept for shown in driver.app.result.groups}


def test_a_reopened_result_counts_only_the_images_still_there(driver, image_folders, dialogs, tmp_path):
    """A trial: a saved result opened again after its copies were trashed still counted
    them on its results screen, while the viewer left them out."""
    from difpy_tk.gui.viewer.window import ViewerWindow
    from difpy_tk.review.vanished import still_there
    from difpy_tk.scan.result_io import write_json

    search(driver, image_folders)
    saved = driver.app.result
    write_json(saved, tmp_path / "saved.json")
    (image_folders[0] / "copy.png").unlink()  # trashed since
    dialogs.answers["askopenfilename"] = str(tmp_path / "saved.json")
    driver.app.screens["menu"].open_button.invoke()
    results = driver.app.screens["results"]
    driver.wait_until(lambda: not results._looker.busy)
    shown = {key: variable.get() for key, variable in results.values.items()}
    expected = still_there(driver.app.result, [str(image_folders[0] / "copy.png")])
    rule = driver.app.settings.keeper_rule()
    assert shown == figures(expected, rule) != figures(saved, rule)
    assert (shown["duplicates"], shown["similar"], shown["groups"]) == ("2", "1", "1")
    assert results.headline.cget("text") == "Found 3 matches in 1 group: 2 duplicate, 1 similar."
    assert ("1 image of this result is no longer where the search found it (moved, renamed or deleted since): left "
            "out of these figures.") in results.next_hint.cget("text").splitlines()
    assert results.viewer_button.instate(["!disabled"])
    results.open_viewer()  # as its button does, which holds a moment after a search ends
    viewer = next(child for child in driver.root.winfo_children() if isinstance(child, ViewerWindow))
    driver.wait_until(lambda: not viewer.file_worker.busy)
    assert viewer.group_list.title.cget("text") == "1 group · 4 images", "as the viewer shows it"


def test_the_results_count_again_when_the_viewer_closes(driver, image_folders):
    """A review: after the viewer trashed copies, the results screen of the search still
    counted them (only a saved result opened again was counted again)."""
    from difpy_tk.gui.viewer.window import ViewerWindow

    search(driver, image_folders)
    results = driver.app.screens["results"]
    before = {key: variable.get() for key, variable in results.values.items()}
    results.open_viewer()
    viewer = next(child for child in driver.root.winfo_children() if isinstance(child, ViewerWindow))
    copy = image_folders[0] / "copy.png"
    kept_aside = copy.read_bytes()
    copy.unlink()  # as a move or the Trash would
    viewer.close()
    driver.wait_until(lambda: not results._looker.busy)
    after = {key: variable.get() for key, variable in results.values.items()}
    assert (before["duplicates"], after["duplicates"]) == ("3", "2") and after["groups"] == before["groups"]
    assert "left out of these figures" in results.next_hint.cget("text")
    copy.write_bytes(kept_aside)  # as an undo would
    results.open_viewer()
    next(child for child in driver.root.winfo_children() if isinstance(child, ViewerWindow)).close()
    driver.wait_until(lambda: not results._looker.busy)
    assert {key: variable.get() for key, variable in results.values.items()} == before
    assert "left out of these figures" not in results.next_hint.cget("text")


def test_recent_folder_sets_start_step_one_again(driver, image_folders):
    search(driver, image_folders)
    assert load_recent_folders().sets == [[str(folder) for folder in image_folders]]
    driver.restart()
    menu = driver.app.screens["menu"]
    assert menu.recent_folders.entrycget(0, "label") == "photos, more"
    menu.recent_folders.invoke(0)
    assert driver.screen("import")
    assert driver.app.screens["import"].folders == [str(folder) for folder in image_folders]


def test_browse_starts_in_pictures_then_beside_the_last_folder(driver, dialogs, image_folders, tmp_path, monkeypatch):
    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    monkeypatch.setattr(platformdirs, "user_pictures_dir", lambda: str(pictures))
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    assert step1.browse_button.cget("text") == "Browse…"
    dialogs.answers["askdirectory"] = str(image_folders[0])
    step1.browse_button.invoke()
    assert dialogs.calls[-1][2]["initialdir"] == str(pictures)
    assert step1.browse_button.cget("text") == "Browse for another…"
    dialogs.answers["askdirectory"] = str(image_folders[1])
    step1.browse_button.invoke()
    assert dialogs.calls[-1][2]["initialdir"] == str(image_folders[0].parent)
    assert dialogs.calls[-1][2]["title"] == "Add another folder"
    assert step1.folders == [str(folder) for folder in image_folders]


def test_about_shows_version_licence_and_links(driver):
    driver.app.screens["menu"].about_button.invoke()
    about = newest(driver.root, AboutDialog)
    assert about.title() == f"About {APP_NAME}"
    assert about.version_label.cget("text") == f"Version {__version__} · MIT licence"
    assert about.guide is not None and about.guide.name == "user-guide.html"
    guide = about.guide.read_text(encoding="utf-8")  # for users, not the developers' README
    assert "Start Search" in guide and "Not a duplicate" in guide and "pip install" not in guide
    assert about.logs_button.instate(["!disabled"])
    about.licences_button.invoke()
    licences = newest(about, LicencesWindow)
    assert licences.text.get("1.0", "end-1c") == notice_text()
    driver.press("<Escape>", licences.close_button)
    assert not licences.winfo_exists()
    driver.press("<Escape>", about.close_button)
    assert not about.winfo_exists()


def test_about_says_plainly_when_nothing_can_open_a_folder(driver, monkeypatch):
    from difpy_tk import system_open

    def no_opener(args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", args[0])

    monkeypatch.setattr(system_open.sys, "platform", "linux")
    monkeypatch.setattr(system_open.subprocess, "Popen", no_opener)
    driver.app.screens["menu"].about_button.invoke()
    about = newest(driver.root, AboutDialog)
    about.logs_button.invoke()
    assert "xdg-open was not found" in about.status.cget("text")
    driver.update()  # the message grows the dialog: Licences and Close stay in it
    assert about.winfo_reqheight() <= about.winfo_height(), "part of the dialog is cut off"
    about.destroy()
