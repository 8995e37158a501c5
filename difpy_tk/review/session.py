"""The review of one search result, without any toolkit: keepers, marks, the clean-up
flow and its undo. The Tk viewer and the `difpy-tk clean` command are views of it.

In the spirit of dupeGuru's core/gui models: the session owns the state and the rules
and talks to its view only through ReviewView, so every decision (what is kept, what is
marked, what an action will touch and what happened) is tested in plain pytest with a
fake view. The invariants hold whatever the view does:

- every group shown has a keeper, and the keeper is never marked, so marks never cover a
  whole group;
- rules only mark; files are touched only by act(), after the view confirmed a Plan that
  lists every file with its size, and files that changed or vanished since the search
  are left out and said so;
- a file the search reached through links is one entry, named by its real path; the
  plan and the outcome name the links that an action breaks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol, TypeVar

from difpy_tk.humanize import describe_error, first_few, format_bytes, plural
from difpy_tk.review import actions, ignore_list
from difpy_tk.review.journal import ActionResult, Journal, Outcome
from difpy_tk.review.keeper import KeeperRule
from difpy_tk.review.locations import FolderSet, is_inside
from difpy_tk.review.marking import MarkRule, rule_marks
from difpy_tk.review.safe_move import remove_empty_folders
from difpy_tk.review.vanished import find_vanished, vanished_notice
from difpy_tk.scan.frames import may_hold_pages
from difpy_tk.scan.poses import Pose
from difpy_tk.scan.progress import CancelToken
from difpy_tk.scan.result import Chained, FileRecord, SearchResult

T = TypeVar("T")
KINDS = ("all", "duplicates", "similar", "flagged")


LOW_DETAIL = "low detail"
SEVERAL_PAGES = "several pages"
FLAGS = frozenset({LOW_DETAIL, SEVERAL_PAGES})
"""What flags() can say of a group; rules leave a flagged group alone (included_flags)."""


class ActionKind(Enum):
    MOVE = "move"
    """Into one chosen folder, side by side (a clash gets a numbered name)."""
    MOVE_KEEPING_FOLDERS = "move keeping folders"
    """Into the chosen folder, each file below the sub-folders it had in the search."""
    TRASH = "trash"
    DELETE = "delete permanently"
    """Never chosen directly: offered, with its own confirmation, for the files a TRASH
    could not send to a Trash because their drive has none."""

    @property
    def moves(self) -> bool:
        return self in (ActionKind.MOVE, ActionKind.MOVE_KEEPING_FOLDERS)

    @property
    def label(self) -> str:
        """Menu words for the action on marked images."""
        return {
            ActionKind.MOVE: "Move marked to…",
            ActionKind.MOVE_KEEPING_FOLDERS: "Move marked to…, keeping folders",
            ActionKind.TRASH: "Move marked to Trash",
            ActionKind.DELETE: "Delete permanently",
        }[self]

    def done(self, folder: str | None) -> str:
        """What happened to the files that succeeded: "Moved to Trash"."""
        if self.moves:
            return f"Moved to {folder}"
        return "Moved to Trash" if self is ActionKind.TRASH else "Deleted permanently"


@dataclass(frozen=True)
class Link:
    """Another name by which the search reached a file."""

    path: str
    symbolic: bool
    """True for a symbolic link (or a name inside a linked folder); False for a hard link:
    a second name of the same data, which stays (and keeps the data) when this name moves."""
    breaks: bool = False
    """A symbolic link that points at this very name: it points nowhere once the file moves."""

    def describe(self) -> str:
        if self.breaks:
            return f"{self.path} (link, will break)"
        if self.symbolic:
            return f"{self.path} (link to another name of the file, keeps working)"
        return f"{self.path} (hard link, stays: the data is not freed)"


def classify_links(path: str, names: Iterable[str]) -> tuple[Link, ...]:
    """The other names of path, each told symbolic or hard, and whether it breaks when
    path moves, by resolving it now."""
    real = os.path.realpath(path)
    links = []
    for name in names:
        resolved = os.path.realpath(name)
        symbolic = resolved != os.path.abspath(name)
        links.append(Link(name, symbolic, symbolic and resolved == real))
    return tuple(links)


@dataclass(frozen=True)
class PlannedFile:
    record: FileRecord
    group: int
    keeper: FileRecord
    """The image its group keeps, checked again right before this file is acted on."""
    links: tuple[Link, ...] = ()
    keeper_reason: str = ""
    """Why that image is kept, in the keeper badge's words ("highest resolution")."""
    flags: tuple[str, ...] = ()
    """Why its group is left to the user's eye (ReviewSession.flags): the user included it."""


@dataclass(frozen=True)
class Plan:
    """What an action is about to do, for the view to confirm: every file and its size,
    the files left out (changed or vanished since the search, or their group's keeper
    did) with the reason, the folder for a move, and the links it will break."""

    kind: ActionKind
    files: tuple[PlannedFile, ...]
    left_out: tuple[ActionResult, ...] = ()
    folder: str | None = None
    searched_folder: str | None = None
    """The searched folder a move's folder lies in: a later search there finds the files again."""
    protected_folder: str | None = None
    """The protected folder (Settings › Protected) a move puts files in (its folder, or
    with a move keeping folders one made below it): the files moved there become
    protected (see protected_warning)."""
    protected_destination: str | None = None
    """The folder of the move that lies in protected_folder."""

    @property
    def total_bytes(self) -> int:
        return sum(item.record.size for item in self.files)

    @property
    def group_count(self) -> int:
        return len({item.group for item in self.files})

    @property
    def breaking_links(self) -> list[Link]:
        return [link for item in self.files for link in item.links if link.breaks]

    @property
    def hard_links(self) -> list[Link]:
        return [link for item in self.files for link in item.links if not link.symbolic]

    def protected_warning(self) -> str:
        """Words for a move into a protected folder ("" for any other plan): allowed, but
        what is moved there is then never marked, moved or trashed, which the user who
        chose the folder to put copies away may not know."""
        protected, destination = self.protected_folder, self.protected_destination
        if protected is None or destination is None:
            return ""
        where = ("is a protected folder" if os.path.normcase(os.path.abspath(destination)) ==
                 os.path.normcase(os.path.abspath(protected)) else f"is in a protected folder, {protected}")
        return (f"Careful: {destination} {where} (Settings › Protected). The files moved there will be protected "
                "too: no later clean-up will mark, move or trash them, and a later search will keep them "
                "over the copies elsewhere, originals included.")

    def headline(self) -> str:
        """ "Move 3 files (4.2 MB) from 2 groups to /backup?" """
        files = f"{plural(len(self.files), 'file')} ({format_bytes(self.total_bytes)})"
        groups = plural(self.group_count, "group")
        if self.kind.moves:
            keeping = ", keeping their folders," if self.kind is ActionKind.MOVE_KEEPING_FOLDERS else ""
            new = "" if self.folder is None or os.path.isdir(self.folder) else " (a new folder)"
            return f"Move {files} from {groups}{keeping} to {self.folder}{new}?"
        if self.kind is ActionKind.TRASH:
            return f"Move {files} from {groups} to the Trash?"
        return f"Delete {files} permanently? There is no Trash for them; this cannot be undone."


@dataclass(frozen=True)
class Report:
    """What an action or an undo did, file by file, in words for the status bar."""

    kind: ActionKind | None
    """None for an undo."""
    results: tuple[ActionResult, ...]
    folder: str | None = None
    broken_links: tuple[Link, ...] = ()

    def _count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome and not result.trash_unavailable)

    @property
    def problems(self) -> list[ActionResult]:
        """The files not done, with their reasons (a Trash-less file is asked about apart)."""
        return [result for result in self.results if not result.ok and not result.trash_unavailable]

    @property
    def no_trash(self) -> list[ActionResult]:
        return [result for result in self.results if result.trash_unavailable]

    def message(self) -> str:
        done = self._count(Outcome.OK)
        if self.kind is None:
            text = f"Put back {plural(done, 'file')}."
        else:
            text = f"{self.kind.done(self.folder)}: {plural(done, 'file')}."
        moved = self.kind in (ActionKind.MOVE, ActionKind.MOVE_KEEPING_FOLDERS)
        renamed = [result.destination for result in self.results if moved and result.ok and result.destination
                   and os.path.basename(result.destination) != os.path.basename(result.source)]
        if renamed:
            text += (f" {len(renamed)} got a new name, as a file of the same name was there"
                     f" ({first_few([os.path.basename(name) for name in renamed], 2)}).")
        if self.broken_links:
            count = len(self.broken_links)
            verb = "points" if count == 1 else "point"
            text += f" {plural(count, 'link')} to {'it' if done == 1 else 'them'} now {verb} nowhere."
        if skipped := self._count(Outcome.SKIPPED):
            text += f" {skipped} skipped."
        if failed := self._count(Outcome.FAILED):
            text += f" {failed} failed."
        if self.no_trash:
            text += f" {plural(len(self.no_trash), 'file')} could not go to a Trash (none on their drive)."
        return text


class ReviewView(Protocol):
    """What the session asks of its view (the Tk viewer, the command line, a test fake)."""

    def refresh(self, groups: set[int] | None = None) -> None:
        """Show the session's state again: only these groups changed, or all (None)."""

    def choose_folder(self, title: str) -> str | None:
        """A folder to move files to, which may not exist yet (the session creates it once
        the user confirms the move); None when the user cancels."""

    def confirm(self, plan: Plan) -> bool:
        """Ask before acting, listing every file of plan.files with its size, the total,
        plan.left_out with reasons and the links that break. A DELETE plan is the second
        confirmation, after a Trash was found missing: say it cannot be undone."""

    def show_outcome(self, report: Report) -> None:
        """Say what happened, naming every file in report.problems with its reason."""

    def tell(self, text: str) -> None:
        """A short notice: nothing marked, nothing to undo, a list that cannot be saved."""

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run work() off the UI thread when there is one, then done(its value) on it.
        A view without threads calls done(work())."""


@dataclass
class _Step:
    """One undoable step: a batch of file actions, or a not-a-duplicate decision."""

    results: tuple[ActionResult, ...] = ()
    entries: tuple[ignore_list.IgnoreEntry, ...] = ()
    group: int | None = None
    image: str | None = None


@dataclass(frozen=True)
class Entry:
    """One image as the table shows it."""

    group: int
    position: int
    """Place of its group in the list, from 1 ("Group 3" in the header)."""
    record: FileRecord
    mse: float | None
    """Error to the image the search matched it with; for that image, to the kept one
    (ReviewSession.closeness); None when it is the one kept."""
    pose: Pose
    keeper: bool
    marked: bool
    links: tuple[str, ...]
    protected: bool = False

    @property
    def name(self) -> str:
        return os.path.basename(self.record.path)

    @property
    def folder(self) -> str:
        return os.path.dirname(self.record.path)

    @property
    def format(self) -> str:
        return os.path.splitext(self.record.path)[1].lstrip(".").upper()


SORT_KEYS: dict[str, Callable[[Entry], object]] = {
    "group": lambda e: (e.position, not e.keeper, e.mse or 0.0, e.record.path),
    "name": lambda e: e.name.lower(),
    "folder": lambda e: e.folder.lower(),
    "resolution": lambda e: e.record.pixels,
    "size": lambda e: e.record.size,
    "date": lambda e: e.record.mtime_ns,
    "format": lambda e: e.format,
    "mse": lambda e: -1.0 if e.mse is None else e.mse,
}


@dataclass
class MarkSummary:
    count: int
    groups: int
    total_bytes: int

    def describe(self) -> str:
        """ "3 marked in 2 groups, 4.2 MB" for the bar under the list."""
        return f"{self.count:,} marked in {plural(self.groups, 'group')}, {format_bytes(self.total_bytes)}"


VANISHED = "no longer where the search found it: moved, renamed or deleted since"


def protected_reason(folder: str) -> str:
    """Why an action left an image alone, said after its name: the folder protecting it."""
    return f"in a protected folder: {folder} (Settings › Protected)"


def protected_refusal(protected: Sequence[tuple[str, str]]) -> str:
    """Why images cannot be marked, moved or trashed: each (name, protected folder) named
    (a trial was told only "in a protected folder", and not which). In several folders,
    each name is said with its own: copies share names, and "a.jpg, a.jpg" said nothing."""
    folders = list(dict.fromkeys(folder for _name, folder in protected))
    verb = "is" if len(protected) == 1 else "are"
    if len(folders) == 1:
        said = f"{first_few([name for name, _folder in protected], 2)} {verb} in a protected folder: {folders[0]}"
    else:
        said = f"{first_few([f'{name} ({folder})' for name, folder in protected], 2)} {verb} in protected folders"
    return f"{said}. Images there are never marked, moved or trashed (Settings › Protected)."


class ReviewSession:
    """The state of a review. Not thread-safe: call it from one thread (the UI's); only
    execute(), which the flow hands to view.run, runs elsewhere and touches files only."""

    def __init__(
        self,
        result: SearchResult,
        view: ReviewView,
        journal: Journal,
        keeper_rule: KeeperRule | None = None,
        ignore_path: Path | None = None,
    ) -> None:
        self.result = result
        self.view = view
        self.journal = journal
        result.files.update(actions.put_back_files(journal, result.files))
        self.keeper_rule = keeper_rule or KeeperRule()
        self.ignore_path = ignore_path
        self._kind = "all"
        self._rows: list[int] | None = None
        self._keepers: dict[int, str | None] = {}
        """rows() and keeper(), kept until something changes them (see _changed): the view
        asks for them for every row of a 10,000-group list."""
        self.included_flags: frozenset[str] = frozenset()
        """The flags (flags()) whose groups rules may mark: none until the user asks."""
        self.marks: set[str] = set()
        self.gone: dict[str, str] = {}
        """Path -> what happened to it ("Moved to …", "Moved to Trash"; VANISHED for a file
        found missing as the review starts, see leave_out_vanished)."""
        self.failures: dict[str, str] = {}
        """Path -> why the last action on it did not happen."""
        self.progress: tuple[int, int] | None = None
        """(done, total) of the running action, written by the worker, read by the view."""
        self._chosen: dict[int, str] = {}
        self._hidden_groups: set[int] = set()
        self._hidden_images: set[str] = set()
        self._undo: list[_Step] = []
        self._cancel: CancelToken | None = None
        self._group_of = {path: number for number, group in enumerate(result.groups) for path in group.paths}
        self._matches = {match.path: match for group in result.groups for match in group.matches}
        self._pose_of = {path: pose for group in result.groups for path, pose in group.poses.items()}
        self._protected = FolderSet(self.keeper_rule.protected)

    # ----- groups and keepers ---------------------------------------------------

    @property
    def files(self) -> dict[str, FileRecord]:
        return self.result.files

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def find_vanished(self) -> list[str]:
        """The group members no longer where the search found them (vanished.find_vanished):
        any thread may call it, as it changes nothing."""
        return find_vanished(self.result)

    def leave_out_vanished(self, paths: Iterable[str]) -> None:
        """Take vanished images out of their groups, like files moved here: the groups'
        figures and keepers are of the images still there, and a group down to one image
        leaves the list (a reopened viewer still counted a trashed file and showed it)."""
        added = {path: VANISHED for path in paths if path not in self.gone}
        if added:
            self.gone.update(added)
            self.marks.difference_update(added)
            self._changed()
            self.view.refresh()

    def vanished_notice(self) -> str:
        """What the review says as it starts when images of the result are gone ("" if none)."""
        return vanished_notice(sum(reason == VANISHED for reason in self.gone.values()), "the groups")

    def group_of(self, path: str) -> int | None:
        return self._group_of.get(path)

    def _present(self, number: int) -> list[str]:
        group = self.result.groups[number]
        return [
            path
            for path in group.paths
            if path in self.files and path not in self.gone and path not in self._hidden_images
        ]

    def _changed(self) -> None:
        """Forget rows() and keeper(): images left or came back, hid or showed, or the
        keeper rule or a keeper changed. A group's new keeper loses its mark here, once
        for every way a keeper can change (a hidden keeper, a rule, an undo), so no
        action ever sees a marked keeper."""
        self._rows = None
        self._keepers.clear()
        self._drop_keeper_marks()

    def keeper(self, number: int) -> str | None:
        """The image kept in the group: the user's choice while it is still there, else
        the keeper rule's pick among the images still there."""
        if number not in self._keepers:
            self._keepers[number] = self._choose_keeper(number)
        return self._keepers[number]

    def _choose_keeper(self, number: int) -> str | None:
        present = self._present(number)
        chosen = self._chosen.get(number)
        if chosen in present:
            return chosen
        if not present:
            return None
        return self.keeper_rule.choose([self.files[path] for path in present], self._poses(present)).path

    def _poses(self, paths: Iterable[str]) -> dict[str, Pose]:
        """Each image's pose against the search's kept image of its group (keeper.Poses)."""
        return {path: self.match_of(path)[1] for path in paths}

    def keeper_reason(self, number: int) -> str:
        """Why the keeper is the keeper, for its badge: "your choice" or the criterion."""
        keeper = self.keeper(number)
        if keeper is None:
            return ""
        if self._chosen.get(number) == keeper:
            return "your choice"
        present = self._present(number)
        others = [self.files[path] for path in present if path != keeper]
        return self.keeper_rule.reason(self.files[keeper], others, self._poses(present))

    def members(self, number: int) -> list[str]:
        """The group's images still in place and not hidden: keeper first, then the
        search's own order (the image matched against first, then by error)."""
        keeper = self.keeper(number)
        present = set(self._present(number))
        group = self.result.groups[number]
        ordered = [group.kept, *(m.path for m in sorted(group.matches, key=lambda m: (m.mse, m.path)))]
        return [keeper, *(path for path in ordered if path in present and path != keeper)] if keeper else []

    @property
    def kind(self) -> str:
        """Which groups the list shows: "all", "duplicates" (identical), "similar", or
        "flagged" (those left to the user's eye, see flags())."""
        return self._kind

    @kind.setter
    def kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self._kind = kind
        self._changed()

    def rows(self) -> list[int]:
        """The groups the list shows, in order: of the chosen kind, not hidden, and with
        two images or more still in place (a group done with leaves the list)."""
        if self._rows is None:
            self._rows = [
                number
                for number in range(len(self.result.groups))
                if number not in self._hidden_groups and self._of_kind(number) and len(self._present(number)) >= 2
            ]
        return list(self._rows)

    def _of_kind(self, number: int) -> bool:
        group = self.result.groups[number]
        if self.kind == "flagged":
            return bool(self.flags(number))
        return self.kind == "all" or group.is_duplicate == (self.kind == "duplicates")

    def set_keeper(self, path: str) -> None:
        """ "Keep this one": the image becomes its group's keeper and loses its mark."""
        number = self._group_of[path]
        self._chosen[number] = path
        self._keepers.pop(number, None)
        self.marks.discard(path)
        self.view.refresh({number})

    def set_keeper_rule(self, rule: KeeperRule) -> None:
        """A new rule from Settings: keepers not chosen by hand follow it; a new keeper
        loses its mark."""
        self.keeper_rule = rule
        self._changed()
        self.view.refresh()

    def _drop_keeper_marks(self) -> None:
        """Keepers, and images a new rule protects, lose their marks."""
        for number in {self._group_of[path] for path in self.marks}:
            keeper = self.keeper(number)
            if keeper is not None:
                self.marks.discard(keeper)
        if self.keeper_rule.protected:
            self.marks = {path for path in self.marks if not self.is_protected(path)}

    def _protection(self, path: str) -> str | None:
        """Why no action may take the image (protected_reason); None when one may."""
        folder = self.protected_folder(path)
        return None if folder is None else protected_reason(folder)

    def is_protected(self, path: str) -> bool:
        """In a protected folder: never marked, moved or trashed (protected_folder)."""
        return self.protected_folder(path) is not None

    def protected_folder(self, path: str) -> str | None:
        """The protected folder (Settings › Protected) the image is in, under this name or
        another the search found for the file (moving it would break that name); None
        when it is in none."""
        folders = self._protected_folders()
        return next((found for name in (path, *self.result.links.get(path, ()))
                     if (found := folders.holding(name)) is not None), None)

    def _protected_folders(self) -> FolderSet:
        """The keeper rule's protected folders, looked up once per rule. Settings replace the
        rule whole, also while an action runs (execute asks from its worker thread)."""
        folders = self._protected
        if folders.folders != self.keeper_rule.protected:
            folders = self._protected = FolderSet(self.keeper_rule.protected)
        return folders

    def match_of(self, path: str) -> tuple[float | None, Pose]:
        """(error to the image the search matched it with, pose as Group.poses tells it);
        (None, no pose) for that image itself."""
        match = self._matches.get(path)
        return (match.mse, self._pose_of.get(path, Pose())) if match else (None, Pose())

    def closeness(self, path: str) -> tuple[float | None, Pose]:
        """What a card and the table say of an image: its error to the image the search
        matched it with (for that image, when another one is kept, its error to the kept
        one: the same pair, so the same error), and its pose against the kept image, as
        the compare shows it. (None, no pose) only for the search's image when it is
        kept. Without the error, a pixel-identical copy kept by the rule left its twin
        saying nothing of how close they are; with the pose against the search's image,
        a kept original made every other copy read "⇆" when the search's was the flipped
        one."""
        mse, pose = self.match_of(path)
        number = self._group_of.get(path)
        keeper = None if number is None else self.keeper(number)
        if keeper is None or keeper == path:
            return mse, Pose()
        kept_mse, kept_pose = self.match_of(keeper)
        return (kept_mse if mse is None else mse), pose.then(kept_pose.inverse())

    def several_frames(self, number: int) -> list[str]:
        """Members still there holding several frames or pages, of which only the first
        was compared (once such a file is moved away, the group is an ordinary one)."""
        return [path for path in self._present(number) if may_hold_pages(self.files[path].frames)]

    def flags(self, number: int) -> list[str]:
        """Why rules leave this group to the user's eye: "low detail" (near-flat images may
        match without being copies), "several pages" (their other frames or pages were
        not compared); empty for an ordinary group."""
        flags = [LOW_DETAIL] if self.result.groups[number].low_detail else []
        return flags + ([SEVERAL_PAGES] if self.several_frames(number) else [])

    def chained(self, number: int) -> list[Chained]:
        """Images in no group that match a member of this one but not its kept image
        (the search's star grouping leaves them out; the user should still see them)."""
        paths = set(self.result.groups[number].paths)
        return [item for item in self.result.chained if item.other in paths]

    def links(self, path: str) -> tuple[Link, ...]:
        """The other names of this file found by the search."""
        return classify_links(path, self.result.links.get(path, ()))

    # ----- marks ------------------------------------------------------------------

    def is_marked(self, path: str) -> bool:
        return path in self.marks

    def toggle(self, path: str) -> bool:
        """Mark or unmark one image; the keeper cannot be marked (the view is told why).
        Returns whether the image is marked now."""
        self.toggle_many([path])
        return path in self.marks

    def toggle_many(self, paths: Iterable[str]) -> None:
        """Toggle each image's mark (the table's Space on selected rows), one refresh for
        all; keepers are left unmarked and the view is told why."""
        changed, keepers, protected = set(), 0, []
        for path in paths:
            number = self._group_of[path]
            if path == self.keeper(number):
                keepers += 1
                continue
            folder = self.protected_folder(path)
            if folder is not None:
                protected.append((os.path.basename(path), folder))
                continue
            if path in self.marks:
                self.marks.discard(path)
            elif path in self._present(number):
                self.marks.add(path)
            changed.add(number)
        if keepers:
            self.view.tell("The image kept in its group cannot be marked. Choose “Keep this one” on another first.")
        if protected:
            self.view.tell(protected_refusal(protected))
        self.view.refresh(changed)

    def _rule_groups(self, groups: Iterable[int] | None) -> list[int]:
        """The groups a rule works on: those given or all shown, without flagged ones
        unless the user asked for each of their flags."""
        numbers = self.rows() if groups is None else list(groups)
        return [n for n in numbers if self.included_flags.issuperset(self.flags(n))]

    def left_alone(self, groups: Iterable[int] | None = None) -> int:
        """How many of the groups (default: all shown) rules leave alone for their flags."""
        numbers = self.rows() if groups is None else list(groups)
        return len(numbers) - len(self._rule_groups(numbers))

    def as_large_as_kept(self, groups: Iterable[int] | None = None) -> int:
        """How many of the groups rules act on (default: all shown) still hold an unmarked
        image with at least the keeper's pixels: what "lower resolution" leaves, said after
        it, since in difPy "lower resolution" took every copy (a same-size duplicate too)
        and a difPy user saw it mark nothing among exact copies without a word."""
        count = 0
        for number in self._rule_groups(groups):
            keeper = self.keeper(number)
            if keeper is None:
                continue
            present = self._present(number)
            lower = rule_marks(MarkRule.LOWER_RESOLUTION, self.files[keeper], [self.files[path] for path in present])
            count += any(path != keeper and path not in lower and path not in self.marks
                         and not self.is_protected(path) for path in present)
        return count

    def apply_rule(self, rule: MarkRule, folder: str | None = None, groups: Iterable[int] | None = None) -> int:
        """Add the rule's marks in the groups (default: all shown); returns how many
        images it newly marked. Never acts on a file."""
        changed, added = set(), 0
        for number in self._rule_groups(groups):
            keeper = self.keeper(number)
            if keeper is None:
                continue
            members = [self.files[path] for path in self._present(number)]
            for path in rule_marks(rule, self.files[keeper], members, folder):
                if path not in self.marks and not self.is_protected(path):
                    self.marks.add(path)
                    changed.add(number)
                    added += 1
        self.view.refresh(changed)
        return added

    def mark_all(self, groups: Iterable[int] | None = None) -> int:
        return self.apply_rule(MarkRule.ALL_BUT_KEEPER, groups=groups)

    def mark_none(self, groups: Iterable[int] | None = None) -> None:
        numbers = set(self.rows() if groups is None else groups)
        self.marks = {path for path in self.marks if self._group_of[path] not in numbers}
        self.view.refresh()

    def invert(self, groups: Iterable[int] | None = None) -> None:
        """Marked images lose their mark and the others (never the keeper) gain one."""
        for number in self._rule_groups(groups):
            keeper = self.keeper(number)
            for path in self._present(number):
                if path != keeper and not self.is_protected(path):
                    self.marks.symmetric_difference_update({path})
        self.view.refresh()

    def marked_paths(self) -> list[str]:
        """Marked images still in a shown group, in list order (then by path). Counts the
        marks, not the groups, so the bar stays instant at 10,000 groups."""
        position = {number: index for index, number in enumerate(self.rows())}
        shown = [path for path in self.marks if self._group_of[path] in position and path not in self.gone]
        return sorted(shown, key=lambda path: (position[self._group_of[path]], path))

    def summary(self) -> MarkSummary:
        paths = self.marked_paths()
        return MarkSummary(len(paths), len({self._group_of[p] for p in paths}), sum(self.files[p].size for p in paths))

    # ----- the table ----------------------------------------------------------------

    def entries(self, text: str = "", sort: str = "group", descending: bool = False) -> list[Entry]:
        """Every image of every shown group, for the table; text keeps those whose path
        contains it (any case), sort is a SORT_KEYS column."""
        needle = text.casefold()
        found = []
        for position, number in enumerate(self.rows(), start=1):
            keeper = self.keeper(number)
            for path in self.members(number):
                if needle and needle not in path.casefold():
                    continue
                mse, pose = self.closeness(path)
                found.append(
                    Entry(
                        number,
                        position,
                        self.files[path],
                        mse,
                        pose,
                        path == keeper,
                        path in self.marks,
                        self.result.links.get(path, ()),
                        self.is_protected(path),
                    )
                )
        found.sort(key=SORT_KEYS[sort], reverse=descending)
        return found

    # ----- acting on marks ------------------------------------------------------------

    def plan(self, kind: ActionKind, folder: str | None = None, paths: Collection[str] | None = None) -> Plan:
        """The files a kind of action on the marks (or on paths, one card's image) would
        touch, each checked to be still as the search saw it. A group whose keeper
        changed or vanished is left out whole: nothing is removed on the strength of a
        copy that may not be there."""
        if kind.moves and folder is None:
            raise ValueError("a move needs a folder")
        chosen = self.marks if paths is None else set(paths)
        planned, left_out = [], []
        verb = "move" if kind.moves else "trash"
        for number in self.rows():
            marked = [path for path in self.members(number) if path in chosen]
            if not marked:
                continue
            keeper = self.keeper(number)
            marked = [path for path in marked if path != keeper]  # never the keeper, whatever the marks say
            if keeper is None or not marked:
                continue
            for path in marked:
                reason = self._protection(path) or actions.check_unchanged(self.files[path]) or (
                    actions.keeper_problem(self.files[keeper], path))
                if reason is not None:
                    left_out.append(ActionResult(verb, path, Outcome.SKIPPED, reason=reason))
                else:
                    planned.append(
                        PlannedFile(
                            self.files[path],
                            number,
                            self.files[keeper],
                            self.links(path),
                            self.keeper_reason(number),
                            tuple(self.flags(number)),
                        )
                    )
        if folder is None:
            return Plan(kind, tuple(planned), tuple(left_out))
        return Plan(kind, tuple(planned), tuple(left_out), folder, self._searched_folder_holding(folder),
                    *self._protected_destination(kind, folder, planned))

    def _protected_destination(
        self, kind: ActionKind, folder: str, planned: list[PlannedFile]
    ) -> tuple[str | None, str | None]:
        """(protected folder, the move's folder in it) of the first folder the move puts a
        file in that is protected: a move keeping folders makes sub-folders below folder,
        which may lie in a protected one when folder does not."""
        destinations = [folder]
        if kind is ActionKind.MOVE_KEEPING_FOLDERS:
            inputs = self._inputs()
            destinations += [actions.tree_destination(item.record.path, folder, actions.tree_base(
                item.record.path, inputs)) for item in planned]
        protected = self._protected_folders()
        for destination in dict.fromkeys(destinations):
            holding = protected.holding_folder(destination)
            if holding is not None:
                return holding, destination
        return None, None

    def _searched_folder_holding(self, folder: str) -> str | None:
        """The searched folder whose next search would find files moved into folder: the
        folder itself, or one it lies in when the search went into sub-folders."""
        real = os.path.realpath(folder)
        recursive = self.result.parameters.get("recursive", True) is not False
        for root in self._inputs():
            resolved = os.path.realpath(root)
            if real == resolved or (recursive and is_inside(real, resolved)):
                return root
        return None

    def _inputs(self) -> list[str]:
        """The searched folders, absolute as the search resolved them: a folder typed
        relative ("photos") means nothing from another working directory."""
        parameters = self.result.parameters
        return list(parameters.get("directory_resolved") or parameters.get("directory") or [])

    def execute(self, plan: Plan, cancel: CancelToken | None = None) -> list[ActionResult]:
        """Do the plan, file by file, journalling each outcome (the left-out files too).
        Safe to run in a worker thread: it touches the files and the journal only."""
        journal = self.journal
        results = [journal.record(result) for result in plan.left_out]
        if plan.kind.moves:
            inputs = self._inputs() if plan.kind is ActionKind.MOVE_KEEPING_FOLDERS else None
            action, name = actions.mover(plan.folder, journal, inputs), "move"
        else:
            permanent = plan.kind is ActionKind.DELETE

            def action(record: FileRecord) -> ActionResult:
                return actions.trash_file(record, journal, permanent_if_no_trash=permanent)

            name = "trash"

        keepers = {item.record.path: item.keeper for item in plan.files}

        def guarded(record: FileRecord) -> ActionResult:
            # Asked again as each file's turn comes: a folder protected in Settings while
            # this runs is not acted on (the rule is replaced whole, so reading it is safe).
            reason = self._protection(record.path) or actions.keeper_problem(keepers[record.path], record.path)
            if reason is not None:
                return journal.record(ActionResult(name, record.path, Outcome.SKIPPED, reason=reason))
            return action(record)

        def progress(done: int, total: int) -> None:
            self.progress = (done, total)

        results += actions.run_bulk([item.record for item in plan.files], guarded, name, progress, cancel)
        return results

    def act(self, kind: ActionKind, path: str | None = None) -> None:
        """The flow for the marked images, or for the one image path (a card's own Move
        and Trash, as difPy for Desktop offers them per image): choose a folder (moves),
        plan, confirm, run in the view's background, then show the outcome. A Trash
        missing for some files leads to a second, permanent-delete confirmation for those
        files only. The keeper and protected images are never acted on, by either way."""
        if kind is ActionKind.DELETE:
            raise ValueError("permanent delete is only offered for files that have no Trash")
        if self.busy:
            self.view.tell("Please wait: the previous action is still running.")
            return
        if path is not None:
            number = self._group_of.get(path)
            folder = self.protected_folder(path)
            refusal = (
                "The image kept in its group cannot be moved or trashed. Choose “Keep this one” on another first."
                if number is not None and path == self.keeper(number)
                else protected_refusal([(os.path.basename(path), folder)]) if folder is not None else None
            )
            if refusal:
                self.view.tell(refusal)
                return
        elif not self.marked_paths():
            self.view.tell("Nothing is marked. Mark images (click their box or press Space), or use a Mark rule.")
            return
        folder = None
        if kind.moves:
            count = plural(len(self.marked_paths()), "marked image") if path is None else os.path.basename(path)
            keeping = ", keeping their folders," if kind is ActionKind.MOVE_KEEPING_FOLDERS else ""
            folder = self.view.choose_folder(f"Move {count}{keeping} to…")
            if not folder:
                return
        plan = self.plan(kind, folder, None if path is None else [path])
        if plan.files and not self.view.confirm(plan):
            return
        made: list[str] = []
        if plan.files and folder is not None:
            try:  # a folder typed in the chooser, made once the user agreed
                made = actions.make_folder(folder)
            except OSError as error:
                self.view.tell(f"Cannot create the folder {folder}: {error.strerror or error}. Nothing was moved.")
                return
        self.start(plan, made)

    def start(self, plan: Plan, made: Sequence[str] = ()) -> None:
        """Run a confirmed plan through view.run; stop() cancels what is not done yet.
        made: the folders made for it, taken away again if nothing is moved into them."""
        self._cancel = CancelToken()
        self.progress = (0, len(plan.files))
        cancel = self._cancel
        self.view.run(lambda: self.execute(plan, cancel), lambda results: self._finished(plan, results, made))

    def stop(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def _finished(self, plan: Plan, results: list[ActionResult], made: Sequence[str] = ()) -> None:
        self._cancel = None
        self.progress = None
        if not any(result.ok for result in results):
            remove_empty_folders(made)  # every move refused: no folder left behind
        done = {result.source for result in results if result.ok}
        broken = tuple(link for item in plan.files if item.record.path in done for link in item.links if link.breaks)
        report = Report(plan.kind, tuple(results), plan.folder, broken)
        if any(result.ok for result in results):
            self._undo.append(_Step(results=tuple(results)))
        self._take(results, plan.kind.done(plan.folder))
        self.view.show_outcome(report)
        if plan.kind is ActionKind.TRASH and report.no_trash:
            paths = {result.source for result in report.no_trash}
            second = Plan(ActionKind.DELETE, tuple(item for item in plan.files if item.record.path in paths))
            if self.view.confirm(second):
                self.start(second)

    def _take(self, results: Iterable[ActionResult], done: str) -> None:
        """Take outcomes into the state: a success leaves its group (and its mark), a
        failure stays with its reason; an undone move comes back, unmarked."""
        changed: set[int] = set()
        for result in results:
            if result.action == "undo move":
                path = result.destination or ""
                if result.ok:
                    self.gone.pop(path, None)
                    self.failures.pop(path, None)
                    if path in self.files:
                        self.files[path] = actions.restamped(self.files[path])
            else:
                path = result.source
                if result.ok:
                    self.gone[path] = f"moved to {result.destination}" if result.destination else done.lower()
                    self.marks.discard(path)
                    self.failures.pop(path, None)
                elif not result.trash_unavailable:
                    self.failures[path] = result.reason
            if (number := self._group_of.get(path)) is not None:
                changed.add(number)
        self._changed()
        self.view.refresh(changed)

    # ----- not a duplicate ------------------------------------------------------------

    def _remember(self, groups_of_paths: list[list[str]]) -> tuple[ignore_list.IgnoreEntry, ...]:
        """Add the not-a-duplicate entries to the saved list; none when it cannot be
        saved (a read-only settings folder), which the view is told: the decision then
        holds for this review only, as the start screen promised for such a folder."""
        entries = []
        try:
            for paths in groups_of_paths:
                entries.append(ignore_list.add(paths, self.ignore_path))
        except OSError as error:
            for entry in entries:
                ignore_list.remove(entry, self.ignore_path)
            self.view.tell(
                f"Hidden for now only: the not-a-duplicate list cannot be saved ({describe_error(error)}), "
                "so later searches show it again. Undo (Ctrl+Z) shows it again now."
            )
            return ()
        return tuple(entries)

    def not_duplicate(self, number: int) -> bool:
        """The group's images are not duplicates of each other: hide the group now and in
        later searches (the engine skips the pairs); undo() brings it back. Returns
        whether later searches will skip it (see _remember)."""
        entries = self._remember([self._present(number)])
        self._hidden_groups.add(number)
        self._changed()
        self.marks.difference_update(self.result.groups[number].paths)
        self._undo.append(_Step(entries=entries, group=number))
        self.view.refresh()
        return bool(entries)

    def not_duplicate_image(self, path: str) -> bool:
        """This image is not a duplicate of the others of its group: it leaves the group
        now and is not matched with them in later searches; undo() brings it back.
        Returns whether later searches will keep them apart (see _remember)."""
        number = self._group_of[path]
        others = [other for other in self._present(number) if other != path]
        if not others or path not in self._present(number):
            return False
        entries = self._remember([[path, other] for other in others])
        self._hidden_images.add(path)
        self._changed()
        self.marks.discard(path)
        if self._chosen.get(number) == path:
            del self._chosen[number]
        self._undo.append(_Step(entries=entries, image=path))
        self.view.refresh()
        return bool(entries)

    # ----- undo -------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> None:
        """Undo the latest step: put back the files a move took away (files sent to the
        Trash are restored from the Trash itself, and the view is told so), or bring a
        not-a-duplicate group or image back."""
        if self.busy:
            self.view.tell("Please wait: the previous action is still running.")
            return
        if not self._undo:
            self.view.tell("Nothing to undo.")
            return
        step = self._undo.pop()
        if step.group is not None or step.image is not None:
            for entry in step.entries:
                ignore_list.remove(entry, self.ignore_path)
            if step.group is not None:
                self._hidden_groups.discard(step.group)
            if step.image is not None:
                self._hidden_images.discard(step.image)
            self._changed()
            self.view.refresh()
            self.view.tell("Shown again, and matched again in later searches." if step.entries else "Shown again.")
            return
        batch = {id(result) for result in step.results}
        moves = [(index, result) for index, result in self.journal.undoable_moves() if id(result) in batch]
        trashed = sum(1 for result in step.results if result.ok and result.action in ("trash", "delete"))
        if not moves:
            them = "it" if trashed == 1 else "them"
            self.view.tell(
                f"The last action sent {plural(trashed, 'file')} to the Trash: Undo cannot bring {them} back; "
                f"restore {them} from the Trash."
                if trashed
                else "Nothing to undo: that action moved nothing."
            )
            return
        self._cancel = CancelToken()
        self.view.run(
            lambda: [actions.undo_move(self.journal, index, result) for index, result in reversed(moves)],
            lambda results: self._undone(step, results, trashed),
        )

    def _undone(self, step: _Step, results: list[ActionResult], trashed: int) -> None:
        self._cancel = None
        if any(not result.ok for result in results):
            self._undo.append(step)  # the files not put back stay undoable
        self._take(results, "")
        self.view.show_outcome(Report(None, tuple(results)))
        if trashed:
            self.view.tell(f"{plural(trashed, 'file')} of that action went to the Trash: restore them from there.")
