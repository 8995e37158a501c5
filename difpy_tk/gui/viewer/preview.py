"""A large preview of one image, or two side by side to compare, fitted to the window
with zoom and pan (wheel, +/−, drag) that move both images together.

Zoom is relative to each image's own fit and the centre is in image fractions, so two
copies at different resolutions stay aligned: the same detail under the same spot. A
match found turned is shown turned like its kept image, so that holds for it too."""

from __future__ import annotations

import os
import tkinter as tk
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from tkinter import ttk

from PIL import Image, ImageTk

from difpy_tk.gui.viewer.thumbnails import decode_image, unshowable
from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.gui.widgets import WrapLabel, fit_to_screen
from difpy_tk.scan.frames import UNCOUNTED
from difpy_tk.scan.poses import Pose

PREVIEW_SIZE = (1300, 900)
"""At 96 DPI, as much of it as the screen allows (widgets.fit_to_screen)."""
ZOOM_STEP = 1.25
MAX_ZOOM = 64.0


def decode_posed(path: str, pose: Pose, page: int = 0) -> Image.Image:
    """The whole image (that page of it), upright, then in pose: mirrored left to right
    when pose says so, then turned clockwise."""
    image = decode_image(path, None, page)
    if pose.mirrored:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return image.rotate(-pose.degrees, expand=True) if pose.degrees else image


def fit_scale(image_size: tuple[int, int], canvas_size: tuple[int, int]) -> float:
    """Screen pixels per image pixel that fit the whole image in the canvas."""
    return min(canvas_size[0] / image_size[0], canvas_size[1] / image_size[1])


def visible_part(image_size: tuple[int, int], canvas_size: tuple[int, int], zoom: float,
                 centre: tuple[float, float]) -> tuple[tuple[float, float, float, float], tuple[int, int]]:
    """The part of the image to draw (left, top, right, bottom in image pixels) and the
    screen size to draw it at. Both axes share one scale, so the image keeps its shape:
    at fit it is letterboxed in the canvas, never stretched to fill it or cropped."""
    (image_w, image_h), (canvas_w, canvas_h) = image_size, canvas_size
    scale = fit_scale(image_size, canvas_size) * zoom
    shown_w, shown_h = min(canvas_w, image_w * scale), min(canvas_h, image_h * scale)
    # min(): (w × scale) / scale can come out one ulp above w, and a box reaching past the
    # image (left a hair below 0) makes Pillow refuse the resize.
    part_w, part_h = min(image_w, shown_w / scale), min(image_h, shown_h / scale)
    left = min(max(centre[0] * image_w - part_w / 2, 0), image_w - part_w)
    top = min(max(centre[1] * image_h - part_h / 2, 0), image_h - part_h)
    return (left, top, left + part_w, top + part_h), (max(1, round(shown_w)), max(1, round(shown_h)))


class View:
    """The shared zoom (1 = fit) and centre (fractions of the image) of all panes."""

    def __init__(self) -> None:
        self.zoom = 1.0
        self.centre = (0.5, 0.5)
        self.listeners: list[Callable[[], None]] = []

    def set(self, zoom: float | None = None, centre: tuple[float, float] | None = None) -> None:
        if zoom is not None:
            self.zoom = min(MAX_ZOOM, max(1.0, zoom))
        if centre is not None:
            self.centre = (min(1.0, max(0.0, centre[0])), min(1.0, max(0.0, centre[1])))
        if self.zoom == 1.0:
            self.centre = (0.5, 0.5)
        for listener in self.listeners:
            listener()


class ZoomPane(ttk.Frame):
    """One image's canvas. Its caption is made in the same parent for the window to place
    in a row above all panes, so a caption that wraps to two lines moves and shrinks
    every canvas alike and the images stay side by side at the same scale."""

    def __init__(self, parent: tk.Misc, view: View) -> None:
        super().__init__(parent, padding=4)
        self.view = view
        self.image: Image.Image | None = None
        self._photo: ImageTk.PhotoImage | None = None
        self._drag: tuple[int, int, tuple[float, float]] | None = None
        self.caption = WrapLabel(parent, style="Pane.TLabel", padding=(4, 0))  # wraps a long name
        self.canvas = tk.Canvas(self, highlightthickness=0, background="#202020", width=300, height=300)
        self.canvas.pack(fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda _e: self.render())
        self.canvas.bind("<ButtonPress-1>", self._press)
        self.canvas.bind("<B1-Motion>", self._motion)
        self.canvas.bind("<MouseWheel>", lambda e: self._wheel(1 if e.delta > 0 else -1))
        self.canvas.bind("<Button-4>", lambda _e: self._wheel(1))
        self.canvas.bind("<Button-5>", lambda _e: self._wheel(-1))
        view.listeners.append(self.render)

    def set_image(self, image: Image.Image | None, message: str = "", error: bool = False) -> None:
        """Show image, or instead a message (why it cannot be shown, or that it is loading)."""
        self.image = image
        if image is None:
            self.canvas.delete("all")
            self.canvas.create_text(10, 10, anchor="nw", text=message, fill="#ff8a80" if error else "#dddddd",
                                    width=max(100, self.canvas.winfo_width() - 20))
        self.render()

    def _canvas_size(self) -> tuple[int, int]:
        return max(1, self.canvas.winfo_width()), max(1, self.canvas.winfo_height())

    def scale(self) -> float:
        """Screen pixels per image pixel at the current zoom."""
        assert self.image is not None
        return fit_scale(self.image.size, self._canvas_size()) * self.view.zoom

    def render(self) -> None:
        """Resample only the visible part of the image, centred in the canvas."""
        if self.image is None:
            return
        width, height = self._canvas_size()
        box, size = visible_part(self.image.size, (width, height), self.view.zoom, self.view.centre)
        scale = self.scale()
        resample = Image.Resampling.NEAREST if scale > 2 else Image.Resampling.BILINEAR
        region = self.image.resize(size, resample, box=box, reducing_gap=None if scale > 1 else 2.0)
        self._photo = ImageTk.PhotoImage(region)
        self.canvas.delete("all")
        self.canvas.create_image(width // 2, height // 2, image=self._photo, anchor="center")

    def _press(self, event: tk.Event) -> None:
        self._drag = (event.x, event.y, self.view.centre)

    def _motion(self, event: tk.Event) -> None:
        if self._drag is None or self.image is None:
            return
        x, y, (cx, cy) = self._drag
        scale = self.scale()
        self.view.set(centre=(cx - (event.x - x) / scale / self.image.width,
                              cy - (event.y - y) / scale / self.image.height))

    def _wheel(self, direction: int) -> None:
        self.view.set(zoom=self.view.zoom * (ZOOM_STEP if direction > 0 else 1 / ZOOM_STEP))


class PreviewWindow(tk.Toplevel):
    """Preview of paths[0], or side-by-side compare of paths[0] and paths[1].

    A single preview given the group's images as `sequence` pages through them with the
    arrow keys, a large view of each in turn (dupeGuru users ask for this, D#1010).
    `poses` maps a path to the pose it is shown in: a compare turns (and mirrors) a
    match like its kept image, so zoom and pan show the same detail in both.
    `pages` maps a path to its count of pages or frames (FileRecord.frames): where one
    shown holds several, Page Up / Page Down show the same page of every pane, since the
    search compared only the first."""

    def __init__(self, parent: tk.Misc, paths: list[str], caption: Callable[[str], str],
                 sequence: list[str] | None = None, poses: dict[str, Pose] | None = None,
                 pages: dict[str, int] | None = None) -> None:
        super().__init__(parent)
        self.paths = list(paths)
        self.caption = caption
        self.poses = poses or {}
        self.pages = pages or {}
        self.page = 0
        self.sequence = sequence if sequence and len(paths) == 1 else None
        fit_to_screen(self, *PREVIEW_SIZE)
        self.view = View()
        self._worker = TkWorker(self, 2, "preview")
        bar = ttk.Frame(self, padding=(8, 6))
        bar.pack(fill="x")
        for text, command in (
            ("Fit (0)", lambda: self.view.set(zoom=1.0)),
            ("Zoom in (+)", lambda: self.view.set(zoom=self.view.zoom * ZOOM_STEP)),
            ("Zoom out (−)", lambda: self.view.set(zoom=self.view.zoom / ZOOM_STEP)),
            ("Actual size (1)", self.actual_size),
        ):
            ttk.Button(bar, text=text, command=command).pack(side="left", padx=(0, 4))
        ttk.Button(bar, text="Close (Esc)", command=self.close).pack(side="right")
        self.page_bar = ttk.Frame(bar)
        self.page_label = ttk.Label(self.page_bar, style="Status.TLabel")
        ttk.Button(self.page_bar, text="◀", width=2, command=lambda: self.turn_page(-1)).pack(side="left")
        self.page_label.pack(side="left", padx=6)
        ttk.Button(self.page_bar, text="▶", width=2, command=lambda: self.turn_page(1)).pack(side="left")
        hint = "Drag to pan, wheel to zoom" + (", ← → other images of the group" if self.sequence else "")
        ttk.Label(bar, text=hint, style="Status.TLabel").pack(side="right", padx=12)
        panes = ttk.Frame(self)
        panes.pack(fill="both", expand=True)
        self.panes = [ZoomPane(panes, self.view) for _path in paths]
        for column, pane in enumerate(self.panes):
            panes.columnconfigure(column, weight=1, uniform="pane")
            pane.caption.grid(row=0, column=column, sticky="new")
            pane.grid(row=1, column=column, sticky="nsew")
        panes.rowconfigure(1, weight=1)
        self._load()
        for key, action in (
            ("<Escape>", self.close), ("<space>", self.close), ("0", lambda: self.view.set(zoom=1.0)),
            ("1", self.actual_size), ("<plus>", lambda: self.view.set(zoom=self.view.zoom * ZOOM_STEP)),
            ("<equal>", lambda: self.view.set(zoom=self.view.zoom * ZOOM_STEP)),
            ("<minus>", lambda: self.view.set(zoom=self.view.zoom / ZOOM_STEP)),
            ("<Left>", lambda: self.turn(-1)), ("<Right>", lambda: self.turn(1)),
            ("<Prior>", lambda: self.turn_page(-1)), ("<Next>", lambda: self.turn_page(1)),
        ):
            self.bind(key, lambda _e, a=action: a())
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Destroy>", lambda e: self._worker.close() if e.widget is self else None, add="+")
        self.focus_force()

    def _page_count(self) -> int | None:
        """The most pages of the files shown; None when one's count is unknown."""
        counts = [self.pages.get(path, 1) for path in self.paths]
        return None if UNCOUNTED in counts else max(counts)

    def _load(self) -> None:
        names = " ↔ ".join(os.path.basename(path) for path in self.paths)
        self.title(f"{'Compare' if len(self.paths) > 1 else 'Preview'}: {names}")
        count = self._page_count()
        if count == 1:
            self.page_bar.pack_forget()
        else:
            self.page_label.configure(text=f"Page {self.page + 1}" + (f" of {count}" if count else "")
                                      + " (PgUp, PgDn)")
            self.page_bar.pack(side="left", padx=(12, 0))
        for pane, path in zip(self.panes, self.paths):
            pose = self.poses.get(path, Pose())
            pane.caption.configure(text=self.caption(path) + (f" · shown {pose.words()} to line up" if pose else ""))
            pane.set_image(None, "Loading…")
            self._worker.submit(decode_posed, path, pose, self.page, done=partial(self._loaded, pane, path, self.page))

    def turn_page(self, offset: int) -> None:
        """Show the previous/next page of every pane (files holding several only)."""
        count = self._page_count()
        page = self.page + offset
        if count == 1 or page < 0 or (count is not None and page >= count):
            return
        self.page = page
        self._load()

    def turn(self, offset: int) -> None:
        """Show the previous/next image of the group (single preview only)."""
        if not self.sequence:
            return
        here = self.sequence.index(self.paths[0]) if self.paths[0] in self.sequence else 0
        self.paths = [self.sequence[(here + offset) % len(self.sequence)]]
        self.page = 0
        self.view.set(zoom=1.0)
        self._load()

    def _loaded(self, pane: ZoomPane, path: str, page: int, future: Future) -> None:
        if path not in self.paths or page != self.page:
            return  # the user went on to another image or page before this one was decoded
        try:
            pane.set_image(future.result())
        except EOFError as error:
            pane.set_image(None, f"this file has no page {page + 1}" if page else unshowable(error), error=not page)
        except Exception as error:  # any decoder error is shown in the pane
            pane.set_image(None, unshowable(error), error=True)

    def actual_size(self) -> None:
        """One image pixel per screen pixel for the first image."""
        pane = self.panes[0]
        if pane.image is not None:
            self.view.set(zoom=self.view.zoom / pane.scale())

    def close(self) -> None:
        """Close, handing the keys back to the window it was opened from (the viewer's
        Space and arrows), which would otherwise wait for a click."""
        owner = self.master.winfo_toplevel()
        self.destroy()
        owner.focus_set()
