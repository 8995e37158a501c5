"""Save PNGs of the image viewer on real photos, for a human to look at, at the size of
the screen Xvfb gives (run it once per size: the viewer sizes itself to the screen):

    xvfb-run -a -s "-screen 0 1366x768x24" python tests/gui/viewer_screenshots.py /tmp/viewer-shots
    xvfb-run -a -s "-screen 0 1920x1080x24" python tests/gui/viewer_screenshots.py /tmp/viewer-shots

Copies about 30 real photos and their planted variants (rotations, half size, PNG,
JPEG q70 ...) out of the benchmark corpus (/work/bench-corpus, or the folder named by
DIFPY_TK_BENCH_CORPUS) into a temporary folder, plus a symbolic link and a hard link to
one photo; where there is no corpus (CI) it generates pictures instead. Runs the real
search, opens the viewer in the light and dark themes and grabs the groups (a large one
also scrolled down), the marks a rule made, the table of all matches, the group with the
linked photo, the confirmation, the large preview, the side-by-side compare at fit and
zoomed, the Mark menu, the outcome of a move and the Keeper and not-a-duplicate settings.
File names end in the screen size ("-1366x768")."""

from __future__ import annotations

import os
import sys
import tempfile
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, messagebox

from PIL import Image, ImageGrab

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

from screenshots import grab, settle, wait_for  # noqa: E402  (the app's screenshot helpers, beside this)
from viewer_images import copy_corpus_sample, make_review_folder  # noqa: E402

from difpy_tk.gui.dnd import create_root  # noqa: E402
from difpy_tk.gui.theme import apply_theme  # noqa: E402
from difpy_tk.gui.viewer import open_viewer  # noqa: E402
from difpy_tk.gui.viewer.confirm import ConfirmDialog  # noqa: E402
from difpy_tk.gui.viewer.ignore_settings import build_frame  # noqa: E402
from difpy_tk.gui.viewer.keeper_settings import build_frame as build_keeper_frame  # noqa: E402
from difpy_tk.gui.viewer.preview import PreviewWindow  # noqa: E402
from difpy_tk.review.journal import Journal  # noqa: E402
from difpy_tk.review.marking import MarkRule  # noqa: E402
from difpy_tk.review.session import ActionKind  # noqa: E402
from difpy_tk.scan.engine import run_search  # noqa: E402
from difpy_tk.scan.options import SearchOptions  # noqa: E402
from difpy_tk.scan.result import Group, SearchResult  # noqa: E402
from difpy_tk.state.settings import Settings  # noqa: E402

CORPUS = Path(os.environ.get("DIFPY_TK_BENCH_CORPUS", "/work/bench-corpus"))
GENERATED_PICTURES = 12


def review_folder(work: Path) -> Path:
    """Real photos when the benchmark corpus is here, else generated pictures; plus a
    symbolic link and a hard link to one photo, which the search lists as one entry."""
    if (CORPUS / "truth.json").is_file():
        print(f"real photos from {CORPUS}")
        folder = copy_corpus_sample(CORPUS, work / "photos")
    else:
        print(f"no corpus at {CORPUS}: generated pictures")
        folder = make_review_folder(work / "photos", GENERATED_PICTURES)
    linked = sorted((folder / "originals").iterdir())[1]
    (folder / "Shortcuts").mkdir()
    (folder / "Shortcuts" / f"shortcut to {linked.name}").symlink_to(linked)
    os.link(linked, folder / "Shortcuts" / f"hard link {linked.name}")
    (folder / "Scans").mkdir()
    originals = sorted((folder / "originals").iterdir())
    with Image.open(originals[2]) as cover:
        pages = [Image.open(path).convert("RGB") for path in originals[3:5]]
        cover.convert("RGB").save(folder / "Scans" / "album scan.tif", save_all=True, append_images=pages[:1])
        cover.convert("RGB").save(folder / "Scans" / "album scan 2.tif", save_all=True, append_images=pages)
    (folder / "Phone").mkdir()
    with Image.open(originals[5]) as selfie:  # a flipped selfie, and turned: "mirrored ↻90°"
        flipped = selfie.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).rotate(90, expand=True)
        flipped.save(folder / "Phone" / f"flipped {originals[5].stem}.png")
    return folder


def thumbnails_shown(viewer) -> bool:
    return all(card._photo is not None for card in viewer._cards if card.winfo_ismapped())


def show_group(root: tk.Tk, viewer, number: int) -> None:
    """Select a group, say how long the switch took, wait until its thumbnails are drawn."""
    if number != viewer.current_group:
        viewer.select_group(number)
        print(f"group switch took {viewer.last_switch_ms:.1f} ms")
    wait_for(root, lambda: thumbnails_shown(viewer))
    settle(root)


def find_group(result: SearchResult, wanted: Callable[[Group], bool]) -> int:
    """The first group that wanted() accepts, else the first group."""
    return next((number for number, group in enumerate(result.groups) if wanted(group)), 0)


def opened_preview(root: tk.Tk, viewer) -> PreviewWindow:
    """The preview the viewer just opened, once its images are decoded and drawn."""
    window = next(w for w in viewer.winfo_children() if isinstance(w, PreviewWindow))
    window.geometry("+0+0")
    wait_for(root, lambda: all(pane.image is not None for pane in window.panes))
    settle(root)
    return window


def shoot(out: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="viewer-shots-"))
    os.environ["DIFPY_TK_HOME"] = str(work / "home")
    photos = review_folder(work)
    result = run_search(
        SearchOptions((str(photos),), similarity="similar", same_dim=False, mirror=True, processes=2)
    )
    print(f"{len(result.groups)} groups from {len(result.files)} files; {len(result.links)} with other names")
    root = create_root()
    root.withdraw()
    size = f"{root.winfo_screenwidth()}x{root.winfo_screenheight()}"
    for theme in ("dark", "light"):  # light last: its move changes the files
        apply_theme(root, theme)
        viewer = open_viewer(root, result, print, Journal(work / f"{theme}.log"))
        viewer.geometry("+0+0")
        shoot_groups(root, viewer, f"{theme}-{size}", out)
        shoot_previews(root, viewer, f"{theme}-{size}", out)
        if theme == "light":
            shoot_actions(root, viewer, work, size, out)
        viewer.close()
    root.destroy()


def shoot_groups(root: tk.Tk, viewer, name: str, out: Path) -> None:
    """The first group, a rotated match, a mirrored one, the largest group (top and scrolled), a group
    with scans of several pages, the group with the linked photo; the marks "lower resolution" made; the table."""
    result = viewer.session.result
    first = viewer.session.rows()[0]
    linked = next(iter(result.links), None)
    for label, number in (
        ("first", first),
        ("rotated", find_group(result, lambda g: any(m.rotation for m in g.matches))),
        ("mirrored", find_group(result, lambda g: any(m.mirrored for m in g.matches))),
        ("largest", max(range(len(result.groups)), key=lambda n: len(result.groups[n].paths))),
        ("several-pages", find_group(result, lambda g: any(path.endswith(".tif") for path in g.paths))),
    ):
        show_group(root, viewer, number)
        grab(viewer, out / f"viewer-{name}-{label}.png")
    viewer.canvas.yview_moveto(1.0)
    settle(root)
    grab(viewer, out / f"viewer-{name}-largest-scrolled.png")
    if linked is not None and viewer.session.group_of(linked) is not None:
        show_group(root, viewer, viewer.session.group_of(linked))
        viewer.set_current(linked)
        settle(root)
        grab(viewer, out / f"viewer-{name}-link.png")
    viewer.session.apply_rule(MarkRule.SMALLER_FILE)
    viewer.apply_rule(MarkRule.LOWER_RESOLUTION)  # through the window: its status says what the rule left
    show_group(root, viewer, first)
    grab(viewer, out / f"viewer-{name}-marked.png")
    viewer.notebook.select(1)
    settle(root)
    grab(viewer, out / f"table-{name}.png")
    viewer.notebook.select(0)
    viewer.session.mark_none()


def shoot_previews(root: tk.Tk, viewer, name: str, out: Path) -> None:
    """The large preview of a portrait image; the compare of a kept image and a match
    found turned by 90° (shown turned like it), at fit (each letterboxed, keeping its
    shape) and zoomed (the same detail in both); the compare of the longest file name;
    the compare of a scan of several pages with its kept image at the second page."""
    result = viewer.session.result
    portrait = next((path for group in result.groups for path in group.paths
                     if result.files[path].height > result.files[path].width), result.groups[0].kept)
    show_group(root, viewer, viewer.session.group_of(portrait))
    viewer.preview(portrait)
    preview = opened_preview(root, viewer)
    grab(preview, out / f"preview-{name}.png")
    preview.close()
    turned = next((m.path for g in result.groups for m in g.matches if m.rotation in (90, 270)), None)
    if turned is not None:  # generated pictures (no corpus) have none
        show_group(root, viewer, viewer.session.group_of(turned))
        viewer.compare_with_keeper(turned)
        compare = opened_preview(root, viewer)
        grab(compare, out / f"compare-{name}-fit.png")
        compare.view.set(zoom=4.0, centre=(0.45, 0.5))
        settle(root)
        grab(compare, out / f"compare-{name}-zoomed.png")
        compare.close()
    flipped = next((m.path for g in result.groups for m in g.matches if m.mirrored), None)
    if flipped is not None:
        show_group(root, viewer, viewer.session.group_of(flipped))
        viewer.compare_with_keeper(flipped)
        compare = opened_preview(root, viewer)
        grab(compare, out / f"compare-{name}-mirrored.png")
        compare.close()
    longest = max((path for group in result.groups for path in group.paths), key=lambda p: len(Path(p).name))
    show_group(root, viewer, viewer.session.group_of(longest))
    viewer.compare_with_keeper(longest)
    compare = opened_preview(root, viewer)
    grab(compare, out / f"compare-{name}-long-names.png")
    compare.close()
    scan = next(path for path in result.files if path.endswith(".tif") and viewer.session.group_of(path) is not None)
    show_group(root, viewer, viewer.session.group_of(scan))
    viewer.compare_with_keeper(scan)
    compare = opened_preview(root, viewer)
    compare.turn_page(1)
    wait_for(root, lambda: any(pane.image is not None for pane in compare.panes))
    settle(root)
    grab(compare, out / f"compare-{name}-second-page.png")
    compare.close()


def shoot_actions(root: tk.Tk, viewer, work: Path, size: str, out: Path) -> None:
    """The Mark menu; the confirmation of a move of everything but the keepers (one
    file changed since the search, one with links); the outcome; the Keeper and
    not-a-duplicate settings."""
    button = viewer.mark_button
    # Right-aligned under its button, as Tk shows it when the window's edge is the screen's.
    viewer.mark_menu.post(button.winfo_rootx() + button.winfo_width() - viewer.mark_menu.winfo_reqwidth(),
                          button.winfo_rooty() + button.winfo_height())
    settle(root)
    x, y = viewer.winfo_rootx(), viewer.winfo_rooty()
    ImageGrab.grab(bbox=(x, y, x + viewer.winfo_width(), y + 420)).save(out / f"mark-menu-{size}.png")
    viewer.mark_menu.unpost()
    result = viewer.session.result
    show_group(root, viewer, find_group(result, lambda g: len(g.matches) > 1))
    changed = result.groups[viewer.current_group].matches[-1].path
    Path(changed).write_bytes(Path(changed).read_bytes() + b"edited")
    (work / "moved").mkdir()
    messagebox.showwarning = lambda *args, **kwargs: print("warning:", args[1] if len(args) > 1 else kwargs)
    filedialog.askdirectory = lambda *args, **kwargs: str(work / "moved")
    viewer.session.mark_all()

    def shoot_confirmation() -> None:
        dialog = next(w for w in viewer.winfo_children() if isinstance(w, ConfirmDialog))
        settle(root)
        grab(dialog, out / f"confirm-{size}.png")
        dialog.ok_button.invoke()

    root.after(500, shoot_confirmation)
    viewer.act(ActionKind.MOVE)
    wait_for(root, lambda: any((work / "moved").iterdir()) and not viewer.session.busy)
    wait_for(root, lambda: thumbnails_shown(viewer))
    settle(root)
    grab(viewer, out / f"after-move-{size}.png")
    viewer.not_duplicate()
    settings = tk.Toplevel(root)
    settings.geometry("700x420+0+0")
    frame = build_frame(settings)
    frame.pack(fill="both", expand=True)
    settle(root)  # the frame re-reads the list when it is mapped
    if frame.tree.get_children():
        frame.tree.selection_set(frame.tree.get_children()[0])  # shows the entry's full paths
    settle(root)
    grab(settings, out / f"ignore-settings-{size}.png")
    settings.destroy()
    keeper = tk.Toplevel(root)
    keeper.geometry("640x400+0+0")
    build_keeper_frame(keeper, Settings(keeper_folders=[str(work / "photos" / "originals")])).pack(
        fill="both", expand=True, padx=12, pady=12)
    settle(root)
    grab(keeper, out / f"keeper-settings-{size}.png")
    keeper.destroy()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "viewer-shots")
    target.mkdir(parents=True, exist_ok=True)
    shoot(target)
