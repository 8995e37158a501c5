"""Save PNGs of the image viewer on real photos, for a human to look at.

    bash ../shared/corpus/real-photos.sh > /tmp/src.txt
    xvfb-run -a -s "-screen 0 1400x1000x24" python tests/gui/viewer_screenshots.py /tmp/viewer-shots /tmp/src.txt

Without a list of photos it uses generated pictures. Plants copies of the photos in a
temporary folder, runs the real search, opens the viewer in the light and dark themes
and grabs the viewer, the large preview, the side-by-side compare and a moved state."""

from __future__ import annotations

import os
import sys
import tempfile
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, messagebox, ttk

from PIL import ImageGrab

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

from screenshots import grab, settle, wait_for  # noqa: E402  (the app's screenshot helpers, beside this)
from viewer_images import make_review_folder  # noqa: E402

from difpy_tk.core.engine import run_search  # noqa: E402
from difpy_tk.core.journal import Journal  # noqa: E402
from difpy_tk.core.options import SearchOptions  # noqa: E402
from difpy_tk.core.selection import Rule  # noqa: E402
from difpy_tk.gui.theme import apply_theme  # noqa: E402
from difpy_tk.gui.viewer import open_viewer  # noqa: E402
from difpy_tk.gui.viewer.ignore_settings import build_frame  # noqa: E402
from difpy_tk.gui.viewer.preview import PreviewWindow  # noqa: E402


def thumbnails_shown(viewer) -> bool:
    return all(card._photo is not None for card in viewer._cards if card.winfo_ismapped())


def opened_preview(root: tk.Tk, viewer) -> PreviewWindow:
    """The preview the viewer just opened, once its images are decoded and drawn."""
    window = next(w for w in viewer.winfo_children() if isinstance(w, PreviewWindow))
    window.geometry("1300x880+0+0")
    wait_for(root, lambda: all(pane.image is not None for pane in window.panes))
    settle(root)
    return window


def shoot(out: Path, sources: list[str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="viewer-shots-"))
    os.environ["DIFPY_TK_HOME"] = str(work / "home")
    photos = make_review_folder(work / "photos", 12, sources)
    result = run_search(SearchOptions((str(photos),), similarity=50.0, same_dim=False, processes=2))
    print(f"{len(result.groups)} groups from {len(result.files)} files")
    root = tk.Tk()
    root.withdraw()
    for theme in ("light", "dark"):
        apply_theme(root, theme)
        viewer = open_viewer(root, result, print, Journal(work / f"{theme}.log"))
        viewer.geometry("1360x900+0+0")
        for name in (f"viewer-{theme}", f"viewer-{theme}-next"):
            wait_for(root, lambda v=viewer: thumbnails_shown(v))
            settle(root)
            grab(viewer, out / f"{name}.png")
            viewer.step(1)
        print(f"group switch took {viewer.last_switch_ms:.1f} ms")
        viewer.preview(viewer.model.members(viewer.current_group)[0])
        preview = opened_preview(root, viewer)
        grab(preview, out / f"preview-{theme}.png")
        preview.close()
        viewer.compare()
        compare = opened_preview(root, viewer)
        compare.view.set(zoom=4.0, centre=(0.45, 0.5))
        settle(root)
        grab(compare, out / f"compare-{theme}.png")
        compare.close()
        if theme == "light":
            shoot_actions(root, viewer, work, out)
        viewer.close()
    root.destroy()


def shoot_actions(root: tk.Tk, viewer, work: Path, out: Path) -> None:
    """The bulk menu, then a bulk move where one file changed since the search (its card
    keeps it with the reason), then the not-a-duplicate list in its Settings frame."""
    viewer.bulk_menu.post(viewer.bulk_button.winfo_rootx(), viewer.bulk_button.winfo_rooty() + 30)
    settle(root)
    x, y = viewer.winfo_rootx(), viewer.winfo_rooty()
    ImageGrab.grab(bbox=(x, y, x + viewer.winfo_width(), y + 480)).save(out / "bulk-menu.png")
    viewer.bulk_menu.unpost()
    viewer.select_group(next(n for n, g in enumerate(viewer.model.result.groups) if len(g.matches) > 1))
    changed = viewer.model.group(viewer.current_group).matches[-1].path
    Path(changed).write_bytes(Path(changed).read_bytes() + b"edited")
    (work / "moved").mkdir()
    messagebox.askokcancel = lambda *args, **kwargs: True
    messagebox.showwarning = lambda *args, **kwargs: print("warning:", args[1] if len(args) > 1 else kwargs)
    filedialog.askdirectory = lambda *args, **kwargs: str(work / "moved")
    viewer.scope.set("group")
    viewer.bulk("Move", Rule.LOWER_RESOLUTION)
    wait_for(root, lambda: any((work / "moved").iterdir()) and not viewer.file_worker.busy)
    wait_for(root, lambda: thumbnails_shown(viewer))
    settle(root)
    grab(viewer, out / "after-bulk-move.png")
    viewer.hide_group()
    settings = tk.Toplevel(root)
    settings.geometry("700x320+0+0")
    build_frame(settings).pack(fill="both", expand=True)
    ttk.Label(settings).pack()
    settle(root)
    grab(settings, out / "ignore-settings.png")
    settings.destroy()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "viewer-shots")
    target.mkdir(parents=True, exist_ok=True)
    listed = Path(sys.argv[2]).read_text().split() if len(sys.argv) > 2 else []
    shoot(target, [path for path in listed if path.lower().endswith((".jpg", ".jpeg"))])
