"""The image viewer on a real search result under Xvfb: keyboard navigation, previews,
bulk move and undo checked on disk, failures kept in view, not-a-duplicate, speed."""

from __future__ import annotations

import gc
import statistics
import time
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from types import SimpleNamespace

import numpy as np
import pytest

from difpy_tk.gui.dnd import create_root
from difpy_tk.gui.viewer import open_viewer
from difpy_tk.gui.viewer.ignore_settings import build_frame
from difpy_tk.gui.viewer.preview import PreviewWindow
from difpy_tk.gui.viewer.window import CARD_GAP
from difpy_tk.review import ignore_list
from difpy_tk.review.journal import Journal
from difpy_tk.review.selection import Rule
from difpy_tk.scan.engine import run_search
from difpy_tk.scan.options import SearchOptions
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult

from .viewer_images import make_review_folder

PICTURES = 9


@pytest.fixture
def result(tmp_path) -> SearchResult:
    folder = make_review_folder(tmp_path / "photos", PICTURES)
    return run_search(SearchOptions((str(folder),), similarity="similar", same_dim=False, processes=1))


@pytest.fixture
def root(tk_errors):
    root = create_root()
    root.withdraw()
    yield root
    root.destroy()
    # Collect the destroyed windows' Tk variables here, on the Tk thread: collected later
    # in a decoding thread they raise, and a Tk interpreter deleted there aborts Python.
    gc.collect()
    if tk_errors:
        pytest.fail(f"a Tk callback raised: {tk_errors!r}")


def pump(root: tk.Misc, condition, timeout: float = 20.0) -> None:
    """Run the event loop until condition() holds."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out waiting for {condition}"
        root.update()
        time.sleep(0.005)


def key(widget: tk.Misc, sequence: str) -> None:
    """Under Xvfb without a window manager a key arrives only at a focused window."""
    widget.focus_force()
    widget.update()
    widget.event_generate(sequence)
    widget.update()


def thumbnails_loaded(viewer) -> bool:
    cards = [card for card in viewer._cards if card.winfo_ismapped()]
    return bool(cards) and all(card._photo is not None for card in cards)


@pytest.fixture
def viewer(root, result, tmp_path):
    lines: list[str] = []
    window = open_viewer(root, result, lines.append, Journal(tmp_path / "actions.log"))
    window.log_lines = lines
    pump(root, lambda: thumbnails_loaded(window))
    return window


def test_opens_on_the_result_and_navigates_by_keyboard(root, result, viewer):
    assert len(result.groups) == PICTURES
    assert len(viewer.tree.get_children()) == PICTURES
    first = viewer.current_group
    assert viewer.tree.selection() == (str(first),)
    shown = [card for card in viewer._cards if card.winfo_ismapped()]
    assert [card.path for card in shown] == viewer.model.members(first)
    assert shown[0].badge.cget("text").startswith("KEPT")
    assert "px" in shown[1].facts.cget("text") and shown[1].name.cget("text")
    key(viewer, "<Right>")
    second = viewer.current_group
    assert second != first and viewer.tree.selection() == (str(second),)
    key(viewer, "<Left>")
    assert viewer.current_group == first
    key(viewer, "<End>")
    assert viewer.current_group == int(viewer.tree.get_children()[-1])
    key(viewer, "<Home>")
    assert viewer.current_group == first
    pump(root, lambda: thumbnails_loaded(viewer))


def test_switching_cached_groups_is_fast(root, viewer):
    for _ in range(PICTURES):
        key(viewer, "<Right>")
        pump(root, lambda: thumbnails_loaded(viewer))
    timings = []
    for sequence in ["<Left>"] * (PICTURES - 1) + ["<Right>"] * (PICTURES - 1):
        started = time.perf_counter()
        key(viewer, sequence)
        assert thumbnails_loaded(viewer), "cached thumbnails show in the same update"
        timings.append((time.perf_counter() - started) * 1000)
    print(f"group switch incl. redraw: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")
    assert statistics.median(timings) < 100


def test_space_opens_a_preview_and_compare_shows_two(root, viewer):
    key(viewer, "<space>")
    previews = [w for w in viewer.winfo_children() if isinstance(w, PreviewWindow)]
    assert len(previews) == 1
    preview = previews[0]
    pump(root, lambda: preview.panes[0].image is not None)
    members = viewer.model.members(viewer.current_group)
    assert preview.paths == [members[0]] and "KEPT" in preview.panes[0].caption.cget("text")
    preview.view.set(zoom=3.0)
    key(preview, "<Right>")
    assert preview.paths == [members[1]] and preview.view.zoom == 1.0
    pump(root, lambda: preview.panes[0].image is not None)
    assert viewer.current_group == viewer._rows[0], "arrows in the preview page images, not groups"
    key(preview, "<Escape>")
    assert not preview.winfo_exists()
    viewer.compare()
    compare = next(w for w in viewer.winfo_children() if isinstance(w, PreviewWindow))
    assert len(compare.panes) == 2
    pump(root, lambda: all(pane.image is not None for pane in compare.panes))
    compare.close()


def test_compare_at_fit_keeps_each_image_shape(root, viewer):
    """Tall panes: a landscape image is letterboxed, not stretched to fill the pane."""
    viewer.compare()
    compare = next(w for w in viewer.winfo_children() if isinstance(w, PreviewWindow))
    compare.geometry("700x1000+0+0")
    pump(root, lambda: all(pane.image is not None for pane in compare.panes))
    root.update()
    for pane in compare.panes:
        shown, image = pane._photo, pane.image
        assert abs(shown.width() * image.height / image.width - shown.height()) <= 1
        assert shown.width() >= pane.canvas.winfo_width() - 1 > 0
        assert shown.height() < pane.canvas.winfo_height() / 2
    compare.close()


def test_compare_shows_a_turned_match_turned_like_its_kept_image(root, image_folders, tmp_path):
    result = run_search(SearchOptions(tuple(map(str, image_folders)), similarity="similar", processes=1))
    viewer = open_viewer(root, result, lambda line: None, Journal(tmp_path / "actions.log"))
    turned = next(match.path for group in result.groups for match in group.matches if match.rotation)
    viewer.select_group(viewer.model.group_of(turned))
    viewer.set_current(turned)
    viewer.compare()
    compare = next(w for w in viewer.winfo_children() if isinstance(w, PreviewWindow))
    pump(root, lambda: all(pane.image is not None for pane in compare.panes))
    panes = dict(zip(compare.paths, compare.panes))
    kept = viewer.model.group(viewer.current_group).kept
    assert np.array_equal(np.asarray(panes[kept].image), np.asarray(panes[turned].image))
    assert "shown turned" in panes[turned].caption.cget("text") and "shown" not in panes[kept].caption.cget("text")
    compare.geometry("600x500")
    root.update()
    assert panes[turned].caption.winfo_height() > panes[kept].caption.winfo_reqheight(), "a wrapped caption"
    assert panes[turned].canvas.winfo_height() == panes[kept].canvas.winfo_height(), "panes at the same scale"
    viewer.close()


def one_group(tmp_path: Path, count: int) -> SearchResult:
    """A group of count images with long names (the files need not exist)."""
    folder = tmp_path / "Family archive 2019 – scanned and sorted" / "Summer in the Dolomites (originals)"
    paths = [str(folder / f"IMG_20190712_18345{n}_HDR_edited_final_version_for_printing.jpg") for n in range(count)]
    files = {path: FileRecord(path, 10_000 + n, 10**18, 4000, 3000) for n, path in enumerate(paths)}
    return SearchResult(parameters={}, files=files,
                        groups=[Group(paths[0], tuple(Match(path, 1234.56, 270) for path in paths[1:]))])


def test_cards_wrap_into_rows_that_fit_the_width(root, tmp_path):
    viewer = open_viewer(root, one_group(tmp_path, 7), lambda line: None, Journal(tmp_path / "actions.log"))
    for width in (1360, 1000, 820, 1360):
        viewer.geometry(f"{width}x700+0+0")
        root.update()
        root.update()
        cards = [card for card in viewer._cards if card.winfo_ismapped()]
        assert len(cards) == 7, f"at {width} px"
        visible = viewer.canvas.winfo_width()
        assert all(card.winfo_x() + card.winfo_width() <= visible for card in cards), f"a card cut off at {width} px"
        rows = {card.winfo_y() for card in cards}
        assert len(rows) == -(-7 // viewer._columns) > 1, "rows of equal length but the last"
        assert (viewer._columns + 1) * (cards[0].winfo_width() + CARD_GAP) > visible, "as many to a row as fit"
        assert len({card.winfo_width() for card in cards}) == 1, "long names and folders do not widen a card"
        region_bottom = float(str(viewer.canvas.cget("scrollregion")).split()[3])
        assert max(card.winfo_y() + card.winfo_height() for card in cards) <= region_bottom, "reached by scrolling"
    viewer.close()


def test_a_theme_change_refills_the_cards_once(root, tmp_path, monkeypatch):
    """Tk sends <<ThemeChanged>> to each of the window's hundreds of widgets."""
    from difpy_tk.gui.theme import apply_theme

    viewer = open_viewer(root, one_group(tmp_path, 7), lambda line: None, Journal(tmp_path / "actions.log"))
    root.update()
    refills = []
    monkeypatch.setattr(viewer, "_show_group", lambda: refills.append(1))
    apply_theme(root, "dark")
    root.update()
    assert len(refills) == 1
    viewer.close()


def test_bulk_move_then_undo_all_on_disk(root, result, viewer, dialogs, tmp_path):
    target = tmp_path / "moved"
    target.mkdir()
    dialogs.answers.update(askdirectory=str(target), askokcancel=True)
    viewer.bulk("Move", Rule.LOWER_RESOLUTION)
    pump(root, lambda: not viewer.file_worker.busy and any(target.iterdir()))
    pump(root, lambda: not viewer.file_worker.busy)
    matches = [match.path for group in result.groups for match in group.matches]
    assert [name for name, *_ in dialogs.calls].count("askokcancel") == 1
    assert all(Path(group.kept).exists() for group in result.groups), "every kept image stays"
    assert not any(Path(path).exists() for path in matches)
    moved = sorted(p.name for p in target.iterdir())
    assert len(moved) == len(matches), "same-named copies got unique names, nothing overwritten"
    assert any("(2)" in name for name in moved)
    assert all(viewer.tree.item(row, "values")[1] == "1" for row in viewer.tree.get_children())
    assert sum("move ok" in line for line in viewer.log_lines) == len(matches)
    key(viewer, "<Control-z>")
    pump(root, lambda: not viewer.file_worker.busy and len(list(target.iterdir())) == len(matches) - 1)
    viewer.undo_all()
    pump(root, lambda: not viewer.file_worker.busy and not any(target.iterdir()))
    assert all(Path(path).exists() for path in matches)
    assert all(len(viewer.model.members(number)) == len(group.paths)
               for number, group in enumerate(result.groups))
    assert viewer.undo_button.instate(["disabled"])


def test_bulk_move_keeping_folders_then_undo_on_disk(root, result, viewer, dialogs, tmp_path):
    """Same-named copies from different folders land in their own folders, none renamed."""
    photos, target = Path(result.parameters["directory"][0]), tmp_path / "moved"
    target.mkdir()
    dialogs.answers.update(askdirectory=str(target), askokcancel=True)
    entry = viewer.bulk_menu.index(f"Move {Rule.LOWER_RESOLUTION.label}, keeping folders…")
    viewer.bulk_menu.invoke(entry)
    pump(root, lambda: not viewer.file_worker.busy and any(target.iterdir()))
    pump(root, lambda: not viewer.file_worker.busy)
    (_name, args, kwargs), = [call for call in dialogs.calls if call[0] == "askokcancel"]
    message = " ".join(str(part) for part in (*args, *kwargs.values()))
    matches = [match.path for group in result.groups for match in group.matches]
    assert f"Move {len(matches)} files" in message and "KB" in message and "folders are kept" in message
    assert all(Path(group.kept).exists() for group in result.groups), "every kept image stays"
    assert not any(Path(path).exists() for path in matches)
    moved = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert moved == sorted(str(Path(path).relative_to(photos)) for path in matches), "nothing renamed or lost"
    assert len({Path(path).name for path in matches}) < len(matches), "the flat move would have clashed"
    viewer.undo_all()
    pump(root, lambda: not viewer.file_worker.busy and all(Path(path).exists() for path in matches))
    assert list(target.iterdir()) == [], "the folders the move created are gone again"


def test_move_one_image_keeping_folders_from_its_card(root, result, viewer, dialogs, tmp_path):
    photos, target = Path(result.parameters["directory"][0]), tmp_path / "moved"
    target.mkdir()
    dialogs.answers.update(askdirectory=str(target))
    card = next(card for card in viewer._cards if card.winfo_ismapped())
    path, menu = card.path, card.nametowidget(card.more.cget("menu"))
    menu.invoke(menu.index("Move to…, keeping folders"))
    expected = target / Path(path).relative_to(photos)
    pump(root, lambda: not viewer.file_worker.busy and expected.exists())
    assert not Path(path).exists() and len(Path(path).relative_to(photos).parts) == 2, "moved into a sub-folder"
    assert "keeping folders" in str(dialogs.calls[-1][2]["title"])


def test_confirmation_names_count_and_size(root, viewer, dialogs):
    dialogs.answers.update(askokcancel=False)
    viewer.scope.set("group")
    viewer.bulk("Delete", Rule.LOWER_RESOLUTION)
    pump(root, lambda: any(name == "askokcancel" for name, *_ in dialogs.calls))
    (_name, args, kwargs), = [call for call in dialogs.calls if call[0] == "askokcancel"]
    message = " ".join(str(part) for part in (*args, *kwargs.values()))
    members = viewer.model.members(viewer.current_group)
    expected = f"{len(members) - 1} file"
    assert f"Delete {expected}" in message and "KB" in message and "Recycle Bin/Trash" in message


def test_changed_and_failed_files_stay_in_their_group(root, result, viewer, dialogs, monkeypatch):
    trashed = []
    monkeypatch.setattr("send2trash.send2trash", trashed.append)
    group = result.groups[0]
    assert len(group.matches) >= 2
    changed = group.matches[0].path
    Path(changed).write_bytes(b"edited after the search")
    viewer.select_group(0)
    dialogs.answers.update(askokcancel=True)
    viewer.scope.set("group")
    viewer.bulk("Delete", Rule.LOWER_RESOLUTION)
    pump(root, lambda: not viewer.file_worker.busy and viewer.model.failures)
    pump(root, lambda: not viewer.file_worker.busy)
    assert changed not in trashed and len(trashed) == len(group.matches) - 1
    assert changed in viewer.model.members(0)
    card = next(card for card in viewer._cards if card.path == changed)
    assert "changed since the search" in card.status.cget("text")
    assert any(name == "showwarning" for name, *_ in dialogs.calls)


def test_trash_without_recycle_bin_asks_before_deleting_permanently(root, result, viewer, dialogs, monkeypatch):
    from send2trash.exceptions import TrashPermissionError

    def no_trash(path):
        raise TrashPermissionError(path)

    monkeypatch.setattr("send2trash.send2trash", no_trash)
    path = result.groups[1].matches[0].path
    dialogs.answers.update(askyesno=True)
    viewer.delete_image(path)
    pump(root, lambda: [name for name, *_ in dialogs.calls].count("askyesno") == 2)
    pump(root, lambda: not viewer.file_worker.busy and not Path(path).exists())
    assert path in viewer.model.gone and "deleted permanently" in viewer.model.gone[path]


def test_not_a_duplicate_hides_now_and_in_later_searches(root, result, viewer):
    first = viewer.current_group
    viewer.hide_group()
    assert not viewer.tree.exists(str(first)) and viewer.current_group != first
    assert len(viewer.tree.get_children()) == PICTURES - 1
    shown = [card.path for card in viewer._cards if card.winfo_ismapped()]
    assert shown == viewer.model.members(viewer.current_group), "the cards follow to the next group"
    number = viewer.current_group
    match = viewer.model.group(number).matches[0].path
    viewer.hide_pair(match)
    assert match not in viewer.model.members(number)
    later = ignore_list.filter_result(result)
    assert len(later.groups) == PICTURES - 1 - (len(result.groups[number].matches) == 1)
    frame = build_frame(root)
    assert len(frame.tree.get_children()) == 2
    frame.tree.selection_set(frame.tree.get_children()[0])
    frame.remove_selected()
    assert len(frame.tree.get_children()) == 1 and len(ignore_list.load()) == 1


def test_ten_thousand_groups_stay_smooth(root, tmp_path):
    """A synthetic result (files that do not exist: decoding fails off-thread, which is
    all this test needs) to time the list and the group switches."""
    files, groups = {}, []
    for number in range(10_000):
        paths = [str(tmp_path / f"g{number}" / f"img_{i}.jpg") for i in range(5)]
        files.update({path: FileRecord(path, 1000 + i, 10**18, 100, 100) for i, path in enumerate(paths)})
        groups.append(Group(paths[0], tuple(Match(path, float(number % 3)) for path in paths[1:])))
    result = SearchResult(parameters={}, files=files, groups=groups)
    started = time.perf_counter()
    viewer = open_viewer(root, result, lambda line: None, Journal(tmp_path / "actions.log"))
    root.update()
    opened = time.perf_counter() - started
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        key(viewer, "<Next>")
        timings.append((time.perf_counter() - started) * 1000)
    viewer.set_kind("similar")
    assert len(viewer.tree.get_children()) == 10_000 - 3334
    print(f"10,000 groups: opened in {opened:.2f} s; switch median {statistics.median(timings):.1f} ms")
    assert opened < 5 and statistics.median(timings) < 100
    viewer.close()


def test_open_button_starts_the_system_viewer_without_a_shell(root, viewer, monkeypatch):
    from difpy_tk import system_open

    started = []
    monkeypatch.setattr(
        system_open.subprocess, "Popen", lambda args, **kw: started.append((args, kw)) or SimpleNamespace(wait=int)
    )
    card = next(card for card in viewer._cards if card.winfo_ismapped())
    open_button = next(child for child in card.winfo_children()
                       if isinstance(child, ttk.Button) and child.cget("text") == "Open")
    open_button.invoke()
    assert started and started[0][0][-1] == card.path and "shell" not in started[0][1]
    assert any(line.endswith(f"open ok: {card.path}") for line in viewer.log_lines)


def test_app_opens_the_viewer_on_a_saved_result_and_logs_its_actions(driver, image_folders, dialogs, tmp_path,
                                                                     monkeypatch):
    from difpy_tk import system_open
    from difpy_tk.gui.viewer.window import ViewerWindow
    from difpy_tk.scan.result_io import write_json

    saved = run_search(SearchOptions(inputs=tuple(map(str, image_folders)), similarity="similar", processes=1))
    write_json(saved, tmp_path / "saved.json")
    dialogs.answers["askopenfilename"] = str(tmp_path / "saved.json")
    driver.app.screens["menu"].open_button.invoke()
    driver.app.screens["results"].viewer_button.invoke()
    viewer = next(child for child in driver.root.winfo_children() if isinstance(child, ViewerWindow))
    assert len(viewer.tree.get_children()) == len(saved.groups)
    monkeypatch.setattr(system_open.subprocess, "Popen", lambda args, **kwargs: SimpleNamespace(wait=int))
    viewer.open_image(viewer.model.members(viewer.current_group)[0])
    assert "open ok" in driver.app.logbook.lines[-1]
