"""The keyboard rules every window follows, and every window fitting a small laptop screen."""

from __future__ import annotations

import itertools
import tkinter as tk
from tkinter import ttk

import pytest

from difpy_tk.gui.dialogs.logs_dialog import LogsDialog
from difpy_tk.gui.dialogs.settings_dialog import SettingsDialog
from difpy_tk.gui.widgets import SMALLEST_SCREEN, WINDOW_FRAME, dpi_scale, fit_to_screen, keep_on_screen
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult

ROOM = (SMALLEST_SCREEN[0] - WINDOW_FRAME[0], SMALLEST_SCREEN[1] - WINDOW_FRAME[1])
"""The client area a window gets on a 1280×720 screen with a taskbar (a 1366×768 one has more)."""


def newest(driver, kind):
    return [child for child in driver.root.winfo_children() if isinstance(child, kind)][-1]


def a_result() -> SearchResult:
    files = {name: FileRecord(name, 1000, 0, 40, 30) for name in ("a.png", "b.png", "c.png")}
    return SearchResult(parameters={}, files=files, groups=[Group("a.png", (Match("b.png", 0.0), Match("c.png", 2.0)))])


def focus_chain(start: tk.Misc) -> list[tk.Misc]:
    """The widgets Tab visits from `start`, in order, once round."""
    chain = [start]
    while True:
        following = chain[-1].tk_focusNext()
        if following is None or following in chain:
            return chain
        chain.append(following)


def assert_reading_order(chain: list[tk.Misc]) -> None:
    """Each next widget is below the previous one, or beside it on its right."""
    for before, after in itertools.pairwise(chain):
        top, left = before.winfo_rooty(), before.winfo_rootx()
        bottom = top + before.winfo_height()
        next_top, next_left = after.winfo_rooty(), after.winfo_rootx()
        below = next_top >= bottom - 4
        beside = next_top >= top - 4 and next_left > left
        assert below or beside, f"Tab goes from {before} to {after}, which is above or to its left"


def test_enter_presses_the_focused_button_not_the_default(driver):
    menu = driver.app.screens["menu"]
    driver.press("<Return>", menu.settings_button)
    assert driver.screen("menu")  # not step 1, which Enter used to start whatever had focus
    dialog = newest(driver, SettingsDialog)
    driver.press("<Return>", dialog.cancel_button)
    assert not dialog.winfo_exists()
    driver.press("<KP_Enter>", menu.start_button)
    assert driver.screen("import")


def test_enter_presses_a_button_of_tks_own_dialogs(driver, monkeypatch):
    """A message box's OK is made by Tk's own script, not by tkinter: Python sees only its
    name. Enter on it used to raise "'str' object has no attribute 'event_generate'"."""
    pressed = []
    command = driver.root.register(lambda: pressed.append(1))
    name = driver.root.tk.call("ttk::button", ".tk_dialog_ok", "-text", "OK", "-command", command)
    driver.root.tk.call("pack", name)
    errors = []
    monkeypatch.setattr(driver.root, "report_callback_exception", lambda *info: errors.append(info[1]))
    driver.root.tk.call("focus", "-force", name)
    driver.update()
    driver.root.tk.call("event", "generate", name, "<Return>")
    driver.update()
    driver.root.tk.call("destroy", name)
    assert pressed == [1] and errors == []


def test_enter_in_a_field_runs_the_default_action(driver, image_folders):
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    step1.paste_var.set(str(image_folders[0]))
    driver.press("<Return>", step1.paste_entry)
    assert step1.folders == [str(image_folders[0])]
    driver.press("<Return>", step1.listbox)  # the folder list is not a field: nothing happens
    assert driver.screen("import")
    driver.press("<Return>", step1.paste_entry)  # an empty paste box: Enter goes on
    assert driver.screen("configure")

    driver.app.show("menu")
    driver.app.screens["menu"].settings_button.invoke()
    dialog = newest(driver, SettingsDialog)
    dialog.processes_var.set("1")
    driver.press("<Return>", dialog.processes_spin)
    assert not dialog.winfo_exists()
    assert driver.app.settings.processes == 1


def test_escape_closes_every_dialog(driver):
    driver.app.show_result(a_result())
    driver.app.screens["results"].logs_button.invoke()
    logs = newest(driver, LogsDialog)
    driver.press("<Escape>", logs.text)
    assert not logs.winfo_exists()
    driver.app.show("menu")
    driver.app.screens["menu"].settings_button.invoke()
    settings = newest(driver, SettingsDialog)
    driver.press("<Escape>", settings.chunksize_entry)
    assert not settings.winfo_exists()
    assert driver.screen("menu")


@pytest.mark.parametrize("name", ["menu", "import", "configure", "results"])
def test_tab_follows_the_layout_of_each_screen(driver, image_folders, name):
    app = driver.app
    app.settings.folders = [str(folder) for folder in image_folders]  # step 1 shows them: Next is enabled
    app.show_result(a_result())
    app.show(name)
    screen = app.screens[name]
    if hasattr(screen, "advanced") and not screen.advanced.expanded:
        screen.advanced.toggle()
    driver.update()
    first = screen.winfo_children()[0].tk_focusNext()
    chain = focus_chain(first)
    buttons = [child for child in screen.nav.winfo_children() if isinstance(child, ttk.Button)]
    assert all(button in chain for button in buttons if button.instate(["!disabled"]))
    assert len(chain) >= 4
    assert all(str(widget).startswith(str(screen)) for widget in chain)
    assert_reading_order(chain)


def test_tab_follows_the_layout_of_settings(driver):
    driver.app.screens["menu"].settings_button.invoke()
    dialog = newest(driver, SettingsDialog)
    driver.update()
    chain = focus_chain(dialog.notebook)
    assert chain[-2:] == [dialog.cancel_button, dialog.save_button]
    assert_reading_order(chain[1:])  # from the first field of the tab; the tabs are above it


def test_ctrl_a_selects_all_in_a_field(driver):
    step1 = driver.app.screens["import"]
    driver.app.show("import")
    step1.paste_var.set("/some/folder; /another")
    step1.paste_entry.icursor(5)
    driver.press("<Control-a>", step1.paste_entry)
    assert step1.paste_entry.selection_present()
    assert step1.paste_entry.selection_get() == "/some/folder; /another"


def test_mnemonics_press_the_visible_button(driver, dialogs, image_folders):
    app = driver.app
    assert app.screens["menu"].start_button.cget("underline") == 0
    driver.press("<Alt-KeyPress-s>", app.screens["menu"].start_button)
    assert driver.screen("import")
    dialogs.answers["askdirectory"] = str(image_folders[0])
    driver.press("<Alt-KeyPress-b>", app.screens["import"].paste_entry)
    assert dialogs.calls[-1][0] == "askdirectory"
    driver.press("<Alt-KeyPress-n>", app.screens["import"].paste_entry)
    assert driver.screen("configure")  # Alt+S here would start the search, not the menu's button


def screen_sizes(driver, image_folders) -> dict[str, tuple[int, int]]:
    """What each screen asks for, filled as a user would see it at its fullest."""
    app = driver.app
    step1 = app.screens["import"]
    app.show("import")
    step1.add_paths([*map(str, image_folders), str(image_folders[0] / "missing")])
    app.show_result(a_result())
    sizes = {}
    for name in ("import", "configure", "searching", "results"):
        app.show(name)
        screen = app.screens[name]
        if hasattr(screen, "advanced") and not screen.advanced.expanded:
            screen.advanced.toggle()
        driver.update()
        sizes[name] = (driver.root.winfo_reqwidth(), driver.root.winfo_reqheight())
    return sizes


def test_every_screen_fits_a_small_laptop(driver, image_folders):
    for name, (width, height) in screen_sizes(driver, image_folders).items():
        assert width <= ROOM[0] and height <= ROOM[1], f"{name} asks for {width}×{height}"
    root = driver.root
    assert root.winfo_width() <= ROOM[0] and root.winfo_height() <= ROOM[1]
    driver.app.show("menu")
    driver.update()
    menu = driver.app.screens["menu"]
    centre = menu.content.winfo_children()[0]  # the placed column of buttons
    assert centre.winfo_reqheight() <= menu.content.winfo_height()
    assert centre.winfo_rooty() >= menu.content.winfo_rooty()


def test_every_dialog_fits_a_small_laptop(driver):
    driver.app.show_result(a_result())
    driver.app.screens["results"].logs_button.invoke()
    driver.app.screens["menu"].settings_button.invoke()
    driver.update()
    for kind in (LogsDialog, SettingsDialog):
        dialog = newest(driver, kind)
        for width, height in (
            (dialog.winfo_reqwidth(), dialog.winfo_reqheight()),
            (dialog.winfo_width(), dialog.winfo_height()),
        ):
            assert width <= ROOM[0] and height <= ROOM[1], f"{kind.__name__} is {width}×{height}"


def test_a_window_never_outgrows_the_screen(driver):
    window = tk.Toplevel(driver.root)
    ttk.Frame(window, width=4000, height=3000).pack()
    fit_to_screen(window)
    driver.update()
    assert window.winfo_width() <= driver.root.winfo_screenwidth() - WINDOW_FRAME[0]
    assert window.winfo_height() <= driver.root.winfo_screenheight() - WINDOW_FRAME[1]
    window.destroy()


def test_a_window_is_placed_wholly_on_the_screen_and_a_dialog_over_its_owner(driver):
    """A window manager may place a window where the pointer is, its buttons below the
    screen's edge (a new user's 1366 × 768 laptop): every window is placed by us."""
    screen_width, screen_height = driver.root.winfo_screenwidth(), driver.root.winfo_screenheight()
    owner = tk.Toplevel(driver.root)
    for owner_x, owner_y in ((screen_width - 300, screen_height - 200), (400, 200)):
        owner.geometry(f"500x300+{owner_x}+{owner_y}")
        driver.update()
        dialog = tk.Toplevel(owner)
        fit_to_screen(dialog, 600, 400)
        driver.update()
        x, y = dialog.winfo_rootx(), dialog.winfo_rooty()
        assert x >= 0 and x + 600 <= screen_width - WINDOW_FRAME[0]
        assert y >= 0 and y + 400 <= screen_height - WINDOW_FRAME[1]
        if owner_x == 400:  # room to centre it over its owner
            assert (x + 300, y + 200) == (owner_x + 250, owner_y + 150)
        dialog.destroy()
    owner.geometry(f"500x300+{screen_width + 200}+100")  # on a second monitor to the right
    driver.update()
    dialog = tk.Toplevel(owner)
    fit_to_screen(dialog, 600, 400)
    driver.update()
    assert dialog.winfo_rootx() + 300 == screen_width + 200 + 250, "centred over its owner, not pulled back"
    dialog.destroy()
    owner.destroy()


def test_a_window_the_window_manager_put_off_the_screen_is_moved_onto_it(driver):
    screen_width, screen_height = driver.root.winfo_screenwidth(), driver.root.winfo_screenheight()
    window = tk.Toplevel(driver.root)
    window.geometry(f"600x400+{screen_width - 200}+{screen_height - 100}")  # where the pointer was
    driver.update()
    keep_on_screen(window)
    driver.update()
    assert (window.winfo_x(), window.winfo_y()) == (
        screen_width - WINDOW_FRAME[0] - 600,
        screen_height - WINDOW_FRAME[1] - 400,
    )
    window.geometry("600x400+-700+50")  # on a monitor to the left: left alone
    driver.update()
    keep_on_screen(window)
    driver.update()
    assert (window.winfo_x(), window.winfo_y()) == (-700, 50)
    window.destroy()


def test_sizes_follow_the_screen_dpi(driver):
    root = driver.root
    assert dpi_scale(root) == 1.0  # Xvfb: 96 DPI
    root.tk.call("tk", "scaling", 2.0)  # 144 DPI, a Windows laptop at 150 %
    try:
        assert dpi_scale(root) == pytest.approx(1.5)
        window = tk.Toplevel(root)
        fit_to_screen(window, 400, 300)
        driver.update()
        assert (window.winfo_width(), window.winfo_height()) == (600, 450)
        window.destroy()
    finally:
        root.tk.call("tk", "scaling", 96 / 72)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_shows_on_every_kind_of_button(driver, theme):
    """A keyboard-only trial: on the accent-filled buttons (Save, Next, Start search) the
    focus ring, drawn in the accent colour, could not be seen."""
    from difpy_tk.gui.theme import apply_theme

    apply_theme(driver.root, theme)
    style = ttk.Style(driver.root)
    for name in ("TButton", "Primary.TButton", "Big.Primary.TButton"):
        ring = driver.root.winfo_rgb(style.lookup(name, "focuscolor"))
        fill = driver.root.winfo_rgb(style.lookup(name, "background"))
        assert max(abs(a - b) for a, b in zip(ring, fill)) > 0x4000, f"{name}: the ring is lost on its fill"
