"""The viewer's pieces that need no window: the thumbnail decoder and sizes, the cards'
name shortening, the preview's fit arithmetic, Show in folder, the confirmation's words."""

from __future__ import annotations

import pytest
from PIL import Image

from difpy_tk.gui.viewer import desktop
from difpy_tk.gui.viewer.card import elide_to_fit
from difpy_tk.gui.viewer.confirm import file_note, summary_lines
from difpy_tk.gui.viewer.desktop import reveal_command
from difpy_tk.gui.viewer.preview import visible_part
from difpy_tk.gui.viewer.thumbnails import decode_image, unshowable
from difpy_tk.gui.viewer.window import choose_box
from difpy_tk.review.journal import ActionResult, Outcome
from difpy_tk.review.session import ActionKind, Link, Plan, PlannedFile
from difpy_tk.scan.result import FileRecord


def test_thumbnail_is_upright_small_and_in_a_mode_tk_shows(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.new("RGB", (2000, 1000), "red").save(tmp_path / "turned.jpg", exif=exif)
    thumbnail = decode_image(str(tmp_path / "turned.jpg"), 200)
    assert thumbnail.size == (100, 200) and thumbnail.mode == "RGB"
    Image.new("P", (50, 50)).save(tmp_path / "palette.png", transparency=0)
    assert decode_image(str(tmp_path / "palette.png"), 200).mode == "RGBA"
    assert decode_image(str(tmp_path / "turned.jpg"), None).size == (1000, 2000)


@pytest.mark.parametrize(("image", "canvas"), [
    ((640, 480), (640, 1600)), ((640, 480), (3000, 400)), ((634, 1142), (646, 800)),
    ((1142, 634), (646, 800)), ((50, 40), (1000, 700)), ((4000, 3000), (101, 977)),
])
def test_fit_keeps_the_shape_and_letterboxes(image, canvas):
    box, (shown_w, shown_h) = visible_part(image, canvas, zoom=1.0, centre=(0.5, 0.5))
    assert box == pytest.approx((0, 0, *image)), "the whole image at fit"
    assert abs(shown_w * image[1] / image[0] - shown_h) <= 1, "same scale on both axes"
    assert shown_w <= canvas[0] and shown_h <= canvas[1]
    assert canvas[0] - shown_w <= 1 or canvas[1] - shown_h <= 1, "as large as fits"


def test_zoomed_part_keeps_the_shape_and_the_centre():
    box, size = visible_part((640, 480), (640, 1600), zoom=4.0, centre=(0.25, 0.5))
    left, top, right, bottom = box
    assert size == (640, 1600) and (right - left) / (bottom - top) == pytest.approx(640 / 1600)
    assert (left + right) / 2 == pytest.approx(160) and (top + bottom) / 2 == pytest.approx(240)


def test_long_names_are_shortened_in_the_middle_to_the_width_that_fits():
    name = "IMG_20190712_183455_HDR_panorama_edited_final_version_for_printing.jpg"
    assert elide_to_fit(name, lambda text: len(text) <= 100) == name
    short = elide_to_fit(name, lambda text: len(text) <= 21)
    assert short == "IMG_201907…inting.jpg" and len(short) == 21
    assert elide_to_fit(name, lambda text: False) == "…g"


def test_a_header_wraps_between_its_parts_only(tk_errors):
    """Tk wraps a label at spaces: "copies use 20.9 KB" broke before "KB" at 1,100 px."""
    import tkinter as tk
    from tkinter import ttk

    from difpy_tk.gui.viewer.card import label_font
    from difpy_tk.gui.viewer.group_list import TextWidth
    from difpy_tk.gui.widgets import join_unbroken

    root = tk.Tk()
    try:
        label = ttk.Label(root, text=join_unbroken(["Group 1 of 12", "copies use 20.9 KB"]))
        face = label_font(label)
        label.configure(wraplength=face.measure("Group 1 of 12 · copies use 20.9") + 2)
        label.pack()
        root.update()
        assert label.winfo_reqwidth() - face.measure("copies use 20.9 KB") <= 4, "the second part whole on its line"
        # a folder's name keeps its spaces: unbroken and longer than a line, Tk cut it anywhere
        folder = "in Family archive 2019"
        assert join_unbroken(["3 images", folder], breakable=[folder]) == "3\u00a0images\u00a0· in Family archive 2019"
        width = TextWidth(face)
        for text in ("IMG_20190712_183455.jpg", "Überraschung (2).JPG", "WWW iii"):
            assert abs(width(text) - face.measure(text)) <= 1
    finally:
        root.destroy()


@pytest.mark.parametrize(("width", "count", "box"), [
    (600, 1, 360), (600, 2, 210), (960, 3, 210), (960, 7, 150), (1500, 3, 360), (300, 5, 210), (200, 5, 150),
])
def test_thumbnails_grow_with_the_window(width, count, box):
    assert choose_box(width, count) == box


def test_reveal_selects_the_file_where_the_platform_can(monkeypatch):
    assert reveal_command("C:/photos/a.jpg", "win32")[0] == "explorer"
    assert reveal_command("C:/photos/a.jpg", "win32")[1].startswith("/select,")
    assert reveal_command("/p/a.jpg", "darwin") == ["open", "-R", "/p/a.jpg"]
    monkeypatch.setattr(desktop.shutil, "which", lambda name: "/usr/bin/dbus-send")
    assert "array:string:file:///p/a.jpg" in reveal_command("/p/a.jpg", "linux")
    monkeypatch.setattr(desktop.shutil, "which", lambda name: None)
    assert reveal_command("/p/a.jpg", "linux") == ["xdg-open", "/p"]


def plan(kind, links=(), left_out=()) -> Plan:
    record = FileRecord("/p/b/copy.jpg", 2048, 1, 10, 10)
    keeper = FileRecord("/p/a/original.jpg", 4096, 1, 10, 10)
    return Plan(kind, (PlannedFile(record, 0, keeper, tuple(links)),), tuple(left_out), "/target")


def test_the_confirmation_says_what_stays_what_breaks_and_how_to_undo():
    links = [Link("/p/link.jpg", True, breaks=True), Link("/q/hard.jpg", False)]
    lines = summary_lines(plan(ActionKind.TRASH, links=links))
    text = " ".join(lines)
    assert "The image each group keeps stays where it is: it is listed, in colour, above its group's files." in text
    assert "1 link found in the search points to these files and will point nowhere: /p/link.jpg" in text
    assert "1 hard link keeps a file's data under another name" in text
    assert "restore them from the Trash" in text
    assert file_note((Link("/p/link.jpg", True, breaks=True),)) == "link link.jpg will break"
    assert file_note((), ("low detail",)) == "low detail: may match without being a copy", (
        "a new user included flagged groups, and the Trash list did not say which files came from them"
    )
    skipped = ActionResult("move", "/p/c.jpg", Outcome.SKIPPED, reason="the file no longer exists")
    assert "1 file changed or vanished" in " ".join(summary_lines(plan(ActionKind.MOVE, left_out=[skipped])))
    assert "cannot be undone" in " ".join(summary_lines(plan(ActionKind.DELETE)))
    assert 'gets a number added ("name (2).jpg"); nothing is overwritten' in " ".join(
        summary_lines(plan(ActionKind.MOVE))
    )
    inside = Plan(ActionKind.MOVE, (), folder="/p/a/dupes", searched_folder="/p")
    assert "/p/a/dupes is inside /p, which was searched: a later search there will find these files again." in (
        summary_lines(inside)
    )


def test_the_visible_part_never_reaches_outside_the_image():
    """Float rounding once put the left edge at -1.4e-14 (100×139 in 640×720), and Pillow
    refused the resize with "box offset can't be negative"."""
    for width in range(100, 1400, 7):
        for height in range(100, 1400, 13):
            for canvas in [(683, 700), (900, 600), (640, 720), (1000, 333)]:
                (left, top, right, bottom), _ = visible_part((width, height), canvas, zoom=1.0, centre=(0.5, 0.5))
                assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_a_card_shows_a_deep_image_as_the_search_compared_it(tmp_path):
    """Found by a review: a 16-bit PGM whose samples all lie below 256 is nearly black, as
    the search compares it, but its card showed it bright (Pillow's convert)."""
    import numpy as np

    path = tmp_path / "dark.pgm"
    path.write_bytes(b"P5\n4 4\n65535\n" + np.full((4, 4), 200, ">u2").tobytes())
    assert decode_image(str(path), None).convert("RGB").getpixel((0, 0)) == (1, 1, 1)
    assert decode_image(str(path), 200).convert("RGB").getpixel((0, 0)) == (1, 1, 1)


def test_an_image_that_cannot_be_shown_says_why_in_words(tmp_path):
    """A result reopened after a move showed "[Errno 2] No such file or directory: '…'"."""
    with pytest.raises(OSError) as gone:
        decode_image(str(tmp_path / "moved-away.jpg"), 64)
    assert unshowable(gone.value) == "this file is no longer here: moved, renamed or deleted since the search"
    (tmp_path / "not-an-image.jpg").write_bytes(b"plain text")
    with pytest.raises(OSError) as unreadable:
        decode_image(str(tmp_path / "not-an-image.jpg"), 64)
    assert unshowable(unreadable.value).startswith("cannot show this image: cannot identify image file")
    assert unshowable(PermissionError(13, "Permission denied")) == "cannot show this image: permission denied"
