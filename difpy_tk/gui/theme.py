"""Light and dark looks built from plain ttk styling, so the app needs no theme package.

Screens only name styles (Heading.TLabel, Hint.TLabel, Primary.TButton, ...); the colours
live here, and switching theme restyles the open windows in place."""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

PALETTES = {
    "light": {
        "bg": "#f4f5f7",
        "surface": "#ffffff",
        "fg": "#1f2328",
        "muted": "#59636e",
        "disabled": "#8c959f",
        "accent": "#2157a0",
        "accent_active": "#1a4784",
        "on_accent": "#ffffff",
        "error": "#b42318",
        "border": "#c3c9d1",
        "select": "#cfe0f5",
    },
    "dark": {
        "bg": "#1f2124",
        "surface": "#2b2e33",
        "fg": "#e8eaed",
        "muted": "#a3aab2",
        "disabled": "#6b7178",
        "accent": "#4c8fe0",
        "accent_active": "#6aa4ea",
        "on_accent": "#0d1117",
        "error": "#ff8a80",
        "border": "#4a4f57",
        "select": "#34527a",
    },
}

CLASSIC_COLOURS = (
    "background",
    "foreground",
    "selectbackground",
    "selectforeground",
    "highlightbackground",
    "highlightcolor",
)
CLASSIC_OPTIONS = {
    "Listbox": CLASSIC_COLOURS,
    "Text": (*CLASSIC_COLOURS, "insertbackground"),
    "Menu": ("background", "foreground", "activebackground", "activeforeground", "selectcolor", "disabledforeground"),
}
"""Plain tk widgets that ttk styles do not reach (the drop-down menus and the lists inside
comboboxes among them), and the colour options each takes."""


def _fonts(root: tk.Misc) -> None:
    """Named fonts sized relative to the platform default, so HiDPI scaling carries over.

    Created through Tcl, not tkinter.font.Font, whose objects delete their font when
    garbage collected."""
    base = tkfont.nametofont("TkDefaultFont", root=root)
    size = abs(base.cget("size")) or 10
    existing = set(root.tk.splitlist(root.tk.call("font", "names")))
    for name, scale, weight in (
        ("DifpyTitle", 2.0, "bold"),
        ("DifpyHeading", 1.45, "bold"),
        ("DifpyStrong", 1.0, "bold"),
        ("DifpyBig", 1.6, "bold"),
    ):
        if name not in existing:
            family, points = base.cget("family"), round(size * scale)
            root.tk.call("font", "create", name, "-family", family, "-size", points, "-weight", weight)


def _classic_colours(colours: dict[str, str]) -> dict[str, str]:
    return {
        "background": colours["surface"],
        "foreground": colours["fg"],
        "selectbackground": colours["select"],
        "selectforeground": colours["fg"],
        "highlightbackground": colours["border"],
        "highlightcolor": colours["accent"],
        "insertbackground": colours["fg"],
        "activebackground": colours["select"],
        "activeforeground": colours["fg"],
        "selectcolor": colours["accent"],
        "disabledforeground": colours["disabled"],
    }


def _restyle_classic(root: tk.Misc, path: str, colours: dict[str, str]) -> None:
    """Recolour already created tk widgets; new ones get the option database values.

    Walks Tcl's own widget tree, not tkinter's, to reach what Tk creates by itself: the
    list a combobox drops down, which otherwise keeps the colours of the first theme."""
    classic = _classic_colours(colours)
    call = root.tk.call
    names = CLASSIC_OPTIONS.get(call("winfo", "class", path))
    if names:
        call(path, "configure", *(item for name in names for item in (f"-{name}", classic[name])))
    elif call("winfo", "toplevel", path) == path:
        call(path, "configure", "-background", colours["bg"])
    for child in root.tk.splitlist(call("winfo", "children", path)):
        _restyle_classic(root, str(child), colours)


def apply_theme(root: tk.Tk, name: str) -> None:
    """Style every ttk widget and recolour the classic ones for the `name` palette."""
    colours = PALETTES[name]
    _fonts(root)
    style = ttk.Style(root)
    style.theme_use("clam")
    style.configure(
        ".",
        background=colours["bg"],
        foreground=colours["fg"],
        fieldbackground=colours["surface"],
        bordercolor=colours["border"],
        lightcolor=colours["bg"],
        darkcolor=colours["bg"],
        troughcolor=colours["surface"],
        selectbackground=colours["select"],
        selectforeground=colours["fg"],
        insertcolor=colours["fg"],
        focuscolor=colours["accent"],
        arrowcolor=colours["fg"],
        indicatorbackground=colours["surface"],
        indicatorforeground=colours["fg"],
    )
    style.map(".", foreground=[("disabled", colours["disabled"])], fieldbackground=[("disabled", colours["bg"])])
    style.configure("TButton", padding=(14, 6), background=colours["surface"])
    style.map(
        "TButton",
        background=[
            ("disabled", colours["bg"]),
            ("pressed", colours["select"]),
            ("active", colours["select"]),
        ],
    )
    style.configure(
        "Primary.TButton",
        background=colours["accent"],
        foreground=colours["on_accent"],
        font="DifpyStrong",
        bordercolor=colours["accent"],
        focuscolor=colours["on_accent"],  # the accent ring vanished on the accent fill (a keyboard-only trial)
    )
    style.map(
        "Primary.TButton",
        background=[
            ("disabled", colours["border"]),
            ("pressed", colours["accent_active"]),
            ("active", colours["accent_active"]),
        ],
        foreground=[("disabled", colours["disabled"])],
    )
    style.configure("Big.Primary.TButton", padding=(28, 12), font="DifpyHeading")
    style.configure("Big.TButton", padding=(28, 10))
    style.configure("TMenubutton", padding=(14, 6), background=colours["surface"], arrowcolor=colours["fg"])
    style.map("TMenubutton", background=[("disabled", colours["bg"]), ("active", colours["select"])])
    style.configure("Big.TMenubutton", padding=(28, 10))
    # Buttons drawn as text on the window's background: a section's ▸ toggle, a link.
    flat = {"relief": "flat", **dict.fromkeys(("background", "bordercolor", "lightcolor", "darkcolor"), colours["bg"])}
    style.configure("Toggle.TButton", padding=(2, 2), font="DifpyStrong", **flat)
    style.map("Toggle.TButton", background=[("active", colours["bg"])], foreground=[("active", colours["accent"])])
    style.configure("Link.TButton", padding=(0, 2), anchor="w", foreground=colours["accent"], **flat)
    style.map(
        "Link.TButton",
        background=[("active", colours["bg"]), ("pressed", colours["bg"])],
        foreground=[("active", colours["accent_active"])],
    )
    for toggle in ("TCheckbutton", "TRadiobutton"):
        # clam gives these a white indicator of their own, which "." does not override
        style.configure(toggle, padding=(0, 2), indicatorbackground=colours["surface"])
        style.map(
            toggle,
            background=[("disabled", colours["bg"]), ("active", colours["bg"])],
            indicatorbackground=[("disabled", colours["bg"]), ("selected", colours["accent"])],
            indicatorforeground=[("selected", colours["on_accent"])],
        )
    style.configure("Title.TLabel", font="DifpyTitle")
    style.configure("Heading.TLabel", font="DifpyHeading")
    style.configure("Strong.TLabel", font="DifpyStrong")
    style.configure("Big.TLabel", font="DifpyBig")
    style.configure("Hint.TLabel", foreground=colours["muted"])
    style.configure("Error.TLabel", foreground=colours["error"])
    style.configure(
        "Invalid.TEntry",
        bordercolor=colours["error"],
        lightcolor=colours["error"],
        darkcolor=colours["error"],
    )
    style.configure("Card.TFrame", background=colours["surface"], relief="solid", borderwidth=1)
    style.configure("Card.TLabel", background=colours["surface"])
    style.configure("CardHint.TLabel", background=colours["surface"], foreground=colours["muted"])
    style.configure("CardBig.TLabel", background=colours["surface"], font="DifpyBig")
    style.configure("TNotebook", background=colours["bg"], bordercolor=colours["border"])
    style.configure(
        "TNotebook.Tab",
        padding=(14, 5),
        background=colours["bg"],
        foreground=colours["muted"],
        bordercolor=colours["border"],
        lightcolor=colours["bg"],
    )
    style.map(
        "TNotebook.Tab",
        background=[("selected", colours["surface"]), ("active", colours["select"])],
        foreground=[("selected", colours["fg"]), ("active", colours["fg"])],
        lightcolor=[("selected", colours["surface"])],
    )
    style.configure("TLabelframe", padding=(12, 8))
    style.configure("TLabelframe.Label", font="DifpyStrong")
    style.configure(
        "Horizontal.TProgressbar",
        background=colours["accent"],
        bordercolor=colours["border"],
        lightcolor=colours["accent"],
        darkcolor=colours["accent"],
        thickness=18,
    )
    # Lists, drop-downs and scrollbars: clam draws them light whatever "." says.
    style.configure(
        "Treeview",
        background=colours["surface"],
        fieldbackground=colours["surface"],
        foreground=colours["fg"],
        bordercolor=colours["border"],
    )
    style.map("Treeview", background=[("selected", colours["select"])], foreground=[("selected", colours["fg"])])
    style.configure("Treeview.Heading", background=colours["bg"], foreground=colours["fg"], font="DifpyStrong")
    style.map("Treeview.Heading", background=[("active", colours["select"])])
    style.map(
        "TCombobox",
        fieldbackground=[("readonly", colours["surface"]), ("disabled", colours["bg"])],
        foreground=[("disabled", colours["disabled"])],
        selectbackground=[("readonly", colours["surface"])],
        selectforeground=[("readonly", colours["fg"])],
    )
    style.configure(
        "TScrollbar",
        background=colours["surface"],
        troughcolor=colours["bg"],
        bordercolor=colours["border"],
        arrowcolor=colours["fg"],
    )
    style.map("TScrollbar", background=[("active", colours["select"])])
    root.option_add("*TCombobox*Listbox.background", colours["surface"])
    root.option_add("*TCombobox*Listbox.foreground", colours["fg"])
    classic = _classic_colours(colours)
    for widget_class, names in CLASSIC_OPTIONS.items():
        for option in names:
            root.option_add(f"*{widget_class}.{option}", classic[option])
    _restyle_classic(root, str(root), colours)
