"""What every full-window screen has: a heading, a content area and a bottom button bar."""

from __future__ import annotations

import time
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.widgets import hint

if TYPE_CHECKING:
    from difpy_tk.gui.app import App


HOLD_SECONDS = 0.6
"""How long a screen the app switched to on its own (a search that ended) ignores its
bottom-bar buttons, Enter and Esc: a click or key meant for what was there a moment
before (Cancel, at the same place as "Main menu") must not act on the new screen.
Longer than a hurried user's reaction to the change, short enough to go unnoticed."""


class Screen(ttk.Frame):
    """A page of the app. The app shows one at a time and routes Enter and Esc to it."""

    def __init__(self, app: App, title: str, subtitle: str = "") -> None:
        super().__init__(app.body, padding=(32, 24, 32, 20))
        self.app = app
        self._held_until = 0.0
        self.heading = ttk.Label(self, text=title, style="Heading.TLabel")
        if title:
            self.heading.pack(anchor="w")
        if subtitle:
            hint(self, subtitle).pack(fill="x", pady=(4, 0))
        # Packed before the content so a small window shrinks the content, not the buttons.
        self.nav = ttk.Frame(self)
        self.nav.pack(side="bottom", fill="x", pady=(16, 0))
        ttk.Separator(self, orient="horizontal").pack(side="bottom", fill="x")
        self.content = ttk.Frame(self, padding=(0, 16, 0, 12))
        self.content.pack(fill="both", expand=True)
        self.nav.lift()  # Tab walks the stacking order: the content first, then the button bar

    def nav_button(self, text: str, command: Callable[[], None], primary: bool = False) -> ttk.Button:
        """A bottom-bar button: the primary one on the right, others on the left."""
        button = ttk.Button(
            self.nav, text=text, command=self.unless_held(command), style="Primary.TButton" if primary else "TButton"
        )
        button.pack(side="right" if primary else "left")
        return button

    def hold_input(self) -> None:
        """Ignore the bottom bar, Enter and Esc for HOLD_SECONDS (see there); a screen
        guards its other buttons with unless_held where one of them has the focus."""
        self._held_until = time.monotonic() + HOLD_SECONDS

    def held(self) -> bool:
        return time.monotonic() < self._held_until

    def unless_held(self, command: Callable[[], None]) -> Callable[[], None]:
        """command, doing nothing while the screen holds its input."""

        def guarded() -> None:
            if not self.held():
                command()

        return guarded

    def on_show(self) -> None:
        """Called each time the screen becomes visible: refresh from the app's state."""

    def store(self) -> bool:
        """Copy the screen's choices into the app's settings; False (shown to the user) if invalid."""
        return True

    def on_return(self) -> None:
        """Enter in a field: the screen's forward action."""

    def on_escape(self) -> None:
        """Esc: the screen's back or cancel action."""
