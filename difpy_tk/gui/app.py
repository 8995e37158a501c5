"""The desktop app: one window that shows one screen at a time.

The App object owns what the screens share (settings, the last result, the session log,
the queue into the Tk thread) and routes the global keys: Enter in a field = the screen's
forward action (Enter on a button presses that button), Esc = back/cancel, Ctrl/Cmd+O =
add a folder."""

from __future__ import annotations

import gc
import logging
import sys
import tkinter as tk
import traceback
from pathlib import Path
from tkinter import messagebox, ttk

from difpy_tk import APP_NAME
from difpy_tk.gui.dnd import create_root
from difpy_tk.gui.logbook import LogBook
from difpy_tk.gui.mac_open import install_open_document
from difpy_tk.gui.optional import VIEWER_PACKAGE, viewer_part
from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.screens.configure_step import ConfigureScreen
from difpy_tk.gui.screens.import_step import ImportScreen
from difpy_tk.gui.screens.menu import MenuScreen
from difpy_tk.gui.screens.results import ResultsScreen
from difpy_tk.gui.screens.searching import SearchingScreen
from difpy_tk.gui.search_worker import QueueLogHandler, UiQueue
from difpy_tk.gui.theme import apply_theme
from difpy_tk.gui.widgets import (
    dpi_scale,
    fit_to_screen,
    focus_in_field,
    install_keyboard_rules,
    shortcut_modifier,
    size_to_remember,
)
from difpy_tk.review.journal import session_journal
from difpy_tk.review.safe_move import recover_interrupted
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.result import SearchResult
from difpy_tk.state.recent_folders import load_recent_folders, remember_set, save_recent_folders
from difpy_tk.state.settings import load_settings, save_settings

log = logging.getLogger("difpy_tk.gui")

WINDOW_SIZE = (900, 620)
MIN_SIZE = (720, 560)
ICON_PATH = Path(__file__).resolve().parent.parent / "assets" / "icon.png"
SCREENS = {
    "menu": MenuScreen,
    "import": ImportScreen,
    "configure": ConfigureScreen,
    "searching": SearchingScreen,
    "results": ResultsScreen,
}


class App:
    def __init__(self, root: tk.Tk) -> None:
        self.root = root
        self.result: SearchResult | None = None
        self.logbook = LogBook()
        self.ui = UiQueue.of(root)
        self._log_handler = QueueLogHandler(self.ui, self.logbook.add)
        package_logger = logging.getLogger("difpy_tk")
        if package_logger.level == logging.NOTSET:
            package_logger.setLevel(logging.INFO)  # the session log shows the engine's INFO lines
        package_logger.addHandler(self._log_handler)
        self.settings = load_settings()  # after the handler: a damaged file shows up in View Logs
        self.notices_shown: set[str] = set()
        """appdirs.notices() the start screen has shown; a screen shows the others itself."""
        self.recent = load_recent_folders()
        recover_interrupted(session_journal())  # a move killed half-way: finished or rolled back

        root.title(APP_NAME)
        install_keyboard_rules(root)
        fit_to_screen(root, *(self.settings.window_size or WINDOW_SIZE))
        root.minsize(*(round(size * dpi_scale(root)) for size in MIN_SIZE))
        self.icon = tk.PhotoImage(master=root, file=str(ICON_PATH)) if ICON_PATH.is_file() else None
        if self.icon is not None:
            root.iconphoto(True, self.icon)
        apply_theme(root, self.settings.theme)
        self.body = ttk.Frame(root)
        self.body.pack(fill="both", expand=True)
        self.screens: dict[str, Screen] = {name: screen(self) for name, screen in SCREENS.items()}
        self.current: Screen | None = None

        root.bind("<Return>", lambda event: self._on_return())
        root.bind("<KP_Enter>", lambda event: self._on_return())
        root.bind("<Escape>", lambda event: self.current.unless_held(self.current.on_escape)())
        root.bind(f"<{shortcut_modifier(root)}-o>", lambda event: self.add_folder())
        # Quit from any of the app's windows (the viewer's too), asking as closing does: macOS
        # quits through its application menu's command, which would otherwise exit outright.
        if root.tk.call("tk", "windowingsystem") == "aqua":
            root.createcommand("::tk::mac::Quit", self.close)
        else:
            for key in ("<Control-q>", "<Control-Q>"):  # Q: with Caps Lock on
                root.bind_all(key, lambda event: self.close())
        root.protocol("WM_DELETE_WINDOW", self.close)
        self.show("menu")

    def _on_return(self) -> None:
        """Buttons handle their own Enter (install_keyboard_rules); fields get the forward action."""
        if focus_in_field(self.root):
            self.current.unless_held(self.current.on_return)()

    def show(self, name: str) -> None:
        if self.current is not None:
            self.current.pack_forget()
        self.current = self.screens[name]
        self.current.pack(fill="both", expand=True)
        self.current.on_show()

    def add_folder(self) -> None:
        """Ctrl/Cmd+O anywhere but during a search: go to step 1 and browse."""
        if self.current is self.screens["searching"]:
            return
        if self.current is not self.screens["import"]:
            self.show("import")
        self.screens["import"].browse()

    def start_search(self, options: SearchOptions) -> None:
        # Closed windows leave Tk objects in reference cycles. Collected here, on the Tk
        # thread; otherwise the collector may run in the search thread, whose Tk calls
        # (from their __del__) must wait for the main loop.
        gc.collect()
        remember_set(self.recent, list(options.inputs))
        self._save_settings()
        self.logbook.clear()
        self.show("searching")
        self.screens["searching"].start(options)

    def show_result(self, result: SearchResult, hold_input: bool = False, saved: bool = False) -> None:
        """hold_input: the search ended on its own, so the results screen ignores a
        moment's clicks and keys meant for its Cancel button (Screen.hold_input).
        saved: an earlier result opened again, not a search just made."""
        self.result = result
        self.screens["results"].show_result(result, saved)
        self.show("results")
        if hold_input:
            self.screens["results"].hold_input()

    def remember_size(self, setting: str, window: tk.Wm) -> None:
        """Keep a window's size for the next start ("window_size", "viewer_size"); a
        maximised one keeps the size it had before."""
        size = size_to_remember(window)
        if size is not None:
            setattr(self.settings, setting, size)

    def _save_settings(self) -> None:
        """Remember the wizard's choices and recent folders; failing to is worth a log line, not a lost search."""
        for what, save in (("settings", lambda: save_settings(self.settings)),
                           ("recent folders", lambda: save_recent_folders(self.recent))):
            try:  # each on its own: settings that cannot be replaced kept the recent folders unsaved
                save()
            except OSError as exc:
                log.warning("could not save the %s: %s", what, exc)

    def report_callback_error(self, kind: type[BaseException], value: BaseException, tb: object) -> None:
        """Installed as Tk's handler: a failing callback is logged and explained, never lost."""
        log.error("unexpected error in the app:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        messagebox.showerror("Something went wrong", f"{value}\n\nThe details are in View Logs.", parent=self.root)

    def close(self) -> None:
        """Stop a running search (its worker processes too), remember the choices and quit;
        unless a window with work that would be lost (an Image Viewer with marks) asks the
        user, who says no (its may_close)."""
        for window in self.root.winfo_children():
            may_close = getattr(window, "may_close", None)
            if may_close is not None and not may_close(quitting=True):
                return
        worker = self.screens["searching"].worker
        if worker is not None:
            worker.cancel()
        self.current.store()
        self.remember_size("window_size", self.root)
        current_viewer = viewer_part(VIEWER_PACKAGE, "current_viewer")
        viewer = current_viewer(self.root) if current_viewer else None
        if viewer is not None:
            self.remember_size("viewer_size", viewer)
        self._save_settings()
        logging.getLogger("difpy_tk").removeHandler(self._log_handler)
        self.ui.close()
        self.root.destroy()


def _enable_dpi_awareness() -> None:
    """Without this Windows bitmap-scales the window on HiDPI screens and the text is blurry."""
    if sys.platform != "win32":
        return
    import ctypes

    try:
        ctypes.OleDLL("shcore").SetProcessDpiAwareness(1)
    except (AttributeError, OSError) as exc:  # Windows < 8.1 has no shcore: blurry, but works
        log.info("could not enable DPI awareness: %s", exc)


def main(argv: list[str]) -> int:
    """Open the app; folders given on the command line are imported into step 1."""
    _enable_dpi_awareness()
    try:
        root = create_root()
    except tk.TclError as error:
        print(
            f"difpy-tk: cannot open a window ({error}). To search without a window, use: difpy-tk scan FOLDER",
            file=sys.stderr,
        )
        return 1
    app = App(root)
    root.report_callback_exception = app.report_callback_error
    install_open_document(app)  # macOS: folders dropped on the Dock icon
    if argv:
        app.settings.folders = list(argv)
        app.show("import")
    root.mainloop()
    return 0
