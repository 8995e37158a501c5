"""The viewer's few extra ttk styles, derived from whatever theme the app applied so they
match it in light and dark mode, and re-derived when the theme changes."""

from __future__ import annotations

import tkinter as tk
from tkinter import font, ttk

FALLBACK = {"muted": "#59636e", "accent": "#2157a0", "error": "#b42318"}
"""Used when no app theme is applied (the viewer opened on its own, or in tests)."""


def _colour(style: ttk.Style, widget_style: str, option: str, fallback: str) -> str:
    """The colour the app theme set on widget_style itself; fallback when it set none (a
    lookup would return an inherited one: a plain button's grey as the accent)."""
    return str(style.configure(widget_style, option) or fallback)


def configure_styles(widget: tk.Misc) -> str:
    """Card.TFrame, Card.TLabel and CardHint.TLabel come from the app theme when there is
    one (CardHint is set again only so it exists without a theme). The list and the
    filter get their own styles because the app theme leaves them light in dark mode.
    Returns the muted text colour, for Treeview tags (which styles do not reach)."""
    style = ttk.Style(widget)
    surface = _colour(style, "Card.TFrame", "background", str(style.lookup("TFrame", "background")))
    accent = _colour(style, "Primary.TButton", "background", FALLBACK["accent"])
    error = _colour(style, "Error.TLabel", "foreground", FALLBACK["error"])
    muted = _colour(style, "Hint.TLabel", "foreground", FALLBACK["muted"])
    text = str(style.lookup("TLabel", "foreground") or "black")
    style.configure("Current.Card.TFrame", background=surface, relief="solid", borderwidth=3,
                    bordercolor=accent, lightcolor=accent, darkcolor=accent)
    style.configure("CardHint.TLabel", background=surface, foreground=muted)
    style.configure("CardStrong.TLabel", background=surface, font="TkHeadingFont")
    style.configure("CardKept.TLabel", background=surface, foreground=accent, font="TkHeadingFont")
    style.configure("Marked.Card.TFrame", background=surface, relief="solid", borderwidth=3,
                    bordercolor=error, lightcolor=error, darkcolor=error)
    style.configure("CardMarked.TLabel", background=surface, foreground=error, font="TkHeadingFont")
    style.configure("CardError.TLabel", background=surface, foreground=error)
    style.configure("Badge.TLabel", foreground=muted, relief="solid", borderwidth=1, padding=(4, 0))
    style.configure("Card.TCheckbutton", background=surface)
    # Slim buttons keep a card little wider than its thumbnail (three to a row at 1360 px);
    # width 0 drops the theme's minimum of 11 characters per button.
    style.configure("Card.TButton", padding=(6, 3), width=0)
    style.configure("Card.TMenubutton", padding=(4, 3))
    style.configure("Status.TLabel", foreground=muted)
    style.configure("StatusError.TLabel", foreground=error)
    style.configure("Pane.TLabel", font="TkHeadingFont")
    style.configure("Viewer.Treeview", background=surface, fieldbackground=surface, foreground=text)
    # The Cards / table tabs: the chosen one on the cards' surface, the other muted, in both themes.
    window = str(style.lookup("TFrame", "background") or surface)
    style.configure("Viewer.TNotebook", background=window)
    style.configure("Viewer.TNotebook.Tab", padding=(10, 4))
    style.map("Viewer.TNotebook.Tab", background=[("selected", surface), ("!selected", window)],
              foreground=[("selected", text), ("!selected", muted)])
    style.map("Viewer.TCombobox", fieldbackground=[("readonly", surface)], foreground=[("readonly", text)],
              selectbackground=[("readonly", surface)], selectforeground=[("readonly", text)])
    return muted


def style_font(widget: tk.Misc, style: str) -> font.Font:
    """The font a ttk style draws with (or a parent style's), else Tk's default."""
    spec = ttk.Style(widget).lookup(style, "font") or "TkDefaultFont"
    try:
        return font.nametofont(spec, root=widget)
    except tk.TclError:  # a font description such as "Helvetica 10", not a named font
        return font.Font(root=widget, font=spec)
