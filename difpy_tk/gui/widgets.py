"""Small widgets the screens and dialogs share, so they look and behave alike."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from difpy_tk.scan.options import OptionError


class WrapLabel(ttk.Label):
    """A label whose text wraps to the width it is given, so resizing never clips a hint."""

    def __init__(self, parent: tk.Misc, **kwargs: object) -> None:
        kwargs.setdefault("justify", "left")
        # A modest first width; without it the label asks for its whole text on one line
        # and widens its window before the first <Configure> can wrap it.
        kwargs.setdefault("wraplength", 360)
        super().__init__(parent, **kwargs)
        self.bind("<Configure>", lambda event: self.configure(wraplength=max(event.width - 4, 40)), add="+")


def hint(parent: tk.Misc, text: str, **kwargs: object) -> WrapLabel:
    """Explanatory grey text under an option."""
    return WrapLabel(parent, text=text, style="Hint.TLabel", **kwargs)


class Collapsible(ttk.Frame):
    """A section whose body is hidden until its header is clicked ("Advanced ▸")."""

    def __init__(self, parent: tk.Misc, title: str) -> None:
        super().__init__(parent)
        self._title = title
        self.toggle_button = ttk.Button(self, style="Toggle.TButton", command=self.toggle, takefocus=True)
        self.toggle_button.pack(anchor="w")
        self.body = ttk.Frame(self, padding=(22, 4, 0, 0))
        self.expanded = True
        self.toggle()  # every section starts collapsed

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self.toggle_button.configure(text=f"{'▾' if self.expanded else '▸'} {self._title}")
        if self.expanded:
            self.body.pack(fill="x")
        else:
            self.body.pack_forget()


def read_int(text: str, parameter: str, allow_blank: bool = False) -> int | None:
    """Parse a whole number typed by the user (None for a blank field where blank means "auto");
    OptionError names the field, like the core does."""
    text = text.strip()
    if not text and allow_blank:
        return None
    try:
        return int(text)
    except ValueError:
        raise OptionError(parameter, f"enter a whole number, not {text!r}") from None


def read_float(text: str, parameter: str) -> float:
    """Parse a decimal number typed by the user (a comma works as the decimal mark too)."""
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise OptionError(parameter, f"enter a number, not {text!r}") from None


def error_label(parent: tk.Misc) -> WrapLabel:
    """Where a screen shows what is wrong with its input, next to the input."""
    return WrapLabel(parent, style="Error.TLabel")


def option_message(exc: OptionError) -> str:
    """The message of an OptionError without its "parameter: " prefix, for a labelled field."""
    text = str(exc)
    prefix = f"{exc.parameter}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
