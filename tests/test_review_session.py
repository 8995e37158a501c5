"""The review model through a fake view: keepers, marks and their invariants, the
plan -> confirm -> run -> outcome flow on real files, links, undo, not-a-duplicate."""

from __future__ import annotations

import errno
import os
import random
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from difpy_tk.review import actions, ignore_list
from difpy_tk.review.journal import Journal, Outcome
from difpy_tk.review.keeper import DEFAULT_ORDER, Criterion, KeeperRule, with_new_criteria
from difpy_tk.review.locations import is_inside
from difpy_tk.review.marking import MarkRule
from difpy_tk.review.session import FLAGS, LOW_DETAIL, ActionKind, Plan, ReviewSession
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import FileRecord, Group, Match, SearchResult
from difpy_tk.state.settings import Settings

DAY = 86_400 * 10**9


class FakeView:
    """Answers like a user would and records what the session asked."""

    def __init__(self) -> None:
        self.folder: str | None = None
        self.answers: list[bool] = []
        """Answers to confirm(), in order; True when the list runs out."""
        self.confirmed: list[Plan] = []
        self.outcomes = []
        self.told: list[str] = []
        self.refreshes = 0

    def refresh(self, groups=None) -> None:
        self.refreshes += 1

    def choose_folder(self, title: str) -> str | None:
        return self.folder

    def confirm(self, plan: Plan) -> bool:
        self.confirmed.append(plan)
        return self.answers.pop(0) if self.answers else True

    def show_outcome(self, report) -> None:
        self.outcomes.append(report)

    def tell(self, text: str) -> None:
        self.told.append(text)

    def run(self, work, done) -> None:
        done(work())


def make_file(path: Path, size: int, width: int, height: int | None = None, days: int = 1) -> FileRecord:
    """A real file of size bytes with mtime `days`, recorded as a width x height image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    os.utime(path, ns=(days * DAY, days * DAY))
    stat = path.stat()
    return FileRecord(str(path), stat.st_size, stat.st_mtime_ns, width, height or width)


def make_result(groups: list[list[FileRecord]], low_detail=(), links=None, folder=None) -> SearchResult:
    files = {record.path: record for group in groups for record in group}
    made = [
        Group(g[0].path, tuple(Match(r.path, 1.0 + i) for i, r in enumerate(g[1:])), low_detail=n in low_detail)
        for n, g in enumerate(groups)
    ]
    parameters = {"directory": [str(folder)]} if folder else {}
    return SearchResult(parameters=parameters, files=files, groups=made, links=links or {})


def session_for(result: SearchResult, tmp_path: Path, rule: KeeperRule | None = None) -> tuple[ReviewSession, FakeView]:
    view = FakeView()
    journal = Journal(tmp_path / "actions.log")
    return ReviewSession(result, view, journal, rule, ignore_path=tmp_path / "ignore.json"), view


@pytest.fixture
def photos(tmp_path):
    """One group: a big original, a same-size PNG re-encode (larger file), a small copy."""
    original = make_file(tmp_path / "p" / "a" / "IMG_1.jpg", 3000, 400, days=1)
    reencode = make_file(tmp_path / "p" / "b" / "IMG_1.png", 9000, 400, days=5)
    small = make_file(tmp_path / "p" / "b" / "small.jpg", 500, 100, days=3)
    return original, reencode, small


# ----- keepers --------------------------------------------------------------------


def test_default_keeper_prefers_the_camera_original_over_a_larger_reencode(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[reencode, small, original]]), tmp_path)
    assert session.keeper(0) == original.path
    assert session.keeper_reason(0) == "original format"
    assert session.members(0)[0] == original.path


@pytest.mark.parametrize(
    ("criteria", "kept", "reason"),
    [
        (["resolution"], "orig", "original format"),  # resolution ties, format decides
        (["file size"], "reencode", "largest file"),
        (["date"], "orig", "oldest"),
        (["original format", "file size"], "orig", "largest file"),  # the runner-up is small.jpg
    ],
)
def test_the_criteria_order_decides(tmp_path, photos, criteria, kept, reason):
    original, reencode, small = photos
    rule = KeeperRule.from_settings(criteria, [])
    assert len(rule.criteria) == len(Criterion)
    session, _ = session_for(make_result([[small, reencode, original]]), tmp_path, rule)
    assert session.keeper(0) == {"orig": original.path, "reencode": reencode.path}[kept]
    assert session.keeper_reason(0) == reason


@pytest.mark.parametrize("search_kept", ["turned", "upright"])
def test_a_copy_turned_against_most_of_its_group_is_not_kept(tmp_path, search_kept):
    """A new user's upside-down copy (a larger file) was kept, and the upright photos marked."""
    upright = make_file(tmp_path / "p" / "IMG_2.jpg", 3000, 400, days=1)
    copy = make_file(tmp_path / "p" / "copy" / "IMG_2.jpg", 3000, 400, days=2)
    turned = make_file(tmp_path / "p" / "IMG_2_rot.jpg", 5000, 400, days=3)
    if search_kept == "turned":  # the others were matched against it, turned by 180°
        group = Group(turned.path, (Match(upright.path, 0.1, 180), Match(copy.path, 0.1, 180)))
    else:
        group = Group(upright.path, (Match(copy.path, 0.0, 0), Match(turned.path, 0.1, 180)))
    files = {record.path: record for record in (upright, copy, turned)}
    result = SearchResult(parameters={}, files=files, groups=[group])
    session, _ = session_for(result, tmp_path)  # the default rule: a larger file alone does not win
    assert session.keeper(0) == upright.path, "the upright ones tie on size: the older is kept"
    session.mark_all()
    assert turned.path in session.marks
    assert KeeperRule((Criterion.FILE_SIZE,)).copies_size(result) == upright.size + copy.size
    assert KeeperRule().copies_size(result) == copy.size + turned.size


def test_a_turn_by_chance_never_outweighs_a_larger_original(tmp_path):
    """A review: a picture that looks alike turned (noise, a pattern) matched its three
    small copies best turned by 180°, so the camera original was "the turned one" and
    marked, with orientation first; it comes after resolution and format now."""
    camera = make_file(tmp_path / "p" / "IMG_3.jpg", 3000, 640, 480, days=1)
    copies = [make_file(tmp_path / "p" / f"copy{n}.png", 900, 320, 240, days=2) for n in range(3)]
    group = Group(camera.path, tuple(Match(copy.path, 0.2, 180) for copy in copies))
    result = SearchResult(parameters={}, files={r.path: r for r in (camera, *copies)}, groups=[group])
    session, _ = session_for(result, tmp_path)
    assert session.keeper(0) == camera.path and session.keeper_reason(0) == "highest resolution"


def test_in_a_pair_nothing_tells_which_way_is_up(tmp_path):
    plain = make_file(tmp_path / "p" / "a.jpg", 3000, 400, days=1)
    turned = make_file(tmp_path / "p" / "b.jpg", 5000, 400, days=3)
    result = SearchResult(parameters={}, files={r.path: r for r in (plain, turned)},
                          groups=[Group(plain.path, (Match(turned.path, 0.1, 90),))])
    session, _ = session_for(result, tmp_path)
    assert session.keeper(0) == turned.path and session.keeper_reason(0) == "largest file"


@pytest.mark.parametrize("low_detail", [False, True])
def test_a_near_flat_picture_is_never_called_turned(tmp_path, low_detail):
    """A new user's two blank portrait pages read "↻90°" (a flat page matches about as
    well at every turn), and a turn scored by chance could decide the keeper."""
    sizes = (5000, 3000, 4000)
    pages = [make_file(tmp_path / "p" / f"page{n}.jpg", size, 400, days=1 + n) for n, size in enumerate(sizes)]
    group = Group(pages[0].path, (Match(pages[1].path, 0.5, 90), Match(pages[2].path, 0.5, 90)), low_detail=low_detail)
    result = SearchResult(parameters={}, files={r.path: r for r in pages}, groups=[group])
    session, _ = session_for(result, tmp_path, KeeperRule.from_settings(["orientation", "file size"], []))
    turned = [session.closeness(page.path)[1] for page in pages]
    if low_detail:
        assert turned == [Pose()] * 3 and group.poses == {}
        assert session.keeper(0) == pages[0].path, "no turn decides: the largest file is kept"
    else:  # two pictures share the 90° turn against the first: the first is the turned one
        # the keeper is one of the two turned alike: only the first is turned against it
        assert turned == [Pose(270), Pose(), Pose()] and session.keeper(0) == pages[2].path
    assert KeeperRule((Criterion.UPRIGHT, Criterion.FILE_SIZE)).copies_size(result) == (
        7000 if low_detail else 8000)


def test_an_order_saved_before_a_criterion_existed_gets_it_where_the_default_has_it():
    saved = ["date", "resolution", "original format", "file size", "folder priority"]
    assert with_new_criteria(saved) == ["protected folder", "date", "resolution", "original format", "orientation",
                                        "file size", "folder priority"]
    older_default = [c.value for c in DEFAULT_ORDER if c not in (Criterion.UPRIGHT, Criterion.PROTECTED)]
    assert with_new_criteria(older_default) == [c.value for c in DEFAULT_ORDER]
    assert Settings(keeper_criteria=saved).keeper_rule().criteria[4] is Criterion.UPRIGHT


def test_folder_priority_and_full_ties(tmp_path):
    first = make_file(tmp_path / "z" / "x.jpg", 100, 50)
    second = make_file(tmp_path / "a" / "x.jpg", 100, 50)
    tie_rule = KeeperRule()
    session, _ = session_for(make_result([[first, second]]), tmp_path, tie_rule)
    assert session.keeper(0) == second.path  # a full tie: the path decides, always the same
    assert session.keeper_reason(0) == "first by name"
    prefer_z = KeeperRule.from_settings(["folder priority"], [str(tmp_path / "z")])
    session.set_keeper_rule(prefer_z)
    assert session.keeper(0) == first.path
    assert session.keeper_reason(0) == "priority folder"


def test_keep_this_one_overrides_the_rule_and_unmarks(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    assert session.is_marked(reencode.path)
    session.set_keeper(reencode.path)
    assert session.keeper(0) == reencode.path
    assert session.keeper_reason(0) == "your choice"
    assert not session.is_marked(reencode.path)
    assert session.members(0)[0] == reencode.path


def test_a_new_keeper_rule_unmarks_its_new_keepers(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    session.set_keeper_rule(KeeperRule.from_settings(["file size"], []))
    assert session.keeper(0) == reencode.path
    assert session.marks == {small.path}  # the old keeper was never marked: marks are not invented


def test_images_gone_before_the_review_starts_leave_their_groups(tmp_path, photos):
    """Reopened after a clean-up, a group still counted a trashed file and showed its card
    ("this file is no longer here"); a pair down to one image stayed in the list."""
    original, reencode, small = photos
    twin_a = make_file(tmp_path / "p" / "c" / "twin.jpg", 700, 200)
    twin_b = make_file(tmp_path / "p" / "c" / "twin copy.jpg", 700, 200)
    result = make_result([[reencode, small, original], [twin_a, twin_b]])
    os.remove(original.path)
    os.remove(twin_b.path)
    session, _ = session_for(result, tmp_path)
    assert session.find_vanished() == [original.path, twin_b.path]
    session.leave_out_vanished(session.find_vanished())
    assert session.rows() == [0] and session.members(0) == [reencode.path, small.path]
    assert session.keeper(0) == reencode.path, "the keeper is chosen among the images still there"
    assert session.vanished_notice() == (
        "2 images of this result are no longer where the search found them (moved, renamed or deleted "
        "since): left out of the groups.")
    session.mark_all()
    assert session.marks == {small.path}
    session_again, _ = session_for(make_result([[reencode, small]]), tmp_path)
    session_again.leave_out_vanished(session_again.find_vanished())
    assert session_again.vanished_notice() == ""


def test_a_result_without_the_images_gone_since_counts_what_the_viewer_shows(tmp_path):
    """A trial: a saved result opened again after a clean-up still counted the files it had
    trashed on its results screen, while the viewer left them out."""
    from difpy_tk.review.vanished import find_vanished, still_there
    from difpy_tk.scan.result import Chained

    records = {name: make_file(tmp_path / f"{name}.jpg", 1000 + 100 * n, 400 - n, days=n + 1)
               for n, name in enumerate(["a0", "a1", "a2", "b0", "b1", "b2", "b3", "c0", "c1", "d0", "d1"])}

    def group(kept: str, *matches: tuple[str, float]) -> Group:
        return Group(records[kept].path, tuple(Match(records[name].path, mse) for name, mse in matches))

    result = SearchResult(parameters={}, files={record.path: record for record in records.values()}, groups=[
        group("a0", ("a1", 0.0), ("a2", 2.0)), group("b0", ("b1", 0.0), ("b2", 3.0), ("b3", 5.0)),
        group("c0", ("c1", 1.0)), group("d0", ("d1", 0.0))],
        chained=[Chained(records["a2"].path, records["a1"].path, 9.0), Chained(str(tmp_path / "x.jpg"), "", 9.0)])
    for name in ("a2", "b0", "c1", "d0"):
        os.remove(records[name].path)
    shown = still_there(result, find_vanished(result))
    assert [(g.kept, [m.path for m in g.matches]) for g in shown.groups] == [
        (records["a0"].path, [records["a1"].path]), (records["b1"].path, [records["b2"].path, records["b3"].path])]
    assert (shown.duplicate_count, shown.similar_count, len(shown.chained)) == (1, 2, 1)
    assert shown.files_searched == len(records) and result.duplicate_count == 3, "the result itself is left as is"
    session, _ = session_for(result, tmp_path)
    session.leave_out_vanished(session.find_vanished())
    rows = session.rows()
    assert [len(session.members(n)) for n in rows] == [len(g.paths) for g in shown.groups]
    copies = sum(session.files[path].size for n in rows for path in session.members(n)[1:])
    assert KeeperRule().copies_size(shown) == copies, "the space the copies take, as the viewer's groups say"
    assert still_there(result, []) is result


def test_a_group_whose_kept_image_is_gone_is_counted_with_the_viewer_s_keeper(tmp_path):
    """A review: the kept image gone, two copies turned 90° against it and one upright;
    the results screen kept another image than the viewer (poses left against the image
    gone), so "Space the copies take" disagreed."""
    from difpy_tk.review.vanished import still_there

    gone, a, b, c = (make_file(tmp_path / f"{name}.jpg", size, 400, days=1)
                     for name, size in (("gone", 5000), ("a", 1000), ("b", 2000), ("c", 2100)))
    group = Group(gone.path, (Match(a.path, 0.5, 90), Match(b.path, 0.6, 90), Match(c.path, 0.7)))
    result = SearchResult(parameters={}, files={r.path: r for r in (gone, a, b, c)}, groups=[group])
    os.remove(gone.path)
    rule = KeeperRule((Criterion.UPRIGHT, Criterion.FILE_SIZE))
    session, _ = session_for(result, tmp_path, rule)
    session.leave_out_vanished(session.find_vanished())
    viewer_copies = sum(session.files[path].size for path in session.members(0)[1:])
    assert session.keeper(0) == b.path and rule.copies_size(still_there(result, [gone.path])) == viewer_copies


def test_an_image_in_a_protected_folder_is_never_marked_moved_or_trashed(tmp_path, photos):
    """Peers' reference folders: the originals' archive stays whatever else happens, and
    one of its images is the one kept, so the copies elsewhere can go (a trial protected
    Originals, and the Backup copy was kept: nothing could be cleaned up)."""
    original, reencode, small = photos  # original in p/a, the others in p/b
    archive = str(tmp_path / "p" / "b")
    rule = KeeperRule.from_settings([], [], [archive])
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path, rule)
    assert session.keeper(0) == reencode.path, "kept over the camera original, which the default keeps"
    assert session.is_protected(small.path) and not session.is_protected(original.path)
    assert session.apply_rule(MarkRule.ALL_BUT_KEEPER) == 1 and session.marks == {original.path}
    session.invert()
    assert session.marks == set()
    assert not session.toggle(small.path)
    assert view.told[-1] == (f"small.jpg is in a protected folder: {archive}. Images there are never marked, moved "
                             "or trashed (Settings › Protected).")
    assert rule.copies_size(session.result) == original.size
    session.set_keeper_rule(KeeperRule())
    session.mark_all()
    assert session.keeper(0) == original.path and session.marks == {reencode.path, small.path}
    session.set_keeper_rule(rule)  # protected now: their marks go
    assert session.marks == set()
    session.marks.add(small.path)  # a mark that got there all the same is left out of any action
    plan = session.plan(ActionKind.TRASH)
    assert plan.files == ()
    assert [result.reason for result in plan.left_out] == [f"in a protected folder: {archive} (Settings › Protected)"]
    assert Path(small.path).exists()
    alone = KeeperRule.from_settings([], [], [reencode.path])  # a file protected by its own path
    assert alone.reason(alone.choose([original, reencode]), [original]) == "protected folder"
    later = KeeperRule.from_settings(["original format", "protected folder"], [], [reencode.path])
    assert later.choose([original, reencode]) == original, "a criterion like the others: it can be moved down"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_protected_folder_is_the_same_folder_by_any_of_its_names(tmp_path):
    """A review: a folder protected by a link's name (~/Pictures/Archive -> a backup drive)
    protected nothing, as the search names files by their real path; and the other way."""
    real = tmp_path / "backup" / "Archive"
    kept = make_file(tmp_path / "photos" / "a.jpg", 3000, 400, days=1)
    archived = make_file(real / "a.jpg", 2000, 400, days=2)
    (tmp_path / "Pictures").mkdir()
    os.symlink(real, tmp_path / "Pictures" / "Archive")
    for protected in (tmp_path / "Pictures" / "Archive", real):
        rule = KeeperRule.from_settings([], [], [str(protected)])
        session, _ = session_for(make_result([[kept, archived]]), tmp_path, rule)
        assert session.is_protected(archived.path) and not session.is_protected(kept.path)
        assert session.protected_folder(archived.path) == str(protected), "named as the user gave it"
        session.mark_all()
        assert session.keeper(0) == archived.path and session.marks == {kept.path}
    linked = str(tmp_path / "Pictures" / "Archive" / "a.jpg")  # as a search through the link names it
    assert KeeperRule.from_settings([], [], [str(real)]).is_protected(linked)


def test_a_protected_folder_is_looked_for_once_per_folder_not_per_file(tmp_path, monkeypatch):
    """A re-check: with a folder protected, every file was looked at on the UI thread."""
    from difpy_tk.review.locations import FolderSet

    (tmp_path / "archive").mkdir()
    folders = FolderSet([str(tmp_path / "archive")])
    looked, real_stat = [], os.stat
    monkeypatch.setattr(os, "stat", lambda path, *args, **kw: looked.append(path) or real_stat(path, *args, **kw))
    assert not any(folders.holds(str(tmp_path / "photos" / f"{n}.jpg")) for n in range(500))
    assert len(looked) <= len(tmp_path.parts) + 2


def test_a_file_another_name_of_which_is_protected_is_protected(tmp_path):
    kept = make_file(tmp_path / "photos" / "a.jpg", 3000, 400, days=1)
    copy = make_file(tmp_path / "photos" / "b.jpg", 2000, 400, days=2)
    result = make_result([[kept, copy]], links={copy.path: (str(tmp_path / "Archive" / "b.jpg"),)})
    session, _ = session_for(result, tmp_path, KeeperRule.from_settings([], [], [str(tmp_path / "Archive")]))
    assert session.is_protected(copy.path) and session.mark_all() == 0


def test_every_refusal_of_a_protected_image_names_its_folder(tmp_path):
    """A trial: marking or acting on a protected image said "in a protected folder", and
    not which; an image protected under another of its names was refused the same way."""
    kept = make_file(tmp_path / "photos" / "a.jpg", 3000, 400, days=1)
    backup = make_file(tmp_path / "Backup" / "a.jpg", 2000, 400, days=2)
    archived = make_file(tmp_path / "Archive" / "a.jpg", 1000, 400, days=3)
    linked = make_file(tmp_path / "photos" / "b.jpg", 500, 400, days=4)
    result = make_result([[kept, backup, archived, linked]],
                         links={linked.path: (str(tmp_path / "Archive" / "b.jpg"),)})
    folders = [str(tmp_path / "Backup"), str(tmp_path / "Archive")]
    rule = KeeperRule.from_settings(["resolution", "date"], [], folders)
    session, view = session_for(result, tmp_path, rule)
    assert session.keeper(0) == kept.path
    session.toggle_many([backup.path, archived.path, linked.path])
    assert view.told[-1] == (f"a.jpg ({folders[0]}), a.jpg ({folders[1]}) … are in protected folders. Images there "
                             "are never marked, moved or trashed (Settings › Protected).")
    session.toggle(linked.path)
    assert view.told[-1].startswith(f"b.jpg is in a protected folder: {folders[1]}. ")
    session.act(ActionKind.TRASH, archived.path)
    assert view.told[-1].startswith(f"a.jpg is in a protected folder: {folders[1]}. ")
    session.marks.add(backup.path)  # a mark made before the folder was protected
    plan = session.plan(ActionKind.TRASH)
    assert [(result.source, result.reason) for result in plan.left_out] == [
        (backup.path, f"in a protected folder: {folders[0]} (Settings › Protected)")]
    assert view.confirmed == [] and session.marks == {backup.path}


@pytest.mark.parametrize("into", ["itself", "below", "by another name", "elsewhere"])
def test_a_move_into_a_protected_folder_is_said_before_and_made_when_confirmed(tmp_path, photos, into):
    """A trial moved copies into Originals, a protected folder, without a word: they were
    protected from then on. A warning in the confirmation, not a refusal."""
    if into == "by another name" and sys.platform == "win32":
        pytest.skip("symbolic links need privileges on Windows")
    archive = tmp_path / "Archive"
    archive.mkdir()
    if into == "by another name":
        (tmp_path / "link to Archive").symlink_to(archive)
    folder = {"itself": archive, "below": archive / "copies", "by another name": tmp_path / "link to Archive",
              "elsewhere": tmp_path / "copies"}[into]
    rule = KeeperRule.from_settings([], [], [str(archive)])
    session, view = session_for(make_result([list(photos)]), tmp_path, rule)
    session.mark_all()
    view.folder = str(folder)
    session.act(ActionKind.MOVE)
    (plan,) = view.confirmed
    where = {"itself": "is a protected folder", "elsewhere": ""}.get(into, f"is in a protected folder, {archive}")
    assert plan.protected_warning() == (where and f"Careful: {folder} {where} (Settings › Protected). The files "
                                        "moved there will be protected too: no later clean-up will mark, move or "
                                        "trash them, and a later search will keep them over the copies elsewhere, "
                                        "originals included.")
    assert len(list(folder.iterdir())) == 2, "moved all the same, once confirmed"


def test_a_move_keeping_folders_into_a_protected_sub_folder_is_said_too(tmp_path, photos):
    """A review: moving into Archive, keeping folders, put the copies from b/ into
    Archive/b, a protected folder, without a word (only Archive itself was looked at)."""
    protected = tmp_path / "Archive" / "b"
    protected.mkdir(parents=True)
    rule = KeeperRule.from_settings([], [], [str(protected)])
    session, _view = session_for(make_result([list(photos)], folder=tmp_path / "p"), tmp_path, rule)
    session.mark_all()
    plan = session.plan(ActionKind.MOVE_KEEPING_FOLDERS, str(tmp_path / "Archive"))
    assert (plan.protected_folder, plan.protected_destination) == (str(protected), str(protected))
    assert plan.protected_warning().startswith(f"Careful: {protected} is a protected folder")
    assert session.plan(ActionKind.MOVE, str(tmp_path / "Archive")).protected_warning() == "", "flat: not in b"


def test_a_folder_protected_while_an_action_runs_is_not_acted_on(tmp_path, photos, all_marked):
    """A review: Settings took the marks away, but the running move still took the file."""
    _original, reencode, small = photos
    session, _view, target = all_marked
    plan = session.plan(ActionKind.MOVE, str(target))
    session.set_keeper_rule(KeeperRule.from_settings([], [], [str(tmp_path / "p" / "b")]))  # during the run
    results = session.execute(plan, CancelToken())
    protected = f"in a protected folder: {tmp_path / 'p' / 'b'} (Settings › Protected)"
    assert [(result.outcome, result.reason) for result in results] == [(Outcome.SKIPPED, protected)] * 2
    assert Path(reencode.path).exists() and Path(small.path).exists() and list(target.iterdir()) == []


# ----- marking rules -----------------------------------------------------------------


def test_lower_resolution_marks_nothing_when_all_share_the_resolution(tmp_path):
    same = [make_file(tmp_path / f"{n}.jpg", 100 + n, 300) for n in range(4)]
    session, _ = session_for(make_result([same]), tmp_path)
    assert session.apply_rule(MarkRule.LOWER_RESOLUTION) == 0
    assert session.marks == set()


def test_what_lower_resolution_leaves_is_counted(tmp_path):
    """A difPy user's "lower resolution" took exact copies too: the groups where ours
    leaves copies as large as the keeper are counted, to be said after the rule."""
    exact = [make_file(tmp_path / f"e{n}.jpg", 100 + n, 300) for n in range(3)]
    mixed = [make_file(tmp_path / "big.jpg", 100, 400), make_file(tmp_path / "small.jpg", 90, 100)]
    session, _ = session_for(make_result([exact, mixed]), tmp_path)
    assert session.apply_rule(MarkRule.LOWER_RESOLUTION) == 1 and session.as_large_as_kept() == 1
    assert session.as_large_as_kept([1]) == 0
    session.apply_rule(MarkRule.ALL_BUT_KEEPER)
    assert session.as_large_as_kept() == 0


def test_lower_resolution_marks_strictly_lower_only(tmp_path):
    big = make_file(tmp_path / "big.jpg", 100, 400)
    twin = make_file(tmp_path / "twin.jpg", 90, 400)
    wide = make_file(tmp_path / "wide.jpg", 80, 399, 401)  # same pixels count? no: 159,999 < 160,000
    small = make_file(tmp_path / "small.jpg", 70, 100)
    session, _ = session_for(make_result([[big, twin, wide, small]]), tmp_path)
    session.apply_rule(MarkRule.LOWER_RESOLUTION)
    assert session.marks == {wide.path, small.path}


@pytest.mark.parametrize(
    ("rule", "marked"),
    [
        (MarkRule.SMALLER_FILE, {"old", "new"}),
        (MarkRule.OLDER, {"old"}),
        (MarkRule.NEWER, {"new", "heavy"}),
        (MarkRule.ALL_BUT_KEEPER, {"old", "new", "heavy"}),
    ],
)
def test_each_rule_marks_relative_to_the_keeper(tmp_path, rule, marked):
    files = {
        "keeper": make_file(tmp_path / "keeper.jpg", 500, 400, days=5),
        "old": make_file(tmp_path / "old.jpg", 400, 300, days=2),
        "new": make_file(tmp_path / "new.jpg", 300, 300, days=9),
        "heavy": make_file(tmp_path / "heavy.jpg", 900, 300, days=7),
    }
    session, _ = session_for(make_result([list(files.values())]), tmp_path)
    assert session.keeper(0) == files["keeper"].path
    session.apply_rule(rule)
    assert session.marks == {files[name].path for name in marked}


def test_in_folder_marks_inside_and_below_but_never_the_keeper(tmp_path):
    keeper = make_file(tmp_path / "b" / "keeper.jpg", 500, 400)
    inside = make_file(tmp_path / "b" / "copy.jpg", 400, 300)
    below = make_file(tmp_path / "b" / "sub" / "copy.jpg", 400, 300)
    outside = make_file(tmp_path / "c" / "copy.jpg", 400, 300)
    session, _ = session_for(make_result([[keeper, inside, below, outside]]), tmp_path)
    session.apply_rule(MarkRule.IN_FOLDER, folder=str(tmp_path / "b"))
    assert session.marks == {inside.path, below.path}


def test_mark_none_invert_and_toggle(tmp_path, photos):
    original, reencode, small = photos
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    assert session.toggle(small.path) is True
    session.invert()
    assert session.marks == {reencode.path}
    session.mark_none()
    assert session.marks == set()
    assert session.toggle(original.path) is False  # the keeper
    assert "cannot be marked" in view.told[-1]
    assert session.toggle(reencode.path) is True
    assert session.toggle(reencode.path) is False
    assert session.summary().count == 0


def test_low_detail_groups_are_left_to_the_user(tmp_path):
    plain = [make_file(tmp_path / f"sky{n}.jpg", 100 + n, 300 - n) for n in range(3)]
    rich = [make_file(tmp_path / f"cat{n}.jpg", 100 + n, 300 - n) for n in range(3)]
    session, _ = session_for(make_result([plain, rich], low_detail={0}), tmp_path)
    session.mark_all()
    session.invert()
    session.invert()
    session.apply_rule(MarkRule.LOWER_RESOLUTION)
    assert not any(session.is_marked(r.path) for r in plain)
    session.toggle(plain[2].path)
    assert session.is_marked(plain[2].path)  # by hand it can be
    assert session.left_alone() == 1
    session.included_flags = frozenset({LOW_DETAIL})
    session.apply_rule(MarkRule.LOWER_RESOLUTION)
    assert session.is_marked(plain[1].path) and session.left_alone() == 0


def test_invert_leaves_low_detail_groups_alone_unless_asked(tmp_path):
    """A mutation audit: inverting twice, as the test above does, hid an Invert that
    marked every plain sky."""
    plain = [make_file(tmp_path / f"sky{n}.jpg", 100 + n, 300 - n) for n in range(3)]
    rich = [make_file(tmp_path / f"cat{n}.jpg", 100 + n, 300 - n) for n in range(3)]
    session, _ = session_for(make_result([plain, rich], low_detail={0}), tmp_path)
    session.invert()
    assert not any(session.is_marked(r.path) for r in plain)
    assert session.is_marked(rich[1].path) and session.is_marked(rich[2].path)
    session.mark_none()
    session.included_flags = frozenset({LOW_DETAIL})
    session.invert()
    assert session.is_marked(plain[1].path) and session.is_marked(plain[2].path)
    flags = {item.record.path: item.flags for item in session.plan(ActionKind.TRASH).files}
    assert flags[plain[1].path] == (LOW_DETAIL,) and flags[rich[1].path] == (), "the confirmation names them"


def test_the_flagged_groups_can_be_listed_alone(tmp_path):
    """A new user had no way to see only the groups left to their eye."""
    plain = [make_file(tmp_path / f"sky{n}.jpg", 100 + n, 300 - n) for n in range(2)]
    rich = [make_file(tmp_path / f"cat{n}.jpg", 100 + n, 300 - n) for n in range(2)]
    session, _ = session_for(make_result([plain, rich], low_detail={0}), tmp_path)
    session.kind = "flagged"
    assert session.rows() == [0]
    session.kind = "all"
    assert session.rows() == [0, 1]


def test_groups_with_a_file_of_several_pages_are_left_to_the_user(tmp_path):
    """Only the first page of each was compared: the scans may differ further on."""
    scans = [make_file(tmp_path / f"scan{n}.tif", 100 + n, 300 - n) for n in range(2)]
    photos = [make_file(tmp_path / f"cat{n}.jpg", 100 + n, 300 - n) for n in range(2)]
    result = make_result([scans, photos])
    result.files[scans[1].path] = replace(result.files[scans[1].path], frames=3)
    session, _ = session_for(result, tmp_path)
    assert session.flags(0) == ["several pages"] and session.several_frames(0) == [scans[1].path]
    assert session.flags(1) == []
    session.apply_rule(MarkRule.ALL_BUT_KEEPER)
    assert session.is_marked(photos[1].path) and not session.is_marked(scans[1].path)
    session.included_flags = frozenset({LOW_DETAIL})  # the other flag: still left alone
    session.apply_rule(MarkRule.ALL_BUT_KEEPER)
    assert not session.is_marked(scans[1].path) and session.left_alone() == 1
    session.included_flags = FLAGS
    session.apply_rule(MarkRule.ALL_BUT_KEEPER)
    assert session.is_marked(scans[1].path)
    session.gone[scans[1].path] = "Moved to Trash"  # what act() records
    assert session.flags(0) == []


def test_marks_never_cover_a_whole_group(tmp_path):
    generator = random.Random(7)
    groups = [
        [
            make_file(
                tmp_path / f"g{g}" / f"{n}.jpg",
                generator.randint(1, 50),
                generator.choice((100, 200)),
                days=generator.randint(1, 4),
            )
            for n in range(generator.randint(2, 5))
        ]
        for g in range(6)
    ]
    session, _ = session_for(make_result(groups), tmp_path)
    paths = [r.path for group in groups for r in group]
    operations = [
        lambda: session.apply_rule(generator.choice(list(MarkRule)), folder=str(tmp_path / "g1")),
        session.mark_all,
        session.invert,
        session.mark_none,
        lambda: session.toggle(generator.choice(paths)),
        lambda: session.set_keeper(generator.choice(paths)),
    ]
    for _ in range(300):
        generator.choice(operations)()
        for number in range(len(groups)):
            assert session.keeper(number) not in session.marks
            assert set(session.members(number)) - session.marks


def test_the_bar_counts_marked_images_groups_and_bytes(tmp_path, photos):
    original, reencode, small = photos
    other = [make_file(tmp_path / "o1.jpg", 1000, 300), make_file(tmp_path / "o2.jpg", 1000, 200)]
    session, _ = session_for(make_result([[original, reencode, small], other]), tmp_path)
    session.mark_all()
    assert session.summary().describe() == "3 marked in 2 groups, 10.5 KB"


def test_the_table_filters_and_sorts(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    assert [e.name for e in session.entries()] == ["IMG_1.jpg", "IMG_1.png", "small.jpg"]
    assert [e.name for e in session.entries(sort="size", descending=True)] == ["IMG_1.png", "IMG_1.jpg", "small.jpg"]
    assert [e.name for e in session.entries(text="/B/")] == ["IMG_1.png", "small.jpg"]
    entry = session.entries(sort="resolution")[0]
    assert (entry.name, entry.format, entry.keeper, entry.position) == ("small.jpg", "JPG", False, 1)


def test_the_space_copies_take_is_counted_with_the_keeper_the_viewer_shows(tmp_path, photos):
    """The search matched the original to its larger PNG copy (its kept image); the rule
    keeps the original, so the PNG is the copy a clean-up frees (the results screen said
    the JPEG's size, the viewer the PNG's)."""
    original, reencode, small = photos
    result = make_result([[reencode, original, small]])
    rule = KeeperRule()
    assert rule.copies_size(result) == reencode.size + small.size
    session, _ = session_for(result, tmp_path, rule)
    assert rule.copies_size(result) == sum(result.files[p].size for p in session.members(0)[1:])
    assert KeeperRule((Criterion.FILE_SIZE,)).copies_size(result) == original.size + small.size


def test_the_image_others_matched_with_shows_its_error_to_the_kept_one(tmp_path, photos):
    """The search matched the camera original to its PNG copy (the group's centre), and
    the rule keeps the original: the PNG says how close it is to it, turned back."""
    original, reencode, _small = photos
    result = make_result([[reencode, original]])
    result.groups[0] = Group(reencode.path, (Match(original.path, 0.0, 90),))
    session, _ = session_for(result, tmp_path)
    assert session.keeper(0) == original.path
    assert session.match_of(reencode.path) == (None, Pose())
    assert session.closeness(reencode.path) == (0.0, Pose(270))
    assert session.closeness(original.path) == (0.0, Pose()), "the kept image is as it is"
    by_name = {entry.name: (entry.mse, entry.pose) for entry in session.entries()}
    assert by_name == {"IMG_1.png": (0.0, Pose(270)), "IMG_1.jpg": (0.0, Pose())}
    session.set_keeper(reencode.path)
    assert session.closeness(reencode.path) == (None, Pose())


def test_poses_are_told_against_the_kept_image_not_the_one_the_search_matched_with(tmp_path):
    """A flipped selfie, the larger file, was the search's image; the rule keeps an
    original. Every card said "⇆" (each was mirrored against the flipped one), so the
    flipped copy could not be told; now only it is, and turned copies say how."""
    flipped = make_file(tmp_path / "Phone" / "flipped.png", 9000, 400, days=3)
    selfie = make_file(tmp_path / "Camera" / "selfie.jpg", 3000, 400, days=1)
    copy = make_file(tmp_path / "Backup" / "selfie.jpg", 3000, 400, days=2)
    turned = make_file(tmp_path / "Backup" / "selfie turned.jpg", 2000, 400, days=2)
    group = Group(flipped.path, (Match(selfie.path, 0.0, 0, True), Match(copy.path, 0.0, 0, True),
                                 Match(turned.path, 0.5, 90, True)))
    files = {record.path: record for record in (flipped, selfie, copy, turned)}
    session, _ = session_for(SearchResult(parameters={}, files=files, groups=[group]), tmp_path)
    assert session.keeper(0) == selfie.path
    told = {Path(path).parent.name + "/" + Path(path).name: session.closeness(path) for path in files}
    assert told == {
        "Phone/flipped.png": (0.0, Pose(0, mirrored=True)),
        "Camera/selfie.jpg": (0.0, Pose()),
        "Backup/selfie.jpg": (0.0, Pose()),
        "Backup/selfie turned.jpg": (0.5, Pose(270)),  # mirrored then turned 90° against the flipped one
    }
    # the orientation criterion before file size: the mirrored one is the odd one out
    by_orientation = KeeperRule((Criterion.UPRIGHT, Criterion.FILE_SIZE))
    session, _ = session_for(SearchResult(parameters={}, files=files, groups=[group]), tmp_path, by_orientation)
    assert session.keeper(0) in (selfie.path, copy.path), "not the flipped one, though the largest file"


# ----- plan, confirm, run, outcome -------------------------------------------------------


def test_one_image_is_moved_by_itself_never_the_keeper_or_a_protected_one(tmp_path, photos):
    """difPy for Desktop moves or deletes each image from its own card; here through the
    same confirmation, and the marks of the others stay as they were."""
    original, reencode, small = photos
    target = tmp_path / "target"
    target.mkdir()
    rule = KeeperRule.from_settings([], [], [str(tmp_path / "p" / "b")])  # reencode (kept) and small
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path, rule)
    view.folder = str(target)
    session.act(ActionKind.MOVE, reencode.path)
    assert view.told[-1].startswith("The image kept in its group cannot be moved or trashed.")
    session.act(ActionKind.MOVE, small.path)
    assert view.told[-1] == (f"small.jpg is in a protected folder: {tmp_path / 'p' / 'b'}. Images there are never "
                             "marked, moved or trashed (Settings › Protected).")
    assert view.confirmed == [] and Path(small.path).exists()
    session.act(ActionKind.MOVE, original.path)  # not marked: acting on the image itself needs no mark
    (plan,) = view.confirmed
    assert [item.record.path for item in plan.files] == [original.path]
    assert [p.name for p in target.iterdir()] == ["IMG_1.jpg"] and Path(small.path).exists()


@pytest.fixture
def all_marked(tmp_path, photos):
    """The photos' group with all but the keeper marked, and a target folder to move to."""
    target = tmp_path / "target"
    target.mkdir()
    session, view = session_for(make_result([list(photos)]), tmp_path)
    session.mark_all()
    view.folder = str(target)
    return session, view, target


def test_move_marked_lists_every_file_then_moves_them(photos, all_marked):
    _original, reencode, small = photos
    session, view, target = all_marked
    session.act(ActionKind.MOVE)
    plan = view.confirmed[0]
    assert sorted(item.record.path for item in plan.files) == sorted([reencode.path, small.path])
    assert plan.total_bytes == 9500
    assert plan.headline() == f"Move 2 files (9.5 KB) from 1 group to {target}?"
    assert sorted(p.name for p in target.iterdir()) == ["IMG_1.png", "small.jpg"]
    assert view.outcomes[-1].message() == f"Moved to {target}: 2 files."
    assert session.rows() == []  # one image left: the group is done
    assert session.marks == set()


def test_a_move_says_which_files_got_a_new_name(tmp_path, photos):
    """A new user moved copies into a folder that held files of the same names: nothing
    was overwritten, but nothing said that "img (2).jpg" had appeared either."""
    original, reencode, small = photos
    target = tmp_path / "target"
    target.mkdir()
    (target / "small.jpg").write_bytes(b"already there")
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    view.folder = str(target)
    session.act(ActionKind.MOVE)
    assert (target / "small.jpg").read_bytes() == b"already there"
    assert view.outcomes[-1].message() == (
        f"Moved to {target}: 2 files. 1 got a new name, as a file of the same name was there (small (2).jpg)."
    )
    session.undo()
    assert view.outcomes[-1].message() == "Put back 2 files."


def test_a_new_folder_to_move_to_is_made_only_once_the_user_agrees(tmp_path, photos):
    original, reencode, small = photos
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.toggle(small.path)
    view.folder = str(tmp_path / "sorted" / "copies")  # typed in the chooser, not there yet
    view.answers = [False]
    session.act(ActionKind.MOVE)
    assert not (tmp_path / "sorted").exists() and Path(small.path).exists()
    assert view.confirmed[-1].headline().endswith(f"to {view.folder} (a new folder)?")
    session.act(ActionKind.MOVE)
    assert [p.name for p in (tmp_path / "sorted" / "copies").iterdir()] == ["small.jpg"]
    session.toggle(reencode.path)
    (tmp_path / "a file").write_text("")
    view.folder = str(tmp_path / "a file" / "copies")
    session.act(ActionKind.MOVE)
    told = view.told[-1]
    assert told.startswith(f"Cannot create the folder {view.folder}: ") and told.endswith("Nothing was moved.")
    assert Path(reencode.path).exists()


def test_nothing_marked_or_cancelled_touches_nothing(tmp_path, photos):
    original, reencode, small = photos
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.act(ActionKind.TRASH)
    assert "Nothing is marked" in view.told[-1]
    session.toggle(small.path)
    view.answers = [False]
    session.act(ActionKind.TRASH)
    assert Path(small.path).exists() and not view.outcomes
    view.folder = None
    session.act(ActionKind.MOVE)  # no folder chosen
    assert Path(small.path).exists() and len(view.confirmed) == 1
    with pytest.raises(ValueError):
        session.act(ActionKind.DELETE)


def test_changed_and_vanished_files_are_left_out_and_said_so(tmp_path, photos):
    original, reencode, small = photos
    third = make_file(tmp_path / "p" / "c" / "third.jpg", 200, 100)
    target = tmp_path / "target"
    target.mkdir()
    session, view = session_for(make_result([[original, reencode, small, third]]), tmp_path)
    session.mark_all()
    Path(small.path).write_bytes(b"edited since the search")
    Path(third.path).unlink()
    view.folder = str(target)
    session.act(ActionKind.MOVE)
    plan = view.confirmed[0]
    assert [item.record.path for item in plan.files] == [reencode.path]
    reasons = {result.source: result.reason for result in plan.left_out}
    assert reasons == {small.path: "the file changed since the search", third.path: "the file no longer exists"}
    report = view.outcomes[-1]
    assert report.message() == f"Moved to {target}: 1 file. 2 skipped."
    assert {r.source for r in report.problems} == {small.path, third.path}
    assert "skipped" in Path(tmp_path / "actions.log").read_text()
    assert session.failures[small.path] == "the file changed since the search"
    assert Path(small.path).exists()


def test_a_group_whose_keeper_vanished_is_left_out_whole(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    Path(original.path).unlink()
    plan = session.plan(ActionKind.TRASH)
    assert plan.files == ()
    assert all("the image kept in its group (IMG_1.jpg)" in r.reason for r in plan.left_out)


@pytest.mark.parametrize("replaced", ["keeper", "its folder"])
def test_a_keeper_replaced_by_a_link_to_a_marked_twin_keeps_the_twin(tmp_path, replaced):
    """Found by a safety review: after the search the kept image, or its folder, became a
    link to a marked copy (what 'rdfind -makesymlinks' does); the keeper still looked
    unchanged (stat follows links), so the only real file went to the Trash."""
    kept = make_file(tmp_path / "p" / "a" / "IMG_1.jpg", 3000, 400)
    twin_path = tmp_path / "p" / "b" / "IMG_1.jpg"
    twin_path.parent.mkdir(parents=True)
    shutil.copy2(kept.path, twin_path)
    twin = replace(kept, path=str(twin_path))
    session, view = session_for(make_result([[kept, twin]]), tmp_path)
    session.mark_all()
    assert session.marks == {twin.path}
    if replaced == "keeper":
        Path(kept.path).unlink()
        Path(kept.path).symlink_to(twin_path)
    else:
        shutil.rmtree(Path(kept.path).parent)
        Path(kept.path).parent.symlink_to(twin_path.parent)
    session.act(ActionKind.TRASH)
    assert view.confirmed == []  # nothing to confirm: the one marked file was left out
    assert twin_path.is_file() and not (tmp_path / "Trash").exists()
    reason = session.failures[twin.path]
    assert reason.startswith("the image kept in its group (IMG_1.jpg)")
    assert reason.endswith("replaced by a link since the search" if replaced == "keeper" else "through a link")


def test_a_marked_file_replaced_by_a_link_is_left_alone(tmp_path, photos):
    """Found by a safety review: a marked copy replaced by a relative link to its twin was
    moved as a link (dangling in its new folder), and undo then refused to put it back."""
    original, reencode, small = photos
    Path(small.path).unlink()
    Path(small.path).symlink_to(os.path.relpath(reencode.path, Path(small.path).parent))
    os.utime(small.path, ns=(small.mtime_ns, small.mtime_ns), follow_symlinks=False)
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    plan = session.plan(ActionKind.TRASH)
    assert {item.record.path for item in plan.files} == {reencode.path}
    assert [r.reason for r in plan.left_out] == ["the file was replaced by a link since the search"]


def test_a_keeper_gone_while_the_confirmation_is_open_stops_the_action(tmp_path, photos):
    original, reencode, small = photos

    class KeeperVanishes(FakeView):
        def confirm(self, plan: Plan) -> bool:
            Path(original.path).unlink()  # deleted in a file manager meanwhile
            return super().confirm(plan)

    view = KeeperVanishes()
    session = ReviewSession(make_result([[original, reencode, small]]), view, Journal(tmp_path / "actions.log"))
    session.mark_all()
    target = tmp_path / "target"
    target.mkdir()
    view.folder = str(target)
    session.act(ActionKind.MOVE)
    assert len(view.confirmed[0].files) == 2
    assert list(target.iterdir()) == [] and Path(reencode.path).is_file() and Path(small.path).is_file()
    report = view.outcomes[-1]
    assert report.message() == f"Moved to {target}: 0 files. 2 skipped."
    gone = "the image kept in its group (IMG_1.jpg): the file no longer exists"
    assert all(gone in result.reason for result in report.problems)


def test_a_link_is_one_entry_and_the_plan_says_it_breaks(tmp_path, photos):
    original, reencode, small = photos
    link = tmp_path / "p" / "link-to-small.jpg"
    link.symlink_to(small.path)
    hard = tmp_path / "p" / "hard-small.jpg"
    os.link(small.path, hard)
    to_hard = tmp_path / "p" / "link-to-hard.jpg"  # a link to the other name keeps working
    to_hard.symlink_to(hard)
    links = {small.path: (str(link), str(hard), str(to_hard))}
    target = tmp_path / "target"
    target.mkdir()
    session, view = session_for(make_result([[original, reencode, small]], links=links), tmp_path)
    assert [e.links for e in session.entries() if e.record.path == small.path] == [links[small.path]]
    session.toggle(small.path)
    view.folder = str(target)
    session.act(ActionKind.MOVE)
    plan = view.confirmed[0]
    assert [link.path for link in plan.breaking_links] == [str(link)]
    assert [link.path for link in plan.hard_links] == [str(hard)]
    assert (target / "small.jpg").is_file() and link.is_symlink() and not link.exists()
    assert to_hard.exists()
    assert view.outcomes[-1].message() == f"Moved to {target}: 1 file. 1 link to it now points nowhere."


def test_undo_puts_moved_files_back_unmarked(tmp_path, photos):
    original, reencode, small = photos
    target = tmp_path / "target"
    target.mkdir()
    session, view = session_for(make_result([[original, reencode, small]], folder=tmp_path / "p"), tmp_path)
    session.mark_all()
    view.folder = str(target)
    session.act(ActionKind.MOVE_KEEPING_FOLDERS)
    assert (target / "b" / "small.jpg").is_file()
    assert session.can_undo
    session.undo()
    assert Path(small.path).is_file() and Path(reencode.path).is_file()
    assert not (target / "b").exists()  # the folder the move made is gone again
    assert view.outcomes[-1].message() == "Put back 2 files."
    assert session.rows() == [0] and session.marks == set()
    session.undo()
    assert view.told[-1] == "Nothing to undo."


def test_files_put_back_by_undo_can_be_acted_on_again(tmp_path, photos):
    """The review does not act on a file whose ctime or file number changed since the
    search (a same-size, same-date swap); moving a file back changes its ctime, so the
    files undo put back are re-stamped, else the next action would refuse them all."""
    original, reencode, small = (actions.restamped(record) for record in photos)
    assert original.ctime_ns and original.inode, "a search records them"
    target = tmp_path / "target"
    target.mkdir()
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    view.folder = str(target)
    session.mark_all()
    session.act(ActionKind.MOVE)
    session.undo()
    assert view.outcomes[-1].message() == "Put back 2 files."
    session.mark_all()
    session.act(ActionKind.MOVE)
    assert view.outcomes[-1].message() == f"Moved to {target}: 2 files."


def test_a_folder_made_for_a_move_that_moved_nothing_is_taken_away(tmp_path, photos, monkeypatch):
    """A check of the fixes: with the journal's disk full, `clean --move-to` refused every
    move and left the new folder behind, empty."""
    from difpy_tk.review import journal as journal_module

    original, reencode, small = photos
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module, "append_line", full_disk)
    session.mark_all()
    (tmp_path / "kept").mkdir()
    view.folder = str(tmp_path / "kept" / "new" / "moved")
    session.act(ActionKind.MOVE)
    assert [result.ok for result in view.outcomes[-1].results] == [False, False]
    assert list((tmp_path / "kept").iterdir()) == [], "the folders made are gone, the one that was there stays"


def test_trash_then_undo_says_to_restore_from_the_trash(tmp_path, photos, monkeypatch):
    original, reencode, small = photos
    trashed = []
    monkeypatch.setattr("send2trash.send2trash", trashed.append)
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.toggle(small.path)
    session.act(ActionKind.TRASH)
    assert trashed == [small.path]
    assert view.outcomes[-1].message() == "Moved to Trash: 1 file."
    assert session.gone[small.path] == "moved to trash"
    session.undo()
    assert view.told[-1] == ("The last action sent 1 file to the Trash: Undo cannot bring it back; "
                             "restore it from the Trash.")


def test_no_trash_asks_a_second_time_before_deleting_permanently(tmp_path, photos, monkeypatch):
    from send2trash.exceptions import TrashPermissionError

    original, reencode, small = photos

    def no_trash(path):
        raise TrashPermissionError(path)

    monkeypatch.setattr("send2trash.send2trash", no_trash)
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.mark_all()
    view.answers = [True, False]  # yes to the Trash, no to deleting permanently
    session.act(ActionKind.TRASH)
    assert [plan.kind for plan in view.confirmed] == [ActionKind.TRASH, ActionKind.DELETE]
    assert "cannot be undone" in view.confirmed[1].headline()
    assert Path(small.path).exists() and Path(reencode.path).exists()
    assert "could not go to a Trash" in view.outcomes[-1].message()
    view.answers = [True, True]
    session.act(ActionKind.TRASH)
    assert not Path(small.path).exists() and not Path(reencode.path).exists()
    assert view.outcomes[-1].message() == "Deleted permanently: 2 files."


def test_a_failed_move_stays_in_its_group_with_the_reason(tmp_path, photos):
    original, reencode, small = photos
    session, view = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.toggle(small.path)
    target = tmp_path / "missing"
    view.folder = str(target)

    def run_once_the_folder_went(work, done):  # a drive unplugged after the user agreed
        target.rmdir()
        done(work())

    view.run = run_once_the_folder_went
    session.act(ActionKind.MOVE)
    assert view.outcomes[-1].message() == f"Moved to {target}: 0 files. 1 failed."
    assert small.path in session.members(0)
    assert "does not exist" in session.failures[small.path]
    assert view.outcomes[-1].problems[0].outcome is Outcome.FAILED


# ----- not a duplicate ----------------------------------------------------------------


def test_not_a_duplicate_hides_the_group_and_undo_brings_it_back(tmp_path, photos):
    original, reencode, small = photos
    other = [make_file(tmp_path / "o1.jpg", 1000, 300), make_file(tmp_path / "o2.jpg", 1000, 200)]
    session, view = session_for(make_result([[original, reencode, small], other]), tmp_path)
    session.mark_all()
    session.not_duplicate(0)
    assert session.rows() == [1]
    assert session.summary().count == 1
    index = ignore_list.load_index(tmp_path / "ignore.json")
    assert index.ignored(original.path, small.path)
    session.undo()
    assert session.rows() == [0, 1]
    assert ignore_list.load(tmp_path / "ignore.json") == []
    assert "Shown again" in view.told[-1]


def test_not_a_duplicate_holds_for_the_review_when_the_list_cannot_be_saved(tmp_path, photos, monkeypatch):
    """A trial with a read-only settings folder: the status said "hidden now and in later
    searches" while the group stayed, and Undo stayed off."""
    original, reencode, small = photos
    other = [make_file(tmp_path / "o1.jpg", 1000, 300), make_file(tmp_path / "o2.jpg", 1000, 200)]
    session, view = session_for(make_result([[original, reencode, small], other]), tmp_path)

    def refused(paths, path=None):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".ignore.json.x.tmp"))

    monkeypatch.setattr(ignore_list, "add", refused)
    assert session.not_duplicate(0) is False
    assert session.rows() == [1] and session.can_undo
    assert view.told[-1].startswith("Hidden for now only: the not-a-duplicate list cannot be saved (permission denied")
    assert session.not_duplicate_image(other[1].path) is False and session.rows() == []
    session.undo()
    session.undo()
    assert session.rows() == [0, 1] and view.told[-1] == "Shown again."
    assert not (tmp_path / "ignore.json").exists()


def test_not_a_duplicate_image_leaves_its_group_and_comes_back(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.not_duplicate_image(small.path)
    assert session.members(0) == [original.path, reencode.path]
    index = ignore_list.load_index(tmp_path / "ignore.json")
    assert index.ignored(small.path, original.path) and index.ignored(small.path, reencode.path)
    assert not index.ignored(original.path, reencode.path)
    session.not_duplicate_image(reencode.path)
    assert session.rows() == []  # one image left
    session.undo()
    session.undo()
    assert session.members(0) == [original.path, reencode.path, small.path]
    assert ignore_list.load(tmp_path / "ignore.json") == []


@pytest.mark.parametrize("chosen_first", [False, True])
def test_the_image_that_becomes_keeper_when_the_keeper_leaves_loses_its_mark(tmp_path, chosen_first):
    """Found by a safety review: 'not a duplicate' on the keeper made a marked image the
    keeper; a Trash of the marks then tripped an assert (or, under python -O, trashed the
    whole group)."""
    kept, first, second = (make_file(tmp_path / f"{n}.jpg", 300 - n, 400 - n) for n in range(3))
    session, _ = session_for(make_result([[kept, first, second]]), tmp_path)
    if chosen_first:
        session.set_keeper(first.path)
    leaving = session.keeper(0)
    session.mark_all()
    assert session.marks == {path for path in (kept.path, first.path, second.path) if path != leaving}
    session.not_duplicate_image(leaving)
    new_keeper = session.keeper(0)
    assert new_keeper != leaving and new_keeper not in session.marks
    assert session.marked_paths() == [path for path in session.members(0) if path != new_keeper]
    plan = session.plan(ActionKind.TRASH)
    assert [item.record.path for item in plan.files] == session.marked_paths()
    assert new_keeper not in {item.record.path for item in plan.files}


def test_a_plan_never_holds_the_keeper_whatever_the_marks_say(tmp_path, photos):
    original, reencode, small = photos
    session, _ = session_for(make_result([[original, reencode, small]]), tmp_path)
    session.marks.update({original.path, reencode.path, small.path})  # past every rule's guard
    planned = {item.record.path for item in session.plan(ActionKind.TRASH).files}
    assert planned == {reencode.path, small.path} and session.keeper(0) == original.path


def test_the_other_names_of_a_file_survive_a_saved_result(tmp_path, photos):
    from difpy_tk.scan.result_io import from_dict, to_dict

    original, reencode, small = photos
    result = make_result([[original, reencode, small]], links={small.path: ("/x/link.jpg",)})
    assert from_dict(to_dict(result)).links == {small.path: ("/x/link.jpg",)}


def test_same_entry_needs_inode_numbers_or_the_resolved_path(tmp_path, monkeypatch):
    """From a review: on a drive that gives inode 0 for every file, comparing inodes made
    every folder 'the same' (each move failed as 'already in that folder')."""
    from difpy_tk.review import locations

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    real = os.stat

    def without_inode(path):
        found = real(path)
        return os.stat_result((found.st_mode, 0, 0, *found[3:10]))

    for inodes in (True, False):
        if not inodes:
            monkeypatch.setattr(locations.os, "stat", without_inode)
        assert locations.same_entry(tmp_path / "link", tmp_path / "a")
        assert not locations.same_entry(tmp_path / "a", tmp_path / "b")


def test_is_inside_is_not_fooled_by_a_shared_prefix():
    assert is_inside("/p/b/x.jpg", "/p/b") and is_inside("/p/b/sub/x.jpg", "/p/b")
    assert not is_inside("/p/bb/x.jpg", "/p/b")


def test_chained_images_are_shown_with_the_group_they_touch(tmp_path, photos):
    from difpy_tk.scan.result import Chained

    original, reencode, small = photos
    other = [make_file(tmp_path / "o1.jpg", 1000, 300), make_file(tmp_path / "o2.jpg", 1000, 200)]
    result = make_result([[original, reencode, small], other])
    result.chained.append(Chained("/elsewhere/edit.jpg", small.path, 7.5, 0))
    session, _ = session_for(result, tmp_path)
    assert [c.path for c in session.chained(0)] == ["/elsewhere/edit.jpg"]
    assert session.chained(1) == []


def test_a_move_into_a_searched_folder_is_said_to_be_found_again(tmp_path, photos):
    """A new user moved copies into a folder of the searched tree: a later search finds them."""
    session, _ = session_for(make_result([list(photos)], folder=tmp_path / "p"), tmp_path)
    session.mark_all()
    inside = session.plan(ActionKind.MOVE, str(tmp_path / "p" / "a" / "dupes"))
    assert inside.searched_folder == str(tmp_path / "p")
    outside = session.plan(ActionKind.MOVE, str(tmp_path / "elsewhere"))
    assert outside.searched_folder is None
    flat = make_result([list(photos)], folder=tmp_path / "p")
    flat.parameters["recursive"] = False  # its sub-folders were not searched
    session, _ = session_for(flat, tmp_path)
    session.mark_all()
    assert session.plan(ActionKind.MOVE, str(tmp_path / "p" / "a" / "dupes")).searched_folder is None
    assert session.plan(ActionKind.MOVE, str(tmp_path / "p")).searched_folder == str(tmp_path / "p")
