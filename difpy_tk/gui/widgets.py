"""Small widgets the screens and dialogs share, so they look and behave alike."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Iterable
from tkinter import ttk

from difpy_tk.scan.options import OptionError

SMALLEST_SCREEN = (1280, 720)
"""The smallest screen every window must fit: a common laptop at 100 % scaling."""
WINDOW_FRAME = (16, 88)
"""Width and height the window manager and the desktop take from a screen: borders, the
title bar and a taskbar or dock (48 px on Windows 11, 25 px menu bar plus dock on macOS)."""
PLACED_MS = 300
"""How long after sizing the main window its placement by the window manager is checked."""
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
    asks for, but never beyond the screen, so its buttons stay reachable on a small laptop.
    A window with an owner (a dialog, the viewer) is centred over it (over_owner); the main
    window is placed by the window manager, which knows the monitors, and then moved onto
    the screen if it hangs off it (keep_on_screen): one put it where the pointer was, its
    bottom buttons below the screen's edge."""
    window.update_idletasks()
    room_width, room_height = room_on_screen(window)
    scale = dpi_scale(window)
    width = min(round(width * scale) if width else window.winfo_reqwidth(), room_width)
    height = min(round(height * scale) if height else window.winfo_reqheight(), room_height)
    owner = window.master.winfo_toplevel() if window.master is not None else None
    if owner is not None and owner.winfo_viewable():
        x, y = over_owner(owner, width, height)
        window.geometry(f"{width}x{height}+{x}+{y}")
    else:
        window.geometry(f"{width}x{height}")
        # The window manager places a window when it is mapped, and says where a moment
        # later: look once it has (the main window is mapped already by now).
        window.after(PLACED_MS, lambda: keep_on_screen(window))
    window.maxsize(room_width, room_height)


def size_to_remember(window: tk.Wm) -> list[int] | None:
    """The window's size at 96 DPI, as fit_to_screen takes it back at the next start (on
    a screen of another DPI it then looks the same size); None when there is nothing to
    remember: a maximised or full-screen window (its normal size is not known to Tk) or one
    that is not shown."""
    if window.wm_state() != "normal" or _maximised(window) or not window.winfo_viewable():
        return None
    scale = dpi_scale(window)
    return [round(window.winfo_width() / scale), round(window.winfo_height() / scale)]


def _maximised(window: tk.Wm) -> bool:
    """Full screen, or maximised on X11 (where Tk says so in an attribute, not a state)."""
    for attribute in ("-fullscreen", "-zoomed"):
        try:
            if int(window.wm_attributes(attribute)):
                return True
        except tk.TclError:  # -zoomed is X11's only
            pass
    return False


def over_owner(owner: tk.Misc, width: int, height: int) -> tuple[int, int]:
    """Where a window of this size is centred over owner; moved as little as needed to lie
    on the screen when the owner's corner is on it (an owner on another monitor is trusted
    as it is: Tk knows one screen, the primary monitor or all of them together)."""
    screen_width, screen_height = owner.winfo_screenwidth(), owner.winfo_screenheight()
    left, top = owner.winfo_rootx(), owner.winfo_rooty()
    x = left + owner.winfo_width() // 2 - width // 2
    y = top + owner.winfo_height() // 2 - height // 2
    if left in range(screen_width) and top in range(screen_height):  # the owner's corner on this screen
        x = max(0, min(x, screen_width - WINDOW_FRAME[0] - width))
        y = max(0, min(y, screen_height - WINDOW_FRAME[1] - height))
    return x, y


def keep_on_screen(window: tk.Wm) -> None:
    """Move a window up or left as little as needed for its bottom and right edges, frame
    and taskbar included (WINDOW_FRAME), to lie on the screen; one placed on a monitor to
    the left (negative x) is left where it is."""
    window.update_idletasks()
    x, y = window.winfo_x(), window.winfo_y()
    right = window.winfo_screenwidth() - WINDOW_FRAME[0] - window.winfo_width()
    bottom = window.winfo_screenheight() - WINDOW_FRAME[1] - window.winfo_height()
    moved_x = x if x < 0 else max(0, min(x, right))
    moved_y = max(0, min(y, bottom))
    if (moved_x, moved_y) != (x, y):
        window.geometry(f"+{moved_x}+{moved_y}")


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


NO_BREAK_SPACE = "\u00a0"


def join_unbroken(parts: Iterable[str], breakable: Iterable[str] = ()) -> str:
    """The parts joined with " · " for a WrapLabel, which then breaks lines between parts
    only, a line ending with the dot: Tk wraps at spaces but not at no-break spaces, and a
    header at 1,100 pixels broke "copies use 20.9 KB" before its "KB". A part in breakable
    (a folder's name) keeps its spaces: longer than a line, unbroken, Tk cut it anywhere
    ("Family archive 201 / 9")."""
    keep = set(breakable)
    return f"{NO_BREAK_SPACE}· ".join(part if part in keep else part.replace(" ", NO_BREAK_SPACE) for part in parts)


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


def arrow_keys_choose(radios: list[ttk.Radiobutton]) -> None:
    """Up and Down move among a group of radio buttons and choose the one they reach, as
    native ones do (ttk's only move the focus: a keyboard user's Down left the choice
    as it was); buttons not shown (a collapsed section) are passed over."""

    def step(radio: ttk.Radiobutton, offset: int) -> str:
        shown = [other for other in radios if other.winfo_ismapped()]
        if radio in shown:
            reached = shown[(shown.index(radio) + offset) % len(shown)]
            reached.focus_set()
            reached.invoke()
        return "break"

    for radio in radios:
        radio.bind("<Down>", lambda _e, r=radio: step(r, 1))
        radio.bind("<Up>", lambda _e, r=radio: step(r, -1))


def grow_to_show(window: tk.Wm) -> None:
    """Make a window as tall as what it holds asks for, within the screen; never shorter."""
    window.update_idletasks()
    needed = min(window.winfo_reqheight(), room_on_screen(window)[1])
    if needed > window.winfo_height():
        window.geometry(f"{window.winfo_width()}x{needed}")
        keep_on_screen(window)  # taller, its bottom may now be below the screen's edge


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


def grid_scrolled(parent: tk.Misc, widget: tk.Canvas | ttk.Treeview) -> ttk.Scrollbar:
    """Put widget in row 1 of parent with a vertical scrollbar, taking the spare room
    (row 0 is left for a title or a filter above it); returns the scrollbar."""
    scroll = ttk.Scrollbar(parent, orient="vertical", command=widget.yview)
    widget.configure(yscrollcommand=scroll.set)
    widget.grid(row=1, column=0, sticky="nsew")
    scroll.grid(row=1, column=1, sticky="ns")
    parent.rowconfigure(1, weight=1)
    parent.columnconfigure(0, weight=1)
    return scroll
