"""Small widgets the screens and dialogs share, so they look and behave alike."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from difpy_tk.scan.options import OptionError

SMALLEST_SCREEN = (1280, 720)
"""The smallest screen every window must fit: a common laptop at 100 % scaling."""
WINDOW_FRAME = (16, 88)
"""Width and height the window manager and the desktop take from a screen: borders, the
title bar and a taskbar or dock (48 px on Windows 11, 25 px menu bar plus dock on macOS)."""
FIELD_CLASSES = ("TEntry", "TSpinbox", "TCombobox", "Entry", "Spinbox", "TCheckbutton", "TRadiobutton")
"""Where Enter means "the window's default action": text fields and the choices of a form.
On a button, Enter presses that button instead."""


def room_on_screen(window: tk.Misc) -> tuple[int, int]:
    """The largest client area a window can have on the screen it is on."""
    return window.winfo_screenwidth() - WINDOW_FRAME[0], window.winfo_screenheight() - WINDOW_FRAME[1]


def dpi_scale(window: tk.Misc) -> float:
    """How much larger than at 96 DPI a size in pixels must be to look the same: 1.5 on a
    Windows screen at 150 % (once the process is DPI aware). macOS Retina counts in points
    already, and a small screen is never scaled down. Rounded to the quarter steps Windows
    offers, so an X server that guesses 100 DPI from the screen's size changes nothing."""
    return max(1.0, round(window.winfo_fpixels("1i") / 96 * 4) / 4)


def fit_to_screen(window: tk.Wm, width: int | None = None, height: int | None = None) -> None:
    """Size a window to (width, height) at 96 DPI, scaled to the screen's DPI, or to what it
    asks for, but never beyond the screen, so its buttons stay reachable on a small laptop;
    and place it (placed_on_screen), since a window manager may put it where the pointer
    is, with its bottom buttons below the screen's edge."""
    window.update_idletasks()
    room_width, room_height = room_on_screen(window)
    scale = dpi_scale(window)
    width = min(round(width * scale) if width else window.winfo_reqwidth(), room_width)
    height = min(round(height * scale) if height else window.winfo_reqheight(), room_height)
    x, y = placed_on_screen(window, width, height)
    window.geometry(f"{width}x{height}+{x}+{y}")
    window.maxsize(room_width, room_height)


def placed_on_screen(window: tk.Wm, width: int, height: int) -> tuple[int, int]:
    """Where a window of this size goes: centred over the window it belongs to (a dialog
    over its parent) or, for the main window, on the screen; then moved as little as
    needed to lie wholly on the screen, frame and taskbar included (WINDOW_FRAME)."""
    screen_width, screen_height = window.winfo_screenwidth(), window.winfo_screenheight()
    owner = window.master.winfo_toplevel() if window.master is not None else None
    if owner is not None and owner.winfo_viewable():
        centre_x = owner.winfo_rootx() + owner.winfo_width() // 2
        centre_y = owner.winfo_rooty() + owner.winfo_height() // 2
    else:
        centre_x, centre_y = screen_width // 2, screen_height // 2
    x = min(centre_x - width // 2, screen_width - WINDOW_FRAME[0] - width)
    y = min(centre_y - height // 2, screen_height - WINDOW_FRAME[1] - height)
    return max(0, x), max(0, y)


def shortcut_modifier(widget: tk.Misc) -> str:
    """The modifier of menu shortcuts (Ctrl+O, Ctrl+W): Command on macOS, Control elsewhere."""
    return "Command" if widget.tk.call("tk", "windowingsystem") == "aqua" else "Control"


def install_keyboard_rules(root: tk.Tk) -> None:
    """The keys every window of the app shares, set once for the whole application:

    - Enter on a focused button presses that button (Tk only does this for Space), so the
      window's own Enter binding, the default action, only sees Enter from fields;
    - Ctrl/Cmd+A selects everything in a text field (on X11 Tk moves to the line start)."""
    def invoke(event: tk.Event) -> str:
        # str(): the buttons of Tk's own dialogs (a message box's OK) are no Python widgets,
        # so event.widget is their path name, which has no event_generate of its own.
        root.tk.call("event", "generate", str(event.widget), "<<Invoke>>")
        return "break"

    for widget_class in ("TButton", "TMenubutton"):
        root.bind_class(widget_class, "<Return>", invoke)
        root.bind_class(widget_class, "<KP_Enter>", invoke)
    if root.tk.call("tk", "windowingsystem") == "x11":
        root.event_delete("<<LineStart>>", "<Control-Key-a>")
        root.event_add("<<SelectAll>>", "<Control-Key-a>")


def focus_in_field(window: tk.Misc) -> bool:
    """Whether the keyboard focus is in one of FIELD_CLASSES (so Enter means the default action)."""
    focus = window.focus_get()
    return focus is not None and focus.winfo_class() in FIELD_CLASSES


def bind_dialog_keys(window: tk.Toplevel, default: Callable[[], object], close: Callable[[], object]) -> None:
    """Enter in a field runs `default` (Enter on a button presses that button); Esc runs `close`."""

    def on_return(event: tk.Event) -> None:
        if focus_in_field(window):
            default()

    window.bind("<Return>", on_return)
    window.bind("<KP_Enter>", on_return)
    window.bind("<Escape>", lambda event: close())


def add_mnemonic(button: ttk.Button, letter: str) -> None:
    """Underline `letter` in the button's text; Alt+letter presses the button while it shows.

    Screens share one window, so one binding per letter asks each registered button in turn
    and presses the first that is visible and enabled."""
    button.configure(underline=str(button.cget("text")).lower().index(letter.lower()))
    window = button.winfo_toplevel()
    registry: dict[str, list[ttk.Button]] = window.__dict__.setdefault("_difpy_mnemonics", {})
    key = letter.lower()
    if key not in registry:
        registry[key] = []
        window.bind(f"<Alt-KeyPress-{key}>", lambda event: _press_first(registry[key]), add="+")
    registry[key].append(button)


def _press_first(buttons: list[ttk.Button]) -> str | None:
    for button in buttons:
        if button.winfo_exists() and button.winfo_viewable() and button.instate(["!disabled"]):
            button.invoke()
            return "break"
    return None


class WrapLabel(ttk.Label):
    """A label whose text wraps to the width it is given, so resizing never clips a hint."""

    def __init__(self, parent: tk.Misc, **kwargs: object) -> None:
        kwargs.setdefault("justify", "left")
        # A modest first width; without it the label asks for its whole text on one line
        # and widens its window before the first <Configure> can wrap it.
        kwargs.setdefault("wraplength", 360)
        super().__init__(parent, **kwargs)
        self.bind("<Configure>", lambda event: self.configure(wraplength=max(event.width - 4, 40)), add="+")


def scrolled_text(parent: tk.Misc) -> tk.Text:
    """A read-only-looking text area with its scrollbar, packed to fill `parent` (log, licences)."""
    text = tk.Text(
        parent,
        wrap="word",
        font="TkFixedFont",
        relief="flat",
        borderwidth=0,
        highlightthickness=1,
        padx=8,
        pady=6,
    )
    scrollbar = ttk.Scrollbar(parent, orient="vertical", command=text.yview)
    text.configure(yscrollcommand=scrollbar.set)
    scrollbar.pack(side="right", fill="y")
    text.pack(fill="both", expand=True)
    return text


def hint(parent: tk.Misc, text: str, **kwargs: object) -> WrapLabel:
    """Explanatory grey text under an option."""
    return WrapLabel(parent, text=text, style="Hint.TLabel", **kwargs)


class Collapsible(ttk.Frame):
    """A section whose body is hidden until its header is clicked ("Advanced ▸")."""

    def __init__(self, parent: tk.Misc, title: str, grow_window: bool = False) -> None:
        """grow_window: opening the section makes the window tall enough to show it (for a
        screen whose other parts cannot shrink; in a small window it was cut off)."""
        super().__init__(parent)
        self._title = title
        self._grow_window = grow_window
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
            if self._grow_window:
                grow_to_show(self.winfo_toplevel())
        else:
            self.body.pack_forget()


def grow_to_show(window: tk.Wm) -> None:
    """Make a window as tall as what it holds asks for, within the screen; never shorter."""
    window.update_idletasks()
    needed = min(window.winfo_reqheight(), room_on_screen(window)[1])
    if needed > window.winfo_height():
        window.geometry(f"{window.winfo_width()}x{needed}")


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


def clear_when_valid(label: ttk.Label, check: Callable[[], object]) -> None:
    """Empty an error label as soon as check() stops raising OptionError: a message about a
    value must not outlive the mistake once the user has fixed it."""
    if not label.cget("text"):
        return
    try:
        check()
    except OptionError:
        return
    label.configure(text="")


def option_message(exc: OptionError) -> str:
    """The message of an OptionError without its "parameter: " prefix, for a labelled field."""
    text = str(exc)
    prefix = f"{exc.parameter}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def grid_scrolled(parent: tk.Misc, widget: tk.Canvas | ttk.Treeview) -> None:
    """Put widget in row 1 of parent with a vertical scrollbar, taking the spare room
    (row 0 is left for a title or a filter above it)."""
    scroll = ttk.Scrollbar(parent, orient="vertical", command=widget.yview)
    widget.configure(yscrollcommand=scroll.set)
    widget.grid(row=1, column=0, sticky="nsew")
    scroll.grid(row=1, column=1, sticky="ns")
    parent.rowconfigure(1, weight=1)
    parent.columnconfigure(0, weight=1)
