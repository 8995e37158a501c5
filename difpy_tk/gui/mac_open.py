"""macOS: folders dropped on the Dock icon (or opened with "Open With") open in the app.

The .app declares that it views folders (CFBundleDocumentTypes, public.folder, in
build/difpy_tk.spec); Finder then sends an "open documents" Apple Event, and Tk on aqua
calls the Tcl command ::tk::mac::OpenDocument with the paths. Defining that command is
all it takes; this works both for a drop on a running app and for one that launches it
(the event is handled once the main loop runs). Other systems never call it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

log = logging.getLogger("difpy_tk.gui")

OPEN_DOCUMENT = "::tk::mac::OpenDocument"


def open_in_import_step(app: App, paths: list[str]) -> None:
    """Add the folders to step 1 and show it; not while a search runs (it would be lost)."""
    if app.current is app.screens["searching"]:
        log.info("ignored %d folder(s) opened during a search", len(paths))
        return
    if app.current is not app.screens["import"]:
        app.show("import")
    app.screens["import"].add_paths(paths)


def install_open_document(app: App, windowing_system: str | None = None) -> bool:
    """Define ::tk::mac::OpenDocument on aqua (True), nothing elsewhere (False)."""
    root = app.root
    system = windowing_system or root.tk.call("tk", "windowingsystem")
    if system != "aqua":
        return False
    root.createcommand(OPEN_DOCUMENT, lambda *paths: open_in_import_step(app, list(paths)))
    return True
