"""`difpy-tk clean RESULT.json` and `difpy-tk undo`: the clean-up for scripts and big folders.

`clean` is one more view of the review model the viewer uses (review.session): the same
keeper rule, marking rules, plan (every file, the files left out because they changed or
their group's keeper did, the links that break), the same journalled, never-overwriting
moves and Trash, the same permanent-delete rule (only for files whose drive has no Trash,
only after its own confirmation). It prints exactly what it will do and asks, unless
--yes; --dry-run prints and stops. `undo` moves back the moves of the last run (or every
run, --all) from the move journal, each only if it is still the file that was moved.
Both first finish or roll back a move that an earlier run left half-done."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from itertools import groupby
from typing import TypeVar

from difpy_tk.humanize import format_bytes, plural
from difpy_tk.review import actions, ignore_list
from difpy_tk.review.journal import ActionResult, Journal, Outcome, journalled_moves, last_run_moves
from difpy_tk.review.keeper import Criterion, KeeperRule
from difpy_tk.review.marking import MarkRule, as_large_note
from difpy_tk.review.safe_move import interrupted_moves, recover_interrupted
from difpy_tk.review.session import FLAGS, LOW_DETAIL, ActionKind, Plan, Report, ReviewSession
from difpy_tk.scan.result_io import load_json
from difpy_tk.state.settings import load_settings

T = TypeVar("T")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MISSING, EXIT_NOT_CONFIRMED = 0, 1, 2, 3, 5
MARKS = {rule.value.replace(" ", "-"): rule for rule in MarkRule}
CRITERIA = {criterion.value.replace(" ", "-"): criterion for criterion in Criterion}


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The `clean` and `undo` sub-commands of the difpy-tk parser."""
    clean = commands.add_parser(
        "clean",
        prog="difpy-tk clean",  # not the parent's two-line usage with "clean" appended
        help="move or trash the copies in a saved result (asks first)",
        description="Keep one image of every group of a saved result (difpy-tk scan --json) and move "
        "the marked copies to a folder or the Trash. Prints every file first and asks, unless --yes. "
        "Files changed since the scan, and groups whose kept image changed, are left alone. "
        "Moves never overwrite and can be undone with 'difpy-tk undo'.",
    )
    clean.add_argument("result", metavar="RESULT.json", help="a result saved by 'difpy-tk scan --json' or the app")
    where = clean.add_mutually_exclusive_group(required=True)
    where.add_argument("--move-to", metavar="DIR", help="move the marked images into this folder (created if needed)")
    where.add_argument("--trash", action="store_true", help="send the marked images to the Recycle Bin / Trash")
    clean.add_argument(
        "--keep-folders",
        action="store_true",
        help="with --move-to: recreate each image's sub-folders below DIR, so same-named "
        "images from different folders stay apart",
    )
    clean.add_argument(
        "--mark",
        choices=sorted(MARKS),
        default="all-but-keeper",
        help="which images of each group to act on, compared with the one kept: "
        "all-but-keeper (default), lower-resolution (strictly fewer pixels), smaller-file, "
        "older, newer, in-folder (with --mark-folder)",
    )
    clean.add_argument("--mark-folder", metavar="DIR", help="the folder for --mark in-folder")
    clean.add_argument(
        "--keep-by",
        metavar="ORDER",
        default="",
        help="how the image to keep is chosen, comma-separated and tried in order: "
        f"{', '.join(CRITERIA)} (default: {', '.join(CRITERIA)})",
    )
    clean.add_argument(
        "--prefer-folder",
        metavar="DIR",
        action="append",
        default=[],
        help="for keep-by folder-priority: keep images in this folder first (repeatable)",
    )
    clean.add_argument(
        "--protect",
        metavar="DIR",
        action="append",
        default=[],
        help="never mark, move or trash an image in this folder or below it; a group holding one "
        "keeps it (repeatable; added to the app's Settings › Protected, which apply too)",
    )
    clean.add_argument(
        "--kind",
        choices=("all", "duplicates", "similar"),
        default="all",
        help="act on every group (default), only exact duplicates, or only similar ones",
    )
    include = clean.add_mutually_exclusive_group()
    include.add_argument(
        "--include-flagged",
        dest="included_flags",
        action="store_const",
        const=FLAGS,
        default=frozenset(),
        help="also mark flagged groups, left alone by default: near-flat images (blank pages, "
        "black frames), which look alike without being copies, and files of several pages or "
        "frames, of which only the first was compared",
    )
    include.add_argument(
        "--include-low-detail",
        dest="included_flags",
        action="store_const",
        const=frozenset({LOW_DETAIL}),
        help="also mark groups of near-flat images, but not those with files of several pages",
    )
    clean.add_argument("--dry-run", action="store_true", help="print what would be done; no file is touched")
    clean.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    clean.add_argument(
        "--delete-if-no-trash",
        action="store_true",
        help="with --trash --yes: delete permanently the files whose drive has no Trash "
        "(otherwise they are left and reported)",
    )

    undo = commands.add_parser(
        "undo",
        prog="difpy-tk undo",  # not the parent's two-line usage with "undo" appended
        help="move back the files the last clean-up moved",
        description="Move back the files moved by the last run of 'difpy-tk clean' or the app (or by "
        "every run, --all), newest first, each only if it is still the file that was moved and "
        "its old name is free. It does not touch files sent to the Trash: restore those from the "
        "Trash (the Recycle Bin) itself.",
    )
    undo.add_argument("--all", action="store_true", help="undo the moves of every run, not only the last")
    undo.add_argument("--dry-run", action="store_true", help="print what would be moved back; no file is touched")
    undo.add_argument("--yes", action="store_true", help="do not ask (for scripts)")


class CommandLineView:
    """The review model's view on a terminal (see review.session.ReviewView)."""

    def __init__(self, args: argparse.Namespace, say: Callable[[str], None]) -> None:
        self.args = args
        self.say = say
        self.reports: list[Report] = []
        self.declined = False
        self.told: list[str] = []

    def refresh(self, groups: set[int] | None = None) -> None:
        """Nothing is on screen to redraw."""

    def choose_folder(self, title: str) -> str | None:
        return os.path.abspath(self.args.move_to)

    def confirm(self, plan: Plan) -> bool:
        for line in describe_plan(plan):
            self.say(line)
        if plan.kind is ActionKind.DELETE:
            agreed = self.args.delete_if_no_trash or (not self.args.yes and ask("Delete them permanently?"))
        else:
            agreed = self.args.yes or ask("Go ahead?")
        if not agreed:
            self.declined = True
            self.say("Nothing was changed." if plan.kind is not ActionKind.DELETE else "They were left as they are.")
            return False
        return True

    def show_outcome(self, report: Report) -> None:
        self.reports.append(report)
        self.say(report.message())
        for result in report.problems:
            self.say(f"  {result.outcome.value}: {result.source}: {result.reason}")

    def tell(self, text: str) -> None:
        """A notice means the session stopped short of acting (it cannot make the folder,
        say): an error for a script, which must not read it as success."""
        self.told.append(text)
        print(f"difpy-tk: error: {text}", file=sys.stderr)

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        done(work())


def describe_plan(plan: Plan) -> list[str]:
    """Every file the plan touches, by group under the image the group keeps and why,
    with sizes; the files left out and why; the links that will break: the whole of what
    the user agrees to."""
    warning = plan.protected_warning()
    lines = [plan.headline(), *([warning] if warning else [])]
    for group, grouped in groupby(plan.files, key=lambda item: item.group):
        items = list(grouped)
        kept = items[0]
        lines.append(f"  group {group + 1}, keeping {kept.keeper.path} ({kept.keeper_reason}):")
        lines += [f"    {item.record.path}  ({format_bytes(item.record.size)})" for item in items]
    if plan.left_out:
        lines.append(f"Left alone ({plural(len(plan.left_out), 'file')}):")
        lines += [f"  {result.source}: {result.reason}" for result in plan.left_out]
    if plan.breaking_links:
        lines.append("These links will point nowhere afterwards:")
        lines += [f"  {link.path}" for link in plan.breaking_links]
    if plan.hard_links:
        lines.append("These other names of the same data stay (the space is not freed):")
        lines += [f"  {link.path}" for link in plan.hard_links]
    return lines


def ask(question: str) -> bool:
    """y/N on the terminal; without one (a script) the answer is no: use --yes."""
    if not sys.stdin or not sys.stdin.isatty():
        print("difpy-tk: not confirmed: no terminal to ask on (use --yes in scripts)", file=sys.stderr)
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _recover(journal: Journal, args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Finish or roll back what an interrupted run left half-done, except in a dry run,
    which changes nothing (it says what the next real run does first)."""
    if args.dry_run:
        for _op, intent in interrupted_moves(journal):
            say(f"An earlier run was interrupted moving {intent.source}: a real run first finishes or rolls it back.")
        return
    for result in recover_interrupted(journal):
        say(f"An earlier run was interrupted: {result.source}: {result.reason}")


def _keeper_rule(args: argparse.Namespace) -> KeeperRule:
    names = [name.strip() for name in args.keep_by.split(",") if name.strip()]
    unknown = [name for name in names if name not in CRITERIA]
    if unknown:
        raise ValueError(f"--keep-by: unknown {', '.join(unknown)}; choose from {', '.join(CRITERIA)}")
    missing = [folder for folder in args.protect if not os.path.exists(folder)]
    if missing:  # a typo would protect nothing, without a word
        raise ValueError(f"--protect: {', '.join(missing)} does not exist")
    protected = [*args.protect, *load_settings().protected_folders]  # the app's list is a promise too
    return KeeperRule.from_settings([CRITERIA[name].value for name in names], args.prefer_folder, protected)


def run_clean(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    if args.keep_folders and not args.move_to:
        print("difpy-tk: error: --keep-folders goes with --move-to", file=sys.stderr)
        return EXIT_USAGE
    if (args.mark == "in-folder") != bool(args.mark_folder):
        print("difpy-tk: error: --mark in-folder and --mark-folder DIR go together", file=sys.stderr)
        return EXIT_USAGE
    try:
        rule = _keeper_rule(args)
    except ValueError as error:
        print(f"difpy-tk: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = ignore_list.filter_result(load_json(args.result))
    except FileNotFoundError as error:
        print(f"difpy-tk: error: {error.filename or args.result} does not exist", file=sys.stderr)
        return EXIT_MISSING
    except (OSError, ValueError) as error:
        print(f"difpy-tk: error: {args.result}: {error}", file=sys.stderr)
        return EXIT_USAGE
    view = CommandLineView(args, say)
    journal = Journal()
    _recover(journal, args, say)
    session = ReviewSession(result, view, journal, keeper_rule=rule)
    session.kind = args.kind
    session.included_flags = args.included_flags
    session.leave_out_vanished(session.find_vanished())
    if notice := session.vanished_notice():
        say(notice)
    marked = session.apply_rule(MARKS[args.mark], folder=args.mark_folder)
    skipped = session.left_alone()
    left_alone = f" {plural(skipped, 'flagged group')} left alone (see --include-flagged)." if skipped else ""
    if MARKS[args.mark] is MarkRule.LOWER_RESOLUTION:
        left_alone += as_large_note(session.as_large_as_kept(), "--mark all-but-keeper")
    if not marked:
        say(f"Nothing to do: the rule marks no image in any group it may act on.{left_alone}")
        return EXIT_OK
    if left_alone:
        say(left_alone.strip())
    kind = ActionKind.TRASH if args.trash else ActionKind.MOVE_KEEPING_FOLDERS if args.keep_folders else ActionKind.MOVE
    if args.dry_run:  # the plan only: acting, even on no file, would write to the journal
        for line in describe_plan(session.plan(kind, view.choose_folder("") if kind.moves else None)):
            say(line)
        say("Dry run: nothing was changed.")
        return EXIT_OK
    session.act(kind)
    if journal.write_error:
        print(f"difpy-tk: warning: {journal.write_error}", file=sys.stderr)
    if view.declined and not view.reports:
        return EXIT_NOT_CONFIRMED
    if view.told and not view.reports:
        return EXIT_FAILED
    failed = any(result.outcome is Outcome.FAILED for report in view.reports for result in report.results)
    return EXIT_FAILED if failed else EXIT_OK


def run_undo(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    journal = Journal()
    _recover(journal, args, say)
    moves = journalled_moves(journal)
    chosen = moves if args.all else last_run_moves(moves)
    if not chosen:
        say("Nothing to undo: the journal holds no moves that are not undone yet.")
        return EXIT_OK
    say(f"Move back {plural(len(chosen), 'file')}{' of every run' if args.all else ' of the last run'}:")
    coming_back: set[str] = set()
    for intent in reversed(chosen):  # the order the undo takes them in
        refusal = actions.move_back_refusal(intent, coming_back)
        if refusal is None:
            coming_back.add(intent.source)
        said = {None: "", actions.BACK_ALREADY: f"  ({refusal})"}.get(refusal, f"  (refused: {refusal})")
        say(f"  {intent.destination} -> {intent.source}{said}")
    if args.dry_run:
        say("Dry run: nothing was changed.")
        return EXIT_OK
    if not (args.yes or ask("Go ahead?")):
        say("Nothing was changed.")
        return EXIT_NOT_CONFIRMED
    results: list[ActionResult] = [actions.move_back(journal, intent) for intent in reversed(chosen)]
    done = sum(result.ok for result in results)
    say(f"Put back {plural(done, 'file')}.")
    for result in results:
        if not result.ok:
            say(f"  not moved back: {result.source}: {result.reason}")
    return EXIT_OK if done == len(results) else EXIT_FAILED


def run_command(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Run `clean` or `undo`; its exit code: 0 done (files left alone because they changed
    since the scan are listed, not errors), 1 some files failed, 2 bad arguments, 3 no
    such result file, 5 not confirmed."""
    try:
        return run_clean(args, say) if args.command == "clean" else run_undo(args, say)
    except KeyboardInterrupt:
        print("\ndifpy-tk: interrupted; what was done is in the journal ('difpy-tk undo')", file=sys.stderr)
        return 130
