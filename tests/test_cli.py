import json
import subprocess
import sys

from imagegen import chain, picture, save


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "difpy_tk", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_scan_prints_groups_and_writes_exports(tmp_path):
    folder = tmp_path / "photos;2024"
    save(picture(1), folder / "a.jpg", quality=95)
    save(picture(1), folder / "a copy.png")
    save(picture(2), folder / "other.jpg")
    (folder / "broken.png").write_bytes(b"nope")
    out = run(
        "scan",
        str(folder),
        "--similarity",
        "similar",
        "--processes",
        "1",
        "--json",
        str(tmp_path / "r.json"),
        "--csv",
        str(tmp_path / "r.csv"),
        "--no-cache",
    )
    assert out.returncode == 0, out.stderr
    assert "1 group," in out.stdout and "1 invalid" in out.stdout
    assert "a copy.png" in out.stdout and "a.jpg" in out.stdout
    assert "decoding...\n" in out.stderr and "\r" not in out.stderr  # a pipe gets a line per phase, no redrawn bar
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["stats"]["total_files"] == 4
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("\n") == 3


def test_scan_lists_an_image_chained_to_a_group(tmp_path):
    a, b, c = chain(tmp_path)
    out = run("scan", str(tmp_path), "--similarity", "5", "--processes", "1", "--no-cache", "--quiet")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "1 group," in lines[0] and "1 image like a group's image only" in lines[0]
    assert lines[1] == str(a) and lines[2].startswith(f"    {b}  (MSE ")
    assert lines[3].startswith("Like an image of a group but not like the one kept")
    assert lines[4].startswith(f"    {c}  (like {b}, MSE ")


def test_scan_names_a_turn_only_where_it_tells_how_a_file_was_saved(tmp_path):
    """A blank page matches about as well at every turn: it is never said to be "turned"."""
    import numpy as np
    from PIL import Image

    save(picture(3, (300, 200)), tmp_path / "photo.png")
    save(picture(3, (300, 200)).rotate(90, expand=True), tmp_path / "photo b.png")
    ramp = np.linspace(236, 250, 200, dtype=np.uint8)[None, :].repeat(300, axis=0)  # faint, near-flat
    save(Image.fromarray(ramp).convert("RGB"), tmp_path / "page.png")
    save(Image.fromarray(ramp).convert("RGB").rotate(90, expand=True), tmp_path / "page b.png")
    out = run("scan", str(tmp_path), "--processes", "1", "--no-cache", "--quiet")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    photo = next(line for line in lines if "photo" in line and "MSE" in line)
    page = next(line for line in lines if "page" in line and "MSE" in line)
    assert "turned 90°" in photo or "turned 270°" in photo
    assert page.endswith("(MSE 0.000)"), page


def test_scan_with_mirror_finds_a_flipped_copy_and_says_so(tmp_path):
    from PIL import Image

    save(picture(4, (300, 200)), tmp_path / "selfie.png")
    save(picture(4, (300, 200)).transpose(Image.Transpose.FLIP_LEFT_RIGHT), tmp_path / "selfie flipped.png")
    plain = run("scan", str(tmp_path), "--processes", "1", "--no-cache", "--quiet")
    assert plain.returncode == 0 and "MSE" not in plain.stdout, "off by default"
    out = run("scan", str(tmp_path), "--mirror", "--processes", "1", "--no-cache", "--quiet")
    assert out.returncode == 0, out.stderr
    assert "(MSE 0.000, mirrored)" in out.stdout


def test_scan_leaves_out_what_it_is_told_to(tmp_path):
    save(picture(4), tmp_path / "photo.png")
    save(picture(4), tmp_path / "@eaDir" / "photo.png" / "SYNOPHOTO_THUMB.png")
    out = run("scan", str(tmp_path), "--exclude", "@eaDir", "--processes", "1", "--no-cache", "--quiet",
              "--json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    assert "0 groups," in out.stdout.splitlines()[0]
    assert out.stdout.splitlines()[0].endswith("0 invalid, 0 skipped files and 0 skipped folders, 1 left out as asked.")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["parameters"]["exclude"] == ["@eaDir"]
    assert run("scan", str(tmp_path), "--exclude", " ", "--quiet").returncode == 2


def test_exit_codes(tmp_path):
    assert run("scan", str(tmp_path / "missing")).returncode == 3
    bad = run("scan", str(tmp_path), "--px-size", "3")
    assert bad.returncode == 2 and "px_size" in bad.stderr
    assert run("scan", str(tmp_path), "--similarity", "very").returncode == 2
    unwritable = run("scan", str(tmp_path), "--json", str(tmp_path / "no" / "such" / "dir" / "r.json"))
    assert unwritable.returncode == 4


def test_help_explains_every_option():
    out = run("scan", "--help")
    assert out.returncode == 0
    assert out.stdout.startswith("usage: difpy-tk scan [-h]")  # not the top level's usage with "scan" appended
    for command in ("clean", "undo"):
        assert run(command, "--help").stdout.startswith(f"usage: difpy-tk {command} [-h]")
    for option in (
        "--similarity",
        "--no-rotate",
        "--same-dim",
        "--in-folder",
        "--no-recursive",
        "--px-size",
        "--processes",
        "--chunksize",
        "--json",
        "--csv",
        "--no-cache",
        "--thorough",
    ):
        assert option in out.stdout


def test_top_level_help_names_the_ways_to_start():
    out = run("--help")
    assert out.returncode == 0
    assert "difpy-tk DIR..." in out.stdout and "difpy-tk scan DIR..." in out.stdout


def test_an_error_after_progress_starts_its_own_line(tmp_path):
    out = run("scan", str(tmp_path / "missing"))
    assert out.returncode == 3
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("listing")  # the progress bar had started
    assert lines[-1].startswith("difpy-tk: error:") and "missing" in lines[-1]


def test_scan_says_it_left_out_the_pairs_marked_not_duplicate(tmp_path):
    """A new user's scan of three identical files said "0 groups" and nothing else: they
    had marked the group "Not a duplicate" in the app's viewer."""
    from difpy_tk.review import ignore_list

    folder = tmp_path / "photos"
    save(picture(1), folder / "a.png")
    save(picture(1), folder / "b.png")
    ignore_list.add([str(folder / "a.png"), str(folder / "b.png")])
    hidden = run("scan", str(folder), "--processes", "1", "--no-cache")
    assert hidden.returncode == 0, hidden.stderr
    assert "0 groups," in hidden.stdout
    assert '1 matching pair left out: you marked it "Not a duplicate" in the app' in hidden.stdout
    shown = run("scan", str(folder), "--processes", "1", "--no-cache", "--show-not-duplicates")
    assert "1 group," in shown.stdout and "left out" not in shown.stdout


def test_scan_of_a_folder_without_images_says_so(tmp_path):
    """A check of the app's fix: the command line said only "Searched 0 images…"."""
    (tmp_path / "notes.txt").write_text("not an image")
    done = run("scan", str(tmp_path))
    assert done.returncode == 0
    assert "No images found: the chosen folders hold no image difpy_tk can read." in done.stdout
