"""The viewer's pieces that need no window: the model and its badges, the thumbnail
decoder, the cards' name shortening and the preview's fit arithmetic."""

from __future__ import annotations

import pytest
from PIL import Image

from difpy_tk.gui.viewer.card import elide_to_fit
from difpy_tk.gui.viewer.model import ViewerModel
from difpy_tk.gui.viewer.preview import visible_part
from difpy_tk.gui.viewer.thumbnails import decode_image
from difpy_tk.review.journal import ActionResult, Outcome
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult


def make_model() -> ViewerModel:
    groups = [Group("/k0", (Match("/b0", 2.0), Match("/a0", 0.5))), Group("/k1", (Match("/m1", 0.0),))]
    files = {path: FileRecord(path, 1, 1, 1, 1) for group in groups for path in group.paths}
    return ViewerModel(SearchResult(parameters={}, files=files, groups=groups))


def test_members_kept_first_then_by_mse_and_kind_filter():
    model = make_model()
    assert model.members(0) == ["/k0", "/a0", "/b0"]
    model.kind = "duplicates"
    assert model.visible_groups() == [1]
    model.kind = "similar"
    assert model.visible_groups() == [0]


def test_only_success_removes_a_file_and_undo_brings_it_back():
    model = make_model()
    changed = model.apply([
        ActionResult("move", "/a0", Outcome.OK, destination="/x/a0"),
        ActionResult("trash", "/b0", Outcome.FAILED, reason="permission denied"),
        ActionResult("trash", "/m1", Outcome.SKIPPED, reason="the file changed since the search"),
    ])
    assert changed == {0, 1}
    assert model.members(0) == ["/k0", "/b0"] and model.gone["/a0"] == "moved to /x/a0"
    assert model.failures == {"/b0": "Trash failed: permission denied",
                              "/m1": "Skipped: the file changed since the search"}
    model.apply([ActionResult("undo move", "/x/a0", Outcome.OK, destination="/a0")])
    assert model.members(0) == ["/k0", "/a0", "/b0"]


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


@pytest.mark.parametrize(("kept", "other", "reason"), [
    ((200, 100, 5), (100, 100, 9), "highest resolution"),
    ((100, 200, 5), (100, 100, 1), "largest file"),
    ((100, 100, 1), (100, 100, 5), "oldest file"),
    ((100, 100, 5), (100, 100, 5), "first by path"),
])
def test_the_kept_badge_names_the_rule_that_chose_it(kept, other, reason):
    """(width, size, mtime) of the kept image and its match: copies often tie on resolution."""
    records = [FileRecord(path, size, mtime, width, 100)
               for path, (width, size, mtime) in (("/a", kept), ("/b", other))]
    group = Group("/a", (Match("/b", 0.0, 90),))
    model = ViewerModel(SearchResult(parameters={}, files={r.path: r for r in records}, groups=[group]))
    assert model.badge("/a") == f"KEPT ({reason})"
    assert model.badge("/b") == "identical to kept, turned 90°"


def test_a_match_badge_gives_its_error_to_the_kept_image():
    assert make_model().badge("/b0") == "MSE 2.00 to kept"
