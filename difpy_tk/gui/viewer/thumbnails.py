"""Thumbnails decoded off the Tk thread and kept in a memory LRU, so flipping through
groups shows cached images at once and never blocks on a 20-megapixel JPEG.

Decoding uses Image.draft: libjpeg scales by 1/2..1/8 while decoding, several times
faster than a full decode then resize. PhotoImages are only made on the Tk thread, and
the cache holds a reference to each one (Tk itself does not, and would blank them)."""

from __future__ import annotations

import tkinter as tk
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future

from PIL import Image, ImageOps, ImageTk

from difpy_tk.gui.viewer.tk_worker import TkWorker
from difpy_tk.humanize import describe_error
from difpy_tk.scan.appearance import HIGH_DEPTH_MODES, as_seen, before_load
from difpy_tk.scan.result import FileRecord

ThumbnailCallback = Callable[[ImageTk.PhotoImage | None, str], None]
"""Called with (photo, "") or (None, reason the image cannot be shown)."""


class Stale(Exception):
    """The user moved on before this thumbnail's turn came; it was not decoded."""


def decode_image(path: str, box: int | None, page: int = 0) -> Image.Image:
    """The image upright (EXIF orientation applied) in a mode Tk can show, fitted in a
    box x box square when box is given (draft decode), else at full size. page: which
    page or frame of a file holding several (EOFError past the last). A 16-bit, 32-bit
    or float image is brought to 8 bits as the search sees it (appearance), so a card
    never shows bright what was compared as dark."""
    with Image.open(path) as image:
        if page:
            image.seek(page)
        if box is not None:
            image.draft("RGB", (box, box))
        samples = before_load(image)
        image = ImageOps.exif_transpose(image)
        if image.mode in HIGH_DEPTH_MODES:
            image = as_seen(image, samples)
        if box is not None:
            image.thumbnail((box, box), Image.Resampling.BICUBIC)
        if image.mode not in ("RGB", "RGBA", "L"):
            has_alpha = "A" in image.getbands() or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        image.load()
        return image


def unshowable(error: BaseException) -> str:
    """Why an image cannot be shown, in words: a file moved away since the search (a
    result reopened after a move) said "[Errno 2] No such file or directory" before."""
    if isinstance(error, FileNotFoundError):
        return "this file is no longer here: moved, renamed or deleted since the search"
    return f"cannot show this image: {describe_error(error)}"


class ThumbnailCache:
    """box: the thumbnail size, changed as the window grows; each size is cached apart."""

    def __init__(self, widget: tk.Misc, box: int, capacity: int = 600, workers: int = 2) -> None:
        self.box = box
        self._capacity = capacity
        self._worker = TkWorker(widget, workers, "thumbnail")
        self._photos: OrderedDict[tuple, ImageTk.PhotoImage] = OrderedDict()
        self._errors: dict[tuple, str] = {}
        self._waiting: dict[tuple, list[ThumbnailCallback]] = {}
        self._wanted_in: dict[tuple, int] = {}
        """Key -> generation of its latest request; read by workers to skip stale jobs."""
        self._generation = 0

    def new_generation(self) -> None:
        """Mark queued requests stale (the user switched group): they are skipped unless
        requested again, so holding an arrow key never builds a backlog."""
        self._generation += 1

    def _key(self, record: FileRecord) -> tuple:
        return (record.path, record.size, record.mtime_ns, self.box)

    def request(self, record: FileRecord, callback: ThumbnailCallback | None = None) -> None:
        """Deliver the thumbnail to callback: at once if cached, else once decoded.
        Without a callback it only warms the cache (prefetch)."""
        key = self._key(record)
        if key in self._photos:
            self._photos.move_to_end(key)
            if callback:
                callback(self._photos[key], "")
            return
        if key in self._errors:
            if callback:
                callback(None, self._errors[key])
            return
        self._wanted_in[key] = self._generation
        if key in self._waiting:
            if callback:
                self._waiting[key].append(callback)
            return
        self._waiting[key] = [callback] if callback else []
        self._submit(key, record.path)

    def _submit(self, key: tuple, path: str) -> None:
        box = self.box  # the window may resize (and change the box) before the job runs

        def job() -> Image.Image:
            if self._wanted_in.get(key, -1) < self._generation - 1:
                raise Stale()
            return decode_image(path, box)

        self._worker.submit(job, done=lambda future: self._finished(key, future))

    def _finished(self, key: tuple, future: Future) -> None:
        callbacks = self._waiting.pop(key, [])
        self._wanted_in.pop(key, None)
        try:
            image = future.result()
        except Stale:
            return
        except Exception as error:  # any decoder error: show why instead of a thumbnail
            self._errors[key] = unshowable(error)
            for callback in callbacks:
                callback(None, self._errors[key])
            return
        photo = ImageTk.PhotoImage(image)
        self._photos[key] = photo
        while len(self._photos) > self._capacity:
            self._photos.popitem(last=False)
        for callback in callbacks:
            callback(photo, "")

    def close(self) -> None:
        self._worker.close()
