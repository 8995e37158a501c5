"""The Cache tab of Settings: the size limit is checked, shown on its own tab when wrong,
and saved; Clear says what it freed."""

from __future__ import annotations

from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
from difpy_tk.scan.cache_files import default_cache_path
from difpy_tk.state.settings import load_settings


def _open(driver) -> SettingsDialog:
    driver.app.screens["menu"].settings_button.invoke()
    return next(child for child in driver.root.winfo_children() if isinstance(child, SettingsDialog))


def test_the_size_limit_is_checked_and_saved(driver):
    dialog = _open(driver)
    assert dialog.cache_limit_var.get() == "1000"
    dialog.notebook.select(0)
    dialog.cache_limit_var.set("10")
    dialog.save_button.invoke()
    assert dialog.winfo_exists()
    assert dialog.notebook.select() == str(dialog.cache_tab)
    assert "50 to 1,000,000" in dialog.cache_error.cget("text")
    dialog.cache_limit_var.set("2500")
    assert dialog.cache_error.cget("text") == ""
    dialog.save_button.invoke()
    assert not dialog.winfo_exists()
    assert driver.app.settings.cache_limit_mb == 2500 == load_settings().cache_limit_mb


def test_clear_shows_what_it_freed_including_damaged_copies(driver):
    path = default_cache_path()
    path.write_bytes(b"x" * 4000)
    path.with_name(f"{path.name}.damaged-20260101-000000").write_bytes(b"y" * 1000)
    dialog = _open(driver)
    assert dialog.cache_var.get() == "Cache size: 5.0 KB"
    dialog.clear_cache_button.invoke()
    assert dialog.cache_var.get() == "Cache cleared: 5.0 KB freed."
    assert list(path.parent.iterdir()) == []
    dialog.cancel_button.invoke()
