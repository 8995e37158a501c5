"""Step 2: what counts as a match, then start the search."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from difpy_tk.gui.screens.base import Screen
from difpy_tk.gui.widgets import (
    Collapsible,
    WrapLabel,
    add_mnemonic,
    arrow_keys_choose,
    clear_when_valid,
    error_label,
    hint,
    option_message,
    read_float,
)
from difpy_tk.scan.options import SIMILARITY_PRESETS, OptionError, parse_similarity

if TYPE_CHECKING:
    from difpy_tk.gui.app import App

MODES = {
    "duplicates": (
        "Duplicates",
        "Exact matches only: images whose pixels are identical (MSE 0), also in another format "
        "when it keeps every pixel (a PNG copy of a photo). A copy saved again as JPEG changes "
        "its pixels a little: choose Similar to find those too.",
    ),
    "similar": (
        "Similar",
        "Duplicates plus images that look almost the same (MSE 5 or lower), such as re-saved, "
        "re-compressed or slightly edited copies.",
    ),
}
CUSTOM_HINT = (
    "The largest mean squared error between two images that still counts as a match. "
    "0 finds exact duplicates only; Similar uses 5; higher values find looser matches."
)
ROTATE_HINT = "Also compare each image turned by 90°, 180° and 270°, to find rotated copies."
MIRROR_HINT = "Also compare each image mirrored, to find flipped copies (a selfie and its mirror image)."
SAME_DIM_HINT = "Only compare images of the same width and height: faster, but misses resized copies."
CHECK_WIDTH = 16
"""Characters for the longest box's label, so the explanations beside them line up."""
THOROUGH_HINT = (
    "Look at every image at full resolution, not only at a quick first look (slower at first)."
)


class ConfigureScreen(Screen):
    def __init__(self, app: App) -> None:
        super().__init__(
            app,
            "Step 2 of 2 · Configure search",
            "Choose what counts as a match. difpy_tk compares the images pixel by pixel.",
        )
        self.mode_var = tk.StringVar(value="duplicates")
        self.custom_var = tk.StringVar()
        self.rotate_var = tk.BooleanVar()
        self.mirror_var = tk.BooleanVar()
        self.same_dim_var = tk.BooleanVar()
        self.thorough_var = tk.BooleanVar()
        # Packed first, at the bottom: when the window is short, the options give way, not
        # the error or what a cancelled search kept.
        messages = ttk.Frame(self.content)
        messages.pack(side="bottom", fill="x")
        self.error = error_label(messages)
        self.error.pack(fill="x", pady=(10, 0))
        self.notice = WrapLabel(messages, style="Strong.TLabel")  # e.g. what a cancelled search kept
        self.notice.pack(fill="x", pady=(6, 0))

        self.mode_buttons = []
        for mode, (label, explanation) in MODES.items():
            radio = ttk.Radiobutton(self.content, text=label, value=mode, variable=self.mode_var)
            radio.pack(anchor="w", pady=(6, 0))
            self.mode_buttons.append(radio)
            hint(self.content, explanation).pack(fill="x", padx=(24, 0))

        self.advanced = Collapsible(self.content, "Advanced", grow_window=True)
        self.advanced.pack(fill="x", pady=(14, 0))
        body = self.advanced.body
        custom_row = ttk.Frame(body)
        custom_row.pack(fill="x")
        custom = ttk.Radiobutton(custom_row, text="Custom MSE threshold", value="custom", variable=self.mode_var)
        custom.pack(side="left")
        self.mode_buttons.append(custom)
        arrow_keys_choose(self.mode_buttons)
        self.custom_entry = ttk.Entry(custom_row, textvariable=self.custom_var, width=8)
        self.custom_entry.pack(side="left", padx=(8, 0))
        hint(body, CUSTOM_HINT).pack(fill="x", padx=(24, 0))
        for text, variable, explanation in (
            ("Rotate", self.rotate_var, ROTATE_HINT),
            ("Mirror", self.mirror_var, MIRROR_HINT),
            ("Same dimensions", self.same_dim_var, SAME_DIM_HINT),
            ("Thorough", self.thorough_var, THOROUGH_HINT),
        ):  # each explained beside its box: the screen must fit a 1280 × 720 laptop
            row = ttk.Frame(body)
            row.pack(fill="x", pady=(8, 0))
            ttk.Checkbutton(row, text=text, variable=variable, width=CHECK_WIDTH).pack(side="left", anchor="n")
            hint(row, explanation).pack(side="left", fill="x", expand=True)

        for variable in (self.mode_var, self.custom_var):
            variable.trace_add("write", lambda *args: clear_when_valid(self.error, self._similarity))
        self.custom_var.trace_add("write", lambda *args: self._typed_threshold())

        self.back_button = self.nav_button("← Back", self.back)
        self.start_button = self.nav_button("Start search", self.start, primary=True)
        add_mnemonic(self.start_button, "s")

    def on_show(self) -> None:
        settings = self.app.settings
        similarity = settings.similarity
        is_preset = isinstance(similarity, str) and similarity in SIMILARITY_PRESETS
        self.mode_var.set(similarity if is_preset else "custom")
        self.custom_var.set("" if is_preset else f"{parse_similarity(similarity):g}")
        if not is_preset and not self.advanced.expanded:
            self.advanced.toggle()
        self.rotate_var.set(settings.rotate)
        self.mirror_var.set(settings.mirror)
        self.same_dim_var.set(settings.same_dim)
        self.thorough_var.set(settings.thorough)
        self.error.configure(text="")
        self.notice.configure(text="")
        self.start_button.focus_set()

    def show_notice(self, text: str) -> None:
        """A line about what just happened (a cancelled search), until the screen is left."""
        self.notice.configure(text=text)

    def _typed_threshold(self) -> None:
        """A threshold typed into the box chooses "Custom": a new user typed 40 without
        choosing it first, and the search ran at the preset, silently."""
        if self.custom_var.get().strip():
            self.mode_var.set("custom")

    def _similarity(self) -> str | float:
        """The chosen preset or the typed threshold; OptionError when the typed one is wrong."""
        mode = self.mode_var.get()
        return parse_similarity(read_float(self.custom_var.get(), "similarity")) if mode == "custom" else mode

    def store(self) -> bool:
        try:
            similarity = self._similarity()
        except OptionError as exc:
            if not self.advanced.expanded:
                self.advanced.toggle()
            self.error.configure(text=f"Threshold: {option_message(exc)}")
            self.custom_entry.focus_set()
            return False
        self.error.configure(text="")
        settings = self.app.settings
        settings.similarity = similarity
        settings.rotate = self.rotate_var.get()
        settings.mirror = self.mirror_var.get()
        settings.same_dim = self.same_dim_var.get()
        settings.thorough = self.thorough_var.get()
        return True

    def start(self) -> None:
        self.notice.configure(text="")
        if not self.store():
            return
        try:
            options = self.app.settings.search_options()
        except OptionError as exc:
            self.error.configure(text=str(exc))
            return
        self.app.start_search(options)

    def back(self) -> None:
        self.store()
        self.app.show("import")

    def on_return(self) -> None:
        self.start()

    def on_escape(self) -> None:
        self.back()
