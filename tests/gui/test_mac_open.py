"""Folders dropped on the macOS Dock icon arrive as ::tk::mac::OpenDocument calls.

Tk only calls that command on aqua; here the handler is installed as on aqua and the
command is called the way Tk calls it, with the paths as arguments."""

from __future__ import annotations

from difpy_tk.gui.mac_open import OPEN_DOCUMENT, install_open_document


def test_not_installed_outside_macos(driver):
    assert install_open_document(driver.app) is False


def test_folders_opened_from_the_dock_land_in_step_one(driver, tmp_path):
    first, second = tmp_path / "holiday photos", tmp_path / "scans"
    first.mkdir()
    second.mkdir()
    assert install_open_document(driver.app, windowing_system="aqua") is True
    assert driver.screen("menu")
    driver.root.tk.call(OPEN_DOCUMENT, str(first), str(second))
    driver.update()
    assert driver.screen("import")
    assert driver.app.screens["import"].folders == [str(first), str(second)]
    # a second drop adds to the list, without duplicates
    driver.root.tk.call(OPEN_DOCUMENT, str(second))
    driver.update()
    assert driver.app.screens["import"].folders == [str(first), str(second)]
