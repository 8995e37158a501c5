import logging
import os
import sys

import pytest
from imagegen import picture, save

from difpy_tk.scan.discovery import list_images


def names(listing):
    return sorted(os.path.relpath(p, listing.roots[i]) for i, p in enumerate(listing.files))


def test_recursive_and_extension_filter(tmp_path):
    save(picture(1), tmp_path / "a.jpg")
    save(picture(2), tmp_path / "sub" / "b.PNG")
    save(picture(3), tmp_path / "sub" / "c.bmp")
    (tmp_path / "notes.txt").write_text("x")
    listing = list_images([str(tmp_path)])
    assert names(listing) == ["a.jpg", os.path.join("sub", "b.PNG"), os.path.join("sub", "c.bmp")]
    assert [p.reason for p in listing.skipped] == ["not an image type we read (.txt)"]
    flat = list_images([str(tmp_path)], recursive=False)
    assert names(flat) == ["a.jpg"]
    found = os.stat(listing.files[0])
    assert listing.stats[0] == (found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def test_odd_names_are_not_patterns(tmp_path):
    odd = tmp_path / "br[1]" / "x;y ünï 画像"
    save(picture(1), odd / "photo;1 [copy].jpg")
    listing = list_images([str(tmp_path / "br[1]")])
    assert len(listing.files) == 1 and listing.files[0].endswith("photo;1 [copy].jpg")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loop_and_linked_files_are_listed_once(tmp_path):
    save(picture(1), tmp_path / "a.jpg")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias.jpg").symlink_to(tmp_path / "a.jpg")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "missing.jpg")
    listing = list_images([str(tmp_path)])
    assert listing.files == [str(tmp_path / "a.jpg")]
    assert listing.links == {str(tmp_path / "a.jpg"): [str(tmp_path / "alias.jpg")]}
    reasons = {os.path.basename(p.path): p.reason for p in listing.skipped}
    assert "alias.jpg" not in reasons
    assert reasons["loop"] == "folder already searched (a link or loop)"
    assert reasons["dangling.jpg"] == "broken link"


@pytest.mark.parametrize("inner_first", [False, True])
def test_a_chosen_folder_inside_another_is_searched_once_and_not_called_skipped(tmp_path, inner_first, caplog):
    """A new user added a folder and its parent: the results said "1 file was not searched"."""
    outer, inner = tmp_path / "photos", tmp_path / "photos" / "A"
    save(picture(1), inner / "a.jpg")
    save(picture(2), outer / "b.jpg")
    with caplog.at_level(logging.INFO, logger="difpy_tk"):
        listing = list_images([str(inner), str(outer)] if inner_first else [str(outer), str(inner)])
    assert sorted(listing.files) == [str(inner / "a.jpg"), str(outer / "b.jpg")]
    assert listing.skipped == []
    assert f"{inner} was chosen and is also inside another chosen folder" in caplog.text


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_linked_file_is_named_by_its_real_path_with_its_other_names(tmp_path):
    """A link that sorts before its target, a folder linked from outside the search and a
    hard link: one entry each, named by the real path, the other names listed."""
    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir()
    outside.mkdir()
    save(picture(1), inside / "b.jpg")
    (inside / "a-link.jpg").symlink_to(inside / "b.jpg")
    os.link(inside / "b.jpg", inside / "c-hard.jpg")
    save(picture(2), outside / "far.jpg")
    (inside / "linked").symlink_to(outside, target_is_directory=True)
    listing = list_images([str(inside)])
    assert listing.files == [str(inside / "b.jpg"), str(outside / "far.jpg")]
    assert listing.links == {
        str(inside / "b.jpg"): [str(inside / "a-link.jpg"), str(inside / "c-hard.jpg")],
        str(outside / "far.jpg"): [str(inside / "linked" / "far.jpg")],
    }
    assert listing.skipped == []


def test_trash_folders_are_skipped(tmp_path):
    save(picture(1), tmp_path / ".Trash-1000" / "old.jpg")
    save(picture(1), tmp_path / "keep.jpg")
    listing = list_images([str(tmp_path)])
    assert names(listing) == ["keep.jpg"]
    assert "Trash" in listing.skipped[0].reason


def test_missing_and_repeated_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list_images([str(tmp_path / "nope")])
    with pytest.raises(ValueError, match="more than once"):
        list_images([str(tmp_path), str(tmp_path) + os.sep])


def test_files_as_inputs_and_roots(tmp_path):
    one = save(picture(1), tmp_path / "one" / "a.jpg")
    save(picture(2), tmp_path / "two" / "b.jpg")
    listing = list_images([str(one), str(tmp_path / "two")])
    assert listing.roots == [str(one), str(tmp_path / "two")]


def test_unreadable_folder_is_reported_and_the_rest_is_listed(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    save(picture(1), locked / "a.jpg")
    save(picture(2), tmp_path / "b.jpg")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    listing = list_images([str(tmp_path)])
    assert names(listing) == ["b.jpg"]
    assert listing.skipped[0].reason == "folder cannot be read: Permission denied"


def _without_inode(found: os.stat_result) -> os.stat_result:
    times = {name: getattr(found, name) for name in ("st_atime_ns", "st_mtime_ns", "st_ctime_ns")}
    return os.stat_result((found.st_mode, 0, 0, *found[3:10]), times)


class _WindowsEntry:
    """A DirEntry as Windows gives it: its stat() has no device nor inode number."""

    def __init__(self, entry: os.DirEntry) -> None:
        self._entry = entry
        self.name, self.path = entry.name, entry.path

    def __getattr__(self, name):
        return getattr(self._entry, name)

    def stat(self, **kwargs):
        return _without_inode(self._entry.stat(**kwargs))


class _WindowsScandir:
    def __init__(self, real, folder) -> None:
        self._entries = [_WindowsEntry(entry) for entry in real(folder)]

    def __enter__(self):
        return iter(self._entries)

    def __exit__(self, *exc) -> None:
        return None


@pytest.mark.parametrize("inodes_from_stat", [True, False])
def test_files_are_listed_where_directory_entries_give_no_inode(tmp_path, monkeypatch, inodes_from_stat):
    """Found by a review: on Windows DirEntry.stat() gives device and inode 0, so every
    file looked like a second name of the first one and a search listed one file. Where
    os.stat() gives no inode either (some network shares), each name counts on its own."""
    from difpy_tk.scan import discovery

    for name in ("a.jpg", "b.jpg", "sub/c.jpg"):
        save(picture(1), tmp_path / name)
    real_scandir, real_stat = os.scandir, os.stat
    monkeypatch.setattr(discovery.os, "scandir", lambda folder: _WindowsScandir(real_scandir, folder))
    if not inodes_from_stat:
        monkeypatch.setattr(discovery.os, "stat", lambda *args, **kwargs: _without_inode(real_stat(*args, **kwargs)))
    listing = list_images([str(tmp_path)])
    assert names(listing) == ["a.jpg", "b.jpg", os.path.join("sub", "c.jpg")]
    assert listing.links == {} and listing.skipped == []
    assert [stamp.mtime_ns for stamp in listing.stats] == [real_stat(path).st_mtime_ns for path in listing.files]


def test_the_exclusion_list_leaves_out_names_and_folders_but_never_a_chosen_input(tmp_path):
    """A NAS keeps a thumbnail of every photo in @eaDir: searched, each matched its photo."""
    for relative in ("a.jpg", "@eaDir/a.jpg/SYNOPHOTO_THUMB_XL.jpg", "Trip/b.jpg", "Trip/b_thumb.JPG",
                     "Backup/old/c.jpg", "Backup/d.jpg", "keep/e.jpg"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        save(picture(1), tmp_path / relative)
    listing = list_images([str(tmp_path)], exclude=["@EADIR", "*_thumb.jpg", str(tmp_path / "Backup")])
    assert names(listing) == sorted(["a.jpg", os.path.join("Trip", "b.jpg"), os.path.join("keep", "e.jpg")])
    reasons = {os.path.relpath(problem.path, tmp_path): problem.reason for problem in listing.skipped}
    assert reasons == {
        "@eaDir": "left out: it matches “@EADIR” in your list",
        os.path.join("Trip", "b_thumb.JPG"): "left out: it matches “*_thumb.jpg” in your list",
        "Backup": f"left out: it matches “{tmp_path / 'Backup'}” in your list",
    }
    assert {os.path.basename(problem.path): problem.folder for problem in listing.skipped} == {
        "@eaDir": True, "b_thumb.JPG": False, "Backup": True}
    assert all(problem.left_out for problem in listing.skipped)
    chosen = list_images([str(tmp_path / "Backup"), str(tmp_path / "keep")], exclude=[str(tmp_path / "Backup")])
    assert sorted(os.path.basename(path) for path in chosen.files) == ["c.jpg", "d.jpg", "e.jpg"], (
        "a folder chosen to search is searched")


@pytest.mark.parametrize("pattern", ["Phone/@eaDir", "", "  ", "a\0b", "x" * 1001])
def test_an_exclusion_that_could_never_match_is_refused(pattern):
    """A trial: "Phone/@eaDir" was taken, and matched nothing, without a word."""
    from difpy_tk.scan.options import OptionError, SearchOptions

    with pytest.raises(OptionError, match="exclude"):
        SearchOptions(inputs=(".",), exclude=(pattern,))
